// PusherProtocol: the Pusher Channels wire protocol (protocol 7, what pusher-js and Laravel Echo
// speak; https://pusher.com/docs/channels/library_auth_reference/pusher-websockets-protocol/),
// a second front end on the same Dispatcher as the JSON protocol. docs/pusher.md is the
// reference; in short:
//
//  - A connection to /app/{key}?protocol=7 gets pusher:connection_established {socket_id
//    "\d+.\d+", activity_timeout}. A wrong key is refused with pusher:error 4001, a protocol
//    other than 5..7 with 4007, a connection over pusher_max_connections with 4100 (each then
//    closed with that code, which tells pusher-js not to reconnect / to back off).
//  - pusher:subscribe / pusher:unsubscribe join and leave the dispatcher room of the same name
//    (one namespace with the JSON protocol). private-* and presence-* need the signature of
//    signatures.hpp; a bad one gets pusher:subscription_error and pusher:error 4009.
//  - Presence (presence.hpp): subscription_succeeded carries {count, ids, hash}; member_added /
//    member_removed go to the other subscribers on a user's first / last connection.
//  - client-* events on private and presence channels go to the other subscribers, never back
//    to the sender; refused on public channels, off with pusher_client_events=false, limited to
//    pusher_client_event_rate a second (over it: pusher:error 4301, the event is dropped).
//  - cache-* channels replay their last event to a new subscriber (else pusher:cache_miss).
//  - pusher:ping -> pusher:pong; after activity_timeout of silence the server sends
//    pusher:ping and closes with 4201 when no pong (or anything) comes within 30 s.
//  - pusher:signin with a signed user_data -> pusher:signin_success; terminate_user() closes
//    every connection signed in (or present) as that user.
//  - shutdown() closes every Pusher connection with 4200 ("reconnect now"), never 4009.
//  - Malformed input of any kind gets pusher:error (code null) and the connection stays open.
//
// Room events from any front end arrive through FrontEnd::encode as Pusher events
// {"event", "channel", "data": string}: see docs/pusher.md, "Mapping".
//
// Webhooks: with set_webhooks(), channel_occupied / channel_vacated (any front end's members
// count), member_added / member_removed and client_event are reported as they happen.
//
// Per-connection Pusher state lives here (connections_), not in app::Client, which carries
// only its front_end tag. Not thread-safe; lives on the reactor thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/dispatcher.hpp"
#include "app/json_parser.hpp"
#include "app/peer.hpp"
#include "app/pusher/presence.hpp"
#include "app/pusher/webhook_events.hpp"
#include "app/rate_limiter.hpp"

namespace wsrelay::app::pusher {

// Pusher's close / error codes (pusher-websockets-protocol, "Error codes").
namespace code {
inline constexpr uint16_t kUnknownAppKey = 4001;
inline constexpr uint16_t kUnsupportedProtocol = 4007;
inline constexpr uint16_t kUnauthorized = 4009;
inline constexpr uint16_t kOverCapacity = 4100;
inline constexpr uint16_t kReconnectNow = 4200;
inline constexpr uint16_t kPongNotReceived = 4201;
inline constexpr uint16_t kClientEventRateLimit = 4301;
}  // namespace code

struct PusherOptions {
  std::string app_id;
  std::string key;
  std::string secret;
  int64_t activity_timeout_s = 120;   // pusher_activity_timeout
  int64_t pong_timeout_s = 30;        // Pusher's: the wait for a pong after our ping
  size_t max_connections = 0;         // pusher_max_connections; 0 = unlimited
  size_t max_presence_members = 100;  // pusher_max_presence_members
  size_t max_user_info = 1024;        // pusher_max_user_info (bytes of serialized user_info)
  bool client_events = true;          // pusher_client_events
  uint32_t client_event_rate = 10;    // pusher_client_event_rate, per second; 0 = unlimited
  size_t max_event_data = 10240;      // bytes of one event's data (Pusher's 10 KB)
  size_t max_channel_name = 200;      // Pusher's limit
  bool enabled() const { return !key.empty() && !secret.empty(); }
};

// The counters of /stats and /metrics for this front end.
struct PusherStats {
  uint64_t connections = 0;        // open now
  uint64_t connections_total = 0;  // since start
  uint64_t subscriptions = 0;
  uint64_t subscription_errors = 0;
  uint64_t client_events = 0;
  uint64_t api_events = 0;  // events triggered through the REST API
  uint64_t errors = 0;      // pusher:error messages sent
};

class PusherProtocol final : public Application,
                             private DispatcherObserver,
                             private TickListener,
                             private FrontEnd {
 public:
  PusherProtocol(Host& host, Dispatcher& dispatcher, PusherOptions options, RandomSource random);
  ~PusherProtocol() override;
  PusherProtocol(const PusherProtocol&) = delete;
  PusherProtocol& operator=(const PusherProtocol&) = delete;

  // Is this upgrade path ours ("/app/..." while enabled)?
  bool handles(std::string_view path) const {
    return options_.enabled() && path.starts_with("/app/");
  }

  // ---- Application -------------------------------------------------------------------------
  void on_open(Peer& peer, const ConnectInfo& info) override;
  void on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) override;
  void on_close(Peer& peer, uint16_t code, std::string_view reason) override;

  void set_webhooks(WebhookEvents* webhooks) { webhooks_ = webhooks; }
  // Graceful shutdown: every Pusher connection is closed with 4200.
  void shutdown();

  // ---- for the REST API (http/pusher_api) --------------------------------------------------
  const PusherOptions& options() const { return options_; }
  Dispatcher& dispatcher() { return dispatcher_; }
  const Dispatcher& dispatcher() const { return dispatcher_; }
  // Publishes `name` with `data` to `channel` (nothing when nobody is in it, but a cache-*
  // channel remembers it), passing by the connection `except_socket_id`. Returns recipients.
  size_t trigger(std::string_view channel, std::string_view name, std::string_view data,
                 std::string_view except_socket_id);
  const PresenceChannel* presence(std::string_view channel) const {
    return presence_.find(channel);
  }
  // Closes every connection of `user_id` (signed in, or a presence member) with 4009.
  size_t terminate_user(std::string_view user_id);
  // Pusher's channel name rule: 1..200 of [A-Za-z0-9_\-=@,.;].
  bool valid_channel_name(std::string_view name) const;
  static bool valid_socket_id(std::string_view socket_id);
  const PusherStats& stats() const { return stats_; }

 private:
  struct Connection {
    Client* client = nullptr;
    std::string socket_id;
    int64_t last_seen_ms = 0;
    int64_t ping_sent_ms = 0;  // 0: no ping outstanding
    RateLimiter client_event_rate{RateLimitPolicy{}, 0};
    std::unordered_map<std::string, std::string> presence_user;  // channel -> user_id
    std::string signed_in_user;
  };
  struct CachedEvent {
    std::string event;
    std::string data;
  };

  // DispatcherObserver: webhooks and presence departures, whoever caused them.
  void on_joined(Client& client, Room& room) override;
  void on_left(Client& client, Room& room, LeaveCause cause) override;
  // TickListener: activity timeout.
  void on_tick(int64_t now_ms) override;
  // FrontEnd: a room event as a Pusher event.
  std::string_view encode(const RoomEvent& event) override;

  Connection* connection_of(const Client& client);
  void handle(Connection& connection, std::string_view text);
  void handle_subscribe(Connection& connection, const rapidjson::Value& data);
  void handle_unsubscribe(Connection& connection, const rapidjson::Value& data);
  void handle_client_event(Connection& connection, std::string_view event, std::string_view channel,
                           const rapidjson::Value* data);
  void handle_signin(Connection& connection, const rapidjson::Value& data);
  void refuse_subscription(Connection& connection, std::string_view channel, std::string_view type,
                           int status, std::string_view message);
  void send_presence_succeeded(Connection& connection, const Room& room);
  void replay_cache(Connection& connection, std::string_view channel);

  // Writing: `data` is the data field's JSON text, written as a JSON string (Pusher's framing).
  std::string_view write_event(std::string_view event, std::string_view channel,
                               std::string_view data, std::string_view user_id = {});
  void send_event(Connection& connection, std::string_view event, std::string_view channel,
                  std::string_view data);
  void send_error(Connection& connection, int code, std::string_view message);  // code < 0: null
  void close_with(Connection& connection, uint16_t code, std::string_view message);
  // The serialization of a JSON value (for data that arrived as an object).
  std::string serialize(const rapidjson::Value& value);

  Host& host_;
  Dispatcher& dispatcher_;
  PusherOptions options_;
  RandomSource random_;
  WebhookEvents* webhooks_ = nullptr;
  JsonParser parser_;
  JsonParser data_parser_;   // a request's data sent as a JSON string
  JsonParser inner_parser_;  // channel_data, user_data
  rapidjson::StringBuffer buffer_;
  rapidjson::StringBuffer inner_buffer_;
  RateLimitPolicy client_event_policy_;
  std::unordered_map<const Client*, std::unique_ptr<Connection>> connections_;
  std::unordered_map<std::string, Client*> by_socket_id_;
  std::unordered_map<std::string, CachedEvent> cache_;  // cache-* channel -> its last event
  PresenceRegistry presence_;
  PusherStats stats_;
};

}  // namespace wsrelay::app::pusher
