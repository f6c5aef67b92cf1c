// The runtime's small adapters between configuration-driven policies and the server's hooks:
//  - ForwardingApplication lets the Server (which is the application's Host) exist before the
//    application it serves;
//  - AccessGates answers the server's questions about a newcomer: may this address connect
//    at all (allow_ips / deny_ips, at accept time), who is the client behind a trusted proxy
//    (trusted_proxies, and the same rules for that client), and may this upgrade proceed
//    (Origin → 403, a `token` query parameter that does not verify → 401).
// A client without a token in the URL is let through when auth is on: the application then
// expects an `auth` event within auth_timeout (docs/security.md).
#pragma once

#include <string>

#include "app/peer.hpp"
#include "config/settings.hpp"
#include "server/ip_filter.hpp"
#include "server/origin_policy.hpp"
#include "server/server.hpp"

namespace wsrelay::runtime {

// `observer` (optional) sees each event too: after the target on open (so the application's
// client record exists), before it on message and close (so the record still exists).
class ForwardingApplication final : public app::Application {
 public:
  app::Application* target = nullptr;
  app::Application* observer = nullptr;
  void on_open(app::Peer& peer, const app::ConnectInfo& info) override {
    target->on_open(peer, info);
    if (observer != nullptr && !peer.is_closing()) observer->on_open(peer, info);
  }
  void on_message(app::Peer& peer, app::PayloadKind kind, std::span<const uint8_t> payload) override {
    if (observer != nullptr) observer->on_message(peer, kind, payload);
    target->on_message(peer, kind, payload);
  }
  void on_close(app::Peer& peer, uint16_t code, std::string_view reason) override {
    if (observer != nullptr) observer->on_close(peer, code, reason);
    target->on_close(peer, code, reason);
  }
  void on_protocol_error(app::Peer& peer, uint16_t code, std::string_view reason) override {
    target->on_protocol_error(peer, code, reason);
  }
};

class AccessGates final : public server::AddressGate, public server::UpgradeGate {
 public:
  bool configure(const config::Settings& settings, std::string& error);
  bool has_address_rules() const { return !ip_filter_.empty(); }
  bool has_trusted_proxies() const override { return !trusted_proxies_.empty(); }
  bool allows_any_origin() const { return origins_.allows_all(); }

  // At accept time. A trusted proxy is refused only when deny_ips names it: allow_ips lists
  // clients, and the clients it forwards are checked when their request head arrives.
  bool allowed(const net::PeerAddress& address) const override;
  Forwarded forwarded(const ws::HttpRequest& request, std::string_view peer_host) const override;
  int admit(const ws::HttpRequest& request, std::string_view remote_address, server::Reject& bucket,
            std::string& reason) override;

 private:
  server::IpFilter ip_filter_;
  std::vector<server::CidrBlock> trusted_proxies_;
  server::OriginPolicy origins_;
  bool auth_enabled_ = false;
  std::string auth_secret_;
  int64_t clock_skew_ = 30;
};

}  // namespace wsrelay::runtime
