// Small helpers shared by the http/ files that write JSON with RapidJSON's Writer (string_view
// keys and values) or read header values (optional whitespace, RFC 9110 §5.6.3).
#pragma once

#include <string>
#include <string_view>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/stats.hpp"

namespace wsrelay::http {

using JsonWriter = rapidjson::Writer<rapidjson::StringBuffer>;

inline void write_key(JsonWriter& writer, std::string_view name) {
  writer.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
}

inline void write_string(JsonWriter& writer, std::string_view text) {
  writer.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

// A room's members as /stats and the API both show them (inside an object the caller opened).
inline void write_room_fields(JsonWriter& writer, const app::RoomSnapshot& room) {
  write_key(writer, "name");
  write_string(writer, room.name);
  write_key(writer, "members");
  writer.Uint64(room.members);
  write_key(writer, "declared");
  writer.Bool(room.declared);
  write_key(writer, "private");
  writer.Bool(room.is_private);
  write_key(writer, "last_sequence");
  writer.Uint64(room.last_sequence);
}

inline std::string text_of(const rapidjson::StringBuffer& buffer) { return {buffer.GetString(), buffer.GetSize()}; }

// `text` without leading and trailing spaces and tabs.
inline std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace wsrelay::http
