// The only file that includes <sys/epoll.h>.
#include "net/event_loop.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

namespace wsrelay::net {

namespace {
constexpr int kMaxEventsPerWait = 1024;

uint32_t to_epoll(bool want_read, bool want_write) {
  return (want_read ? EPOLLIN | EPOLLRDHUP : 0u) | (want_write ? EPOLLOUT : 0u);
}
}  // namespace

uint64_t EventLoop::monotonic_ms() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000u + static_cast<uint64_t>(ts.tv_nsec) / 1000000u;
}

int64_t EventLoop::wall_clock_ms() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

EventLoop::EventLoop() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)), timers_(monotonic_ms()) {}

EventLoop::~EventLoop() {
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

int EventLoop::watch(int fd, IoHandler* handler, bool want_read, bool want_write) {
  epoll_event ev{};
  ev.events = to_epoll(want_read, want_write);
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0 ? 0 : errno;
}

int EventLoop::update(int fd, IoHandler* handler, bool want_read, bool want_write) {
  epoll_event ev{};
  ev.events = to_epoll(want_read, want_write);
  ev.data.ptr = handler;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0 ? 0 : errno;
}

void EventLoop::unwatch(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }

bool EventLoop::run() {
  if (epoll_fd_ < 0) return false;
  running_ = true;
  epoll_event events[kMaxEventsPerWait];
  timers_.advance(monotonic_ms());
  while (running_) {
    // Flush corked output and free connections closed during the last iteration.
    for (BeforeSleepHook* hook : hooks_) hook->before_sleep();
    if (!running_) break;
    const int ready = epoll_wait(epoll_fd_, events, kMaxEventsPerWait, timers_.ms_until_next_tick());
    if (ready < 0 && errno != EINTR) return false;
    timers_.set_now(monotonic_ms());
    for (int i = 0; i < ready; ++i) {
      const uint32_t e = events[i].events;
      uint32_t mask = 0;
      if (e & (EPOLLIN | EPOLLRDHUP)) mask |= io_event::kReadable;
      if (e & EPOLLOUT) mask |= io_event::kWritable;
      if (e & (EPOLLHUP | EPOLLERR)) mask |= io_event::kHangup | io_event::kReadable;
      static_cast<IoHandler*>(events[i].data.ptr)->on_io(mask);
    }
    timers_.advance(monotonic_ms());
  }
  for (BeforeSleepHook* hook : hooks_) hook->before_sleep();
  return true;
}

}  // namespace wsrelay::net
