// Frame encoder, masking and close payloads (RFC 6455 §5.2, §5.3, §5.5.1, examples of §5.7).
#include "ws/frame.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "ws/close_code.hpp"
#include "ws/utf8.hpp"

using namespace wsrelay::ws;
using wsrelay::ws::test::Bytes;

namespace {

Bytes header_bytes(Opcode op, uint64_t length, bool fin = true, const uint8_t* mask = nullptr) {
  uint8_t out[kMaxFrameHeader];
  std::memset(out, 0xEE, sizeof out);
  const size_t n = write_frame_header(out, op, length, fin, mask);
  REQUIRE(n == frame_header_size(length, mask != nullptr));
  return Bytes(out, out + n);
}

}  // namespace

TEST_CASE("RFC 6455 §5.7 example headers") {
  // A single-frame unmasked text message "Hello".
  CHECK(header_bytes(Opcode::kText, 5) == Bytes{0x81, 0x05});
  // A single-frame masked text message "Hello".
  CHECK(header_bytes(Opcode::kText, 5, true, test::kTestMask) ==
        Bytes{0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d});
  // A fragmented unmasked text message: "Hel" then "lo".
  CHECK(header_bytes(Opcode::kText, 3, false) == Bytes{0x01, 0x03});
  CHECK(header_bytes(Opcode::kContinuation, 2, true) == Bytes{0x80, 0x02});
  // Unmasked Ping and masked Pong.
  CHECK(header_bytes(Opcode::kPing, 5) == Bytes{0x89, 0x05});
  CHECK(header_bytes(Opcode::kPong, 5, true, test::kTestMask) ==
        Bytes{0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d});
  // 256 bytes binary message in a single unmasked frame.
  CHECK(header_bytes(Opcode::kBinary, 256) == Bytes{0x82, 0x7E, 0x01, 0x00});
  // 64KiB binary message in a single unmasked frame.
  CHECK(header_bytes(Opcode::kBinary, 65536) ==
        Bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
}

TEST_CASE("masking \"Hello\" with the RFC key gives the RFC bytes, and unmasking restores it") {
  uint8_t data[] = {'H', 'e', 'l', 'l', 'o'};
  apply_mask(data, sizeof data, test::kTestMask);
  CHECK(Bytes(data, data + 5) == Bytes{0x7f, 0x9f, 0x4d, 0x51, 0x58});
  apply_mask(data, sizeof data, test::kTestMask);
  CHECK(test::as_string(data, 5) == "Hello");
}

TEST_CASE("the length always uses its minimal form") {
  struct Case {
    uint64_t length;
    Bytes expected;
  };
  const Case cases[] = {
      {0, {0x82, 0x00}},
      {125, {0x82, 0x7D}},
      {126, {0x82, 0x7E, 0x00, 0x7E}},
      {65535, {0x82, 0x7E, 0xFF, 0xFF}},
      {65536, {0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0}},
      {0x0102030405060708ULL, {0x82, 0x7F, 1, 2, 3, 4, 5, 6, 7, 8}},
      {0x7FFFFFFFFFFFFFFFULL, {0x82, 0x7F, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
  };
  for (const Case& c : cases) {
    CAPTURE(c.length);
    CHECK(header_bytes(Opcode::kBinary, c.length) == c.expected);
    // Masked: MASK bit set and the key appended after the length.
    Bytes masked = c.expected;
    masked[1] |= 0x80;
    masked.insert(masked.end(), test::kTestMask, test::kTestMask + 4);
    CHECK(header_bytes(Opcode::kBinary, c.length, true, test::kTestMask) == masked);
  }
  CHECK(frame_header_size(125, false) == 2);
  CHECK(frame_header_size(126, false) == 4);
  CHECK(frame_header_size(65536, true) == 14);
  CHECK(header_bytes(Opcode::kClose, 0, false)[0] == 0x08);
}

TEST_CASE("apply_mask matches the bytewise definition at every length, offset and alignment") {
  // §5.3: j = i MOD 4; transformed-octet-i = original-octet-i XOR masking-key-octet-j. The
  // misaligned starts check that word-at-a-time access is alignment-safe (UBSan build).
  const uint8_t key[4] = {0xA5, 0x01, 0xFF, 0x5A};
  alignas(8) uint8_t storage[160];
  for (size_t align = 0; align < 8; ++align) {
    for (size_t length = 0; length <= 140; ++length) {
      for (size_t offset = 0; offset < 9; ++offset) {
        uint8_t* data = storage + align;
        for (size_t i = 0; i < length; ++i) data[i] = static_cast<uint8_t>(i * 7 + 3);
        storage[align + length] = 0x42;  // guard byte right after the data
        apply_mask(data, length, key, offset);
        for (size_t i = 0; i < length; ++i) {
          REQUIRE(data[i] == static_cast<uint8_t>((i * 7 + 3) ^ key[(i + offset) % 4]));
        }
        REQUIRE(storage[align + length] == 0x42);
      }
    }
  }
}

TEST_CASE("masking in pieces with key_offset equals masking in one go") {
  Bytes whole(1000);
  for (size_t i = 0; i < whole.size(); ++i) whole[i] = static_cast<uint8_t>(i);
  Bytes once = whole;
  apply_mask(once.data(), once.size(), test::kTestMask);
  for (size_t cut1 = 0; cut1 < 40; ++cut1) {
    for (size_t cut2 = cut1; cut2 < cut1 + 70; cut2 += 3) {
      Bytes pieces = whole;
      apply_mask(pieces.data(), cut1, test::kTestMask, 0);
      apply_mask(pieces.data() + cut1, cut2 - cut1, test::kTestMask, cut1);
      apply_mask(pieces.data() + cut2, pieces.size() - cut2, test::kTestMask, cut2);
      REQUIRE(pieces == once);
    }
  }
}

TEST_CASE("close payload: code in network order, then the reason") {
  uint8_t out[kMaxControlPayload];
  size_t n = write_close_payload(out, 1000, "bye");
  CHECK(Bytes(out, out + n) == Bytes{0x03, 0xE8, 'b', 'y', 'e'});
  n = write_close_payload(out, 4999, "");
  CHECK(Bytes(out, out + n) == Bytes{0x13, 0x87});
  n = write_close_payload(out, close_code::kProtocolError, close_reason::kReservedOpcode);
  CHECK(n == 2 + close_reason::kReservedOpcode.size());
  CHECK(test::as_string(out + 2, n - 2) == close_reason::kReservedOpcode);
}

TEST_CASE("close payload for 1005 (no status) is empty") {
  uint8_t out[kMaxControlPayload];
  CHECK(write_close_payload(out, close_code::kNoStatus, "ignored") == 0);
}

TEST_CASE("close reason is cut to 123 bytes on a character boundary") {
  uint8_t out[kMaxControlPayload + 16];
  std::memset(out, 0xEE, sizeof out);
  // ASCII: exactly 123 fits, longer is cut to 123, and nothing past 125 bytes is written.
  CHECK(write_close_payload(out, 1000, std::string(123, 'a')) == 125);
  CHECK(write_close_payload(out, 1000, std::string(400, 'a')) == 125);
  CHECK(out[125] == 0xEE);
  // A character of every length placed so that it straddles the 123-byte limit at every
  // possible position: the result is whole characters only, and as long as possible.
  for (std::string_view ch : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80"}) {
    for (size_t prefix = 118; prefix <= 123; ++prefix) {
      const std::string reason = std::string(prefix, 'x') + std::string(ch) + "tail";
      const size_t n = write_close_payload(out, 1001, reason);
      CAPTURE(ch);
      CAPTURE(prefix);
      const size_t expected_reason =
          prefix + ch.size() <= 123 ? std::min<size_t>(123, reason.size()) : prefix;
      CHECK(n - 2 == expected_reason);
      CHECK(is_valid_utf8(std::span<const uint8_t>(out + 2, n - 2)));
      CHECK(std::memcmp(out + 2, reason.data(), n - 2) == 0);
    }
  }
}
