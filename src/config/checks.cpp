// Cross-field rules: what no single value can break on its own. Declared in loader.hpp.
//
// Decisions recorded here (docs/configuration.md says the same):
// - auth_enabled without auth_secret is an error: the server could not verify any token.
// - An auth_secret shorter than 32 bytes is a WARNING, not an error. RFC 7518 §3.2 asks for a
//   key at least as long as the hash (256 bits for HS256), but the secret is chosen by the
//   backend that issues tokens and is often already deployed; refusing to start would not make
//   it longer. The warning is logged at every start and shown by check-config.
// - ssl_enabled needs both ssl_cert_path and ssl_key_path (errors). Whether the files exist
//   and hold a matching pair is checked when TLS is set up (and by `check-config`), not here.
// - An ssl_*_path set while ssl_enabled was never set is an ERROR that says to add
//   ssl_enabled = true: silently serving ws:// to clients that expect wss:// is the worse
//   failure, and switching TLS on implicitly would make one setting depend on another's
//   presence. ssl_enabled = false written explicitly keeps the paths with a warning.
// - ping_timeout must be below ping_interval when both are above 0, or the next Ping would be
//   due before the previous Pong's deadline.
#include <string>
#include <utility>

#include "config/loader.hpp"
#include "config/values.hpp"

namespace wsrelay::config {

namespace {

constexpr size_t kRecommendedSecretBytes = 32;  // RFC 7518 §3.2: HS256 key >= hash size
constexpr size_t kShortApiKeyBytes = 16;

class Checker {
 public:
  explicit Checker(LoadResult& result) : result_(result), s_(result.settings) {}

  std::string where(std::string_view key) const { return result_.origin_of(key).describe(); }
  bool is_default(std::string_view key) const {
    return result_.origin_of(key).kind == Origin::Kind::kDefault;
  }
  // The key of the pair that the user set (to point at the line they wrote), `first` if both
  // or neither were set.
  std::string_view blame(std::string_view first, std::string_view second) const {
    return is_default(first) && !is_default(second) ? second : first;
  }
  void error(std::string_view key, std::string source, std::string message) {
    result_.errors.push_back({std::string(key), std::move(source), std::move(message)});
  }
  void warn(std::string_view key, std::string source, std::string message) {
    result_.warnings.push_back({std::string(key), std::move(source), std::move(message)});
  }

  void check_auth() {
    if (s_.auth_enabled && s_.auth_secret.empty()) {
      error("auth_secret", where("auth_enabled"),
            "is empty but auth_enabled is true; set auth_secret in the file, "
            "WEBSOCKET_AUTH_SECRET or --auth-secret");
    } else if (s_.auth_enabled && s_.auth_secret.size() < kRecommendedSecretBytes) {
      warn("auth_secret", where("auth_secret"),
           "is " + std::to_string(s_.auth_secret.size()) +
               " bytes; HS256 wants at least 32 (RFC 7518 §3.2), a short secret can be guessed "
               "offline from one token");
    }
    if (!s_.auth_enabled && !s_.auth_secret.empty()) {
      warn("auth_secret", where("auth_secret"),
           "is set but auth_enabled is false: clients are not authenticated");
    }
    if (!s_.api_key.empty() && s_.api_key.size() < kShortApiKeyBytes) {
      warn("api_key", where("api_key"),
           "is only " + std::to_string(s_.api_key.size()) +
               " bytes; use 32 or more random characters");
    }
    for (std::string_view key : {"auth_secret", "api_key"}) {
      const std::string& secret = key == "api_key" ? s_.api_key : s_.auth_secret;
      if (!secret.empty() && trim(secret).size() != secret.size()) {
        warn(key, where(key),
             "starts or ends with whitespace, which is part of the secret (a stray space in a "
             ".env file?)");
      }
    }
  }

  void check_tls() {
    if (s_.ssl_enabled) {
      if (s_.ssl_cert_path.empty()) {
        error("ssl_cert_path", where("ssl_enabled"), "is empty but ssl_enabled is true");
      }
      if (s_.ssl_key_path.empty()) {
        error("ssl_key_path", where("ssl_enabled"), "is empty but ssl_enabled is true");
      }
      return;
    }
    const std::pair<std::string_view, const std::string*> paths[] = {
        {"ssl_cert_path", &s_.ssl_cert_path},
        {"ssl_key_path", &s_.ssl_key_path},
        {"ssl_chain_path", &s_.ssl_chain_path}};
    for (const auto& [key, value] : paths) {
      if (value->empty()) continue;
      // Certificate paths without ssl_enabled are the classic trap: the server starts, serves
      // plain ws://, and every wss:// client fails. An explicit ssl_enabled=false (TLS turned
      // off on purpose, paths kept for later) is respected with a warning.
      if (is_default("ssl_enabled")) {
        error(key, where(key),
              "is set but ssl_enabled is not: add ssl_enabled = true (WEBSOCKET_SSL_ENABLED=true, "
              "--ssl-enabled) to serve wss:// and https://, or remove the ssl_*_path settings "
              "to serve plain ws://");
      } else {
        warn(key, where(key),
             "is set but ssl_enabled is false (" + where("ssl_enabled") +
                 "): serving plain ws:// and http://");
      }
      return;
    }
  }

  void check_heartbeats() {
    const auto interval = s_.ping_interval.count();
    const auto deadline = s_.ping_timeout.count();
    if (interval > 0 && deadline > 0 && deadline >= interval) {
      // Point at whichever of the two the user set (both set: ping_timeout).
      const std::string_view key = blame("ping_timeout", "ping_interval");
      const std::string rule = " when both are above 0 (a Pong must be due before the next Ping)";
      if (key == "ping_timeout") {
        error(key, where(key),
              "is " + std::to_string(deadline) + " but must be less than ping_interval (" +
                  std::to_string(interval) + ", " + where("ping_interval") + ")" + rule);
      } else {
        error(key, where(key),
              "is " + std::to_string(interval) + " but must be greater than ping_timeout (" +
                  std::to_string(deadline) + ", " + where("ping_timeout") + ")" + rule);
      }
    }
  }

  void check_rooms() {
    const size_t limit = s_.max_name_length;
    const std::string limit_text =
        "max_name_length (" + std::to_string(limit) + ", " + where("max_name_length") + ")";
    for (const RoomSpec& room : s_.rooms) {
      if (room.name.size() > limit) {
        const std::string_view key = blame("rooms", "max_name_length");
        error(key, where(key),
              "room " + quote(room.name) + " is " + std::to_string(room.name.size()) +
                  " bytes, longer than " + limit_text);
      }
      if (room.name == s_.default_room && room.is_private) {
        const std::string_view key = blame("rooms", "default_room");
        warn(key, where(key),
             "default_room " + quote(room.name) +
                 " is a private room: clients that may not join it will fail the automatic join");
      }
    }
    if (s_.default_room.size() > limit) {
      const std::string_view key = blame("default_room", "max_name_length");
      error(key, where(key),
            "default_room " + quote(s_.default_room) + " is " +
                std::to_string(s_.default_room.size()) + " bytes, longer than " + limit_text);
    }
    if (!s_.rooms_enabled && !s_.rooms.empty()) {
      warn("rooms", where("rooms"), "declares rooms but rooms_enabled is false");
    }
  }

  void check_limits() {
    if (s_.max_clients != 0 && s_.max_clients_per_ip > s_.max_clients) {
      warn("max_clients_per_ip", where("max_clients_per_ip"),
           "is above max_clients (" + std::to_string(s_.max_clients) + "), so it never applies");
    }
  }

  void check_networks() {
    for (std::string_view key : {"allow_ips", "deny_ips", "trusted_proxies"}) {
      const std::vector<std::string>& list = key == "allow_ips" ? s_.allow_ips
                                             : key == "deny_ips" ? s_.deny_ips
                                                                 : s_.trusted_proxies;
      for (const std::string& item : list) {
        std::string problem;
        bool host_bits = false;
        if (check_cidr(item, problem, &host_bits) && host_bits) {
          warn(key, where(key),
               quote(item) + " has bits set after the prefix; it matches the whole network");
        }
      }
    }
  }

  // The cluster settings only mean something with a Redis to meet through.
  void check_cluster() {
    if (!s_.redis_url.empty()) return;
    if (!s_.node_id.empty()) warn("node_id", where("node_id"), "has no effect without redis_url");
    if (s_.cluster_prefix != Settings().cluster_prefix) {
      warn("cluster_prefix", where("cluster_prefix"), "has no effect without redis_url");
    }
  }

 private:
  LoadResult& result_;
  const Settings& s_;
};

}  // namespace

void check_consistency(LoadResult& result) {
  Checker checker(result);
  checker.check_auth();
  checker.check_tls();
  checker.check_heartbeats();
  checker.check_rooms();
  checker.check_limits();
  checker.check_networks();
  checker.check_cluster();
}

}  // namespace wsrelay::config
