// Environment names that are not spelled by the naming rule (key foo_bar = WEBSOCKET_FOO_BAR)
// but must still be understood, because PHP `.env` files carry them from other WebSocket
// packages (beyondcode/laravel-websockets, Ratchet and CodeIgniter recipes, ...):
//   aliases  - names that mean one of our settings (WEBSOCKET_SSL_CERT = ssl_cert_path); they
//              set it, and `check-config` shows the source as "env WEBSOCKET_SSL_CERT (alias)";
//              the canonical name wins when both are given
//   foreign  - names that have no meaning here (WEBSOCKET_ENABLED, WEBSOCKET_LOG_CHANNEL, ...);
//              they are reported in ONE warning line instead of stopping the server
// Anything else under WEBSOCKET_ that is not a key stays an error (a typo such as
// WEBSOCKET_PROT must not be ignored).
//
// Pure constant data.
#pragma once

#include <string_view>

#include "config/keys.hpp"

namespace wsrelay::config {

// The key that `env_name` is an alias of, or nullptr.
const KeyInfo* env_alias_target(std::string_view env_name);

// True for a name from another package that means nothing to wsrelay.
bool is_foreign_env_name(std::string_view env_name);

}  // namespace wsrelay::config
