#include "poller.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>

namespace wsrelay::wsbench {
namespace {

constexpr int kMaxBatch = 1024;

uint32_t interest(bool want_write) {
  // Always readable: even while connecting, a refused connect shows up as EPOLLERR.
  return EPOLLIN | (want_write ? static_cast<uint32_t>(EPOLLOUT) : 0u);
}

}  // namespace

Poller::Poller() : epoll_fd_(epoll_create1(EPOLL_CLOEXEC)) {
  if (epoll_fd_ < 0) {
    std::perror("wsbench: epoll_create1");
    std::exit(1);
  }
}

Poller::~Poller() {
  close(epoll_fd_);
}

bool Poller::add(int fd, void* owner, bool want_write) {
  epoll_event event{};
  event.events = interest(want_write);
  event.data.ptr = owner;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) == 0;
}

bool Poller::modify(int fd, void* owner, bool want_write) {
  epoll_event event{};
  event.events = interest(want_write);
  event.data.ptr = owner;
  return epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &event) == 0;
}

void Poller::remove(int fd) {
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

int Poller::wait(std::span<PollEvent> out, int timeout_ms) {
  epoll_event events[kMaxBatch];
  int capacity = out.size() < kMaxBatch ? static_cast<int>(out.size()) : kMaxBatch;
  int count = epoll_wait(epoll_fd_, events, capacity, timeout_ms);
  if (count < 0) {
    if (errno == EINTR) return 0;
    std::perror("wsbench: epoll_wait");
    std::exit(1);
  }
  for (int i = 0; i < count; ++i) {
    uint32_t bits = events[i].events;
    out[static_cast<size_t>(i)] =
        PollEvent{events[i].data.ptr, (bits & EPOLLIN) != 0, (bits & EPOLLOUT) != 0,
                  (bits & (EPOLLERR | EPOLLHUP)) != 0};
  }
  return count;
}

}  // namespace wsrelay::wsbench
