#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "net/transport.hpp"

namespace wsrelay::net {

namespace {

class TcpTransport final : public Transport {
 public:
  IoResult read(int fd, uint8_t* buffer, size_t capacity) override {
    for (;;) {
      const ssize_t n = ::recv(fd, buffer, capacity, 0);
      if (n > 0) return {IoResult::kOk, static_cast<size_t>(n), 0};
      if (n == 0) return {IoResult::kClosed, 0, 0};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::kWouldBlock, 0, 0};
      return {IoResult::kError, 0, errno};
    }
  }

  IoResult writev(int fd, const iovec* iov, int count) override {
    // One buffer (the corked reply to a read: nearly every write) goes out with send(): the
    // kernel then maps it as a single range, where sendmsg() first copies the msghdr and the
    // iovec array in from user space (copy_msghdr_from_user + import_iovec). Measured in
    // docs/benchmarks.md ("where each microsecond went").
    if (count == 1) return send_one(fd, iov[0].iov_base, iov[0].iov_len);
    // sendmsg rather than writev: MSG_NOSIGNAL keeps a reset peer from raising SIGPIPE.
    msghdr message{};
    message.msg_iov = const_cast<iovec*>(iov);
    message.msg_iovlen = static_cast<size_t>(count);
    for (;;) {
      const ssize_t n = ::sendmsg(fd, &message, MSG_NOSIGNAL);
      if (n >= 0) return {IoResult::kOk, static_cast<size_t>(n), 0};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::kWouldBlock, 0, 0};
      return {IoResult::kError, 0, errno};
    }
  }

  void shutdown_write(int fd) override { ::shutdown(fd, SHUT_WR); }

 private:
  static IoResult send_one(int fd, const void* data, size_t length) {
    for (;;) {
      const ssize_t n = ::send(fd, data, length, MSG_NOSIGNAL);
      if (n >= 0) return {IoResult::kOk, static_cast<size_t>(n), 0};
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::kWouldBlock, 0, 0};
      return {IoResult::kError, 0, errno};
    }
  }
};

}  // namespace

Transport& tcp_transport() {
  static TcpTransport instance;
  return instance;
}

}  // namespace wsrelay::net
