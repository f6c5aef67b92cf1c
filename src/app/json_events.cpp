#include "app/json_events.hpp"

namespace wsrelay::app::json_events {
namespace {

// `broadcast` and `direct` carry the same fields: the message and who sent it.
std::string_view message_from(EventWriter& writer, std::string_view event, const rapidjson::Value& message,
                              std::string_view from, int64_t now_ms) {
  writer.begin(event);
  writer.field("message", message);
  writer.field("from", from);
  writer.timestamp(now_ms);
  return writer.finish();
}

}  // namespace

std::string_view broadcast(EventWriter& writer, const rapidjson::Value& message, std::string_view from,
                           int64_t now_ms) {
  return message_from(writer, "broadcast", message, from, now_ms);
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
  return message_from(writer, "direct", message, from, now_ms);
}

}  // namespace wsrelay::app::json_events
