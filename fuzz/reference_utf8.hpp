// A deliberately simple UTF-8 checker, the reference the fuzz harnesses compare the real
// validator (src/ws/utf8.*) against.
//
// It is written from a different angle than the validator on purpose. The validator is a
// table-driven state machine built from Unicode Table 3-7; this one decodes code points with
// arithmetic from RFC 3629 §3 (a lead byte announces 1-4 bytes, continuation bytes carry 6 bits
// each) and then asks, after every byte, "can this partial sequence still become a valid
// character?". A partial sequence fixes the top bits of its code point, so the code points it
// can still become form one interval [low, high] (fill the missing bits with 0s, or with 1s).
// The sequence is viable when that interval meets the code points legal for its length: not
// overlong (RFC 3629 §3), not above U+10FFFF, and not only surrogates U+D800..U+DFFF. The
// first byte after which that fails is where the stream becomes invalid — the "fail fast"
// position RFC 6455 §8.1 lets an endpoint report, and the one the validator promises.
// Slow (a few branches and shifts per byte) and proudly so.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wsrelay::fuzz {

class NaiveUtf8 {
 public:
  // Consume one byte; false when this byte makes the stream invalid (and from then on).
  bool push(uint8_t byte) {
    if (failed_) return false;
    if (expected_ == 0) {
      // A lead byte: the count of leading 1 bits is the sequence length (RFC 3629 §3).
      if (byte < 0x80) return true;  // ASCII, a whole character
      int length = 0;
      while (length < 8 && (byte & (0x80 >> length)) != 0) ++length;
      if (length == 1 || length > 4) return fail();  // a stray continuation, or 5+ bytes
      expected_ = length;
      have_ = 1;
      bits_ = byte & (0xFF >> (length + 1));  // the payload bits of the lead byte
    } else {
      if ((byte & 0xC0) != 0x80) return fail();  // not a continuation byte
      bits_ = (bits_ << 6) | (byte & 0x3F);
      ++have_;
    }
    if (!viable()) return fail();
    if (have_ == expected_) expected_ = 0;  // a whole, valid character
    return true;
  }
  bool push(std::span<const uint8_t> bytes) {
    for (uint8_t b : bytes) {
      if (!push(b)) return false;
    }
    return true;
  }
  // Everything so far is valid and no character is cut in half.
  bool complete() const { return !failed_ && expected_ == 0; }
  bool failed() const { return failed_; }

 private:
  bool fail() {
    failed_ = true;
    return false;
  }
  bool viable() const {
    const int missing_bits = 6 * (expected_ - have_);
    const uint32_t low = bits_ << missing_bits;
    const uint32_t high = low | ((uint32_t{1} << missing_bits) - 1);
    // The smallest code point that needs this many bytes (shorter forms are overlong), and the
    // largest this many bytes may carry.
    static constexpr uint32_t kFirst[5] = {0, 0, 0x80, 0x800, 0x10000};
    static constexpr uint32_t kLast[5] = {0, 0x7F, 0x7FF, 0xFFFF, 0x10FFFF};
    if (high < kFirst[expected_] || low > kLast[expected_]) return false;
    // Surrogates are not characters (RFC 3629 §3): viable only if something outside remains.
    if (low >= 0xD800 && high <= 0xDFFF) return false;
    return true;
  }

  bool failed_ = false;
  int expected_ = 0;  // length of the sequence in progress (0: between characters)
  int have_ = 0;      // bytes of it seen
  uint32_t bits_ = 0;
};

// Where a whole buffer stops being UTF-8.
struct Utf8Verdict {
  bool valid = true;     // no invalid byte (the end may still cut a character)
  bool complete = true;  // valid and ends on a character boundary
  size_t first_bad = 0;  // index of the first invalid byte, when !valid
};

inline Utf8Verdict naive_utf8(std::span<const uint8_t> bytes) {
  NaiveUtf8 checker;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!checker.push(bytes[i])) return {false, false, i};
  }
  return {true, checker.complete(), 0};
}

}  // namespace wsrelay::fuzz
