// Hooks through which the server reports what happens to connections (for logs). Every method
// has an empty default so an embedding program overrides only what it wants.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/server_stats.hpp"

namespace wsrelay::server {

class ServerObserver {
 public:
  virtual ~ServerObserver() = default;
  virtual void on_listening(std::string_view /*address*/) {}
  virtual void on_open(std::string_view /*peer*/, std::string_view /*path*/) {}
  // `initiator` is "client", "server" or "network" (no closing handshake).
  virtual void on_close(std::string_view /*peer*/, uint16_t /*code*/, std::string_view /*reason*/,
                        std::string_view /*initiator*/) {}
  virtual void on_reject(std::string_view /*peer*/, Reject /*reason*/, std::string_view /*detail*/) {}
  virtual void on_http(std::string_view /*peer*/, std::string_view /*method*/, std::string_view /*target*/,
                       int /*status*/) {}
  virtual void on_error(std::string_view /*what*/) {}
};

}  // namespace wsrelay::server
