// Settings: the typed, validated configuration the server runs with.
//
// Plain data. The member initializers ARE the documented defaults: docs/configuration.md and
// deploy/wsrelay.conf.example are generated from this struct through the key table
// (config/keys.hpp), and a unit test fails when they drift apart. A Settings produced by
// load_settings() (config/loader.hpp) has passed every range and cross-field check; one built
// by hand (tests, embedding programs) has not.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "log/level.hpp"

namespace wsrelay::config {

// The command being configured. Only one default depends on it (max_message_size).
enum class Mode : uint8_t { kServe, kEcho };

// max_message_size in echo mode: the Autobahn test suite sends messages of up to 16 MiB.
inline constexpr size_t kEchoMaxMessageSize = 16 * 1024 * 1024;

// One room declared by the `rooms` key: "name[:private][:max_clients=N][:notices=MODE]".
struct RoomSpec {
  std::string name;
  bool is_private = false;
  size_t max_clients = 0;  // 0 = no per-room cap
  std::string notices = {};  // each, batched or off for this room; empty = room_notices
  bool operator==(const RoomSpec&) const = default;
};

struct Settings {
  // Listening
  std::string host = "127.0.0.1";  // an IP literal, never a host name
  uint16_t port = 8080;

  // Connections and limits (0 = unlimited where noted in the key table)
  size_t max_clients = 10000;
  size_t max_clients_per_ip = 0;
  size_t max_message_size = 65536;  // kEchoMaxMessageSize in echo mode
  size_t max_pending_output = 4194304;
  size_t max_header_size = 8192;
  size_t max_http_body = 1048576;

  // Compression (permessage-deflate, RFC 7692)
  std::string compression = "shared";  // off | shared | dedicated
  size_t compression_window_bits = 15;
  size_t compression_threshold = 256;

  // Timeouts and heartbeats
  std::chrono::seconds timeout{300};
  std::chrono::seconds ping_interval{30};
  std::chrono::seconds ping_timeout{10};
  std::chrono::seconds handshake_timeout{10};
  std::chrono::seconds close_timeout{5};
  std::chrono::seconds shutdown_timeout{10};

  // Logging. After loading, log_level is the effective level: debug=true forces kDebug.
  bool debug = false;
  log::Level log_level = log::Level::kInfo;
  std::string log_path;  // "" = stderr
  std::chrono::seconds stats_interval{60};
  bool log_payloads = false;  // debug lines quote message text (serve only)

  // Authentication
  bool auth_enabled = false;
  std::string auth_secret;
  std::chrono::seconds auth_timeout{10};
  std::chrono::seconds auth_clock_skew{30};

  // TLS
  bool ssl_enabled = false;
  std::string ssl_cert_path;
  std::string ssl_key_path;
  std::string ssl_chain_path;

  // Access control. Lists hold validated text (origins, CIDRs); matching is someone else's.
  std::vector<std::string> cors_origins{"*"};
  std::vector<std::string> allow_ips;
  std::vector<std::string> deny_ips;
  std::vector<std::string> trusted_proxies;  // X-Forwarded-For / X-Real-IP believed from these

  // Rooms and messages
  bool rooms_enabled = true;
  std::string default_room = "general";
  size_t max_rooms_per_client = 50;
  std::vector<RoomSpec> rooms;
  size_t max_name_length = 128;
  size_t max_json_depth = 32;
  size_t member_list_limit = 100;
  std::string room_notices = "each";  // join/leave notices: each|batched|off (docs/protocol.md)

  // Rate limiting
  size_t rate_limit = 100;  // messages per minute per connection, 0 = off
  size_t rate_limit_burst = 20;
  size_t rate_limit_warnings = 3;

  // Backend API and web
  std::string api_key;   // "" = API off
  std::string web_root;  // "" = automatic
  std::string publish_url = "http://127.0.0.1:8080";

  // Pusher protocol (on when app key and secret are set; PUSHER_*/REVERB_* are fallbacks)
  std::string pusher_app_id;
  std::string pusher_app_key;
  std::string pusher_app_secret;
  std::chrono::seconds pusher_activity_timeout{120};
  size_t pusher_max_connections = 0;
  size_t pusher_max_presence_members = 100;
  size_t pusher_max_user_info = 1024;
  bool pusher_client_events = true;
  size_t pusher_client_event_rate = 10;

  // Cluster (Redis); see docs/cluster.md
  std::string redis_url;  // "" = a single node
  std::string node_id;    // "" = host name + '-' + pid
  std::string cluster_prefix = "wsrelay";

  // Pusher webhooks (app/pusher/webhook_dispatcher.hpp)
  std::string pusher_webhook_url;  // "" = no webhooks
  std::string pusher_webhook_events = "channel_occupied,channel_vacated,member_added,member_removed";
  size_t pusher_webhook_batch_ms = 250;
  size_t pusher_webhook_max_batch = 100;
  std::chrono::seconds pusher_webhook_delay{3};
  size_t pusher_webhook_max_attempts = 5;
  size_t pusher_webhook_queue = 10000;
  std::chrono::seconds pusher_webhook_timeout{10};
  std::string pusher_webhook_ca_file;

  // Configuration itself: WEBSOCKET_* variables that are not settings and must not be refused.
  std::vector<std::string> ignore_env;
  std::string env_file;  // "" = none; a .env whose WEBSOCKET_* lines rank below the environment
};

}  // namespace wsrelay::config
