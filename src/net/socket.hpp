// Socket helpers for the reactor: listening sockets, accepting, options and address text.
// Thin wrappers over the BSD socket calls that return errno values instead of throwing.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::net {

struct PeerAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;
  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// A non-blocking, close-on-exec listening socket bound to host:port (IPv4 or IPv6 literal;
// "localhost" means 127.0.0.1). Returns the fd, or -1 with `error` describing the failure.
int listen_tcp(std::string_view host, uint16_t port, int backlog, std::string& error);

// The port a bound socket ended up on (useful with port 0).
uint16_t local_port(int fd);

// accept4() with SOCK_NONBLOCK|SOCK_CLOEXEC; sets TCP_NODELAY. Returns the fd or -1 (errno set).
int accept_client(int listen_fd, PeerAddress& peer);

// "203.0.113.7:51234" or "[2001:db8::1]:51234"; IPv4-mapped IPv6 shown as IPv4.
std::string format_address(const PeerAddress& peer);
// Just the host part, no port.
std::string format_host(const PeerAddress& peer);

void close_fd(int fd);

}  // namespace wsrelay::net
