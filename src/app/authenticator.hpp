// Authenticator: who a connection is (docs/security.md, "Authentication"), independent of any
// wire format, so every front end shares it (the JSON protocol now, the Pusher one later).
//
// With auth enabled, a connection proves itself with an HS256 token (auth/jwt.hpp): either the
// `token` parameter of its upgrade URL, checked when it opens, or a token the front end receives
// in a message of its own (the JSON protocol's `auth` event). Until then the client is
// *awaiting* (Client::awaiting_auth): the front end refuses its other requests and the
// dispatcher delivers it nothing but its own answers. A client still awaiting when its deadline
// (auth_timeout after connecting) has passed is listed by expired(), which the front end calls
// on each Host tick and closes; the Authenticator itself never closes or sends anything.
//
// Private rooms: may_join() is the dispatcher's RoomAuthorizer. A client may enter a private
// room when its token's `rooms` claim matches the room's name (auth/room_pattern.hpp); a client
// without an identity (auth disabled, or not yet authenticated) may enter none.
//
// Pure: no clock of its own (callers pass the times), no I/O. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "app/auth/jwt.hpp"
#include "app/client.hpp"
#include "app/indexed_set.hpp"
#include "app/options.hpp"

namespace wsrelay::app {

class Authenticator {
 public:
  explicit Authenticator(AuthOptions options) : options_(std::move(options)) {}
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  bool enabled() const { return options_.enabled; }
  const AuthOptions& options() const { return options_; }

  // Verifies `token` against auth_secret at `wall_clock_ms` (Unix epoch milliseconds, for exp
  // and nbf). The result's reason is for logs only; clients learn nothing beyond "invalid".
  auth::VerifyResult verify(std::string_view token, int64_t wall_clock_ms) const;

  // `client` has connected without a token: it owes one by `now_ms` + auth_timeout
  // (monotonic milliseconds).
  void await(Client& client, int64_t now_ms);
  // `client` proved itself with a verified token: it gets the token's identity and stops
  // awaiting.
  void admit(Client& client, auth::TokenIdentity token);
  // `client` is going away: forget it (call before the dispatcher destroys it).
  void forget(Client& client);

  // The clients still awaiting whose deadline is <= now_ms, for the caller to close.
  std::vector<Client*> expired(int64_t now_ms) const;
  size_t awaiting_count() const { return awaiting_.size(); }

  // The RoomAuthorizer for private rooms.
  static bool may_join(const Client& client, std::string_view room_name);

 private:
  AuthOptions options_;
  IndexedSet<Client*> awaiting_;
};

}  // namespace wsrelay::app
