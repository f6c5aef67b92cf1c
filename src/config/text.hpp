// Small character and number helpers shared by the configuration parsers. Internal to
// src/config. Pure; ASCII only (configuration syntax is ASCII, values may be UTF-8).
#pragma once

#include <cstdint>
#include <string_view>

namespace wsrelay::config::text {

inline char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
inline bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
inline bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// `a` equals `lower` (a lowercase word) ignoring the case of `a`.
inline bool equals_ignoring_case(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != lower[i]) return false;
  }
  return true;
}

// C0 controls and DEL.
inline bool has_control_character(std::string_view text) {
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return true;
  }
  return false;
}

inline bool all_digits(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!is_digit(c)) return false;
  }
  return true;
}

// Decimal digits to a number no larger than `limit`; false when not all digits or too large.
inline bool parse_decimal(std::string_view digits, uint64_t limit, uint64_t& out) {
  if (!all_digits(digits)) return false;
  uint64_t value = 0;
  for (char c : digits) {
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > limit) return false;
  }
  out = value;
  return true;
}

}  // namespace wsrelay::config::text
