// The generator's event loop primitive: a thin wrapper over one epoll instance.
//
// Deliberately separate from src/net's reactor: a load generator that shared the server's
// loop would share its bugs and its costs, and could not tell us which side is slow. This is
// the only file of wsbench that includes <sys/epoll.h>. Level-triggered; each watched fd
// carries a pointer back to its owner.
#pragma once

#include <cstdint>
#include <span>

namespace wsrelay::wsbench {

struct PollEvent {
  void* owner;
  bool readable;
  bool writable;
  bool failed;  // error or hang-up: the owner should read once more, then close
};

class Poller {
 public:
  Poller();
  ~Poller();
  Poller(const Poller&) = delete;
  Poller& operator=(const Poller&) = delete;

  bool add(int fd, void* owner, bool want_write);
  bool modify(int fd, void* owner, bool want_write);
  void remove(int fd);
  // Waits at most `timeout_ms` and fills `out`; returns how many events arrived.
  int wait(std::span<PollEvent> out, int timeout_ms);

 private:
  int epoll_fd_;
};

}  // namespace wsrelay::wsbench
