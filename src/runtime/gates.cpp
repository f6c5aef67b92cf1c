#include "runtime/gates.hpp"

#include "app/auth/jwt.hpp"
#include "app/query.hpp"
#include "net/event_loop.hpp"

namespace wsrelay::runtime {

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
