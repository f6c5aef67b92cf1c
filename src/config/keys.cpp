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
constexpr std::string_view kCluster = "Multi-node (reserved)";
constexpr std::string_view kConfiguration = "Configuration";

constexpr int64_t kMillion = 1'000'000;
constexpr int64_t kGiB = 1024 * 1024 * 1024;

using S = Settings;
constexpr std::array kKeys = {
    // name, kind, min, max, section, help, default note, accessors
    KeyInfo{"host", Kind::kIpAddress, 0, 0, kListening,
            "Address to listen on. 0.0.0.0 or :: listens on every interface; host names are not "
            "resolved.",
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

    KeyInfo{"rooms_enabled", Kind::kBool, 0, 0, kRooms, "Allow clients to join rooms.", "",
            field<&S::rooms_enabled>},
    KeyInfo{"default_room", Kind::kRoomName, 0, 0, kRooms,
            "Room every client joins on connect. Empty = none.", "", field<&S::default_room>},
    KeyInfo{"max_rooms_per_client", Kind::kCount, 0, 100000, kRooms,
            "Rooms one client may be in at once. 0 = unlimited.", "",
            field<&S::max_rooms_per_client>},
    KeyInfo{"rooms", Kind::kRoomList, 0, 0, kRooms,
            "Rooms that exist from start-up: name[:private][:max_clients=N][:notices=MODE], "
            "comma-separated, e.g. vip:private:max_clients=10,support:max_clients=50,"
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

    KeyInfo{"redis_url", Kind::kRedisUrl, 0, 0, kCluster,
            "Reserved for multi-node deployments: redis://host:port. Validated, not used yet.", "",
            field<&S::redis_url>},
    KeyInfo{"node_id", Kind::kNodeId, 0, 0, kCluster,
            "Reserved for multi-node deployments: this node's name (letters, digits, . _ -). "
            "Validated, not used yet.",
            "", field<&S::node_id>},

    KeyInfo{"ignore_env", Kind::kEnvNameList, 0, 0, kConfiguration,
            "WEBSOCKET_* environment variables that are not settings but must not stop start-up "
            "(e.g. WEBSOCKET_URL used by a front end), comma-separated; * ignores all of them "
            "with a warning.",
            "", field<&S::ignore_env>},
};

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

}  // namespace

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
