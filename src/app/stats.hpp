// Counters the application keeps, and the plain snapshot the HTTP stats endpoint serializes.
//
// Traffic counts application messages (one WebSocket message = one message) and their payload
// bytes, not frames or framing. A message delivered to N clients counts N messages out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace wsrelay::app {

struct TrafficCounters {
  uint64_t messages_in = 0;
  uint64_t bytes_in = 0;
  uint64_t messages_out = 0;
  uint64_t bytes_out = 0;
};

struct RoomSnapshot {
  std::string name;
  size_t members = 0;
  uint64_t last_sequence = 0;  // the number of the latest room message (0 = none yet)
  bool declared = false;
  bool is_private = false;
};

struct NamedCount {
  std::string name;
  uint64_t count = 0;
};

struct StatsSnapshot {
  int64_t started_at_ms = 0;  // Unix epoch milliseconds
  int64_t uptime_ms = 0;
  size_t clients = 0;             // connected now
  uint64_t connections_total = 0;  // ever accepted by the application
  TrafficCounters traffic;
  std::vector<RoomSnapshot> rooms;  // sorted by name
  size_t signal_names = 0;          // distinct names somebody listens to
  std::vector<NamedCount> events;   // requests handled, by event name (sorted)
  std::vector<NamedCount> errors;   // error answers sent, by code (sorted)
  // Connections the application closed itself, by cause (close_reasons.hpp: invalid_auth,
  // auth_timeout, rate_limited; every cause listed, 0 when it never happened).
  std::vector<NamedCount> closes;
  // The Pusher front end's counters (app/pusher/protocol.hpp PusherStats: connections,
  // connections_total, subscriptions, subscription_errors, client_events, api_events, errors);
  // empty when the Pusher protocol is off.
  std::vector<NamedCount> pusher;
};

}  // namespace wsrelay::app
