// Connection, behind a reverse proxy: the client's address from the forwarding headers of a
// trusted proxy (trusted_proxies; the header rules are in forwarded.hpp).
//
// The address is decided per request head, since a proxy may send the requests of several
// clients over one keep-alive connection. It is kept in address_ as
// "<client> via <proxy ip:port>", so every log line names both and host() (per-IP limits)
// sees the client; the proxy's part is read back from there for the next request.
#include "server/connection.hpp"
#include "server/server.hpp"

namespace wsrelay::server {

bool Connection::apply_forwarding(const ws::HttpRequest& request) {
  AddressGate* gate = server_.address_gate();
  if (gate == nullptr || !gate->has_trusted_proxies()) return true;
  // The TCP peer: all of address_, or what follows " via " once a request was forwarded.
  std::string peer = address_;
  if (const size_t via = peer.find(kViaSeparator); via != std::string::npos)
    peer.erase(0, via + kViaSeparator.size());
  std::string_view peer_host = peer;
  if (const size_t colon = peer_host.rfind(':'); colon != std::string_view::npos)
    peer_host = peer_host.substr(0, colon);
  if (peer_host.size() >= 2 && peer_host.front() == '[')
    peer_host = peer_host.substr(1, peer_host.size() - 2);

  const AddressGate::Forwarded forwarded = gate->forwarded(request, peer_host);
  if (forwarded.client.empty()) {
    address_ = std::move(peer);
  } else {
    const bool v6 = forwarded.client.find(':') != std::string::npos;
    address_ =
        (v6 ? "[" + forwarded.client + "]" : forwarded.client) + std::string(kViaSeparator) + peer;
  }
  if (forwarded.allowed) return true;
  // The accept-time filter saw only the proxy; the client it forwards is refused here.
  server_.stats().count(Reject::kAddressDenied);
  server_.observer().on_reject(address_, Reject::kAddressDenied,
                               "address not allowed (forwarded by a trusted proxy)");
  respond_http(403, "address not allowed\n", true);
  return false;
}

}  // namespace wsrelay::server
