// /health and /stats: JSON documents written with RapidJSON's Writer (never by pasting text, so
// room names with quotes or odd characters cannot break the document).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/timestamp.hpp"
#include "http/json_text.hpp"
#include "http/snapshot.hpp"
#include "http/webhook_stats.hpp"

namespace wsrelay::http {
namespace {

using Writer = JsonWriter;

void in_out(Writer& writer, std::string_view name, uint64_t in, uint64_t out) {
  write_key(writer, name);
  writer.StartObject();
  write_key(writer, "in");
  writer.Uint64(in);
  write_key(writer, "out");
  writer.Uint64(out);
  writer.EndObject();
}
void counts(Writer& writer, std::string_view name, const std::vector<app::NamedCount>& list) {
  write_key(writer, name);
  writer.StartObject();
  for (const app::NamedCount& item : list) {
    write_key(writer, item.name);
    writer.Uint64(item.count);
  }
  writer.EndObject();
}

}  // namespace

std::string render_health(uint64_t uptime_ms, const ClusterCounters* cluster) {
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_key(writer, "status");
  write_string(writer, cluster == nullptr || cluster->up ? "ok" : "degraded");
  write_key(writer, "uptime");
  writer.Uint64(uptime_ms / 1000);
  if (cluster != nullptr) {
    write_key(writer, "redis");
    write_string(writer, cluster->state);
  }
  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

std::string render_stats(const Snapshot& snapshot) {
  const ServerCounters& server = snapshot.server;
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_key(writer, "uptime");
  writer.Uint64(server.uptime_ms / 1000);
  write_key(writer, "uptime_ms");
  writer.Uint64(server.uptime_ms);
  if (snapshot.app) {
    write_key(writer, "started_at");
    write_string(writer, app::Timestamp(snapshot.app->started_at_ms).view());
  }
  // Clients are the application's when there is one (its record of who is connected), else the
  // server's count of upgraded connections: the same number whenever both exist.
  write_key(writer, "clients");
  writer.Uint64(snapshot.app ? snapshot.app->clients : server.websockets);

  write_key(writer, "connections");
  writer.StartObject();
  write_key(writer, "open");
  writer.Uint64(server.connections);
  write_key(writer, "websocket");
  writer.Uint64(server.websockets);
  write_key(writer, "accepted_total");
  writer.Uint64(server.stats.connections_accepted);
  write_key(writer, "upgrades_total");
  writer.Uint64(server.stats.upgrades);
  writer.EndObject();

  write_key(writer, "http_requests");
  writer.Uint64(server.stats.http_requests);
  in_out(writer, "messages", server.stats.messages_in, server.stats.messages_out);
  in_out(writer, "bytes", server.stats.bytes_in, server.stats.bytes_out);
  write_key(writer, "pings_sent");
  writer.Uint64(server.stats.pings_sent);
  // permessage-deflate: payload bytes of compressed messages before and after compression
  // ("wire" is what crossed the network), and the zlib memory held right now.
  const server::ServerStats& s = server.stats;
  write_key(writer, "compression");
  writer.StartObject();
  write_key(writer, "connections_total");
  writer.Uint64(s.deflate_connections);
  in_out(writer, "messages", s.deflate_messages_in, s.deflate_messages_out);
  in_out(writer, "bytes", s.deflate_bytes_in_plain, s.deflate_bytes_out_plain);
  in_out(writer, "wire_bytes", s.deflate_bytes_in_wire, s.deflate_bytes_out_wire);
  write_key(writer, "compressions");
  writer.Uint64(s.deflate_compressions);
  write_key(writer, "zlib_bytes");
  writer.Uint64(server.zlib_bytes);
  writer.EndObject();

  write_key(writer, "rooms");
  writer.StartArray();
  if (snapshot.app) {
    for (const app::RoomSnapshot& room : snapshot.app->rooms) {
      writer.StartObject();
      write_room_fields(writer, room);
      writer.EndObject();
    }
  }
  writer.EndArray();
  write_key(writer, "signal_names");
  writer.Uint64(snapshot.app ? snapshot.app->signal_names : 0);
  counts(writer, "events", snapshot.app ? snapshot.app->events : std::vector<app::NamedCount>{});
  counts(writer, "errors", snapshot.app ? snapshot.app->errors : std::vector<app::NamedCount>{});
  counts(writer, "closes", snapshot.app ? snapshot.app->closes : std::vector<app::NamedCount>{});
  if (snapshot.app && !snapshot.app->pusher.empty()) counts(writer, "pusher", snapshot.app->pusher);

  write_key(writer, "rejections");
  writer.StartObject();
  for (size_t i = 0; i < server::kRejectNames.size(); ++i) {
    write_key(writer, server::kRejectNames[i]);
    writer.Uint64(server.stats.rejects[i]);
  }
  writer.EndObject();

  if (snapshot.webhooks) {
    // One text for /stats and /metrics' figures (webhook_stats.hpp), inserted as it is.
    const std::string webhooks = webhook_stats_json(*snapshot.webhooks);
    write_key(writer, "webhooks");
    writer.RawValue(webhooks.data(), webhooks.size(), rapidjson::kObjectType);
  }
  if (snapshot.cluster) {
    const ClusterCounters& c = *snapshot.cluster;
    write_key(writer, "cluster");
    writer.StartObject();
    for (const auto& [name, text] : {std::pair<std::string_view, std::string_view>{"node_id", c.node_id},
                                     {"prefix", c.prefix},
                                     {"redis", c.state},
                                     {"last_error", c.last_error}}) {
      write_key(writer, name);
      write_string(writer, text);
    }
    for (const auto& [name, value] : {std::pair<std::string_view, uint64_t>{"redis_state_seconds", c.state_for_ms / 1000},
                                      {"connects", c.connects},
                                      {"disconnects", c.disconnects},
                                      {"failed_attempts", c.failed_attempts},
                                      {"published", c.published},
                                      {"publish_refused", c.publish_refused},
                                      {"received", c.received},
                                      {"missed", c.missed},
                                      {"malformed", c.malformed},
                                      {"peers", c.peers}}) {
      write_key(writer, name);
      writer.Uint64(value);
    }
    writer.EndObject();
  }

  writer.EndObject();
  return {buffer.GetString(), buffer.GetSize()};
}

}  // namespace wsrelay::http
