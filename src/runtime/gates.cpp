#include "runtime/gates.hpp"

#include "app/auth/jwt.hpp"
#include "http/url.hpp"
#include "net/event_loop.hpp"

namespace wsrelay::runtime {

bool query_parameter(std::string_view query, std::string_view name, std::string& value) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    return http::percent_decode(raw, value);
  }
  return false;
}

bool AccessGates::configure(const config::Settings& settings, std::string& error) {
  if (!ip_filter_.configure(settings.allow_ips, settings.deny_ips, error)) return false;
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
  return ip_filter_.allows(address.get(), address.length);
}

int AccessGates::admit(const ws::HttpRequest& request, std::string_view, server::Reject& bucket, std::string& reason) {
  // Browsers always send Origin; a page from a site not listed must not reach the server
  // (Cross-Site WebSocket Hijacking). RFC 6455 §10.2.
  const std::string_view origin = request.header("Origin");
  if (!origins_.allows(origin)) {
    bucket = server::Reject::kOrigin;
    reason = "origin not allowed";
    return 403;
  }
  if (!auth_enabled_) return 0;
  std::string token;
  if (!query_parameter(request.query(), "token", token)) return 0;  // may still send an `auth` event
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
