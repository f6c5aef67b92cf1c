// MessageReader with permessage-deflate (RFC 7692 §6-§7): compressed messages, RSV1 rules,
// the bounded inflate (bombs get 1009), invalid data, UTF-8 after inflating, context
// takeover, and identical results for every split of the input.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "ws/close_code.hpp"
#include "ws/deflate.hpp"
#include "ws/message_reader.hpp"

using namespace wsrelay::ws;
using namespace wsrelay::ws::test;

namespace {

class Log : public MessageHandler {
 public:
  std::vector<std::string> lines;
  bool on_message(MessageKind kind, std::span<const uint8_t> payload) override {
    lines.push_back((kind == MessageKind::kText ? "text " : "binary ") +
                    as_string(payload.data(), payload.size()));
    return true;
  }
  bool on_ping(std::span<const uint8_t> payload) override {
    lines.push_back("ping " + as_string(payload.data(), payload.size()));
    return true;
  }
  bool on_pong(std::span<const uint8_t>) override { return true; }
  void on_close(uint16_t code, std::string_view) override {
    lines.push_back("close " + std::to_string(code));
  }
  void on_protocol_error(uint16_t code, std::string_view reason) override {
    lines.push_back("error " + std::to_string(code) + " " + std::string(reason));
  }
};

ReaderLimits deflate_limits(uint64_t max = 64 * 1024, bool takeover = false) {
  ReaderLimits limits;
  limits.max_message_size = max;
  limits.allowed_rsv = 0b100;
  limits.deflate = true;
  limits.inflate_context_takeover = takeover;
  return limits;
}

std::string packed(std::string_view text, Deflater& deflater, bool reset_after = true) {
  std::vector<uint8_t> out;
  REQUIRE(deflater.compress_message({reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                                    out, reset_after));
  return std::string(out.begin(), out.end());
}

std::string packed(std::string_view text) {
  Deflater deflater(15, 8);
  return packed(text, deflater);
}

std::vector<std::string> feed_all(Bytes input, const ReaderLimits& limits) {
  MessageReader reader(limits);
  Log log;
  reader.feed(input, log);
  return log.lines;
}

Bytes join(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace

TEST_CASE("deflate reader: a compressed text message is inflated and delivered") {
  const std::string body = R"({"event":"message","data":"hello hello hello hello"})";
  CHECK(feed_all(frame({.opcode = 0x1, .rsv = 0b100}, packed(body)), deflate_limits()) ==
        std::vector<std::string>{"text " + body});
  // The RFC's own "Hello" (§7.2.3.1), and uncompressed messages still pass beside it.
  const std::string hello("\xf2\x48\xcd\xc9\xc9\x07\x00", 7);
  CHECK(feed_all(join({frame({.opcode = 0x1, .rsv = 0b100}, hello), text("plain")}),
                 deflate_limits()) == std::vector<std::string>{"text Hello", "text plain"});
}

TEST_CASE("deflate reader: a fragmented compressed message with a Ping in the middle") {
  const std::string body(3000, 'x');
  const std::string data = packed(body + "tail");
  const size_t half = data.size() / 2;
  const Bytes input =
      join({frame({.opcode = 0x1, .fin = false, .rsv = 0b100}, data.substr(0, half)), ping("p"),
            frame({.opcode = 0x0, .fin = true}, data.substr(half))});
  CHECK(feed_all(input, deflate_limits()) ==
        std::vector<std::string>{"ping p", "text " + body + "tail"});
}

TEST_CASE("deflate reader: RSV1 rules (§6.1)") {
  const std::string data = packed("abc");
  // RSV1 on a continuation frame.
  CHECK(feed_all(join({frame({.opcode = 0x1, .fin = false, .rsv = 0b100}, data),
                       frame({.opcode = 0x0, .rsv = 0b100}, "")}),
                 deflate_limits())
            .back() == "error 1002 RSV1 set on a continuation frame");
  // RSV1 on a control frame.
  CHECK(feed_all(frame({.opcode = 0x9, .rsv = 0b100}, ""), deflate_limits()).back() ==
        "error 1002 RSV1 set on a control frame");
  // RSV1 without negotiation.
  CHECK(feed_all(frame({.opcode = 0x1, .rsv = 0b100}, data), ReaderLimits{})
            .back()
            .starts_with("error 1002"));
  // RSV2/RSV3 stay reserved.
  CHECK(feed_all(frame({.opcode = 0x1, .rsv = 0b010}, "x"), deflate_limits())
            .back()
            .starts_with("error 1002"));
}

TEST_CASE("deflate reader: invalid DEFLATE data is 1007, invalid UTF-8 after inflating is 1007") {
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, "\xff\xff\xff"), deflate_limits()).back() ==
        "error 1007 invalid compressed data");
  CHECK(feed_all(frame({.opcode = 0x1, .rsv = 0b100}, packed("ok \xce\xba\xe1 bad")),
                 deflate_limits())
            .back() == "error 1007 invalid UTF-8 in text message");
  // The same bytes as binary are fine.
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, packed("ok \xce\xba\xe1 bad")),
                 deflate_limits())
            .back() == "binary ok \xce\xba\xe1 bad");
}

TEST_CASE("deflate reader: a bomb is refused with 1009 at the cap, holding no more than the cap") {
  // 64 MiB of zeros packs into ~64 KiB; max_message_size 1 MiB.
  Deflater deflater(15, 9);
  const std::string bomb = packed(std::string(64u << 20, '\0'), deflater);
  CHECK(bomb.size() < 100'000);
  MessageReader reader(deflate_limits(1u << 20));
  Log log;
  const Bytes input = frame({.opcode = 0x2, .rsv = 0b100}, bomb);
  // Feed in small reads, watching what the reader holds.
  size_t peak = 0;
  for (size_t at = 0; at < input.size(); at += 1000) {
    Bytes piece(input.begin() + static_cast<std::ptrdiff_t>(at),
                input.begin() + static_cast<std::ptrdiff_t>(std::min(at + 1000, input.size())));
    reader.feed(piece, log);
    peak = std::max(peak, reader.retained_bytes());
    if (!log.lines.empty()) break;
  }
  REQUIRE(log.lines.size() == 1);
  CHECK(log.lines[0] == "error 1009 message inflates to at least 1048577 bytes, over max_message_size 1048576");
  CHECK(peak <= (1u << 20) + 1);
  // Exactly at the cap is allowed.
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, packed(std::string(1u << 20, 'a'))),
                 deflate_limits(1u << 20))
            .back()
            .size() == 7 + (1u << 20));
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, packed(std::string((1u << 20) + 1, 'a'))),
                 deflate_limits(1u << 20))
            .back() == "error 1009 message inflates to at least 1048577 bytes, over max_message_size 1048576");
}

TEST_CASE("deflate reader: the ratio limit bounds inflate work per received byte") {
  ReaderLimits limits = deflate_limits(16u << 20);
  limits.max_inflate_ratio = 100;
  limits.max_inflate_ratio_floor = 64 * 1024;
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, packed(std::string(8u << 20, 'z'))), limits)
            .back() == "error 1009 compression ratio over the limit");
  // Small highly compressible messages are under the floor and pass.
  CHECK(feed_all(frame({.opcode = 0x2, .rsv = 0b100}, packed(std::string(60000, 'z'))), limits)
            .back()
            .size() == 7 + 60000);
}

TEST_CASE("deflate reader: context takeover across messages, and reset without it") {
  Deflater keep(15, 8);
  const std::string body = "{\"event\":\"tick\",\"data\":\"the same text every time\"}";
  const std::string first = packed(body, keep, false);
  const std::string second = packed(body, keep, false);
  const Bytes input = join(
      {frame({.opcode = 0x1, .rsv = 0b100}, first), frame({.opcode = 0x1, .rsv = 0b100}, second)});
  CHECK(feed_all(input, deflate_limits(65536, true)) ==
        std::vector<std::string>{"text " + body, "text " + body});
  // Without context takeover the second message cannot refer back: it fails.
  CHECK(feed_all(input, deflate_limits(65536, false)).back().starts_with("error 1007"));
}

TEST_CASE("deflate reader: every split of the input gives the same messages") {
  const std::string body = "split me anywhere: " + std::string(200, 'q') + " end";
  const std::string data = packed(body);
  const Bytes input = join({frame({.opcode = 0x1, .fin = false, .rsv = 0b100}, data.substr(0, 5)),
                            ping("x"), frame({.opcode = 0x0}, data.substr(5)), text("after")});
  const std::vector<std::string> expected{"ping x", "text " + body, "text after"};
  for (size_t split = 0; split <= input.size(); ++split) {
    CAPTURE(split);
    MessageReader reader(deflate_limits());
    Log log;
    Bytes a(input.begin(), input.begin() + static_cast<std::ptrdiff_t>(split));
    Bytes b(input.begin() + static_cast<std::ptrdiff_t>(split), input.end());
    reader.feed(a, log);
    reader.feed(b, log);
    CHECK(log.lines == expected);
    CHECK(reader.at_rest());
    CHECK(reader.last_message_compressed() == false);  // the last one was plain
  }
}

TEST_CASE("deflate reader: wire and inflated sizes are reported") {
  const std::string data = packed(std::string(5000, 'w'));
  MessageReader reader(deflate_limits());
  Log log;
  Bytes input = frame({.opcode = 0x2, .rsv = 0b100}, data);
  reader.feed(input, log);
  CHECK(reader.last_message_compressed());
  CHECK(reader.last_message_wire_bytes() == data.size());
  CHECK(reader.holds_inflater());
}
