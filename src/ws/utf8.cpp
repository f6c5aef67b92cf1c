// Incremental UTF-8 validation written from Unicode Table 3-7 ("Well-Formed UTF-8 Byte
// Sequences"):
//
//   Code points         First   Second   Third   Fourth
//   U+0000..U+007F      00..7F
//   U+0080..U+07FF      C2..DF  80..BF
//   U+0800..U+0FFF      E0      A0..BF   80..BF
//   U+1000..U+CFFF      E1..EC  80..BF   80..BF
//   U+D000..U+D7FF      ED      80..9F   80..BF
//   U+E000..U+FFFF      EE..EF  80..BF   80..BF
//   U+10000..U+3FFFF    F0      90..BF   80..BF  80..BF
//   U+40000..U+FFFFF    F1..F3  80..BF   80..BF  80..BF
//   U+100000..U+10FFFF  F4      80..8F   80..BF  80..BF
//
// Only the byte right after the lead byte ever has a range narrower than 80..BF, so the state
// is "which range must the next byte fall in, and how many continuation bytes follow it".
// The lead byte picks the state; every later byte either moves to the next state or fails.
// Because each state names the exact range allowed for the next byte, the validator fails on
// the first byte that cannot be part of any well-formed sequence (C0/C1 and F5..FF as lead
// bytes, E0 80, ED A0, F0 80, F4 90, a stray continuation byte, a lead byte where a
// continuation was due), which is the "fail fast" behaviour RFC 6455 §8.1 invites.
#include "ws/utf8.hpp"

#include <array>
#include <cstring>

namespace wsrelay::ws {
namespace {

// Intermediate states (0 is kAccept and 0xFF is kReject in the header).
enum : uint8_t {
  kNeed1 = 1,    // one more continuation byte, 80..BF
  kNeed2 = 2,    // two more, 80..BF each
  kNeed3 = 3,    // three more, 80..BF each
  kAfterE0 = 4,  // next A0..BF (no overlong 3-byte forms), then one more
  kAfterED = 5,  // next 80..9F (no surrogates U+D800..U+DFFF), then one more
  kAfterF0 = 6,  // next 90..BF (no overlong 4-byte forms), then two more
  kAfterF4 = 7,  // next 80..8F (nothing above U+10FFFF), then two more
  kStateCount = 8,
};
constexpr uint8_t kAcceptState = 0;
constexpr uint8_t kRejectState = 0xFF;

// For each intermediate state: the inclusive range the next byte must fall in, and the state
// that byte leads to. Index 0 (accept) is unused: in that state the next byte is a lead byte.
constexpr uint8_t kLow[kStateCount] = {0, 0x80, 0x80, 0x80, 0xA0, 0x80, 0x90, 0x80};
constexpr uint8_t kHigh[kStateCount] = {0, 0xBF, 0xBF, 0xBF, 0xBF, 0x9F, 0xBF, 0x8F};
constexpr uint8_t kNext[kStateCount] = {0,      kAcceptState, kNeed1, kNeed2,
                                        kNeed1, kNeed1,       kNeed2, kNeed2};

// The state a lead byte starts, straight from the "First" column of Table 3-7.
constexpr uint8_t lead_state(uint8_t byte) {
  if (byte <= 0x7F) return kAcceptState;
  if (byte >= 0xC2 && byte <= 0xDF) return kNeed1;
  if (byte == 0xE0) return kAfterE0;
  if (byte == 0xED) return kAfterED;
  if (byte >= 0xE1 && byte <= 0xEF) return kNeed2;
  if (byte == 0xF0) return kAfterF0;
  if (byte >= 0xF1 && byte <= 0xF3) return kNeed3;
  if (byte == 0xF4) return kAfterF4;
  return kRejectState;  // 80..BF (continuation without a lead), C0, C1 (overlong), F5..FF
}

constexpr std::array<uint8_t, 256> make_lead_table() {
  std::array<uint8_t, 256> table{};
  for (unsigned byte = 0; byte < 256; ++byte) table[byte] = lead_state(static_cast<uint8_t>(byte));
  return table;
}
constexpr std::array<uint8_t, 256> kLeadTable = make_lead_table();

constexpr uint64_t kHighBits = 0x8080808080808080ULL;

}  // namespace

bool Utf8Validator::feed(std::span<const uint8_t> bytes) {
  static_assert(kAccept == kAcceptState && kReject == kRejectState, "state encodings must agree");
  uint8_t state = state_;
  if (state == kReject) return false;
  if (bytes.empty()) return true;
  const uint8_t* p = bytes.data();
  const uint8_t* const end = p + bytes.size();
  while (p != end) {
    if (state == kAcceptState) {
      // Fast path: most text on a chat server is ASCII; skip 8 bytes at a time while no byte
      // has its top bit set. memcpy keeps the load free of alignment and aliasing UB and
      // compiles to a single unaligned load.
      while (end - p >= 8) {
        uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if ((word & kHighBits) != 0) break;
        p += 8;
      }
      if (p == end) break;
      const uint8_t byte = *p++;
      state = kLeadTable[byte];
    } else {
      const uint8_t byte = *p++;
      if (byte < kLow[state] || byte > kHigh[state]) {
        state = kRejectState;
      } else {
        state = kNext[state];
      }
    }
    if (state == kRejectState) {
      state_ = kReject;
      return false;
    }
  }
  state_ = state;
  return true;
}

bool is_valid_utf8(std::span<const uint8_t> bytes) {
  Utf8Validator validator;
  return validator.feed(bytes) && validator.complete();
}

}  // namespace wsrelay::ws
