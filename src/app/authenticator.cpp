#include "app/authenticator.hpp"

#include "app/auth/room_pattern.hpp"

namespace wsrelay::app {

auth::VerifyResult Authenticator::verify(std::string_view token, int64_t wall_clock_ms) const {
  auth::VerifyOptions verify;
  verify.secret = options_.secret;
  verify.now = wall_clock_ms / 1000;  // JWT times are whole seconds (NumericDate, RFC 7519 §2)
  verify.clock_skew = options_.clock_skew_s;
  return auth::verify_token(token, verify);
}

void Authenticator::await(Client& client, int64_t now_ms) {
  client.awaiting_auth = true;
  client.auth_deadline_ms = now_ms + options_.timeout_ms;
  awaiting_.insert(&client);
}

void Authenticator::admit(Client& client, auth::TokenIdentity token) {
  client.identity = Identity{std::move(token.user_id), std::move(token.user_info),
                             std::move(token.room_patterns)};
  client.awaiting_auth = false;
  awaiting_.erase(&client);
}

void Authenticator::forget(Client& client) { awaiting_.erase(&client); }

std::vector<Client*> Authenticator::expired(int64_t now_ms) const {
  // A scan, once a second, of the clients that are still authenticating: normally a handful,
  // each there for at most auth_timeout. A copy, because the caller's closing may change the set.
  std::vector<Client*> out;
  for (Client* client : awaiting_) {
    if (client->auth_deadline_ms <= now_ms) out.push_back(client);
  }
  return out;
}

bool Authenticator::may_join(const Client& client, std::string_view room_name) {
  return client.identity && auth::room_allowed(client.identity->room_patterns, room_name);
}

}  // namespace wsrelay::app
