#include "net/client_socket.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsrelay::net {

int connect_stream(const StreamAddress& address, std::string& error) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  int family = 0;
  if (!address.unix_path.empty()) {
    sockaddr_un un{};
    if (address.unix_path.size() >= sizeof un.sun_path) {
      error = "unix socket path too long";
      return -1;
    }
    un.sun_family = AF_UNIX;
    std::memcpy(un.sun_path, address.unix_path.data(), address.unix_path.size());
    std::memcpy(&storage, &un, sizeof un);
    length = sizeof un;
    family = AF_UNIX;
  } else {
    sockaddr_in v4{};
    sockaddr_in6 v6{};
    if (inet_pton(AF_INET, address.ip.c_str(), &v4.sin_addr) == 1) {
      v4.sin_family = AF_INET;
      v4.sin_port = htons(address.port);
      std::memcpy(&storage, &v4, sizeof v4);
      length = sizeof v4;
      family = AF_INET;
    } else if (inet_pton(AF_INET6, address.ip.c_str(), &v6.sin6_addr) == 1) {
      v6.sin6_family = AF_INET6;
      v6.sin6_port = htons(address.port);
      std::memcpy(&storage, &v6, sizeof v6);
      length = sizeof v6;
      family = AF_INET6;
    } else {
      error = "'" + address.ip + "' is not an IP address";
      return -1;
    }
  }
  const int fd = ::socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("socket: ") + std::strerror(errno);
    return -1;
  }
  if (family != AF_UNIX) {
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  int rc;
  do {
    rc = ::connect(fd, reinterpret_cast<const sockaddr*>(&storage), length);
  } while (rc < 0 && errno == EINTR);
  // A unix socket whose server's backlog is full answers EAGAIN; treat it like a refusal.
  if (rc < 0 && errno != EINPROGRESS) {
    error = std::string("connect: ") + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

int socket_error(int fd) {
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &value, &length) < 0) return errno;
  return value;
}

bool resolve_host(std::string_view host, std::string& ip, std::string& error) {
  const std::string name(host);
  in6_addr scratch{};
  if (inet_pton(AF_INET, name.c_str(), &scratch) == 1 ||
      inet_pton(AF_INET6, name.c_str(), &scratch) == 1) {
    ip = name;
    return true;
  }
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &found);
  if (rc != 0 || found == nullptr) {
    error = "cannot resolve '" + name + "': " + ::gai_strerror(rc);
    return false;
  }
  char text[INET6_ADDRSTRLEN] = {};
  const void* where = found->ai_family == AF_INET
                          ? static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr)
                          : static_cast<const void*>(
                                &reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr);
  inet_ntop(found->ai_family, where, text, sizeof text);
  ::freeaddrinfo(found);
  ip = text;
  return true;
}

}  // namespace wsrelay::net
