// EventWriter: builds the JSON events the server sends ({"event":"...", ...}), into one buffer
// that is reused from event to event. Values copied from requests are re-serialized from the
// parsed DOM, never pasted as text, so nothing malformed can reach another client.
//
// Usage: begin("echo"); field(...)...; std::string_view json = finish(); — the view is valid
// until the next begin().
#pragma once

#include <cstdint>
#include <string_view>

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/timestamp.hpp"

namespace wsrelay::app {

class EventWriter {
 public:
  using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

  void begin(std::string_view event) {
    buffer_.Clear();
    writer_.Reset(buffer_);
    writer_.StartObject();
    field("event", event);
  }
  void field(std::string_view key, std::string_view value) {
    write_key(key);
    writer_.String(value.data(), static_cast<rapidjson::SizeType>(value.size()));
  }
  void field(std::string_view key, uint64_t value) {
    write_key(key);
    writer_.Uint64(value);
  }
  void field(std::string_view key, const rapidjson::Value& value) {
    write_key(key);
    value.Accept(writer_);
  }
  // A value that is already serialized JSON. Only for text the server itself produced (a
  // verified token's user_info), never for anything a client sent.
  void raw_field(std::string_view key, std::string_view json, rapidjson::Type type) {
    write_key(key);
    writer_.RawValue(json.data(), json.size(), type);
  }
  // Not an overload of field(): a string literal would convert to bool before string_view.
  void bool_field(std::string_view key, bool value) {
    write_key(key);
    writer_.Bool(value);
  }
  void null_field(std::string_view key) {
    write_key(key);
    writer_.Null();
  }
  void timestamp(int64_t unix_ms) { field("timestamp", Timestamp(unix_ms).view()); }
  // For arrays and other shapes: write the key, then use writer() directly.
  void key(std::string_view name) { write_key(name); }
  Writer& writer() { return writer_; }
  std::string_view finish() {
    writer_.EndObject();
    return {buffer_.GetString(), buffer_.GetSize()};
  }

 private:
  void write_key(std::string_view key) {
    writer_.Key(key.data(), static_cast<rapidjson::SizeType>(key.size()));
  }

  rapidjson::StringBuffer buffer_;
  Writer writer_{buffer_};
};

}  // namespace wsrelay::app
