// Frame parser: RFC 6455 §5.7 examples, every single-frame rule (1002), and identical events
// for every way of splitting the input.
#include "ws/frame_parser.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "ws/close_code.hpp"

using namespace wsrelay::ws;
using namespace wsrelay::ws::test;

namespace {

// Runs `parser` over `input` cut at the given positions (ascending) and returns a normalized
// log: one "H ..." line per header, one "P <payload>" line per completed frame (pieces joined),
// and "E <code> <reason>" for an error. Checks the step contract on the way.
std::vector<std::string> run(FrameParser& parser, Bytes input, const std::vector<size_t>& cuts) {
  std::vector<std::string> log;
  std::string payload;
  bool in_frame = false;
  size_t begin = 0;
  for (size_t c = 0; c <= cuts.size(); ++c) {
    const size_t end = c < cuts.size() ? cuts[c] : input.size();
    REQUIRE(end >= begin);
    REQUIRE(end <= input.size());
    std::span<uint8_t> chunk(input.data() + begin, end - begin);
    begin = end;
    std::span<uint8_t> in = chunk;
    for (;;) {
      if (in.empty() && !parser.in_payload()) break;
      const FrameStep step = parser.next(in);
      if (step.event == FrameEvent::kError) {
        log.push_back("E " + std::to_string(parser.error_code()) + " " +
                      std::string(parser.error_reason()));
        // Stays in error, using nothing.
        const FrameStep again = parser.next(in);
        REQUIRE(again.event == FrameEvent::kError);
        REQUIRE(again.consumed == 0);
        return log;
      }
      REQUIRE(step.consumed <= in.size());
      in = in.subspan(step.consumed);
      if (step.event == FrameEvent::kNeedMore) {
        REQUIRE(in.empty());
        break;
      }
      if (step.event == FrameEvent::kHeader) {
        REQUIRE_FALSE(in_frame);
        in_frame = true;
        const FrameHeader& h = parser.header();
        REQUIRE(parser.in_payload());
        REQUIRE(parser.payload_remaining() == h.payload_length);
        log.push_back("H fin=" + std::to_string(h.fin) + " rsv=" + std::to_string(h.rsv) +
                      " op=" + std::to_string(static_cast<int>(h.opcode)) + " mask=" +
                      std::to_string(h.masked) + " len=" + std::to_string(h.payload_length));
        continue;
      }
      REQUIRE(step.event == FrameEvent::kPayload);
      REQUIRE(in_frame);
      REQUIRE(step.consumed == step.payload.size());
      if (!step.payload.empty()) {  // a view into this chunk, never a copy
        REQUIRE(step.payload.data() >= chunk.data());
        REQUIRE(step.payload.data() + step.payload.size() <= chunk.data() + chunk.size());
      }
      payload += as_string(step.payload.data(), step.payload.size());
      REQUIRE(step.frame_complete == !parser.in_payload());
      if (step.frame_complete) {
        log.push_back("P " + payload);
        payload.clear();
        in_frame = false;
      }
    }
  }
  if (in_frame) log.push_back("partial " + payload);
  return log;
}

std::vector<std::string> run_whole(Bytes input, Role role = Role::kServer, uint8_t rsv = 0) {
  FrameParser parser(role, rsv);
  return run(parser, std::move(input), {});
}

// Every split in two, every byte separately, and (for short inputs) every split in three all
// give the same log as one call.
std::vector<std::string> check_every_split(const Bytes& input, Role role = Role::kServer,
                                           uint8_t rsv = 0) {
  const std::vector<std::string> expected = run_whole(input, role, rsv);
  for (size_t i = 0; i <= input.size(); ++i) {
    FrameParser parser(role, rsv);
    CAPTURE(i);
    REQUIRE(run(parser, input, {i}) == expected);
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < input.size(); ++i) every.push_back(i);
  FrameParser bytewise(role, rsv);
  REQUIRE(run(bytewise, input, every) == expected);
  if (input.size() <= 80) {
    for (size_t i = 0; i <= input.size(); ++i) {
      for (size_t j = i; j <= input.size(); ++j) {
        FrameParser parser(role, rsv);
        CAPTURE(i);
        CAPTURE(j);
        REQUIRE(run(parser, input, {i, j}) == expected);
      }
    }
  }
  return expected;
}

std::string error(std::string_view reason) {
  return "E 1002 " + std::string(reason);
}

}  // namespace

TEST_CASE("RFC 6455 §5.7 examples, as a client reads them (unmasked)") {
  const Bytes hello = {0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  CHECK(check_every_split(hello, Role::kClient) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=1 mask=0 len=5", "P Hello"});
  const Bytes fragmented = {0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f};
  CHECK(check_every_split(fragmented, Role::kClient) ==
        std::vector<std::string>{"H fin=0 rsv=0 op=1 mask=0 len=3", "P Hel",
                                 "H fin=1 rsv=0 op=0 mask=0 len=2", "P lo"});
  const Bytes ping = {0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f};
  CHECK(check_every_split(ping, Role::kClient) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=9 mask=0 len=5", "P Hello"});
}

TEST_CASE("RFC 6455 §5.7 examples, as a server reads them (masked)") {
  const Bytes hello = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  CHECK(check_every_split(hello) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=1 mask=1 len=5", "P Hello"});
  const Bytes pong = {0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};
  CHECK(check_every_split(pong) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=10 mask=1 len=5", "P Hello"});
  FrameParser parser;
  Bytes input = hello;
  const FrameStep header = parser.next(input);
  REQUIRE(header.event == FrameEvent::kHeader);
  CHECK(header.consumed == 6);
  CHECK(parser.header().mask_key[0] == 0x37);
  CHECK(parser.header().mask_key[3] == 0x3d);
}

TEST_CASE("256-byte and 64 KiB binary frames (16- and 64-bit lengths)") {
  std::string big(256, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i);
  Bytes input = frame({.opcode = 0x2, .masked = false}, big);
  REQUIRE(Bytes(input.begin(), input.begin() + 4) == Bytes{0x82, 0x7E, 0x01, 0x00});
  CHECK(check_every_split(input, Role::kClient) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=2 mask=0 len=256", "P " + big});

  std::string huge(65536, '\0');
  for (size_t i = 0; i < huge.size(); ++i) huge[i] = static_cast<char>(i * 31);
  input = frame({.opcode = 0x2, .masked = false}, huge);
  REQUIRE(Bytes(input.begin(), input.begin() + 10) ==
          Bytes{0x82, 0x7F, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00});
  const std::vector<std::string> expected = {"H fin=1 rsv=0 op=2 mask=0 len=65536", "P " + huge};
  CHECK(run_whole(input, Role::kClient) == expected);
  // Masked, cut at a few awkward places (inside the header, at odd payload offsets).
  const Bytes masked = frame({.opcode = 0x2}, huge);
  for (size_t cut : {1u, 2u, 3u, 9u, 13u, 14u, 15u, 17u, 1000u, 65543u}) {
    FrameParser parser;
    CAPTURE(cut);
    CHECK(run(parser, masked, {cut, cut + 5, cut + 6}) ==
          std::vector<std::string>{"H fin=1 rsv=0 op=2 mask=1 len=65536", "P " + huge});
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < masked.size(); ++i) every.push_back(i);
  FrameParser bytewise;
  CHECK(run(bytewise, masked, every) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=2 mask=1 len=65536", "P " + huge});
}

TEST_CASE("a stream of mixed frames gives the same events for every split") {
  const Bytes stream = concat({text("Hel", false), ping(""), continuation("lo"), binary(""),
                               pong("pp"), text(std::string(130, 'z')), close_with(1000, "ok")});
  const auto log = check_every_split(stream);
  CHECK(log.size() == 14);
  CHECK(log[0] == "H fin=0 rsv=0 op=1 mask=1 len=3");
  CHECK(log[3] == "P ");  // the empty ping still completes with one kPayload
  CHECK(log[11] == "P " + std::string(130, 'z'));
}

TEST_CASE("an empty frame yields its kPayload even when called with empty input") {
  FrameParser parser;
  Bytes input = text("");
  const FrameStep header = parser.next(input);
  REQUIRE(header.event == FrameEvent::kHeader);
  CHECK(header.consumed == input.size());
  CHECK(parser.in_payload());
  const FrameStep payload = parser.next(std::span<uint8_t>());
  CHECK(payload.event == FrameEvent::kPayload);
  CHECK(payload.frame_complete);
  CHECK(payload.payload.empty());
  CHECK(payload.consumed == 0);
  CHECK_FALSE(parser.in_payload());
  CHECK(parser.next(std::span<uint8_t>()).event == FrameEvent::kNeedMore);
}

TEST_CASE("a non-empty frame with no input left asks for more") {
  FrameParser parser;
  Bytes input = text("abc");
  REQUIRE(parser.next(input).event == FrameEvent::kHeader);
  const FrameStep step = parser.next(std::span<uint8_t>());
  CHECK(step.event == FrameEvent::kNeedMore);
  CHECK(step.consumed == 0);
  CHECK(parser.payload_remaining() == 3);
}

TEST_CASE("RSV bits: rejected unless the extension allows them") {
  const Bytes rsv1 = frame({.opcode = 0x1, .rsv = 0b100}, "x");
  CHECK(check_every_split(rsv1) == std::vector<std::string>{error(close_reason::kReservedBits)});
  CHECK(check_every_split(rsv1, Role::kServer, 0b100) ==
        std::vector<std::string>{"H fin=1 rsv=4 op=1 mask=1 len=1", "P x"});
  for (uint8_t rsv : {0b010, 0b001, 0b111}) {
    CAPTURE(rsv);
    CHECK(run_whole(frame({.opcode = 0x1, .rsv = rsv}, "x"), Role::kServer, 0b100) ==
          std::vector<std::string>{error(close_reason::kReservedBits)});
  }
}

TEST_CASE("reserved opcodes 0x3-0x7 and 0xB-0xF") {
  for (uint8_t op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
    CAPTURE(op);
    CHECK(check_every_split(frame({.opcode = op}, "")) ==
          std::vector<std::string>{error(close_reason::kReservedOpcode)});
  }
}

TEST_CASE("control frames: fragmented or longer than 125 bytes") {
  for (uint8_t op : {0x8, 0x9, 0xA}) {
    CAPTURE(op);
    CHECK(check_every_split(frame({.opcode = op, .fin = false}, "x")) ==
          std::vector<std::string>{error(close_reason::kControlFragmented)});
    CHECK(run_whole(frame({.opcode = op}, std::string(125, 'a'))).size() == 2);
    CHECK(check_every_split(frame({.opcode = op}, std::string(126, 'a'))) ==
          std::vector<std::string>{error(close_reason::kControlTooLong)});
  }
  // 7-bit length 127 (64-bit form) on a control frame fails at byte 2, whatever follows.
  FrameParser parser;
  Bytes two = {0x89, 0xFF};
  CHECK(parser.next(two).event == FrameEvent::kError);
  CHECK(parser.error_reason() == close_reason::kControlTooLong);
}

TEST_CASE("64-bit length with the most significant bit set") {
  Bytes bad = {0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4};
  CHECK(check_every_split(bad) == std::vector<std::string>{error(close_reason::kLengthTopBit)});
  // Detected at the third byte, before the rest of the header arrives.
  FrameParser parser;
  Bytes three = {0x82, 0xFF, 0x80};
  CHECK(parser.next(three).event == FrameEvent::kError);
  // The largest legal length parses (its payload would never arrive, but the header is fine).
  Bytes max = {0x82, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4};
  CHECK(run_whole(max) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=2 mask=1 len=9223372036854775807", "partial "});
}

TEST_CASE("MASK bit must match the role") {
  const Bytes unmasked = frame({.opcode = 0x1, .masked = false}, "hi");
  const Bytes masked = frame({.opcode = 0x1}, "hi");
  CHECK(check_every_split(unmasked, Role::kServer) ==
        std::vector<std::string>{error(close_reason::kUnmasked)});
  CHECK(check_every_split(masked, Role::kClient) ==
        std::vector<std::string>{error(close_reason::kServerMasked)});
  CHECK(run_whole(masked, Role::kServer).size() == 2);
  CHECK(run_whole(unmasked, Role::kClient).size() == 2);
}

TEST_CASE("errors surface at the first byte that shows them, in byte order") {
  // Reserved opcode in byte 0 is reported before the (also wrong) unmasked byte 1.
  FrameParser parser;
  Bytes one = {0x83};
  const FrameStep step = parser.next(one);
  CHECK(step.event == FrameEvent::kError);
  CHECK(parser.error_code() == close_code::kProtocolError);
  CHECK(parser.error_reason() == close_reason::kReservedOpcode);
  FrameParser whole;
  Bytes both = {0x83, 0x00};
  whole.next(both);
  CHECK(whole.error_reason() == close_reason::kReservedOpcode);
}

TEST_CASE("frames after a bad frame are never parsed; reset() starts over") {
  const Bytes stream =
      concat({text("ok"), frame({.opcode = 0x1, .masked = false}, "x"), text("no")});
  CHECK(check_every_split(stream) == std::vector<std::string>{"H fin=1 rsv=0 op=1 mask=1 len=2",
                                                              "P ok",
                                                              error(close_reason::kUnmasked)});
  FrameParser parser;
  Bytes bad = {0x83, 0x80};
  REQUIRE(parser.next(bad).event == FrameEvent::kError);
  parser.reset();
  CHECK(parser.error_code() == 0);
  CHECK(run(parser, text("again"), {}) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=1 mask=1 len=5", "P again"});
}

TEST_CASE("non-minimal length encodings are accepted") {
  // 5 bytes announced in the 16-bit form: senders MUST NOT, but nothing is unsafe about it.
  Bytes input = {0x81, 0xFE, 0x00, 0x05, 0, 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
  CHECK(check_every_split(input) ==
        std::vector<std::string>{"H fin=1 rsv=0 op=1 mask=1 len=5", "P hello"});
}
