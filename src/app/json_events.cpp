#include "app/json_events.hpp"

namespace wsrelay::app::json_events {

std::string_view broadcast(EventWriter& writer, const rapidjson::Value& message, std::string_view from,
                           int64_t now_ms) {
  writer.begin("broadcast");
  writer.field("message", message);
  writer.field("from", from);
  writer.timestamp(now_ms);
  return writer.finish();
}

std::string_view room_message(EventWriter& writer, const Room& room, const rapidjson::Value& message,
                              std::string_view from, uint64_t seq, int64_t now_ms) {
  writer.begin("room_message");
  writer.field("room", room.name());
  writer.field("message", message);
  writer.field("from", from);
  writer.field("seq", seq);
  writer.timestamp(now_ms);
  return writer.finish();
}

std::string_view signal(EventWriter& writer, std::string_view name, const rapidjson::Value* data,
                        std::string_view from, const Room* room, int64_t now_ms) {
  writer.begin("signal");
  writer.field("name", name);
  if (data != nullptr) {
    writer.field("data", *data);
  } else {
    writer.null_field("data");
  }
  writer.field("from", from);
  if (room != nullptr) writer.field("room", room->name());
  writer.timestamp(now_ms);
  return writer.finish();
}

std::string_view direct(EventWriter& writer, const rapidjson::Value& message, std::string_view from,
                        int64_t now_ms) {
  writer.begin("direct");
  writer.field("message", message);
  writer.field("from", from);
  writer.timestamp(now_ms);
  return writer.finish();
}

}  // namespace wsrelay::app::json_events
