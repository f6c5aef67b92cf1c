#include "config/env_names.hpp"

#include <array>
#include <utility>

namespace wsrelay::config {

namespace {

// Short forms found in PHP projects' .env files, and the key each one means.
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kAliases = {{
    {"WEBSOCKET_SSL", "ssl_enabled"},
    {"WEBSOCKET_SSL_CERT", "ssl_cert_path"},
    {"WEBSOCKET_SSL_KEY", "ssl_key_path"},
}};

// Names other packages use for things wsrelay does differently or not at all: a switch for a
// server that is always on when it runs (ENABLED), Laravel log channels (wsrelay logs to
// log_path or stderr), a separate error log (one log, filtered by log_level).
constexpr std::array<std::string_view, 3> kForeign = {
    "WEBSOCKET_ENABLED",
    "WEBSOCKET_LOG_CHANNEL",
    "WEBSOCKET_ERROR_LOG",
};

}  // namespace

const KeyInfo* env_alias_target(std::string_view env_name) {
  for (const auto& [alias, key] : kAliases) {
    if (alias == env_name) return find_key(key);
  }
  return nullptr;
}

bool is_foreign_env_name(std::string_view env_name) {
  for (std::string_view name : kForeign) {
    if (name == env_name) return true;
  }
  return false;
}

}  // namespace wsrelay::config
