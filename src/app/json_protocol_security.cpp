// JsonProtocol, security: opening a connection (authentication by URL token, the welcome), the
// `auth` event, the auth_timeout on the Host's ticks, and the per-connection rate limit.
// docs/security.md describes the behaviour; docs/protocol.md the events.
#include <string>

#include "app/activity_log.hpp"
#include "app/auth/jwt.hpp"
#include "app/json_errors.hpp"
#include "app/json_protocol.hpp"
#include "app/query.hpp"

namespace wsrelay::app {

void JsonProtocol::on_open(Peer& peer, const ConnectInfo& info) {
  Client& client = dispatcher_.connect(peer, info.remote_address);
  if (authenticator_.enabled()) {
    std::string token;
    switch (query_parameter(info.query, "token", token)) {
      case QueryValue::kAbsent:
        // It may still send an `auth` event; until then it can do nothing else.
        authenticator_.await(client, host_.monotonic_ms());
        break;
      case QueryValue::kMalformed:
        close_for(client, CloseCause::kInvalidAuth);
        return;
      case QueryValue::kFound: {
        // The server's upgrade gate normally refuses a bad URL token with HTTP 401 already;
        // this check is what makes the protocol safe on its own (embedding, tests).
        auth::VerifyResult result = authenticator_.verify(token, host_.wall_clock_ms());
        if (!result.ok()) {
          activity::auth_refused(client, auth::to_string(result.error), result.reason);
          close_for(client, CloseCause::kInvalidAuth);
          return;
        }
        authenticator_.admit(client, std::move(result.identity));
        activity::authenticated(client, client.identity->user_id);
        break;
      }
    }
  }
  send_welcome(client);
  // After the welcome, so the client knows its id before the room's answer arrives.
  if (!client.awaiting_auth) join_default_room(client);
}

void JsonProtocol::send_welcome(Client& client) {
  writer_.begin("welcome");
  writer_.field("client_id", client.id);
  writer_.field("message", kWelcomeMessage);
  if (authenticator_.enabled()) {
    // Tells the client whether it still owes an `auth` event, and how long it has.
    writer_.bool_field("auth_pending", client.awaiting_auth);
    if (client.awaiting_auth) {
      writer_.field("auth_timeout", static_cast<uint64_t>(authenticator_.options().timeout_ms / 1000));
    } else if (client.identity) {
      writer_.field("user_id", client.identity->user_id);
    }
  }
  writer_.timestamp(now());
  dispatcher_.send(client, writer_.finish());
}

void JsonProtocol::join_default_room(Client& client) {
  const AppOptions& options = dispatcher_.options();
  // A default room the client may not join (private, full) is simply not joined.
  if (options.rooms_enabled && !options.default_room.empty()) {
    dispatcher_.join(client, options.default_room);
  }
}

void JsonProtocol::close_for(Client& client, CloseCause cause) {
  close_counts_[static_cast<size_t>(cause)] += 1;
  const CloseDescription& close = describe(cause);
  // The peer stays valid until on_close, which forgets the client (closing is deferred).
  client.peer->close(close.code, close.reason);
}

// auth {token} -> authenticated {user_id}, then the default room; a bad or missing token
// closes the connection with 1008 "Invalid authentication".
JsonProtocol::Outcome JsonProtocol::handle_auth(const Request& request) {
  Client& client = request.client;
  if (!authenticator_.enabled()) {
    return {json_error::kUnknownEvent, "authentication is not enabled on this server", {}};
  }
  if (!client.awaiting_auth) {
    return {json_error::kAlreadyAuthenticated, "this connection is already authenticated", {}};
  }
  std::string_view token;
  if (Outcome o = require_string(request, "token", {}, &token); !o.code.empty()) {
    activity::auth_refused(client, "missing_token", "auth event without a string token");
    close_for(client, CloseCause::kInvalidAuth);  // no usable token is a bad token
    return Outcome::ok();
  }
  auth::VerifyResult result = authenticator_.verify(token, host_.wall_clock_ms());
  if (!result.ok()) {
    activity::auth_refused(client, auth::to_string(result.error), result.reason);
    close_for(client, CloseCause::kInvalidAuth);
    return Outcome::ok();
  }
  authenticator_.admit(client, std::move(result.identity));
  activity::authenticated(client, client.identity->user_id);
  writer_.begin("authenticated");
  writer_.field("user_id", client.identity->user_id);
  writer_.timestamp(now());
  dispatcher_.send(client, writer_.finish());
  join_default_room(client);
  if (begin_ack(request)) {
    writer_.field("user_id", client.identity->user_id);
    finish_ack(request);
  }
  return Outcome::ok();
}

void JsonProtocol::on_tick(int64_t now_ms) {
  for (Client* client : authenticator_.expired(now_ms)) {
    // Already closing (and about to be forgotten): it was counted when it was closed.
    if (client->peer->is_closing()) continue;
    close_for(*client, CloseCause::kAuthTimeout);
  }
}

bool JsonProtocol::within_rate(Client& client) {
  switch (dispatcher_.check_rate(client)) {
    case RateDecision::kAllow: return true;
    case RateDecision::kWarn: {
      const RateLimitPolicy& policy = dispatcher_.options().rate_limit;
      send_error(client, json_error::kRateLimited,
                 "too many messages (at most " + std::to_string(policy.messages_per_minute) +
                     " a minute, " + std::to_string(policy.burst) +
                     " at once): this one was not processed; keep going and the connection closes");
      return false;
    }
    case RateDecision::kClose: close_for(client, CloseCause::kRateLimited); return false;
  }
  return false;
}

}  // namespace wsrelay::app
