// Snapshot: the numbers /health, /stats and /metrics report, gathered at the moment of a request
// from the server layer (connections, traffic, rejections) and the application layer (clients,
// rooms, per-event and per-error counts). Rendering is a pure function of a Snapshot, so the
// formats are unit-tested without a server.
//
// Where each number comes from: messages and bytes in/out are the server's (WebSocket payloads,
// counted in every mode, including `wsrelay echo`); clients, rooms, signal names, events and
// errors and the application's own closes (auth, rate limit) are the application's, absent when
// there is no dispatcher (echo mode).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "app/pusher/webhook_dispatcher.hpp"
#include "app/stats.hpp"
#include "server/server_stats.hpp"

namespace wsrelay::http {

struct ServerCounters {
  server::ServerStats stats;
  size_t connections = 0;  // open TCP connections, HTTP and WebSocket
  size_t websockets = 0;   // of which upgraded to WebSocket
  uint64_t uptime_ms = 0;
  size_t zlib_bytes = 0;   // memory held by permessage-deflate compressors and inflaters
};

// The cluster link (src/cluster), present only when redis_url is set.
struct ClusterCounters {
  std::string node_id;
  std::string prefix;
  std::string state;       // "connecting", "up", "down"
  bool up = false;
  uint64_t state_for_ms = 0;
  std::string last_error;  // "none", "unreachable", "timeout", "auth", "protocol", "server", "closed"
  uint64_t connects = 0;
  uint64_t disconnects = 0;
  uint64_t failed_attempts = 0;
  uint64_t published = 0;
  uint64_t publish_refused = 0;
  uint64_t received = 0;
  uint64_t missed = 0;
  uint64_t malformed = 0;
  uint64_t peers = 0;
};

struct Snapshot {
  ServerCounters server;
  std::optional<app::StatsSnapshot> app;
  std::optional<ClusterCounters> cluster;
  std::optional<app::pusher::WebhookStats> webhooks;  // only when Pusher webhooks are configured
};

// {"status":"ok","uptime":<whole seconds>}; with a cluster also "redis":"up"|"connecting"|"down",
// and "status":"degraded" while the link is not up (the endpoint then answers 503: this node
// still serves its own clients, but messages to and from the other nodes are not delivered).
std::string render_health(uint64_t uptime_ms, const ClusterCounters* cluster = nullptr);

// The /stats document (docs/backend.md shows one). Every rejection reason is listed, with 0 when
// it never happened, so the shape does not change as the server runs.
std::string render_stats(const Snapshot& snapshot);

// Prometheus text exposition format 0.0.4: HELP and TYPE before each family, counters named
// *_total, label values escaped. Member counts are given for at most `room_limit` rooms (the
// largest, ties by name) to bound the number of series; wsrelay_rooms counts all of them.
std::string render_metrics(const Snapshot& snapshot, size_t room_limit);

// The Content-Type Prometheus expects for format 0.0.4.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

}  // namespace wsrelay::http
