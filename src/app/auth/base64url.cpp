// base64url (RFC 4648 §5) encoder and strict decoder; see base64url.hpp for the rules.
#include "app/auth/base64url.hpp"

#include <array>
#include <cstdint>

namespace wsrelay::app::auth {

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr uint8_t kInvalid = 0xFF;

// Reverse lookup: character -> 6-bit value, kInvalid for anything outside the alphabet
// (including '=', '+', '/', whitespace and every byte >= 0x80).
constexpr std::array<uint8_t, 256> make_decode_table() {
  std::array<uint8_t, 256> table{};
  for (auto& entry : table) entry = kInvalid;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<uint8_t>(i);
  }
  return table;
}

constexpr std::array<uint8_t, 256> kDecode = make_decode_table();

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                           static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8 |
                           static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 2]));
    out.push_back(kAlphabet[group >> 18 & 0x3F]);
    out.push_back(kAlphabet[group >> 12 & 0x3F]);
    out.push_back(kAlphabet[group >> 6 & 0x3F]);
    out.push_back(kAlphabet[group & 0x3F]);
  }
  const size_t rest = bytes.size() - i;
  if (rest == 1) {
    const uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16;
    out.push_back(kAlphabet[group >> 18 & 0x3F]);
    out.push_back(kAlphabet[group >> 12 & 0x3F]);
  } else if (rest == 2) {
    const uint32_t group = static_cast<uint32_t>(static_cast<uint8_t>(bytes[i])) << 16 |
                           static_cast<uint32_t>(static_cast<uint8_t>(bytes[i + 1])) << 8;
    out.push_back(kAlphabet[group >> 18 & 0x3F]);
    out.push_back(kAlphabet[group >> 12 & 0x3F]);
    out.push_back(kAlphabet[group >> 6 & 0x3F]);
  }
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  // 4k+1 characters leave 6 bits over: not even one whole byte (RFC 4648 §4).
  if (text.size() % 4 == 1) return false;
  out.clear();
  out.reserve(base64url_decoded_size(text.size()));

  uint32_t bits = 0;  // pending bits, most significant first
  int bit_count = 0;
  for (const char c : text) {
    const uint8_t value = kDecode[static_cast<uint8_t>(c)];
    if (value == kInvalid) return false;
    bits = (bits << 6 | value) & 0xFFFFFF;  // never more than 6 + 6 pending bits matter
    bit_count += 6;
    if (bit_count >= 8) {
      bit_count -= 8;
      out.push_back(static_cast<char>(bits >> bit_count & 0xFF));
    }
  }
  // Whatever is left over (2 bits after 3 chars, 4 bits after 2) is padding inside the last
  // character. RFC 4648 §3.5 lets decoders reject it when non-zero; we do, so each byte
  // string has exactly one accepted encoding.
  const uint32_t leftover_mask = (1u << bit_count) - 1;
  return (bits & leftover_mask) == 0;
}

}  // namespace wsrelay::app::auth
