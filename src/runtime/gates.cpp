#include "runtime/gates.hpp"

#include <algorithm>

#include "app/auth/jwt.hpp"
#include "app/query.hpp"
#include "net/event_loop.hpp"
#include "server/forwarded.hpp"

namespace wsrelay::runtime {

namespace {

// The Origin header as the client sent it, made safe to quote in a log line and a response
// body: printable ASCII only (an origin is ASCII, RFC 6454 §6.2; anything else is shown as
// '?'), '"' and '\\' shown as '?' too so the quoting stays unambiguous, at most kMaxBytes.
std::string printable_origin(std::string_view origin) {
  constexpr size_t kMaxBytes = 120;
  std::string out;
  for (size_t i = 0; i < origin.size() && i < kMaxBytes; ++i) {
    const char c = origin[i];
    out.push_back(c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : '?');
  }
  if (origin.size() > kMaxBytes) out += "...";
  return out;
}

}  // namespace

bool AccessGates::configure(const config::Settings& settings, std::string& error) {
  if (!ip_filter_.configure(settings.allow_ips, settings.deny_ips, error)) return false;
  std::vector<server::CidrBlock> trusted;
  if (!server::parse_cidr_list(settings.trusted_proxies, trusted, error)) {
    error = "trusted_proxies: " + error;
    return false;
  }
  trusted_proxies_ = std::move(trusted);
  if (!origins_.configure(settings.cors_origins, error)) {
    error = "cors_origins: " + error;
    return false;
  }
  auth_enabled_ = settings.auth_enabled;
  auth_secret_ = settings.auth_secret;
  clock_skew_ = settings.auth_clock_skew.count();
  return true;
}

bool AccessGates::allowed(const net::PeerAddress& address) const {
  if (!trusted_proxies_.empty()) {
    const std::optional<server::IpAddress> peer =
        server::IpAddress::from_sockaddr(address.get(), address.length);
    const auto contains = [&peer](const server::CidrBlock& block) { return block.contains(*peer); };
    if (peer && std::any_of(trusted_proxies_.begin(), trusted_proxies_.end(), contains)) {
      const std::vector<server::CidrBlock>& deny = ip_filter_.deny_list();
      return std::none_of(deny.begin(), deny.end(), contains);
    }
  }
  return ip_filter_.allows(address.get(), address.length);
}

server::AddressGate::Forwarded AccessGates::forwarded(const ws::HttpRequest& request,
                                                      std::string_view peer_host) const {
  Forwarded result;
  const std::optional<server::IpAddress> peer = server::IpAddress::parse(peer_host);
  if (!peer) return result;
  const auto contains = [&peer](const server::CidrBlock& block) { return block.contains(*peer); };
  // Headers from anyone else are the client's own words: ignored, as if absent.
  if (std::none_of(trusted_proxies_.begin(), trusted_proxies_.end(), contains)) return result;
  const std::optional<server::IpAddress> client =
      server::forwarded_client(request, trusted_proxies_);
  if (!client) {
    // No usable header: the proxy itself is the client, and meets the rules like one.
    result.allowed = ip_filter_.allows(*peer);
    return result;
  }
  result.client = server::to_string(*client);
  result.allowed = ip_filter_.allows(*client);
  return result;
}

int AccessGates::admit(const ws::HttpRequest& request, std::string_view, server::Reject& bucket, std::string& reason) {
  // Browsers always send Origin; a page from a site not listed must not reach the server
  // (Cross-Site WebSocket Hijacking). RFC 6455 §10.2.
  const std::string_view origin = request.header("Origin");
  if (!origins_.allows(origin)) {
    bucket = server::Reject::kOrigin;
    // Name the origin, so whoever reads the log (or the 403) knows what to add to cors_origins.
    reason = "origin not allowed: \"" + printable_origin(origin) + "\" is not in cors_origins";
    return 403;
  }
  if (!auth_enabled_) return 0;
  std::string token;
  switch (app::query_parameter(request.query(), "token", token)) {
    case app::QueryValue::kAbsent:
      return 0;  // the client may still send an `auth` event
    case app::QueryValue::kMalformed:
      bucket = server::Reject::kUnauthorized;
      reason = "invalid token (bad percent-encoding)";
      return 401;
    case app::QueryValue::kFound:
      break;
  }
  app::auth::VerifyOptions options;
  options.secret = auth_secret_;
  options.now = net::EventLoop::wall_clock_ms() / 1000;
  options.clock_skew = clock_skew_;
  const app::auth::VerifyResult result = app::auth::verify_token(token, options);
  if (!result.ok()) {
    bucket = server::Reject::kUnauthorized;
    reason = "invalid token (" + std::string(app::auth::to_string(result.error)) + ")";
    return 401;
  }
  return 0;
}

}  // namespace wsrelay::runtime
