// Fuzz property check for the UTF-8 validator (src/ws/utf8.hpp). See fuzz_support.hpp for
// the check-function convention.
//
// Input: the bytes to validate, all of them. The split PRNG is seeded from a hash of the
// input, so no byte is spent on configuration.
//
// Properties, against the naive reference (reference_utf8.hpp):
//  - is_valid_utf8(all) is true exactly when the reference finds the buffer valid and complete;
//  - one feed() of everything answers as the reference, and complete()/failed() agree;
//  - byte by byte, feed() first answers false at the reference's first bad byte, keeps
//    answering false afterwards (empty feeds included), and complete() agrees after every byte;
//  - fed in random pieces (empty ones included) the answer turns false exactly at the piece
//    holding the first bad byte — incremental and one-shot agree whatever the split;
//  - reset() forgets everything: the same input again gives the same answers.
#pragma once

#include <cstring>
#include <span>
#include <string>

#include "fuzz_support.hpp"
#include "reference_utf8.hpp"
#include "ws/utf8.hpp"

namespace wsrelay::fuzz {

inline std::string check_utf8(std::span<const uint8_t> input) {
  const Utf8Verdict expected = naive_utf8(input);
  const std::string where = " (input " + hex(input) + ")";

  if (ws::is_valid_utf8(input) != expected.complete) {
    return "is_valid_utf8 says " + std::string(expected.complete ? "invalid" : "valid") +
           ", reference says the opposite" + where;
  }

  // One shot, from every alignment: the validator skips ASCII a machine word at a time.
  for (size_t offset = 0; offset < 8; ++offset) {
    Bytes shifted(offset + input.size());
    if (!input.empty()) std::memcpy(shifted.data() + offset, input.data(), input.size());
    ws::Utf8Validator validator;
    const bool ok = validator.feed(std::span<const uint8_t>(shifted).subspan(offset));
    if (ok != expected.valid || validator.complete() != expected.complete ||
        validator.failed() != !expected.valid) {
      return "one-shot feed at alignment " + std::to_string(offset) + " returned " +
             (ok ? "true" : "false") + ", complete=" + std::to_string(validator.complete()) +
             "; reference valid=" + std::to_string(expected.valid) +
             " complete=" + std::to_string(expected.complete) + where;
    }
  }

  // Byte by byte, comparing complete() with the reference after every byte.
  {
    ws::Utf8Validator validator;
    NaiveUtf8 reference;
    for (size_t i = 0; i < input.size(); ++i) {
      const bool want = reference.push(input[i]);
      const bool got = validator.feed(input.subspan(i, 1));
      if (got != want) {
        return "byte-by-byte feed of byte " + std::to_string(i) + " returned " +
               (got ? "true" : "false") + ", reference " + (want ? "true" : "false") + where;
      }
      if (validator.complete() != reference.complete()) {
        return "complete() after byte " + std::to_string(i) + " is " +
               std::to_string(validator.complete()) + ", reference " +
               std::to_string(reference.complete()) + where;
      }
    }
    if (!expected.valid && validator.feed(std::span<const uint8_t>())) {
      return "an empty feed after a failure returned true" + where;
    }
  }

  // Random pieces; then reset() and the same again with other pieces.
  Rng rng(seed_from(input.first(input.size() < 8 ? input.size() : 8)) ^ input.size());
  ws::Utf8Validator validator;
  for (int round = 0; round < 2; ++round) {
    validator.reset();
    size_t at = 0;
    for (size_t piece : random_pieces(input.size(), rng)) {
      const bool want = expected.valid || at + piece <= expected.first_bad;
      const bool got = validator.feed(input.subspan(at, piece));
      if (got != want) {
        return "feed of piece [" + std::to_string(at) + ", " + std::to_string(at + piece) +
               ") returned " + (got ? "true" : "false") + "; first bad byte " +
               (expected.valid ? std::string("none") : std::to_string(expected.first_bad)) +
               " (round " + std::to_string(round) + ")" + where;
      }
      at += piece;
    }
    if (validator.complete() != expected.complete) {
      return "complete() after random pieces disagrees with the reference" + where;
    }
  }
  return {};
}

}  // namespace wsrelay::fuzz
