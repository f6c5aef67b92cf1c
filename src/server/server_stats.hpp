// Counters the server layer keeps about connections and traffic; the http/ layer renders them
// as /stats and /metrics. Plain integers: the server is single-threaded.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace wsrelay::server {

// Why a connection or request was refused or ended early. Keep in sync with kRejectNames.
enum class Reject : uint8_t {
  kBadRequest,        // 400: malformed HTTP or invalid upgrade
  kVersion,           // 426: Sec-WebSocket-Version not 13
  kMethod,            // 405
  kHeaderTooLarge,    // 431
  kBodyTooLarge,      // 413
  kHandshakeTimeout,  // no complete request in time
  kServerFull,        // 503: max_clients
  kTooManyPerIp,      // max_clients_per_ip
  kAddressDenied,     // allow_ips / deny_ips
  kOrigin,            // 403: Origin not allowed
  kUnauthorized,      // 401: bad or missing token
  kTlsHandshake,      // TLS handshake failed (garbage or plain HTTP on the TLS port)
  kProtocolError,     // closed 1002/1007 after the upgrade
  kMessageTooBig,     // closed 1009
  kSlowConsumer,      // closed 1008: output over max_pending_output
  kPongTimeout,       // no Pong in time
  kIdleTimeout,       // nothing received in time
  kRateLimited,       // closed 1008 after repeated rate-limit warnings
  kCount
};

constexpr std::array<std::string_view, static_cast<size_t>(Reject::kCount)> kRejectNames = {
    "bad_request",   "version",       "method",          "header_too_large", "body_too_large",
    "handshake_timeout", "server_full", "too_many_per_ip", "address_denied",  "origin",
    "unauthorized",  "tls_handshake", "protocol_error",  "message_too_big",  "slow_consumer",
    "pong_timeout",  "idle_timeout",  "rate_limited"};

struct ServerStats {
  uint64_t connections_accepted = 0;  // TCP connections
  uint64_t upgrades = 0;              // WebSocket handshakes completed
  uint64_t http_requests = 0;
  uint64_t messages_in = 0;
  uint64_t messages_out = 0;
  uint64_t bytes_in = 0;              // WebSocket payload bytes received
  uint64_t bytes_out = 0;             // WebSocket payload bytes queued
  uint64_t pings_sent = 0;
  // permessage-deflate (RFC 7692): payload bytes of compressed messages on the wire and
  // inflated/before compression, so /stats and /metrics show what compression saves.
  uint64_t deflate_connections = 0;   // upgrades that negotiated permessage-deflate
  uint64_t deflate_messages_in = 0;
  uint64_t deflate_bytes_in_wire = 0;
  uint64_t deflate_bytes_in_plain = 0;
  uint64_t deflate_messages_out = 0;
  uint64_t deflate_bytes_out_plain = 0;
  uint64_t deflate_bytes_out_wire = 0;
  uint64_t deflate_compressions = 0;  // compressor runs: a broadcast to N counts once
  std::array<uint64_t, static_cast<size_t>(Reject::kCount)> rejects{};
  void count(Reject reason) { ++rejects[static_cast<size_t>(reason)]; }
};

}  // namespace wsrelay::server
