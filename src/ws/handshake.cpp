// Server side of the opening handshake (RFC 6455 §4.2). See handshake.hpp.
#include "ws/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>

namespace wsrelay::ws {
namespace {

// RFC 4648 §4 alphabet (not the URL-safe one).
int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// RFC 6455 §4.1 (client requirement 7) and §4.2.1 item 5: the key is "a base64-encoded value
// that, when decoded, is 16 bytes in length". 16 bytes encode to 22 characters and "==".
// The 22nd character carries only 2 data bits, so its low 4 bits must be zero for the text to
// be the encoding of 16 bytes (RFC 4648 §3.5 lets a decoder reject anything else).
bool is_valid_websocket_key(std::string_view key) {
  if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
  for (size_t i = 0; i < 22; ++i) {
    if (base64_value(key[i]) < 0) return false;
  }
  return (base64_value(key[21]) & 0x0F) == 0;
}

constexpr std::string_view kWebSocketVersion = "13";

}  // namespace

std::array<char, 28> compute_accept_key(std::string_view client_key) {
  // §4.2.2 item 5.4: Base64(SHA-1(key + GUID)). A valid key is 24 bytes; the stack buffer takes
  // anything sensible and longer inputs (never produced by check_upgrade) are hashed from a
  // heap copy rather than truncated.
  unsigned char digest[SHA_DIGEST_LENGTH];
  unsigned char stack[128];
  const size_t total = client_key.size() + kWebSocketGuid.size();
  std::string heap;
  unsigned char* joined = stack;
  if (total > sizeof stack) {
    heap.resize(total);
    joined = reinterpret_cast<unsigned char*>(heap.data());
  }
  if (!client_key.empty()) std::memcpy(joined, client_key.data(), client_key.size());
  std::memcpy(joined + client_key.size(), kWebSocketGuid.data(), kWebSocketGuid.size());
  SHA1(joined, total, digest);

  // EVP_EncodeBlock writes 4 * ceil(20 / 3) = 28 characters plus a NUL.
  unsigned char encoded[29];
  EVP_EncodeBlock(encoded, digest, SHA_DIGEST_LENGTH);
  std::array<char, 28> accept;
  std::memcpy(accept.data(), encoded, accept.size());
  return accept;
}

bool wants_websocket(const HttpRequest& request) {
  return request.has_token("upgrade", "websocket");
}

UpgradeCheck check_upgrade(const HttpRequest& request) {
  // §4.2.1 item 1: "An HTTP/1.1 or higher GET request". Methods are case-sensitive
  // (RFC 9110 §9.1), so "get" is not GET.
  if (request.method != "GET") return {405, "WebSocket upgrade requires GET", {}};
  if (request.minor_version < 1) return {400, "WebSocket upgrade requires HTTP/1.1", {}};
  // Item 2: a Host header. RFC 9112 §3.2: a request with more than one Host is answered 400.
  if (request.header_count_of("host") != 1) return {400, "missing or repeated Host header", {}};
  // Items 3 and 4: both are token lists compared case-insensitively ("Connection: keep-alive,
  // Upgrade" is what Firefox sends).
  if (!request.has_token("upgrade", "websocket")) {
    return {400, "Upgrade header must list websocket", {}};
  }
  if (!request.has_token("connection", "upgrade")) {
    return {400, "Connection header must list upgrade", {}};
  }
  // Item 6 and §4.4: any other (or missing, or repeated) version gets 426 Upgrade Required
  // with "Sec-WebSocket-Version: 13", which the caller adds.
  if (request.header_count_of("sec-websocket-version") != 1 ||
      request.header("sec-websocket-version") != kWebSocketVersion) {
    return {426, "unsupported Sec-WebSocket-Version (13 required)", {}};
  }
  // Item 5: exactly one key, the Base64 encoding of 16 bytes.
  const std::string_view key = request.header("sec-websocket-key");
  if (request.header_count_of("sec-websocket-key") != 1 || !is_valid_websocket_key(key)) {
    return {400, "Sec-WebSocket-Key must be the Base64 of 16 bytes", {}};
  }
  return {0, {}, key};
}

std::string accept_response(std::string_view client_key, std::string_view extensions) {
  // §4.2.2 item 5: status 101, Upgrade: websocket, Connection: Upgrade, and the accept value.
  constexpr std::string_view kHead =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  constexpr std::string_view kTail = "\r\n\r\n";
  const std::array<char, 28> accept = compute_accept_key(client_key);
  std::string response;
  response.reserve(kHead.size() + accept.size() + kTail.size());
  response.append(kHead);
  response.append(accept.data(), accept.size());
  if (!extensions.empty()) {
    response.append("\r\nSec-WebSocket-Extensions: ");
    response.append(extensions);
  }
  response.append(kTail);
  return response;
}

}  // namespace wsrelay::ws
