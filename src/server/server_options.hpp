// Everything the server layer needs to know from configuration, in plain units.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace wsrelay::server {

struct ServerOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 8080;
  int backlog = 1024;
  size_t max_clients = 10000;            // upgraded WebSocket connections; 0 = unlimited
  size_t max_clients_per_ip = 0;         // 0 = unlimited
  uint64_t max_message_size = 64 * 1024;
  size_t max_pending_output = 4u << 20;  // bytes queued before a client is "slow" (1008)
  size_t max_header_size = 8192;         // HTTP request head (431 beyond)
  size_t max_http_body = 1u << 20;       // HTTP request body (413 beyond)
  uint64_t idle_timeout_ms = 300'000;    // 0 = none
  uint64_t ping_interval_ms = 30'000;    // 0 = no heartbeats
  uint64_t ping_timeout_ms = 10'000;
  uint64_t handshake_timeout_ms = 10'000;
  uint64_t close_timeout_ms = 5'000;
  uint64_t shutdown_timeout_ms = 10'000;

  // permessage-deflate (RFC 7692, docs/deflate.md). kShared: one compressor per loop for
  // every connection (no context takeover either way); kDedicated: context takeover where the
  // client allows it, a compressor and inflater kept per connection.
  enum class Compression : uint8_t { kOff, kShared, kDedicated };
  Compression compression = Compression::kShared;
  uint8_t compression_window_bits = 15;  // 9..15
  size_t compression_threshold = 256;    // smaller messages are sent uncompressed
};

}  // namespace wsrelay::server
