// JsonRelay: the Relay of `wsrelay serve`, delivering backend messages to clients of the JSON
// protocol (docs/protocol.md) through its Dispatcher.
//
// The events it sends have the same shapes as those a client's request produces — `signal`
// {name, data, from, room?, timestamp}, `room_message` {room, message, from, seq, timestamp},
// `broadcast` {message, from, timestamp}, `direct` {message, from, timestamp} — with
// `from` = "server" (kServerSender): a client id is 32 hex digits, so it can never be mistaken
// for one. A room message from the backend takes the room's next sequence number like any
// other. Unlike a client, the backend need not be a member of a room to publish or signal
// into it.
//
// Interim home: writing JSON-protocol events belongs to app::JsonProtocol; these four event
// writers move there once it offers server-originated deliveries (see the report to the lead).
#pragma once

#include <functional>

#include "app/json_protocol.hpp"
#include "app/json_writer.hpp"
#include "http/relay.hpp"

namespace wsrelay::http {

inline constexpr std::string_view kServerSender = "server";

class JsonRelay final : public Relay {
 public:
  explicit JsonRelay(app::JsonProtocol& protocol) : protocol_(protocol) {}

  Delivery signal(std::string_view name, const rapidjson::Value* data, std::string_view room) override;
  Delivery publish(std::string_view room, const rapidjson::Value& message) override;
  Delivery broadcast(const rapidjson::Value& message) override;
  Delivery send(std::string_view client_id, const rapidjson::Value& message) override;
  std::vector<app::RoomSnapshot> rooms() const override;
  bool room(std::string_view name, size_t member_limit, RoomDetail& out) const override;
  app::StatsSnapshot stats() const override {
    app::StatsSnapshot stats = protocol_.stats();
    if (extra_stats_) extra_stats_(stats);
    return stats;
  }
  // Lets another front end on the same dispatcher add its counters (the Pusher front end).
  void set_extra_stats(std::function<void(app::StatsSnapshot&)> add) { extra_stats_ = std::move(add); }

 private:
  app::Dispatcher& dispatcher() { return protocol_.dispatcher(); }
  const app::Dispatcher& dispatcher() const { return protocol_.dispatcher(); }
  int64_t now() { return dispatcher().host().wall_clock_ms(); }

  app::JsonProtocol& protocol_;
  app::EventWriter writer_;
  std::function<void(app::StatsSnapshot&)> extra_stats_;
};

}  // namespace wsrelay::http
