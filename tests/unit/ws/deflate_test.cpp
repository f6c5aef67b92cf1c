// permessage-deflate transform (RFC 7692 §7.2): round trips, the 00 00 ff ff tail, context
// takeover, the RFC's own examples, and the inflater split at every byte.
#include "ws/deflate.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::ws;

namespace {

// Feeds `in` to the inflater through `buffer` (its size is the room per call), appending the
// output to `out`, until zlib has taken all of it.
void inflate_piece(Inflater& inflater, std::span<const uint8_t> in, std::vector<uint8_t>& buffer,
                   std::string& out) {
  size_t used = 0;
  for (;;) {
    const InflateStep step = inflater.inflate(in.subspan(used), buffer);
    REQUIRE(step.status != InflateStatus::kError);
    used += step.consumed;
    out.append(reinterpret_cast<const char*>(buffer.data()), step.produced);
    if (step.status == InflateStatus::kOk) break;
  }
  REQUIRE(used == in.size());
}

// Inflates a whole compressed message (tail appended, §7.2.2) with room `room` per call.
std::string inflate_all(Inflater& inflater, std::span<const uint8_t> data, size_t room = 4096) {
  std::string out;
  std::vector<uint8_t> buffer(room);
  inflate_piece(inflater, data, buffer, out);
  inflate_piece(inflater, kDeflateTail, buffer, out);
  return out;
}

std::vector<uint8_t> compress(Deflater& deflater, std::string_view text, bool reset_after) {
  std::vector<uint8_t> out;
  REQUIRE(deflater.compress_message({reinterpret_cast<const uint8_t*>(text.data()), text.size()},
                                    out, reset_after));
  return out;
}

}  // namespace

TEST_CASE("deflate: RFC 7692 §7.2.3.1 example inflates to Hello") {
  Inflater inflater(15);
  const std::vector<uint8_t> hello = {0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00};
  CHECK(inflate_all(inflater, hello) == "Hello");
}

TEST_CASE("deflate: §7.2.3.2 shared window, the second Hello refers back to the first") {
  Inflater inflater(15);
  CHECK(inflate_all(inflater, std::vector<uint8_t>{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) ==
        "Hello");
  CHECK(inflate_all(inflater, std::vector<uint8_t>{0xf2, 0x00, 0x11, 0x00, 0x00}) == "Hello");
}

TEST_CASE("deflate: §7.2.3.3 stored block and §7.2.3.4 BFINAL block") {
  Inflater inflater(15);
  CHECK(inflate_all(inflater, std::vector<uint8_t>{0x00, 0x05, 0x00, 0xfa, 0xff, 0x48, 0x65, 0x6c,
                                                   0x6c, 0x6f, 0x00}) == "Hello");
  Inflater final_block(15);
  CHECK(inflate_all(final_block, std::vector<uint8_t>{0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00,
                                                      0x00}) == "Hello");
  // And a message after it still inflates (the stream restarted).
  CHECK(inflate_all(final_block, std::vector<uint8_t>{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) ==
        "Hello");
}

TEST_CASE("deflate: compress_message strips the tail and round-trips") {
  Deflater deflater(15, 8);
  REQUIRE(deflater.ok());
  const std::vector<uint8_t> hello = compress(deflater, "Hello", true);
  // §7.2.3.1: exactly the RFC's bytes.
  CHECK(hello == std::vector<uint8_t>{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  Inflater inflater(15);
  CHECK(inflate_all(inflater, hello) == "Hello");
  // An empty message compresses to a single 0x00 (an empty block with no tail, §7.2.3.6).
  const std::vector<uint8_t> empty = compress(deflater, "", true);
  CHECK(empty == std::vector<uint8_t>{0x00});
  CHECK(inflate_all(inflater, empty).empty());
}

TEST_CASE("deflate: context takeover makes the second message smaller, reset does not") {
  const std::string text =
      R"({"event":"message","room":"general","data":{"text":"hello world, hello world"}})";
  Deflater keep(15, 8);
  const std::vector<uint8_t> first = compress(keep, text, false);
  const std::vector<uint8_t> second = compress(keep, text, false);
  CHECK(second.size() < first.size() / 2);
  Inflater inflater(15);
  CHECK(inflate_all(inflater, first) == text);
  CHECK(inflate_all(inflater, second) == text);  // needs the first message's window

  Deflater fresh(15, 8);
  const std::vector<uint8_t> a = compress(fresh, text, true);
  const std::vector<uint8_t> b = compress(fresh, text, true);
  CHECK(a == b);
  Inflater independent(15);
  CHECK(inflate_all(independent, b) == text);  // stands alone
}

TEST_CASE("deflate: every window size round-trips large, repetitive and random data") {
  std::string big;
  uint32_t seed = 12345;
  for (int i = 0; i < 300000; ++i) {
    seed = seed * 1103515245u + 12345u;
    big.push_back(i % 3 == 0 ? static_cast<char>(seed >> 24) : static_cast<char>('a' + i % 17));
  }
  for (uint8_t bits = 9; bits <= 15; ++bits) {
    CAPTURE(static_cast<int>(bits));
    Deflater deflater(bits, 8);
    REQUIRE(deflater.ok());
    const std::vector<uint8_t> packed = compress(deflater, big, true);
    CHECK(packed.size() < big.size());
    Inflater inflater(bits);
    CHECK(inflate_all(inflater, packed, 1000) == big);
  }
}

TEST_CASE("deflate: the inflater gives the same output split at every byte, with any room") {
  const std::string text =
      "The quick brown fox jumps over the lazy dog. The quick brown fox! {\"a\":[1,2,3,1,2,3]}";
  Deflater deflater(15, 8);
  std::vector<uint8_t> packed = compress(deflater, text, true);
  packed.insert(packed.end(), std::begin(kDeflateTail), std::end(kDeflateTail));
  for (size_t split = 0; split <= packed.size(); ++split) {
    for (size_t room : {size_t{1}, size_t{7}, size_t{4096}}) {
      CAPTURE(split);
      CAPTURE(room);
      Inflater inflater(15);
      std::string out;
      std::vector<uint8_t> buffer(room);
      for (std::span<const uint8_t> part : {std::span<const uint8_t>(packed).first(split),
                                            std::span<const uint8_t>(packed).subspan(split)}) {
        inflate_piece(inflater, part, buffer, out);
      }
      CHECK(out == text);
    }
  }
}

TEST_CASE("deflate: invalid data is an error, not a crash") {
  Inflater inflater(15);
  std::vector<uint8_t> out(64);
  // BTYPE=11 is reserved (RFC 1951 §3.2.3).
  const std::vector<uint8_t> bad = {0xff, 0xff, 0xff};
  CHECK(inflater.inflate(bad, out).status == InflateStatus::kError);
  inflater.reset();
  CHECK(inflate_all(inflater, std::vector<uint8_t>{0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}) ==
        "Hello");
}

TEST_CASE("deflate: output is bounded by the room the caller gives (a bomb stops at the cap)") {
  // 10 MB of zeros compresses to about 10 KB.
  const std::string zeros(10'000'000, '\0');
  Deflater deflater(15, 8);
  const std::vector<uint8_t> bomb = compress(deflater, zeros, true);
  CHECK(bomb.size() < 20'000);
  Inflater inflater(15);
  std::vector<uint8_t> out(65537);
  const InflateStep step = inflater.inflate(bomb, out);
  CHECK(step.status == InflateStatus::kOutputFull);
  CHECK(step.produced == out.size());
  CHECK(step.consumed < bomb.size());
}

TEST_CASE("deflate: zlib memory is counted and returned") {
  const size_t before = zlib_bytes_in_use();
  {
    Deflater deflater(15, 8);
    Inflater inflater(15);
    std::vector<uint8_t> out(16);
    inflater.inflate(std::vector<uint8_t>{0xf2, 0x48}, out);  // inflate allocates its window lazily
    CHECK(zlib_bytes_in_use() > before + 200'000);
  }
  CHECK(zlib_bytes_in_use() == before);
  {
    Deflater small(9, 1);
    CHECK(zlib_bytes_in_use() < before + 20'000);
  }
}
