// Shared helpers for the fuzz harnesses and for the regression test that replays their inputs
// (tests/unit/fuzz_regression_test.cpp).
//
// Every surface has a check function `std::string check_<surface>(std::span<const uint8_t>)`
// in fuzz/<surface>_check.hpp: it runs the surface on one input, verifies the surface's
// properties, and returns "" when they all hold or a description of the first one broken.
// The libFuzzer entry point (fuzz/<surface>_fuzz.cpp) aborts on a non-empty answer, so
// libFuzzer saves the input; the doctest replays saved inputs through the same function.
//
// Everything here is deterministic: random choices (where to split the input, when a handler
// says stop) come from a small PRNG seeded by bytes of the input itself, so one input always
// replays the same way.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::fuzz {

using Bytes = std::vector<uint8_t>;

// SplitMix64 (Steele, Lea, Flood 2014): tiny, and every seed gives a usable sequence.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform enough in [0, bound) for choosing split points; bound 0 gives 0.
  size_t below(size_t bound) { return bound == 0 ? 0 : static_cast<size_t>(next() % bound); }
  bool one_in(size_t n) { return below(n) == 0; }

 private:
  uint64_t state_;
};

// Lengths of consecutive pieces that cover `total` bytes. Piece sizes are drawn from a mix of
// scales (1 byte, a few bytes, up to a quarter of the input) so that both "split inside every
// header" and "a few big reads" happen. Empty pieces are included now and then: a reader must
// accept a read of zero bytes. Always covers `total` exactly.
inline std::vector<size_t> random_pieces(size_t total, Rng& rng) {
  std::vector<size_t> pieces;
  size_t left = total;
  while (left > 0) {
    size_t size = 0;
    switch (rng.below(5)) {
      case 0:
        size = 1;
        break;
      case 1:
        size = 1 + rng.below(4);
        break;
      case 2:
        size = 1 + rng.below(16);
        break;
      case 3:
        size = 1 + rng.below(total / 4 + 1);
        break;
      default:
        size = rng.one_in(8) ? 0 : 1 + rng.below(64);
        break;
    }
    if (size > left) size = left;
    pieces.push_back(size);
    left -= size;
  }
  return pieces;
}

// Every piece one byte long.
inline std::vector<size_t> byte_pieces(size_t total) {
  return std::vector<size_t>(total, 1);
}

inline std::string hex(std::span<const uint8_t> bytes, size_t limit = 64) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  const size_t n = bytes.size() < limit ? bytes.size() : limit;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xF];
  }
  if (n < bytes.size()) out += "...(" + std::to_string(bytes.size()) + " bytes)";
  return out;
}
inline std::string hex(std::string_view text, size_t limit = 64) {
  return hex(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
             limit);
}

inline std::span<const uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}
inline std::string_view as_text(std::span<const uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// input.subspan(offset, count), clamped to what the input has (header bytes of a short input).
inline std::span<const uint8_t> clamped(std::span<const uint8_t> input, size_t offset,
                                        size_t count) {
  if (offset > input.size()) offset = input.size();
  if (count > input.size() - offset) count = input.size() - offset;
  return input.subspan(offset, count);
}

// 16 bits from two input bytes (missing bytes read as zero): a seed for the split PRNG.
inline uint64_t seed_from(std::span<const uint8_t> bytes) {
  uint64_t seed = 0x5EED;
  for (uint8_t b : bytes) seed = (seed << 8) | b;
  return seed;
}

// For the libFuzzer entry points: a broken property is a crash, so libFuzzer keeps the input.
inline int fail_if(const std::string& failure, const char* surface) {
  if (failure.empty()) return 0;
  std::fprintf(stderr, "\n*** %s property violated: %s\n", surface, failure.c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace wsrelay::fuzz
