#include "net/signal_watcher.hpp"

#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

namespace wsrelay::net {

SignalWatcher::SignalWatcher(EventLoop& loop, SignalHandler& handler, std::initializer_list<int> signals)
    : loop_(loop), handler_(handler) {
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : signals) sigaddset(&mask, s);
  sigprocmask(SIG_BLOCK, &mask, nullptr);
  fd_ = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd_ >= 0 && loop_.watch(fd_, this, true, false) != 0) {
    close(fd_);
    fd_ = -1;
  }
}

SignalWatcher::~SignalWatcher() {
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    close(fd_);
  }
}

void SignalWatcher::on_io(uint32_t) {
  signalfd_siginfo info;
  while (read(fd_, &info, sizeof(info)) == static_cast<ssize_t>(sizeof(info))) {
    handler_.on_signal(static_cast<int>(info.ssi_signo));
  }
}

void ignore_sigpipe() { signal(SIGPIPE, SIG_IGN); }

}  // namespace wsrelay::net
