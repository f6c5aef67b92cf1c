// /metrics: the Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
//
// The rules this file follows, because scrapers are strict about them:
// - a family is introduced by "# HELP <name> <text>" and "# TYPE <name> <counter|gauge>", once,
//   before its samples; in HELP text a backslash is written \\ and a newline \n;
// - counters end in _total (Prometheus naming conventions) and only ever go up;
// - a label value is written in double quotes with \\, \" and \n escaped;
// - every line ends with '\n', including the last.
#include <algorithm>
#include <charconv>
#include <vector>

#include "http/snapshot.hpp"
#include "http/webhook_stats.hpp"

namespace wsrelay::http {
namespace {

class Exposition {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    for (char c : help) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(std::string_view name, uint64_t value) {
    out_ += name;
    value_(value);
  }
  void sample(std::string_view name, std::string_view label, std::string_view label_value, uint64_t value) {
    out_ += name;
    out_ += '{';
    out_ += label;
    out_ += "=\"";
    for (char c : label_value) {
      if (c == '\\') out_ += "\\\\";
      else if (c == '"') out_ += "\\\"";
      else if (c == '\n') out_ += "\\n";
      else out_ += c;
    }
    out_ += '"';
    out_ += '}';
    value_(value);
  }
  // Milliseconds as seconds with three decimals ("12.345"), without floating point.
  void sample_seconds(std::string_view name, uint64_t milliseconds) {
    out_ += name;
    out_ += ' ';
    append_number(milliseconds / 1000);
    out_ += '.';
    const uint64_t fraction = milliseconds % 1000;
    if (fraction < 100) out_ += '0';
    if (fraction < 10) out_ += '0';
    append_number(fraction);
    out_ += '\n';
  }
  // A counter or gauge with one unlabelled sample.
  void single(std::string_view name, std::string_view type, std::string_view help, uint64_t value) {
    family(name, type, help);
    sample(name, value);
  }
  std::string take() { return std::move(out_); }

 private:
  void value_(uint64_t value) {
    out_ += ' ';
    append_number(value);
    out_ += '\n';
  }
  void append_number(uint64_t value) {
    char digits[24];
    const auto result = std::to_chars(digits, digits + sizeof digits, value);
    out_.append(digits, result.ptr);
  }

  std::string out_;
};

}  // namespace

std::string render_metrics(const Snapshot& snapshot, size_t room_limit) {
  const ServerCounters& server = snapshot.server;
  const server::ServerStats& stats = server.stats;
  Exposition out;

  out.family("wsrelay_uptime_seconds", "gauge", "Seconds since the server started.");
  out.sample_seconds("wsrelay_uptime_seconds", server.uptime_ms);
  out.single("wsrelay_connections", "gauge", "Open TCP connections (HTTP and WebSocket).", server.connections);
  out.single("wsrelay_clients", "gauge", "Connected WebSocket clients.",
             snapshot.app ? snapshot.app->clients : server.websockets);
  out.single("wsrelay_connections_accepted_total", "counter", "TCP connections accepted.",
             stats.connections_accepted);
  out.single("wsrelay_websocket_upgrades_total", "counter", "WebSocket opening handshakes completed.",
             stats.upgrades);
  out.single("wsrelay_http_requests_total", "counter", "Plain HTTP requests answered by the endpoints.",
             stats.http_requests);
  out.single("wsrelay_messages_received_total", "counter", "WebSocket messages received.", stats.messages_in);
  out.single("wsrelay_messages_sent_total", "counter",
             "WebSocket messages queued for sending (one per recipient).", stats.messages_out);
  out.single("wsrelay_received_bytes_total", "counter", "WebSocket payload bytes received.", stats.bytes_in);
  out.single("wsrelay_sent_bytes_total", "counter",
             "WebSocket payload bytes queued for sending (per recipient).", stats.bytes_out);
  out.single("wsrelay_pings_sent_total", "counter", "Heartbeat pings sent.", stats.pings_sent);
  // permessage-deflate (RFC 7692): both sides of compression, and what it costs.
  out.single("wsrelay_deflate_connections_total", "counter", "WebSocket upgrades that negotiated permessage-deflate.",
             stats.deflate_connections);
  out.single("wsrelay_deflate_messages_received_total", "counter", "Compressed messages received.",
             stats.deflate_messages_in);
  out.single("wsrelay_deflate_received_wire_bytes_total", "counter",
             "Payload bytes of compressed messages received, as sent (compressed).", stats.deflate_bytes_in_wire);
  out.single("wsrelay_deflate_received_bytes_total", "counter",
             "Payload bytes of compressed messages received, after inflating.", stats.deflate_bytes_in_plain);
  out.single("wsrelay_deflate_messages_sent_total", "counter", "Messages queued compressed (one per recipient).",
             stats.deflate_messages_out);
  out.single("wsrelay_deflate_sent_bytes_total", "counter",
             "Payload bytes of messages queued compressed, before compression.", stats.deflate_bytes_out_plain);
  out.single("wsrelay_deflate_sent_wire_bytes_total", "counter",
             "Payload bytes of messages queued compressed, after compression.", stats.deflate_bytes_out_wire);
  out.single("wsrelay_deflate_compressions_total", "counter",
             "Compressor runs (a broadcast compressed once for many recipients counts once).",
             stats.deflate_compressions);
  out.single("wsrelay_deflate_zlib_bytes", "gauge", "Memory held by zlib compressors and inflaters now.",
             server.zlib_bytes);

  out.family("wsrelay_rejections_total", "counter",
             "Connections or requests refused or ended early, by reason.");
  for (size_t i = 0; i < server::kRejectNames.size(); ++i) {
    out.sample("wsrelay_rejections_total", "reason", server::kRejectNames[i], stats.rejects[i]);
  }

  std::string webhooks;
  if (snapshot.webhooks) append_webhook_metrics(webhooks, *snapshot.webhooks);
  if (snapshot.cluster) {
    const ClusterCounters& c = *snapshot.cluster;
    out.single("wsrelay_redis_up", "gauge", "1 when the cluster's Redis link is up, else 0.", c.up ? 1 : 0);
    out.single("wsrelay_redis_connects_total", "counter", "Times the Redis link came up.", c.connects);
    out.single("wsrelay_redis_disconnects_total", "counter", "Times the Redis link went down after being up.",
               c.disconnects);
    out.single("wsrelay_redis_failed_attempts_total", "counter", "Redis connect attempts that failed.",
               c.failed_attempts);
    out.single("wsrelay_cluster_published_total", "counter", "Bus messages handed to Redis.", c.published);
    out.single("wsrelay_cluster_publish_refused_total", "counter",
               "Bus messages not sent because the Redis link was down.", c.publish_refused);
    out.single("wsrelay_cluster_received_total", "counter", "Bus messages received from other nodes.", c.received);
    out.single("wsrelay_cluster_missed_total", "counter",
               "Bus messages from other nodes known lost (gaps in their sequence numbers).", c.missed);
    out.single("wsrelay_cluster_peers", "gauge", "Other nodes of the cluster seen alive.", c.peers);
  }
  if (snapshot.app) {
    const app::StatsSnapshot& app = *snapshot.app;
    out.single("wsrelay_rooms", "gauge", "Rooms that exist now.", app.rooms.size());
    // The largest rooms first: those are the ones an operator watches.
    std::vector<const app::RoomSnapshot*> rooms;
    rooms.reserve(app.rooms.size());
    for (const app::RoomSnapshot& room : app.rooms) rooms.push_back(&room);
    std::sort(rooms.begin(), rooms.end(), [](const app::RoomSnapshot* a, const app::RoomSnapshot* b) {
      return a->members != b->members ? a->members > b->members : a->name < b->name;
    });
    if (rooms.size() > room_limit) rooms.resize(room_limit);
    out.family("wsrelay_room_members", "gauge", "Members of each room (the largest rooms only).");
    for (const app::RoomSnapshot* room : rooms) {
      out.sample("wsrelay_room_members", "room", room->name, room->members);
    }
    out.single("wsrelay_signal_names", "gauge", "Distinct signal names somebody listens to.", app.signal_names);
    out.single("wsrelay_app_connections_total", "counter", "Clients ever connected to the application.",
               app.connections_total);
    out.family("wsrelay_events_total", "counter", "Client requests handled, by event name.");
    for (const app::NamedCount& event : app.events) {
      out.sample("wsrelay_events_total", "event", event.name, event.count);
    }
    out.family("wsrelay_errors_total", "counter", "Error events sent to clients, by code.");
    for (const app::NamedCount& error : app.errors) {
      out.sample("wsrelay_errors_total", "code", error.name, error.count);
    }
    out.family("wsrelay_app_closes_total", "counter",
               "Connections the application closed itself (auth, rate limit), by cause.");
    for (const app::NamedCount& close : app.closes) {
      out.sample("wsrelay_app_closes_total", "cause", close.name, close.count);
    }
    // The Pusher front end (docs/pusher.md): its open connections, and its counters.
    for (const app::NamedCount& item : app.pusher) {
      if (item.name == "connections") {
        out.single("wsrelay_pusher_connections", "gauge", "Pusher protocol connections open now.", item.count);
      }
    }
    if (!app.pusher.empty()) {
      out.family("wsrelay_pusher_total", "counter",
                 "Pusher protocol counters: connections, subscriptions, subscription errors, client events, "
                 "REST events, errors sent.");
      for (const app::NamedCount& item : app.pusher) {
        if (item.name != "connections") out.sample("wsrelay_pusher_total", "counter", item.name, item.count);
      }
    }
  }
  return out.take() + webhooks;
}

}  // namespace wsrelay::http
