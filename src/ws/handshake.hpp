// The server side of the WebSocket opening handshake (RFC 6455 §4.2).
//
// Pure: takes a parsed HttpRequest, decides whether it is an acceptable upgrade, and writes
// the 101 response. SHA-1 and Base64 come from OpenSSL's libcrypto (no I/O involved).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "ws/http_request.hpp"

namespace wsrelay::ws {

// RFC 6455 §1.3: the GUID appended to Sec-WebSocket-Key before hashing.
constexpr std::string_view kWebSocketGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

// Base64(SHA-1(key + GUID)): always 28 characters.
std::array<char, 28> compute_accept_key(std::string_view client_key);

// True when the request asks for a WebSocket (its Upgrade header lists the token
// "websocket"). Such a request is validated by check_upgrade(); any other request is plain
// HTTP and goes to the route table.
bool wants_websocket(const HttpRequest& request);

struct UpgradeCheck {
  int status = 0;           // 0: acceptable; otherwise the HTTP status to answer with
  std::string_view reason;  // short human text for the response body and logs
  std::string_view key;     // the Sec-WebSocket-Key, when acceptable
};

// RFC 6455 §4.2.1: method GET, HTTP/1.1 or later, a Host header, Upgrade containing
// "websocket", Connection containing "upgrade" (both case-insensitive token lists),
// Sec-WebSocket-Key that is the Base64 encoding of exactly 16 bytes (400 otherwise), and
// Sec-WebSocket-Version: 13 (otherwise 426, and the response must carry
// "Sec-WebSocket-Version: 13", §4.4). Method other than GET: 405.
UpgradeCheck check_upgrade(const HttpRequest& request);

// The complete "101 Switching Protocols" response head for an accepted key. A non-empty
// `extensions` adds "Sec-WebSocket-Extensions: <extensions>" (RFC 6455 §9.1, RFC 7692 §5).
std::string accept_response(std::string_view client_key, std::string_view extensions = {});

}  // namespace wsrelay::ws
