// The error codes of the JSON protocol: the `code` of every {"event":"error"} the server sends.
// docs/protocol.md lists when each is sent; clients match on these strings, so they never change
// meaning once released.
#pragma once

#include <string_view>

namespace wsrelay::app::json_error {

// The message itself
constexpr std::string_view kInvalidJson = "invalid_json";              // not one JSON value
constexpr std::string_view kJsonTooLarge = "json_too_large";           // over max_json_size
constexpr std::string_view kJsonTooDeep = "json_too_deep";             // over max_json_depth
constexpr std::string_view kMessageTooBig = "message_too_big";  // over max_message_size: Close 1009 follows
constexpr std::string_view kBinaryNotSupported = "binary_not_supported";  // a binary frame
constexpr std::string_view kInvalidMessage = "invalid_message";        // JSON, but not an object
// Its fields
constexpr std::string_view kMissingField = "missing_field";
constexpr std::string_view kInvalidField = "invalid_field";            // wrong type or size
constexpr std::string_view kUnknownEvent = "unknown_event";
constexpr std::string_view kInvalidName = "invalid_name";              // room/signal name rules
// What it asked for
constexpr std::string_view kRoomsDisabled = "rooms_disabled";
constexpr std::string_view kNotInRoom = "not_in_room";
constexpr std::string_view kRoomFull = "room_full";
constexpr std::string_view kForbidden = "forbidden";
constexpr std::string_view kTooManyRooms = "too_many_rooms";
constexpr std::string_view kTooManySignals = "too_many_signals";
constexpr std::string_view kUnknownClient = "unknown_client";
// Security (docs/security.md)
constexpr std::string_view kRateLimited = "rate_limited";    // over the rate limit: not processed
constexpr std::string_view kAuthRequired = "auth_required";  // any event but `auth` before it
constexpr std::string_view kAlreadyAuthenticated = "already_authenticated";  // a second `auth`

}  // namespace wsrelay::app::json_error
