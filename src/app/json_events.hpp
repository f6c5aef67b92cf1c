// The JSON events that carry a message to other clients — broadcast, room_message, signal,
// direct — built in one place, so every sender (the WebSocket front end for client requests,
// the HTTP publish API for the backend) produces exactly the shapes docs/protocol.md describes.
//
// Each function writes the whole event into `writer` and returns the finished JSON, valid until
// the writer's next begin(). `from` is the sender's client id (or the API's sender name).
#pragma once

#include <cstdint>
#include <string_view>

#include <rapidjson/document.h>

#include "app/json_writer.hpp"
#include "app/rooms.hpp"

namespace wsrelay::app::json_events {

// {"event":"broadcast","message":…,"from":…,"timestamp":…}
std::string_view broadcast(EventWriter& writer, const rapidjson::Value& message, std::string_view from,
                           int64_t now_ms);

// {"event":"room_message","room":…,"message":…,"from":…,"seq":…,"timestamp":…}
std::string_view room_message(EventWriter& writer, const Room& room, const rapidjson::Value& message,
                              std::string_view from, uint64_t seq, int64_t now_ms);

// {"event":"signal","name":…,"data":… (null when absent),"from":…,"room":… (when narrowed),
//  "timestamp":…}
std::string_view signal(EventWriter& writer, std::string_view name, const rapidjson::Value* data,
                        std::string_view from, const Room* room, int64_t now_ms);

// {"event":"direct","message":…,"from":…,"timestamp":…}
std::string_view direct(EventWriter& writer, const rapidjson::Value& message, std::string_view from,
                        int64_t now_ms);

}  // namespace wsrelay::app::json_events
