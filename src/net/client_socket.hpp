// Outgoing stream sockets for clients that run on the reactor (the Redis link today): a
// non-blocking connect to an IP literal or a unix-domain socket path, and the SO_ERROR check
// that says whether it succeeded once the socket turns writable. Like socket.hpp, thin
// wrappers that return errno values; nothing here knows which protocol will be spoken.
//
// resolve_host() is the one blocking call in this file (getaddrinfo may ask DNS): callers use
// it at start-up, before the loop runs, never from a handler.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::net {

struct StreamAddress {
  std::string ip;         // IPv4 or IPv6 literal (TCP), or empty
  uint16_t port = 0;      // TCP only
  std::string unix_path;  // non-empty: AF_UNIX
};

// socket() + connect() without blocking: returns the fd (SOCK_NONBLOCK|SOCK_CLOEXEC, TCP_NODELAY
// for TCP) with the connection established or in progress — wait for writability, then call
// socket_error(). -1 with `error` set when the connect failed at once.
int connect_stream(const StreamAddress& address, std::string& error);

// The pending error of a socket whose non-blocking connect finished (0 = connected).
int socket_error(int fd);

// getaddrinfo(): the first address of `host` as an IP literal. An IP literal is returned as it
// is without a lookup. BLOCKING for names — start-up only.
bool resolve_host(std::string_view host, std::string& ip, std::string& error);

}  // namespace wsrelay::net
