// The reactor: one thread, one epoll instance, readiness dispatched to handlers, a timer
// wheel, and hooks that run just before the loop goes to sleep.
//
// The loop knows nothing of WebSocket or HTTP. Everything above it is written against this
// small interface (Redis' ae.c is the model):
//   watch / update / unwatch  — readiness interest for a file descriptor
//   timers                    — see timer_wheel.hpp; the loop owns one wheel
//   before-sleep hooks        — where the server flushes corked output and frees connections
//                               closed during this iteration (never free inside a callback)
//
// Readiness is level-triggered: a handler that leaves bytes unread is called again on the next
// iteration, which keeps one busy connection from starving the others.
// Thread rules: none — a loop and everything registered with it belong to one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "net/timer_wheel.hpp"

namespace wsrelay::net {

// Readiness bits passed to IoHandler::on_io (our own, not epoll's).
namespace io_event {
constexpr uint32_t kReadable = 1;
constexpr uint32_t kWritable = 2;
constexpr uint32_t kHangup = 4;  // peer closed both directions, or error: read to find out
}  // namespace io_event

class IoHandler {
 public:
  virtual void on_io(uint32_t events) = 0;

 protected:
  ~IoHandler() = default;
};

class BeforeSleepHook {
 public:
  virtual void before_sleep() = 0;

 protected:
  ~BeforeSleepHook() = default;
};

class EventLoop {
 public:
  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // 0 on success, else an errno value.
  int watch(int fd, IoHandler* handler, bool want_read, bool want_write);
  int update(int fd, IoHandler* handler, bool want_read, bool want_write);
  void unwatch(int fd);

  TimerWheel& timers() { return timers_; }
  void add_before_sleep(BeforeSleepHook* hook) { hooks_.push_back(hook); }
  // For hooks that die before the loop does (a client connection); never from inside a hook.
  void remove_before_sleep(BeforeSleepHook* hook) { std::erase(hooks_, hook); }

  // Runs until stop() is called from a handler. Returns false if epoll itself failed.
  bool run();
  void stop() { running_ = false; }
  bool running() const { return running_; }

  // Monotonic milliseconds, refreshed once per iteration (cheap to call anywhere).
  uint64_t now_ms() const { return timers_.now_ms(); }
  static uint64_t monotonic_ms();
  // Wall-clock milliseconds since the Unix epoch (for timestamps shown to people).
  static int64_t wall_clock_ms();

 private:
  int epoll_fd_;
  bool running_ = false;
  TimerWheel timers_;
  std::vector<BeforeSleepHook*> hooks_;
};

}  // namespace wsrelay::net
