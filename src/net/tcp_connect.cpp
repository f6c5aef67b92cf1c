#include "net/tcp_connect.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsrelay::net {

namespace {

bool literal_address(const std::string& host, uint16_t port, PeerAddress& out) {
  out = PeerAddress{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
  const std::string text = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    out.length = sizeof(sockaddr_in);
    return true;
  }
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    out.length = sizeof(sockaddr_in6);
    return true;
  }
  return false;
}

}  // namespace

bool resolves_without_dns(std::string_view host) {
  PeerAddress scratch;
  return literal_address(std::string(host), 0, scratch);
}

bool resolve_address(const std::string& host, uint16_t port, PeerAddress& out, std::string& error) {
  if (literal_address(host, port, out)) return true;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  const int rc = getaddrinfo(host.c_str(), service.c_str(), &hints, &found);
  if (rc != 0 || found == nullptr) {
    error = "cannot resolve '" + host + "': " + gai_strerror(rc);
    return false;
  }
  out = PeerAddress{};
  std::memcpy(&out.storage, found->ai_addr, found->ai_addrlen);
  out.length = found->ai_addrlen;
  freeaddrinfo(found);
  return true;
}

int connect_tcp(const PeerAddress& address, int& error) {
  const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = errno;
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  // EINTR on connect(2) also leaves the connection going on asynchronously (POSIX).
  if (::connect(fd, address.get(), address.length) != 0 && errno != EINPROGRESS && errno != EINTR) {
    error = errno;
    ::close(fd);
    return -1;
  }
  error = 0;
  return fd;
}

int connect_error(int fd) {
  int value = 0;
  socklen_t length = sizeof(value);
  if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) != 0) return errno;
  return value;
}

}  // namespace wsrelay::net
