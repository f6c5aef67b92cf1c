// Behind a reverse proxy: the client's own address, from the forwarding headers that trusted
// proxies (the `trusted_proxies` setting) add to each request.
//
// Every proxy appends the address it received the request from to X-Forwarded-For, so the list
// reads "client, proxy1, proxy2" and the TCP peer is the last proxy. Only the hops added by
// proxies we trust can be believed: anything to their left may have been written by the client
// itself. So the list is read from the right, skipping trusted proxies; the first address that
// is not a trusted proxy is the client (nginx's real_ip_recursive, the rightmost untrusted hop).
// If every hop is trusted, the leftmost is the client. Without X-Forwarded-For, a single
// X-Real-IP (what nginx's `proxy_set_header X-Real-IP $remote_addr` sends) is used.
//
// Strict parsing (IpAddress::parse: plain IPv4/IPv6 literals; "[v6]" brackets are accepted):
// an entry that is not an address ends the walk, and the last trusted hop read before it is
// the client (a proxy we trust said so; what lies left of garbage is not believed).
// Pure: no I/O; the caller decides that the TCP peer itself is a trusted proxy.
#pragma once

#include <optional>
#include <span>
#include <string>

#include "server/ip_filter.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::server {

// The client address the headers name, or nothing when they name none usable (no header, or
// the first entry read is not an address): then the TCP peer is the client.
std::optional<IpAddress> forwarded_client(const ws::HttpRequest& request,
                                          std::span<const CidrBlock> trusted);

// "192.0.2.1", "2001:db8::1" (no brackets, no port).
std::string to_string(const IpAddress& address);

}  // namespace wsrelay::server
