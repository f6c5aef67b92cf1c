// Incremental UTF-8 validation (RFC 3629, Unicode Table 3-7).
//
// Pure and allocation-free. The validator keeps a few bytes of state so a text message can be
// checked frame by frame and chunk by chunk as bytes arrive (RFC 6455 §8.1: an endpoint must
// fail the connection on invalid UTF-8). It rejects at the FIRST byte that cannot continue a
// valid sequence — overlongs (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF), code
// points above U+10FFFF (F4 90.., F5..FF) — rather than at the end of the message, which is
// what Autobahn's "fail fast" cases (6.4.*) check.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace wsrelay::ws {

class Utf8Validator {
 public:
  // Consume more bytes. Returns false at the first byte that makes the stream invalid;
  // once false, the validator stays failed until reset().
  bool feed(std::span<const uint8_t> bytes);
  bool feed(std::string_view text) {
    return feed(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  // True when everything fed so far is valid AND ends on a character boundary
  // (the end of a text message must not cut a sequence in half).
  bool complete() const { return state_ == kAccept; }
  bool failed() const { return state_ == kReject; }
  void reset() { state_ = kAccept; }

 private:
  static constexpr uint8_t kAccept = 0;
  static constexpr uint8_t kReject = 0xFF;
  uint8_t state_ = kAccept;  // implementation-defined intermediate states in between
};

// One-shot check of a whole buffer.
bool is_valid_utf8(std::span<const uint8_t> bytes);
inline bool is_valid_utf8(std::string_view text) {
  return is_valid_utf8(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace wsrelay::ws
