// base64url without padding (RFC 4648 §5), the encoding of every JWS segment (RFC 7515 §2).
//
// Pure, no I/O. The decoder is strict, because a token is attacker-controlled input and a
// lenient decoder lets many different strings stand for the same bytes:
//   - only the URL-safe alphabet A-Z a-z 0-9 '-' '_' (no '+', '/', whitespace, or '=' padding:
//     RFC 7515 §2 says the padding is omitted, so any '=' is an error);
//   - a length of 4k+1 characters cannot encode whole bytes and is rejected;
//   - the unused low bits of the last character must be zero (RFC 4648 §3.5: "canonical"
//     encoding), so "QQ" decodes but "QR" (same byte, stray bits) does not.
#pragma once

#include <string>
#include <string_view>

namespace wsrelay::app::auth {

// Encode `bytes` as unpadded base64url.
std::string base64url_encode(std::string_view bytes);

// Decode strictly (rules above). On success replaces `out` with the bytes and returns true;
// on failure returns false and leaves `out` unspecified.
bool base64url_decode(std::string_view text, std::string& out);

// Number of bytes `text` would decode to, or nothing useful if it is malformed; callers use
// it to reject an oversized segment before allocating.
constexpr size_t base64url_decoded_size(size_t text_length) {
  return text_length / 4 * 3 + (text_length % 4 == 0 ? 0 : text_length % 4 - 1);
}

}  // namespace wsrelay::app::auth
