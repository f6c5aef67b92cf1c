#include "http/json_relay.hpp"

namespace wsrelay::http {

Delivery JsonRelay::signal(std::string_view name, const rapidjson::Value* data, std::string_view room_name) {
  if (app::Status status = dispatcher().check_name(name); status != app::Status::kOk) return {status, 0};
  const app::Room* room = nullptr;
  if (!room_name.empty()) {
    if (!dispatcher().options().rooms_enabled) return {app::Status::kRoomsDisabled, 0};
    if (app::Status status = dispatcher().check_name(room_name); status != app::Status::kOk) return {status, 0};
    room = dispatcher().find_room(room_name);
    if (room == nullptr) return {app::Status::kOk, 0};  // no such room: nobody in it to reach
  }
  writer_.begin("signal");
  writer_.field("name", name);
  if (data != nullptr) {
    writer_.field("data", *data);
  } else {
    writer_.null_field("data");
  }
  writer_.field("from", kServerSender);
  if (room != nullptr) writer_.field("room", room->name());
  writer_.timestamp(now());
  return {app::Status::kOk, dispatcher().send_signal(name, room, writer_.finish(), nullptr)};
}

Delivery JsonRelay::publish(std::string_view room_name, const rapidjson::Value& message) {
  if (!dispatcher().options().rooms_enabled) return {app::Status::kRoomsDisabled, 0};
  if (app::Status status = dispatcher().check_name(room_name); status != app::Status::kOk) return {status, 0};
  app::Room* room = dispatcher().find_room(room_name);
  if (room == nullptr) return {app::Status::kOk, 0};
  const uint64_t seq = room->next_sequence();
  // In no wire format: the room's JSON and Pusher members each get it in their own.
  const app::RoomEvent event{*room, {}, &message, {}, kServerSender, seq, now(), nullptr};
  return {app::Status::kOk, dispatcher().publish(event, nullptr)};
}

Delivery JsonRelay::broadcast(const rapidjson::Value& message) {
  writer_.begin("broadcast");
  writer_.field("message", message);
  writer_.field("from", kServerSender);
  writer_.timestamp(now());
  return {app::Status::kOk, dispatcher().broadcast(writer_.finish(), nullptr)};
}

Delivery JsonRelay::send(std::string_view client_id, const rapidjson::Value& message) {
  app::Client* client = dispatcher().find_client(client_id);
  if (client == nullptr) return {app::Status::kUnknownClient, 0};
  writer_.begin("direct");
  writer_.field("message", message);
  writer_.field("from", kServerSender);
  writer_.timestamp(now());
  return {app::Status::kOk, dispatcher().send(*client, writer_.finish())};
}

std::vector<app::RoomSnapshot> JsonRelay::rooms() const { return dispatcher().snapshot().rooms; }

bool JsonRelay::room(std::string_view name, size_t member_limit, RoomDetail& out) const {
  const app::Room* room = dispatcher().find_room(name);
  if (room == nullptr) return false;
  out.summary = app::RoomSnapshot{room->name(), room->size(), room->last_sequence(), room->declared() != nullptr,
                                  room->is_private()};
  out.clients.clear();
  for (const app::Client* member : room->members()) {
    if (out.clients.size() == member_limit) break;
    out.clients.push_back(member->id);
  }
  return true;
}

}  // namespace wsrelay::http
