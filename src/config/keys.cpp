#include "config/keys.hpp"

#include <algorithm>
#include <array>
#include <type_traits>

#include "config/text.hpp"

namespace wsrelay::config {

namespace {

// Store/load one member, converting between the member's own type and Value. The key's Kind
// decides which Value alternative the parser produces; the key-table unit test round-trips
// every key, so a Kind that does not fit its member fails there rather than in production.
template <auto Member>
void store_member(Settings& settings, Value&& value) {
  auto& field = settings.*Member;
  using T = std::remove_reference_t<decltype(field)>;
  if constexpr (std::is_same_v<T, bool>) {
    field = std::get<bool>(value);
  } else if constexpr (std::is_integral_v<T>) {
    field = static_cast<T>(std::get<int64_t>(value));  // the range check ran already
  } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
    field = std::chrono::seconds(std::get<int64_t>(value));
  } else {
    field = std::get<T>(std::move(value));
  }
}

template <auto Member>
Value load_member(const Settings& settings) {
  const auto& field = settings.*Member;
  using T = std::remove_cvref_t<decltype(field)>;
  if constexpr (std::is_same_v<T, bool>) {
    return Value(field);
  } else if constexpr (std::is_integral_v<T>) {
    return Value(static_cast<int64_t>(field));
  } else if constexpr (std::is_same_v<T, std::chrono::seconds>) {
    return Value(static_cast<int64_t>(field.count()));
  } else {
    return Value(field);
  }
}

template <auto Member>
constexpr Accessors field = {&store_member<Member>, &load_member<Member>};

constexpr std::string_view kListening = "Listening";
constexpr std::string_view kLimits = "Connections and limits";
constexpr std::string_view kTimers = "Timeouts and heartbeats";
constexpr std::string_view kLogging = "Logging";
constexpr std::string_view kAuth = "Authentication";
constexpr std::string_view kTls = "TLS";
constexpr std::string_view kAccess = "Access control";
constexpr std::string_view kRooms = "Rooms and messages";
constexpr std::string_view kRate = "Rate limiting";
constexpr std::string_view kBackend = "Backend API and web";
constexpr std::string_view kPusher = "Pusher protocol";
constexpr std::string_view kPusherWebhooks = "Pusher webhooks";
constexpr std::string_view kCluster = "Cluster (Redis)";
constexpr std::string_view kConfiguration = "Configuration";
constexpr std::string_view kCompression = "Compression (permessage-deflate)";

constexpr int64_t kMillion = 1'000'000;
constexpr int64_t kGiB = 1024 * 1024 * 1024;

using S = Settings;
constexpr std::array kKeys = {
    // name, kind, min, max, section, help, default note, accessors
    KeyInfo{"host", Kind::kIpAddress, 0, 0, kListening,
            "Address to listen on. 0.0.0.0 or :: listens on every interface; localhost means "
            "127.0.0.1; other host names are not resolved.",
            "", field<&S::host>},
    KeyInfo{"port", Kind::kPort, 1, 65535, kListening,
            "TCP port for WebSocket connections and the HTTP endpoints.", "", field<&S::port>},

    KeyInfo{"max_clients", Kind::kCount, 0, 10 * kMillion, kLimits,
            "Connections open at once; more are refused with 503. 0 = unlimited.", "",
            field<&S::max_clients>},
    KeyInfo{"max_clients_per_ip", Kind::kCount, 0, 10 * kMillion, kLimits,
            "Connections open at once from one IP address. 0 = unlimited.", "",
            field<&S::max_clients_per_ip>},
    KeyInfo{"max_message_size", Kind::kBytes, 1, kGiB, kLimits,
            "Largest message a client may send, in bytes, after reassembling fragments; larger "
            "ones close the connection with 1009.",
            "16777216 in echo mode", field<&S::max_message_size>},
    KeyInfo{"max_pending_output", Kind::kBytes, 1024, 4 * kGiB, kLimits,
            "Bytes queued for one connection that it has not read yet; beyond this the "
            "connection is closed with 1008 \"slow consumer\".",
            "", field<&S::max_pending_output>},
    KeyInfo{"max_header_size", Kind::kBytes, 1024, 1024 * 1024, kLimits,
            "Largest HTTP request head (request line and headers); larger gets 431.", "",
            field<&S::max_header_size>},
    KeyInfo{"max_http_body", Kind::kBytes, 0, kGiB, kLimits,
            "Largest HTTP request body (backend API calls); larger gets 413.", "",
            field<&S::max_http_body>},

    KeyInfo{"compression", Kind::kCompression, 0, 0, kCompression,
            "permessage-deflate (RFC 7692) for clients that offer it. shared: one compressor per "
            "server, no per-connection window (an idle connection holds no zlib memory); "
            "dedicated: a window per connection in each direction (better ratio, about 300 KiB "
            "per active connection); off: never negotiated. See docs/deflate.md.",
            "", field<&S::compression>},
    KeyInfo{"compression_window_bits", Kind::kCount, 9, 15, kCompression,
            "LZ77 window of the server's compressor, as a power of two (15 = 32 KiB); also the "
            "window clients are asked to stay within when they allow it.",
            "", field<&S::compression_window_bits>},
    KeyInfo{"compression_threshold", Kind::kBytes, 0, kGiB, kCompression,
            "Messages shorter than this many bytes are sent uncompressed (compressing them "
            "costs more CPU than the bytes it saves).",
            "", field<&S::compression_threshold>},

    KeyInfo{"timeout", Kind::kSeconds, 0, 7 * 86400, kTimers,
            "Seconds a connection may stay idle (nothing received) before it is closed. 0 = "
            "never.",
            "", field<&S::timeout>},
    KeyInfo{"ping_interval", Kind::kSeconds, 0, 86400, kTimers,
            "Seconds between server Pings on a quiet connection. 0 = no pings.", "",
            field<&S::ping_interval>},
    KeyInfo{"ping_timeout", Kind::kSeconds, 0, 86400, kTimers,
            "Seconds to wait for the Pong before closing the connection. 0 = no deadline. Must "
            "be less than ping_interval when both are above 0.",
            "", field<&S::ping_timeout>},
    KeyInfo{"handshake_timeout", Kind::kSeconds, 1, 3600, kTimers,
            "Seconds a new connection has to finish its opening handshake (TLS included).", "",
            field<&S::handshake_timeout>},
    KeyInfo{"close_timeout", Kind::kSeconds, 1, 3600, kTimers,
            "Seconds to wait for the peer's Close frame after sending ours.", "",
            field<&S::close_timeout>},
    KeyInfo{"shutdown_timeout", Kind::kSeconds, 0, 3600, kTimers,
            "Seconds a graceful shutdown waits for clients to close. 0 = close at once.", "",
            field<&S::shutdown_timeout>},

    KeyInfo{"debug", Kind::kBool, 0, 0, kLogging,
            "Shortcut for log_level=debug (wins over log_level).", "", field<&S::debug>},
    KeyInfo{"log_level", Kind::kLogLevel, 0, 0, kLogging,
            "Least severe level written: debug adds per-message detail.", "", field<&S::log_level>},
    KeyInfo{"log_path", Kind::kPath, 0, 0, kLogging,
            "Where logs go. Empty = stderr. A folder (existing, or ending in /) gets wsrelay.log "
            "inside; missing folders are created. SIGHUP reopens the file.",
            "", field<&S::log_path>},
    KeyInfo{"stats_interval", Kind::kSeconds, 0, 86400, kLogging,
            "Seconds between one-line statistics summaries in the log. 0 = none.", "",
            field<&S::stats_interval>},
    KeyInfo{"log_payloads", Kind::kBool, 0, 0, kLogging,
            "At debug level, also log each message's text (credentials still masked). Off: only "
            "sizes and counts are logged.",
            "", field<&S::log_payloads>},

    KeyInfo{"auth_enabled", Kind::kBool, 0, 0, kAuth,
            "Require clients to authenticate with an HS256 token.", "", field<&S::auth_enabled>},
    KeyInfo{"auth_secret", Kind::kSecret, 0, 0, kAuth,
            "HS256 secret shared with the backend that issues tokens. Required when "
            "auth_enabled; 32 bytes or more recommended (RFC 7518 §3.2). Never printed.",
            "", field<&S::auth_secret>},
    KeyInfo{"auth_timeout", Kind::kSeconds, 1, 3600, kAuth,
            "Seconds a client has to send its auth event after connecting.", "",
            field<&S::auth_timeout>},
    KeyInfo{"auth_clock_skew", Kind::kSeconds, 0, 3600, kAuth,
            "Seconds of leeway when checking a token's exp and nbf times.", "",
            field<&S::auth_clock_skew>},

    KeyInfo{"ssl_enabled", Kind::kBool, 0, 0, kTls,
            "Serve wss:// and https:// directly (instead of behind a TLS proxy).", "",
            field<&S::ssl_enabled>},
    KeyInfo{"ssl_cert_path", Kind::kPath, 0, 0, kTls,
            "PEM certificate file. Required when ssl_enabled.", "", field<&S::ssl_cert_path>},
    KeyInfo{"ssl_key_path", Kind::kPath, 0, 0, kTls,
            "PEM private key file. Required when ssl_enabled.", "", field<&S::ssl_key_path>},
    KeyInfo{"ssl_chain_path", Kind::kPath, 0, 0, kTls,
            "PEM file of intermediate certificates, when not already in ssl_cert_path.", "",
            field<&S::ssl_chain_path>},

    KeyInfo{"cors_origins", Kind::kOriginList, 0, 0, kAccess,
            "Browser origins allowed to connect (the Origin header), or * for any.", "",
            field<&S::cors_origins>},
    KeyInfo{"allow_ips", Kind::kCidrList, 0, 0, kAccess,
            "If set, only clients in these networks may connect. Empty = everyone.", "",
            field<&S::allow_ips>},
    KeyInfo{"deny_ips", Kind::kCidrList, 0, 0, kAccess, "Clients in these networks are refused.",
            "", field<&S::deny_ips>},
    KeyInfo{"trusted_proxies", Kind::kCidrList, 0, 0, kAccess,
            "Reverse proxies whose X-Forwarded-For / X-Real-IP name the client: its address is then "
            "used for logs, max_clients_per_ip, allow_ips and deny_ips. Empty = trust no header.",
            "", field<&S::trusted_proxies>},

    KeyInfo{"rooms_enabled", Kind::kBool, 0, 0, kRooms, "Allow clients to join rooms.", "",
            field<&S::rooms_enabled>},
    KeyInfo{"default_room", Kind::kRoomName, 0, 0, kRooms,
            "Room every client joins on connect. Empty = none.", "", field<&S::default_room>},
    KeyInfo{"max_rooms_per_client", Kind::kCount, 0, 100000, kRooms,
            "Rooms one client may be in at once. 0 = unlimited.", "",
            field<&S::max_rooms_per_client>},
    KeyInfo{"rooms", Kind::kRoomList, 0, 0, kRooms,
            "Rooms that exist from start-up: name[:private][:max_clients=N][:notices=MODE], "
            "comma-separated, e.g. vip:private:max_clients=10,support:max_clients=50 or "
            "orders:notices=batched.",
            "", field<&S::rooms>},
    KeyInfo{"max_name_length", Kind::kCount, 1, 1024, kRooms,
            "Longest room or signal name, in bytes.", "", field<&S::max_name_length>},
    KeyInfo{"max_json_depth", Kind::kCount, 1, 256, kRooms,
            "Deepest nesting of arrays and objects in one client message.", "",
            field<&S::max_json_depth>},
    KeyInfo{"member_list_limit", Kind::kCount, 0, 100000, kRooms,
            "Join answers list the room's members while it has at most this many. 0 = never.", "",
            field<&S::member_list_limit>},
    KeyInfo{"room_notices", Kind::kNoticeMode, 0, 0, kRooms,
            "Join/leave notices to the other members: each (one event per join or leave), "
            "batched (the notices of one loop iteration, or of up to 100 ms in a burst, in one "
            "event per member; for large rooms), or off. "
            "A room in `rooms` may override it with :notices=MODE.",
            "", field<&S::room_notices>},

    KeyInfo{"rate_limit", Kind::kCount, 0, kMillion, kRate,
            "Messages per minute one connection may send. 0 = no limit.", "",
            field<&S::rate_limit>},
    KeyInfo{"rate_limit_burst", Kind::kCount, 1, kMillion, kRate,
            "Messages allowed in a quick burst above the steady rate.", "",
            field<&S::rate_limit_burst>},
    KeyInfo{"rate_limit_warnings", Kind::kCount, 0, 1000, kRate,
            "rate_limited errors a connection gets before it is closed with 1008.", "",
            field<&S::rate_limit_warnings>},

    KeyInfo{"api_key", Kind::kSecret, 0, 0, kBackend,
            "Bearer key for the backend HTTP API (/api/...). Empty = API off (404). Never "
            "printed.",
            "", field<&S::api_key>},
    KeyInfo{"web_root", Kind::kPath, 0, 0, kBackend,
            "Folder served at /. Empty = automatic: ./web next to the binary's repository, then "
            "PREFIX/share/wsrelay/web.",
            "", field<&S::web_root>},
    KeyInfo{"publish_url", Kind::kHttpUrl, 0, 0, kBackend,
            "Server URL that `wsrelay publish` calls.",
            "follows host, port and ssl_enabled unless set", field<&S::publish_url>},

    KeyInfo{"pusher_app_id", Kind::kNodeId, 0, 0, kPusher,
            "Pusher app id (the /apps/{app_id}/ of the REST API). With pusher_app_key and "
            "pusher_app_secret it turns the Pusher protocol on. Falls back to PUSHER_APP_ID, then "
            "REVERB_APP_ID, from the environment.",
            "", field<&S::pusher_app_id>},
    KeyInfo{"pusher_app_key", Kind::kNodeId, 0, 0, kPusher,
            "Pusher app key: clients connect to /app/{key}. Falls back to PUSHER_APP_KEY, then "
            "REVERB_APP_KEY.",
            "", field<&S::pusher_app_key>},
    KeyInfo{"pusher_app_secret", Kind::kSecret, 0, 0, kPusher,
            "Pusher app secret: signs channel authorizations and REST requests. Falls back to "
            "PUSHER_APP_SECRET, then REVERB_APP_SECRET. Never printed.",
            "", field<&S::pusher_app_secret>},
    KeyInfo{"pusher_activity_timeout", Kind::kSeconds, 1, 3600, kPusher,
            "Seconds of silence after which a Pusher client is pinged (pusher:ping); no answer "
            "within 30 s closes it with 4201. Also told to clients as activity_timeout.",
            "", field<&S::pusher_activity_timeout>},
    KeyInfo{"pusher_max_connections", Kind::kCount, 0, 10 * kMillion, kPusher,
            "Pusher connections open at once; more are refused with 4100 (over capacity). 0 = "
            "only max_clients applies.",
            "", field<&S::pusher_max_connections>},
    KeyInfo{"pusher_max_presence_members", Kind::kCount, 0, 100000, kPusher,
            "Users one presence channel may hold; more get pusher:subscription_error. 0 = "
            "unlimited.",
            "", field<&S::pusher_max_presence_members>},
    KeyInfo{"pusher_max_user_info", Kind::kBytes, 0, 1024 * 1024, kPusher,
            "Largest presence user_info, in bytes of JSON.", "", field<&S::pusher_max_user_info>},
    KeyInfo{"pusher_client_events", Kind::kBool, 0, 0, kPusher,
            "Relay client-* events on private and presence channels (whisper).", "",
            field<&S::pusher_client_events>},
    KeyInfo{"pusher_client_event_rate", Kind::kCount, 0, 10000, kPusher,
            "client-* events one connection may send a second; more get pusher:error 4301. 0 = "
            "unlimited.",
            "", field<&S::pusher_client_event_rate>},
    KeyInfo{"pusher_webhook_url", Kind::kOptionalHttpUrl, 0, 0, kPusherWebhooks,
            "Where Pusher webhooks are POSTed (channel_occupied, member_added, ...), signed with "
            "pusher_app_key/pusher_app_secret. Empty = no webhooks. A host name is resolved once "
            "at start-up.",
            "", field<&S::pusher_webhook_url>},
    KeyInfo{"pusher_webhook_events", Kind::kWebhookEvents, 0, 0, kPusherWebhooks,
            "Which webhook events are sent (Pusher lets each app choose); client_event is off by "
            "default because it posts once per client event.",
            "", field<&S::pusher_webhook_events>},
    KeyInfo{"pusher_webhook_batch_ms", Kind::kCount, 0, 10000, kPusherWebhooks,
            "Milliseconds events wait to share one POST with the events after them.", "",
            field<&S::pusher_webhook_batch_ms>},
    KeyInfo{"pusher_webhook_max_batch", Kind::kCount, 1, 1000, kPusherWebhooks,
            "Most events in one webhook POST.", "", field<&S::pusher_webhook_max_batch>},
    KeyInfo{"pusher_webhook_delay", Kind::kSeconds, 0, 60, kPusherWebhooks,
            "channel_vacated and member_removed wait this long and are not sent at all when the "
            "channel (member) comes back meanwhile, so a page reload does not flap.",
            "", field<&S::pusher_webhook_delay>},
    KeyInfo{"pusher_webhook_max_attempts", Kind::kCount, 1, 20, kPusherWebhooks,
            "Attempts per POST (network errors, timeouts, 5xx, 408, 429 are retried with "
            "exponential backoff from 1 s to 60 s); then its events are dropped and counted.",
            "", field<&S::pusher_webhook_max_attempts>},
    KeyInfo{"pusher_webhook_queue", Kind::kCount, 1, 1 * kMillion, kPusherWebhooks,
            "Most webhook events waiting; more are dropped, counted in /stats and /metrics and "
            "logged.",
            "", field<&S::pusher_webhook_queue>},
    KeyInfo{"pusher_webhook_timeout", Kind::kSeconds, 1, 300, kPusherWebhooks,
            "Seconds to connect, and then to get the whole answer, per POST.", "",
            field<&S::pusher_webhook_timeout>},
    KeyInfo{"pusher_webhook_ca_file", Kind::kPath, 0, 0, kPusherWebhooks,
            "PEM certificates trusted for an https:// webhook URL. Empty = the system's trust "
            "store.",
            "", field<&S::pusher_webhook_ca_file>},

    KeyInfo{"redis_url", Kind::kRedisUrl, 0, 0, kCluster,
            "Redis that joins this node to a cluster (docs/cluster.md). The password is "
            "percent-encoded and never printed; rediss:// is refused; host names are resolved "
            "once at start. Empty = a single node.",
            "", field<&S::redis_url>},
    KeyInfo{"node_id", Kind::kNodeId, 0, 0, kCluster,
            "This node's name in the cluster (letters, digits, . _ -), unique per node.",
            "empty = host name + '-' + process id", field<&S::node_id>},
    KeyInfo{"cluster_prefix", Kind::kKeyPrefix, 0, 0, kCluster,
            "Name of the cluster: every Redis key and channel starts with it, so several apps "
            "(or staging and production) share one Redis without seeing each other.",
            "", field<&S::cluster_prefix>},

    KeyInfo{"ignore_env", Kind::kEnvNameList, 0, 0, kConfiguration,
            "WEBSOCKET_* environment variables that are not settings but must not stop start-up "
            "(e.g. WEBSOCKET_URL used by a front end), comma-separated; * ignores all of them "
            "with a warning.",
            "", field<&S::ignore_env>},
    KeyInfo{"env_file", Kind::kPath, 0, 0, kConfiguration,
            "The application's .env file (Laravel or CodeIgniter 4 syntax) to read WEBSOCKET_* "
            "settings from; other names in it are ignored. The real environment wins over it, "
            "flags win over both.",
            "", field<&S::env_file>},
};

}  // namespace

// Optimal string alignment distance: Levenshtein plus adjacent transpositions ("prot"/"port"
// is one edit, the commonest typo).
size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

std::span<const KeyInfo> all_keys() {
  return kKeys;
}

const KeyInfo* find_key(std::string_view name) {
  for (const KeyInfo& key : kKeys) {
    if (key.name == name) return &key;
  }
  return nullptr;
}

size_t key_index(const KeyInfo& key) {
  return static_cast<size_t>(&key - kKeys.data());
}

std::string env_name(std::string_view key) {
  std::string name(kEnvPrefix);
  for (char c : key) name.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  return name;
}

std::string flag_name(std::string_view key) {
  std::string name = "--";
  for (char c : key) name.push_back(c == '_' ? '-' : c);
  return name;
}

const KeyInfo* suggest_key(std::string_view typed) {
  // Normalise what people actually type: MAX-CLIENTS, --max-clients, WEBSOCKET_MAX_CLIENTS.
  std::string normal;
  for (char c : typed) normal.push_back(c == '-' ? '_' : text::to_lower(c));
  while (!normal.empty() && normal.front() == '_') normal.erase(0, 1);
  constexpr std::string_view kPrefix = "websocket_";
  if (normal.size() > kPrefix.size() && normal.compare(0, kPrefix.size(), kPrefix) == 0) {
    normal.erase(0, kPrefix.size());
  }
  if (normal.empty()) return nullptr;
  const KeyInfo* best = nullptr;
  size_t best_distance = normal.size() >= 5 ? 2 : 1;  // allow more slack for longer names
  for (const KeyInfo& key : kKeys) {
    const size_t distance = edit_distance(normal, key.name);
    if (distance <= best_distance && (best == nullptr || distance < best_distance)) {
      best = &key;
      best_distance = distance;
    }
  }
  return best;
}

}  // namespace wsrelay::config
