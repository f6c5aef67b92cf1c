// MessageReader: messages, control frames and every rule that spans frames (1002, 1007,
// 1009), zero-copy delivery, stopping, and identical results for every split of the input.
#include "ws/message_reader.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "frame_builder.hpp"
#include "ws/close_code.hpp"

using namespace wsrelay::ws;
using namespace wsrelay::ws::test;

namespace {

// Records every callback as a line of text. `stop_at` makes the n-th callback (0-based) that
// can return a value answer false.
class Recorder : public MessageHandler {
 public:
  std::vector<std::string> log;
  int stop_at = -1;
  // The input span of the current feed(), to tell zero-copy views from buffered copies.
  std::span<const uint8_t> window;
  std::vector<bool> zero_copy;  // per delivered message

  bool on_message(MessageKind kind, std::span<const uint8_t> payload) override {
    log.push_back((kind == MessageKind::kText ? "text " : "binary ") +
                  as_string(payload.data(), payload.size()));
    zero_copy.push_back(!payload.empty() && payload.data() >= window.data() &&
                        payload.data() + payload.size() <= window.data() + window.size());
    return keep();
  }
  bool on_ping(std::span<const uint8_t> payload) override {
    log.push_back("ping " + as_string(payload.data(), payload.size()));
    return keep();
  }
  bool on_pong(std::span<const uint8_t> payload) override {
    log.push_back("pong " + as_string(payload.data(), payload.size()));
    return keep();
  }
  void on_close(uint16_t code, std::string_view reason) override {
    log.push_back("close " + std::to_string(code) + " " + std::string(reason));
  }
  void on_protocol_error(uint16_t code, std::string_view reason) override {
    log.push_back("error " + std::to_string(code) + " " + std::string(reason));
  }

 private:
  bool keep() { return calls_++ != stop_at; }
  int calls_ = 0;
};

struct Outcome {
  std::vector<std::string> log;
  ReadStatus status = ReadStatus::kOk;
};

// Feeds `input` (a private copy: it is unmasked in place) cut at `cuts`; stops feeding at a
// terminal status and checks that it sticks.
Outcome feed_chunks(MessageReader& reader, Recorder& recorder, Bytes input,
                    const std::vector<size_t>& cuts) {
  Outcome out;
  size_t begin = 0;
  for (size_t c = 0; c <= cuts.size(); ++c) {
    const size_t end = c < cuts.size() ? cuts[c] : input.size();
    REQUIRE(begin <= end);
    REQUIRE(end <= input.size());
    std::span<uint8_t> chunk(input.data() + begin, end - begin);
    begin = end;
    recorder.window = chunk;
    out.status = reader.feed(chunk, recorder);
    REQUIRE(reader.consumed() <= chunk.size());
    if (out.status == ReadStatus::kOk) REQUIRE(reader.consumed() == chunk.size());
    if (out.status == ReadStatus::kClosed || out.status == ReadStatus::kFailed) {
      const size_t events = recorder.log.size();
      Bytes more = text("after");
      REQUIRE(reader.feed(more, recorder) == out.status);
      REQUIRE(reader.consumed() == 0);
      REQUIRE(recorder.log.size() == events);
      REQUIRE(reader.buffered_bytes() == 0);
      REQUIRE(reader.retained_bytes() == 0);
      break;
    }
  }
  out.log = recorder.log;
  return out;
}

Outcome feed_whole(const Bytes& input, const ReaderLimits& limits = {}) {
  MessageReader reader(limits);
  Recorder recorder;
  return feed_chunks(reader, recorder, input, {});
}

std::vector<std::string> log_of(const Bytes& input, const ReaderLimits& limits = {}) {
  return feed_whole(input, limits).log;
}

// Every split in two, every byte on its own and (for short inputs) every split in three give
// the same callbacks and the same final status as one feed.
Outcome check_every_split(const Bytes& input, const ReaderLimits& limits = {}) {
  const Outcome expected = feed_whole(input, limits);
  auto same = [&](const std::vector<size_t>& cuts) {
    MessageReader reader(limits);
    Recorder recorder;
    const Outcome got = feed_chunks(reader, recorder, input, cuts);
    REQUIRE(got.log == expected.log);
    REQUIRE(got.status == expected.status);
  };
  for (size_t i = 0; i <= input.size(); ++i) {
    CAPTURE(i);
    same({i});
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < input.size(); ++i) every.push_back(i);
  same(every);
  if (input.size() <= 90) {
    for (size_t i = 0; i <= input.size(); ++i) {
      for (size_t j = i; j <= input.size(); ++j) {
        CAPTURE(i);
        CAPTURE(j);
        same({i, j});
      }
    }
  }
  return expected;
}

using Log = std::vector<std::string>;

std::string error(uint16_t code, std::string_view reason) {
  return "error " + std::to_string(code) + " " + std::string(reason);
}

}  // namespace

TEST_CASE("a single masked text frame is one message, handed over without a copy") {
  MessageReader reader;
  Recorder recorder;
  Bytes input = {0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58};  // §5.7
  recorder.window = input;
  CHECK(reader.feed(input, recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"text Hello"});
  REQUIRE(recorder.zero_copy.size() == 1);
  CHECK(recorder.zero_copy[0]);  // the view points into `input` (unmasked in place)
  CHECK(reader.buffered_bytes() == 0);
  CHECK(reader.retained_bytes() == 0);  // nothing was ever allocated
  CHECK(reader.consumed() == input.size());
  CHECK_FALSE(reader.in_message());
}

TEST_CASE("several whole messages in one span are all zero-copy") {
  MessageReader reader;
  Recorder recorder;
  Bytes input = concat({text("one"), binary("two"), text("three")});
  recorder.window = input;
  CHECK(reader.feed(input, recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"text one", "binary two", "text three"});
  CHECK(recorder.zero_copy == std::vector<bool>{true, true, true});
  CHECK(reader.retained_bytes() == 0);
}

TEST_CASE("a frame split across reads is buffered, then delivered whole") {
  MessageReader reader;
  Recorder recorder;
  Bytes input = text("Hello, world");
  std::span<uint8_t> all(input);
  recorder.window = all.first(9);
  CHECK(reader.feed(all.first(9), recorder) == ReadStatus::kOk);
  CHECK(recorder.log.empty());
  CHECK(reader.in_message());
  CHECK(reader.buffered_bytes() == 3);
  recorder.window = all.subspan(9);
  CHECK(reader.feed(all.subspan(9), recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"text Hello, world"});
  CHECK(recorder.zero_copy == std::vector<bool>{false});
  CHECK(reader.buffered_bytes() == 0);
  CHECK_FALSE(reader.in_message());
}

TEST_CASE("RFC 6455 §5.7 fragmented message, and fragments with control frames between them") {
  CHECK(check_every_split(concat({text("Hel", false), continuation("lo")})).log ==
        Log{"text Hello"});
  const Outcome out = check_every_split(concat(
      {text("Hel", false), ping("p1"), continuation("l", false), pong("p2"), continuation("o")}));
  CHECK(out.log == Log{"ping p1", "pong p2", "text Hello"});
  CHECK(out.status == ReadStatus::kOk);
  CHECK(check_every_split(
            concat({binary("\x01\x02", false), continuation("", false), continuation("\x03")}))
            .log == Log{"binary \x01\x02\x03"});
}

TEST_CASE("empty messages, empty fragments, empty control frames") {
  CHECK(check_every_split(concat({text(""), binary(""), ping(""), pong("")})).log ==
        Log{"text ", "binary ", "ping ", "pong "});
  CHECK(
      check_every_split(concat({text("", false), continuation("", false), continuation("")})).log ==
      Log{"text "});
  // Empty leading fragments: the last fragment alone is the message, still zero-copy.
  MessageReader reader;
  Recorder recorder;
  Bytes input = concat({text("", false), continuation("abc")});
  recorder.window = input;
  reader.feed(input, recorder);
  CHECK(recorder.log == Log{"text abc"});
  CHECK(recorder.zero_copy == std::vector<bool>{true});
}

TEST_CASE("a control frame split inside a fragmented message is buffered after the data") {
  MessageReader reader;
  Recorder recorder;
  Bytes input = concat({binary("abcd", false), ping("0123456789"), continuation("ef")});
  const size_t ping_start = binary("abcd", false).size();
  std::span<uint8_t> all(input);
  // Message data, the ping header and 4 of its 10 payload bytes.
  CHECK(reader.feed(all.first(ping_start + 6 + 4), recorder) == ReadStatus::kOk);
  CHECK(reader.buffered_bytes() == 4 + 4);
  CHECK(recorder.log.empty());
  // The rest of the ping: delivered whole, then cut off the buffer again.
  CHECK(reader.feed(all.subspan(ping_start + 10, 6), recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"ping 0123456789"});
  CHECK(reader.buffered_bytes() == 4);
  CHECK(reader.in_message());
  CHECK(reader.feed(all.subspan(ping_start + 16), recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"ping 0123456789", "binary abcdef"});
  CHECK(reader.buffered_bytes() == 0);
}

TEST_CASE("a large mixed stream gives the same callbacks for every split") {
  const std::string medium(300, 'm');  // 16-bit length form
  const Bytes stream = concat({
      text("caf\xC3", false),
      ping("in between"),
      continuation("\xA9 ok"),  // é split over frames
      binary(medium),
      pong(""),
      text("\xF0\x9F\x98", false),
      continuation("\x80"),  // 😀 split
      text(""),
      binary(std::string_view("\x00\xFF", 2), false),
      continuation("\xFE"),
      close_with(1000, "bye"),
      text("ignored after close"),
  });
  const Outcome out = check_every_split(stream);
  CHECK(out.log == Log{"ping in between", "text caf\xC3\xA9 ok", "binary " + medium, "pong ",
                       "text \xF0\x9F\x98\x80", "text ", std::string("binary \x00\xFF\xFE", 10),
                       "close 1000 bye"});
  CHECK(out.status == ReadStatus::kClosed);
}

TEST_CASE("the server-to-client direction (Role::kClient) reads unmasked frames") {
  ReaderLimits limits;
  limits.role = Role::kClient;
  const Bytes stream = concat({frame({.opcode = 0x1, .fin = false, .masked = false}, "a"),
                               frame({.opcode = 0x9, .masked = false}, "p"),
                               frame({.opcode = 0x0, .masked = false}, "b")});
  CHECK(check_every_split(stream, limits).log == Log{"ping p", "text ab"});
  CHECK(log_of(text("masked"), limits) == Log{error(1002, close_reason::kServerMasked)});
}

TEST_CASE("frame-level errors from the parser are reported with their reason") {
  CHECK(log_of(frame({.opcode = 0x1, .masked = false}, "x")) ==
        Log{error(1002, close_reason::kUnmasked)});
  CHECK(log_of(frame({.opcode = 0x1, .rsv = 0b100}, "x")) ==
        Log{error(1002, close_reason::kReservedBits)});
  CHECK(log_of(frame({.opcode = 0x5}, "")) == Log{error(1002, close_reason::kReservedOpcode)});
  CHECK(log_of(frame({.opcode = 0x9, .fin = false}, "")) ==
        Log{error(1002, close_reason::kControlFragmented)});
  CHECK(log_of(ping(std::string(126, 'x'))) == Log{error(1002, close_reason::kControlTooLong)});
  CHECK(log_of(Bytes{0x82, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}) ==
        Log{error(1002, close_reason::kLengthTopBit)});
}

TEST_CASE("fragment sequencing errors are 1002") {
  // A continuation with nothing to continue.
  CHECK(check_every_split(continuation("x")).log ==
        Log{error(1002, close_reason::kUnexpectedContinuation)});
  // A continuation after a finished message.
  CHECK(check_every_split(concat({text("done"), continuation("x")})).log ==
        Log{"text done", error(1002, close_reason::kUnexpectedContinuation)});
  // A new data frame while a message is open, fin or not, text or binary.
  CHECK(check_every_split(concat({text("a", false), text("b")})).log ==
        Log{error(1002, close_reason::kExpectedContinuation)});
  CHECK(check_every_split(concat({binary("a", false), ping(""), text("b", false)})).log ==
        Log{"ping ", error(1002, close_reason::kExpectedContinuation)});
}

TEST_CASE("message size limit: exactly the maximum passes, one byte more is 1009 at the header") {
  ReaderLimits limits;
  limits.max_message_size = 10;
  CHECK(check_every_split(text("0123456789"), limits).log == Log{"text 0123456789"});
  // The reason says the size and the limit (what a person reading the close or the log needs).
  CHECK(check_every_split(text("0123456789A"), limits).log ==
        Log{error(1009, "message of 11 bytes exceeds max_message_size 10")});
  // Fragmented: the total counts, and the frame that crosses the limit fails at its header.
  CHECK(check_every_split(concat({binary("012345", false), continuation("6789")}), limits).log ==
        Log{"binary 0123456789"});
  // Fragmented: only the fragments announced so far are known, so the size is "at least".
  const Bytes over = concat({binary("012345", false), continuation("6789A")});
  CHECK(check_every_split(over, limits).log ==
        Log{error(1009, "message of at least 11 bytes exceeds max_message_size 10")});
  CHECK(check_every_split(binary("0123456789AB", false), limits).log ==
        Log{error(1009, "message of at least 12 bytes exceeds max_message_size 10")});
  // Control frames do not count towards the message.
  CHECK(check_every_split(
            concat({binary("01234", false), ping("0123456789"), continuation("56789")}), limits)
            .log == Log{"ping 0123456789", "binary 0123456789"});
  // The failure happens on the header alone: no payload is needed, none is buffered.
  MessageReader reader(limits);
  Recorder recorder;
  Bytes header = {0x82, 0xFF, 0, 0, 0, 0, 0x7F, 0, 0, 0, 1, 2, 3, 4};  // announces 2 GiB
  CHECK(reader.feed(header, recorder) == ReadStatus::kFailed);
  CHECK(recorder.log == Log{error(1009, "message of 2130706432 bytes exceeds max_message_size 10")});
  CHECK(reader.retained_bytes() == 0);
}

TEST_CASE("set_max_message_size applies to the next header") {
  MessageReader reader;
  Recorder recorder;
  reader.set_max_message_size(3);
  Bytes input = concat({text("abc"), text("abcd")});
  CHECK(reader.feed(input, recorder) == ReadStatus::kFailed);
  CHECK(recorder.log == Log{"text abc", error(1009, "message of 4 bytes exceeds max_message_size 3")});
}

TEST_CASE("the 1009 reason fits a Close frame at the largest sizes") {
  // A first fragment announcing 2^63 - 1 bytes, the most RFC 6455 §5.2 allows.
  Bytes input = {0x02, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3, 4};
  MessageReader reader(ReaderLimits{9223372036854775806ULL, Role::kServer, 0});
  Recorder recorder;
  CHECK(reader.feed(input, recorder) == ReadStatus::kFailed);
  const std::string expected =
      "message of at least 9223372036854775807 bytes exceeds max_message_size 9223372036854775806";
  CHECK(recorder.log == Log{error(1009, expected)});
  CHECK(expected.size() <= 123);
}

TEST_CASE("text that is not UTF-8 is 1007") {
  // Invalid inside a single frame.
  CHECK(check_every_split(text("ab\xC0\x80")).log == Log{error(1007, close_reason::kInvalidUtf8)});
  // A message that ends inside a character.
  CHECK(check_every_split(text("ab\xE2\x82")).log == Log{error(1007, close_reason::kInvalidUtf8)});
  CHECK(check_every_split(concat({text("ab", false), continuation("\xE2\x82")})).log ==
        Log{error(1007, close_reason::kInvalidUtf8)});
  // Invalid in a later fragment; the valid earlier fragment is not delivered on its own.
  CHECK(check_every_split(concat({text("ok", false), continuation("\xED\xA0\x80")})).log ==
        Log{error(1007, close_reason::kInvalidUtf8)});
  // Binary messages are not checked.
  CHECK(log_of(binary("\xC0\x80\xFF")) == Log{"binary \xC0\x80\xFF"});
}

TEST_CASE("invalid UTF-8 fails at the first bad byte, before the frame is complete") {
  // Autobahn 6.4.x: the frame arrives in pieces and the endpoint must fail as soon as the
  // bad byte arrives, not when the frame ends.
  std::string payload = "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5";  // κόσμε
  const size_t bad_at = payload.size() + 1;                              // the A0 of ED A0 80
  payload += "\xED\xA0\x80" + std::string(50, 'e');
  for (bool fragmented : {false, true}) {
    CAPTURE(fragmented);
    const Bytes original =
        fragmented ? concat({text("prefix ", false), continuation(payload)}) : text(payload);
    const size_t payload_start = original.size() - payload.size();
    for (size_t cut = payload_start; cut <= payload_start + bad_at + 1; ++cut) {
      Bytes input = original;  // fresh copy: feed() unmasks in place
      MessageReader reader;
      Recorder recorder;
      std::span<uint8_t> all(input);
      const bool bad_in_first = cut > payload_start + bad_at;
      CHECK(reader.feed(all.first(cut), recorder) ==
            (bad_in_first ? ReadStatus::kFailed : ReadStatus::kOk));
      if (!bad_in_first) {
        CHECK(recorder.log.empty());
        // The next piece holds only the bad byte: failure, although 50 bytes are still due.
        CHECK(reader.feed(all.subspan(cut, payload_start + bad_at + 1 - cut), recorder) ==
              ReadStatus::kFailed);
      }
      CHECK(recorder.log == Log{error(1007, close_reason::kInvalidUtf8)});
    }
  }
}

TEST_CASE("a character split across feed() calls inside one frame is fine") {
  MessageReader reader;
  Recorder recorder;
  Bytes input = text("\xF0\x9F\x98\x80\xE2\x82\xAC");
  for (size_t i = 0; i < input.size(); ++i) {
    REQUIRE(reader.feed(std::span<uint8_t>(&input[i], 1), recorder) == ReadStatus::kOk);
  }
  CHECK(recorder.log == Log{"text \xF0\x9F\x98\x80\xE2\x82\xAC"});
}

TEST_CASE("every message before a protocol error is delivered first") {
  const Outcome out = check_every_split(
      concat({text("first"), ping("p"), binary("second"), text("bad\xFF"), text("never")}));
  CHECK(out.log ==
        Log{"text first", "ping p", "binary second", error(1007, close_reason::kInvalidUtf8)});
  CHECK(out.status == ReadStatus::kFailed);
}

TEST_CASE("close payload rules") {
  SUBCASE("empty: 1005 and no reason") {
    CHECK(check_every_split(close_frame("")).log == Log{"close 1005 "});
  }
  SUBCASE("code only, and code with a UTF-8 reason") {
    CHECK(check_every_split(close_with(1000, "")).log == Log{"close 1000 "});
    CHECK(check_every_split(close_with(4000, "caf\xC3\xA9")).log == Log{"close 4000 caf\xC3\xA9"});
    CHECK(log_of(close_with(3000, std::string(123, 'r'))) ==
          Log{"close 3000 " + std::string(123, 'r')});
  }
  SUBCASE("one byte: 1002") {
    CHECK(check_every_split(close_frame("\x03")).log ==
          Log{error(1002, close_reason::kCloseOneByte)});
  }
  SUBCASE("codes that may not be sent: 1002") {
    for (uint16_t code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2000, 2999, 5000, 65535}) {
      CAPTURE(code);
      CHECK(log_of(close_with(code, "")) == Log{error(1002, close_reason::kInvalidCloseCode)});
    }
    for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1011, 1014, 3000, 4999}) {
      CAPTURE(code);
      CHECK(log_of(close_with(code, "")) == Log{"close " + std::to_string(code) + " "});
    }
  }
  SUBCASE("reason not UTF-8: 1007") {
    CHECK(check_every_split(
              close_with(1000, "\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80"))
              .log == Log{error(1007, close_reason::kInvalidCloseReason)});
    CHECK(log_of(close_with(1000, "cut\xE2\x82")) ==
          Log{error(1007, close_reason::kInvalidCloseReason)});
  }
  SUBCASE("after a close, nothing more is read") {
    MessageReader reader;
    Recorder recorder;
    Bytes input = concat({close_with(1001, "away"), text("late"), Bytes{0xFF, 0xFF}});
    CHECK(reader.feed(input, recorder) == ReadStatus::kClosed);
    CHECK(reader.consumed() == close_with(1001, "away").size());
    CHECK(recorder.log == Log{"close 1001 away"});
    CHECK(reader.feed(input, recorder) == ReadStatus::kClosed);
    CHECK(recorder.log.size() == 1);
  }
  SUBCASE("a close in the middle of a fragmented message abandons the message") {
    const Outcome out = check_every_split(concat({text("part", false), close_with(1000, "")}));
    CHECK(out.log == Log{"close 1000 "});
    CHECK(out.status == ReadStatus::kClosed);
  }
  SUBCASE("a split close frame after buffered message data") {
    const Outcome out =
        check_every_split(concat({binary("data", false), close_with(1000, "reason")}));
    CHECK(out.log == Log{"close 1000 reason"});
  }
}

TEST_CASE("a handler returning false stops reading; the rest can be fed later") {
  const Bytes stream =
      concat({text("one"), ping("p"), binary("two", false), continuation("!"), text("three")});
  // Where each callback's frame ends: text(9) ping(7) binary(9)+continuation(7) text(11).
  const size_t frame_ends[] = {9, 16, 32, 43};
  REQUIRE(stream.size() == 43);
  for (int stop_at = 0; stop_at < 4; ++stop_at) {
    CAPTURE(stop_at);
    MessageReader reader;
    Recorder recorder;
    recorder.stop_at = stop_at;
    Bytes input = stream;
    std::span<uint8_t> rest(input);
    CHECK(reader.feed(rest, recorder) == ReadStatus::kStopped);
    CHECK(recorder.log.size() == static_cast<size_t>(stop_at + 1));  // nothing after the stop
    CHECK(reader.consumed() == frame_ends[stop_at]);
    rest = rest.subspan(reader.consumed());
    CHECK(reader.feed(rest, recorder) == ReadStatus::kOk);
    CHECK(recorder.log == Log{"text one", "ping p", "binary two!", "text three"});
  }
}

TEST_CASE("stopping from a split ping inside a fragmented message keeps the message data") {
  MessageReader reader;
  Recorder recorder;
  recorder.stop_at = 0;
  Bytes input = concat({text("ab", false), ping("pingpong"), continuation("cd")});
  std::span<uint8_t> all(input);
  const size_t split = text("ab", false).size() + 6 + 3;  // inside the ping payload
  CHECK(reader.feed(all.first(split), recorder) == ReadStatus::kOk);
  std::span<uint8_t> rest = all.subspan(split);
  CHECK(reader.feed(rest, recorder) == ReadStatus::kStopped);
  CHECK(recorder.log == Log{"ping pingpong"});
  CHECK(reader.buffered_bytes() == 2);
  CHECK(reader.feed(rest.subspan(reader.consumed()), recorder) == ReadStatus::kOk);
  CHECK(recorder.log == Log{"ping pingpong", "text abcd"});
}

TEST_CASE("the buffer keeps its capacity between messages up to kRetainedBufferBytes") {
  MessageReader reader;
  Recorder recorder;
  const std::string chunk(1000, 'x');
  size_t capacity = 0;
  for (int round = 0; round < 5; ++round) {
    Bytes input = concat({binary(chunk, false), continuation(chunk)});
    REQUIRE(reader.feed(input, recorder) == ReadStatus::kOk);
    CHECK(reader.buffered_bytes() == 0);
    if (round == 0) capacity = reader.retained_bytes();
    CHECK(reader.retained_bytes() >= 2000);
    CHECK(reader.retained_bytes() == capacity);  // steady state: no new allocation
  }
  // A message bigger than kRetainedBufferBytes is delivered, then its buffer given back.
  ReaderLimits limits;
  limits.max_message_size = 1 << 20;
  MessageReader big(limits);
  const std::string half(MessageReader::kRetainedBufferBytes, 'y');
  Bytes input = concat({binary(half, false), continuation(half)});
  REQUIRE(big.feed(input, recorder) == ReadStatus::kOk);
  CHECK(recorder.log.back().size() == std::string("binary ").size() + 2 * half.size());
  CHECK(big.retained_bytes() == 0);
}

TEST_CASE("feeding an empty span does nothing") {
  MessageReader reader;
  Recorder recorder;
  CHECK(reader.feed(std::span<uint8_t>(), recorder) == ReadStatus::kOk);
  CHECK(reader.consumed() == 0);
  CHECK(recorder.log.empty());
}

TEST_CASE("random frame streams give the same callbacks however they are chunked") {
  // A seeded generator (reproducible) of streams mixing fragmented text with characters split
  // across fragments, binary, control frames between fragments, occasional corrupt bytes,
  // protocol violations and closes. Each stream is fed whole, byte by byte and in random chunks.
  std::mt19937 rng(6455);
  auto chance = [&](int percent) { return static_cast<int>(rng() % 100) < percent; };
  const std::string_view alphabet[] = {
      "a", "Z", " ", "{", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xCE\xBA"};
  size_t statuses[4] = {0, 0, 0, 0};
  size_t swaps = 0;
  for (int round = 0; round < 300; ++round) {
    Bytes stream;
    const int messages = 1 + static_cast<int>(rng() % 5);
    for (int m = 0; m < messages; ++m) {
      const bool is_text = chance(60);
      std::string payload;
      const size_t target = std::vector<size_t>{0, 1, 7, 125, 126, 300}[rng() % 6];
      while (payload.size() < target) payload += alphabet[rng() % std::size(alphabet)];
      if (chance(10) && !payload.empty())
        payload[rng() % payload.size()] = static_cast<char>(0x80 + rng() % 128);
      // Cut the message into 1-3 fragments at arbitrary bytes, with control frames between.
      std::vector<size_t> cuts = {0, payload.size()};
      for (int c = static_cast<int>(rng() % 3); c > 0; --c)
        cuts.push_back(rng() % (payload.size() + 1));
      std::sort(cuts.begin(), cuts.end());
      for (size_t f = 0; f + 1 < cuts.size(); ++f) {
        const std::string piece = payload.substr(cuts[f], cuts[f + 1] - cuts[f]);
        const bool fin = f + 2 == cuts.size();
        const uint8_t op = f == 0 ? (is_text ? 0x1 : 0x2) : 0x0;
        stream = concat({stream, frame({.opcode = op, .fin = fin}, piece)});
        if (!fin && chance(30)) stream = concat({stream, chance(50) ? ping("pi") : pong("")});
      }
      if (chance(3)) stream = concat({stream, continuation("stray")});
      if (chance(3)) stream = concat({stream, frame({.opcode = 0x2, .masked = false}, "u")});
    }
    if (chance(30)) stream = concat({stream, close_with(chance(80) ? 1000 : 1005, "bye")});
    if (chance(20)) stream = concat({stream, text("after")});

    ReaderLimits limits;
    limits.max_message_size = chance(20) ? 200 : 1 << 20;
    const Outcome expected = feed_whole(stream, limits);
    ++statuses[static_cast<size_t>(expected.status)];
    std::vector<size_t> every;
    for (size_t i = 1; i < stream.size(); ++i) every.push_back(i);
    for (int variant = 0; variant < 6; ++variant) {
      std::vector<size_t> cuts;
      if (variant == 0) {
        cuts = every;
      } else {
        for (size_t at = 0; at < stream.size();) {
          at += 1 + rng() % (variant * 40);
          if (at < stream.size()) cuts.push_back(at);
        }
      }
      MessageReader reader(limits);
      Recorder recorder;
      const Outcome got = feed_chunks(reader, recorder, stream, cuts);
      CAPTURE(round);
      CAPTURE(variant);
      REQUIRE(got.log == expected.log);
      REQUIRE(got.status == expected.status);
      if (variant == 0 || variant == 5) {
        // The same cuts, but whenever the reader is at rest it is put aside and reading goes
        // on with another one, reset() from whatever it read before (server::Connection lends
        // readers this way): at_rest() must only be true when nothing would be lost.
        MessageReader readers[2] = {MessageReader(limits), MessageReader(limits)};
        int current = 0;
        Recorder swapping;
        Bytes copy = stream;
        ReadStatus status = ReadStatus::kOk;
        size_t begin = 0;
        for (size_t c = 0; c <= cuts.size() && status == ReadStatus::kOk; ++c) {
          const size_t end = c < cuts.size() ? cuts[c] : copy.size();
          status = readers[current].feed({copy.data() + begin, end - begin}, swapping);
          begin = end;
          if (status == ReadStatus::kOk && readers[current].at_rest()) {
            current = 1 - current;
            readers[current].reset(limits);
            ++swaps;
          }
        }
        REQUIRE(swapping.log == expected.log);
        REQUIRE(status == expected.status);
      }
    }
  }
  CHECK(swaps > 500);   // the swapping path was really taken, byte by byte and in chunks
  // The generator really reaches the interesting outcomes.
  CHECK(statuses[static_cast<size_t>(ReadStatus::kOk)] > 20);
  CHECK(statuses[static_cast<size_t>(ReadStatus::kClosed)] > 20);
  CHECK(statuses[static_cast<size_t>(ReadStatus::kFailed)] > 20);
}

TEST_CASE("at_rest: only between messages with nothing half read, and never after Close or failure") {
  MessageReader reader;
  Recorder recorder;
  CHECK(reader.at_rest());
  auto feed = [&](Bytes bytes) { return reader.feed(bytes, recorder); };

  Bytes whole = text("hello");
  feed(Bytes(whole.begin(), whole.begin() + 1));  // one header byte
  CHECK_FALSE(reader.at_rest());
  feed(Bytes(whole.begin() + 1, whole.begin() + 8));  // header done, payload partly here
  CHECK_FALSE(reader.at_rest());
  feed(Bytes(whole.begin() + 8, whole.end()));
  CHECK(reader.at_rest());

  feed(text("frag", false));  // a fragmented message is open
  CHECK_FALSE(reader.at_rest());
  feed(ping("x"));  // a whole control frame between fragments: the message is still open
  CHECK_FALSE(reader.at_rest());
  feed(continuation("ment"));
  CHECK(reader.at_rest());
  CHECK(recorder.log == Log{"text hello", "ping x", "text fragment"});

  CHECK(feed(close_with(1000, "")) == ReadStatus::kClosed);
  CHECK_FALSE(reader.at_rest());  // bytes after a Close must still be ignored
  reader.reset({});
  CHECK(reader.at_rest());
  CHECK(feed(text("again")) == ReadStatus::kOk);
  CHECK(recorder.log.back() == "text again");

  CHECK(feed(frame({.opcode = 0x3}, "")) == ReadStatus::kFailed);  // reserved opcode
  CHECK_FALSE(reader.at_rest());
  ReaderLimits small;
  small.max_message_size = 2;
  reader.reset(small);  // the new limits apply
  CHECK(feed(text("abc")) == ReadStatus::kFailed);
  CHECK(recorder.log.back().rfind("error 1009", 0) == 0);
}
