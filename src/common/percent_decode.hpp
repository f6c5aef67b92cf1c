// Percent-decoding (RFC 3986 §2.1), shared by request paths (http/url) and query parameters
// (app/query). Pure.
#pragma once

#include <string>
#include <string_view>

namespace wsrelay::common {

constexpr int hex_digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Appends the decoding of `text` to `out`. '+' stays '+': it means a space only in form
// bodies, never in paths or in the query of a WebSocket URL. False when a '%' is not
// followed by two hex digits (what was appended before it stays in `out`).
inline bool percent_decode(std::string_view text, std::string& out) {
  out.reserve(out.size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = hex_digit_value(text[i + 1]);
    const int low = hex_digit_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

}  // namespace wsrelay::common
