// Helpers every endpoint uses to fill a server::HttpResponse: JSON bodies and the one JSON error
// shape of the HTTP side,
//
//   {"error": {"code": "missing_field", "message": "'name' is required", "field": "name"}}
//
// `code` is a stable machine-readable string (docs/backend.md lists them), `message` is for
// people, `field` names the offending request member when there is one.
#pragma once

#include <string>
#include <string_view>

#include "server/http_service.hpp"

namespace wsrelay::http {

inline constexpr std::string_view kJsonContentType = "application/json";

// Error codes of the HTTP endpoints (the JSON protocol's codes are reused where they mean the
// same thing: invalid_json, missing_field, invalid_field, invalid_name, rooms_disabled,
// unknown_client).
namespace error_code {
inline constexpr std::string_view kNotFound = "not_found";
inline constexpr std::string_view kUpgradeRequired = "upgrade_required";  // 426: a WebSocket path
inline constexpr std::string_view kMethodNotAllowed = "method_not_allowed";
inline constexpr std::string_view kBadPath = "bad_path";
inline constexpr std::string_view kUnauthorized = "unauthorized";
inline constexpr std::string_view kUnsupportedMediaType = "unsupported_media_type";
inline constexpr std::string_view kInvalidJson = "invalid_json";
inline constexpr std::string_view kJsonTooDeep = "json_too_deep";
inline constexpr std::string_view kInvalidBody = "invalid_body";  // JSON, but not an object
inline constexpr std::string_view kMissingField = "missing_field";
inline constexpr std::string_view kInvalidField = "invalid_field";
inline constexpr std::string_view kInvalidName = "invalid_name";
inline constexpr std::string_view kRoomsDisabled = "rooms_disabled";
inline constexpr std::string_view kUnknownClient = "unknown_client";
inline constexpr std::string_view kRoomNotFound = "room_not_found";
inline constexpr std::string_view kInternal = "internal_error";
}  // namespace error_code

// A JSON body with `status`; API answers must never be cached by a proxy in between.
void set_json(server::HttpResponse& response, int status, std::string body);

// The error shape above. `field` is omitted when empty.
void set_error(server::HttpResponse& response, int status, std::string_view code,
               std::string_view message, std::string_view field = {});

}  // namespace wsrelay::http
