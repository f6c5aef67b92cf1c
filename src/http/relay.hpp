// Relay: what the backend publish API asks of the application, in no wire format — "deliver this
// signal / room message / broadcast / direct message from the server, and tell me to how many
// clients", plus read-only views of rooms and the counters.
//
// The HTTP side speaks to the application only through this interface, so the API's validation,
// status codes and JSON answers are unit-tested with a fake, and a second front end (the coming
// Pusher protocol) can supply its own Relay. JsonRelay (json_relay.hpp) implements it for the JSON
// protocol of `wsrelay serve`.
//
// Values (`data`, `message`) arrive as parsed RapidJSON values; the Relay re-serializes them, so
// nothing the backend sent is ever pasted into a client's message as raw text.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "app/stats.hpp"
#include "app/status.hpp"

namespace wsrelay::http {

// The outcome of a delivery: kOk with the number of clients the message was handed to (0 is a
// success: nobody was listening), or why it could not be attempted.
struct Delivery {
  app::Status status = app::Status::kOk;
  size_t delivered = 0;
};

struct RoomDetail {
  app::RoomSnapshot summary;
  std::vector<std::string> clients;  // member client ids, at most the requested limit
};

class Relay {
 public:
  virtual ~Relay() = default;

  // To every client listening for signal `name`; with `room` non-empty, only those in that room.
  // kInvalidName (name or room), kRoomsDisabled (a room given while rooms are off).
  virtual Delivery signal(std::string_view name, const rapidjson::Value* data, std::string_view room) = 0;
  // To every member of `room` (a room that does not exist has no members: delivered 0).
  // kInvalidName, kRoomsDisabled.
  virtual Delivery publish(std::string_view room, const rapidjson::Value& message) = 0;
  // To every connected client.
  virtual Delivery broadcast(const rapidjson::Value& message) = 0;
  // To the client with this id. kUnknownClient when nobody has it.
  virtual Delivery send(std::string_view client_id, const rapidjson::Value& message) = 0;

  // Every room, sorted by name (empty when rooms are disabled).
  virtual std::vector<app::RoomSnapshot> rooms() const = 0;
  // The room called `name` with up to `member_limit` member ids; false when there is none.
  virtual bool room(std::string_view name, size_t member_limit, RoomDetail& out) const = 0;

  // The application's counters for /stats and /metrics.
  virtual app::StatsSnapshot stats() const = 0;
};

}  // namespace wsrelay::http
