// Outgoing TCP connections for the reactor: address resolution and a non-blocking connect().
//
// resolve_address() turns a host into a socket address. An IPv4/IPv6 literal or "localhost"
// never touches DNS. Any other name goes through getaddrinfo(), which BLOCKS: call it only
// before the event loop runs (at start-up, the way nginx resolves a static proxy_pass host),
// never from a handler. Programs that need to follow DNS changes re-resolve on restart/reload.
//
// connect_tcp() starts a connection and returns at once: the caller watches the fd for
// writability and then asks connect_error() whether it succeeded (the usual EINPROGRESS dance,
// connect(2) "EINPROGRESS"). Nothing here blocks.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "net/socket.hpp"

namespace wsrelay::net {

// True when `host` is an IP literal or "localhost" (resolve_address() will not block).
bool resolves_without_dns(std::string_view host);

// Fills `out` with the first address of `host` (brackets not included) and `port`. False with
// `error` when the name does not resolve. May block (see above) unless resolves_without_dns().
bool resolve_address(const std::string& host, uint16_t port, PeerAddress& out, std::string& error);

// A non-blocking, close-on-exec socket connecting to `address`, TCP_NODELAY set. Returns the
// fd (the connection may still be in progress), or -1 with `error` = errno.
int connect_tcp(const PeerAddress& address, int& error);

// After the socket reported writable: 0 when connected, else the errno of the failure.
int connect_error(int fd);

}  // namespace wsrelay::net
