// Unix signals delivered as readiness on a signalfd, so SIGINT/SIGTERM/SIGHUP are handled in
// the loop like any other event instead of in an async-signal context.
#pragma once

#include <initializer_list>

#include "net/event_loop.hpp"

namespace wsrelay::net {

class SignalHandler {
 public:
  virtual void on_signal(int signal_number) = 0;

 protected:
  ~SignalHandler() = default;
};

class SignalWatcher final : public IoHandler {
 public:
  // Blocks the signals for normal delivery and routes them to `handler` through the loop.
  SignalWatcher(EventLoop& loop, SignalHandler& handler, std::initializer_list<int> signals);
  ~SignalWatcher();
  bool ok() const { return fd_ >= 0; }
  void on_io(uint32_t events) override;

 private:
  EventLoop& loop_;
  SignalHandler& handler_;
  int fd_ = -1;
};

// SIGPIPE is never wanted in a server that writes to sockets peers may have closed.
void ignore_sigpipe();

}  // namespace wsrelay::net
