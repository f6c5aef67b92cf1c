// UTF-8 validator: Unicode Table 3-7 boundaries, every code point, fail-fast positions, and
// the same verdict whatever way the bytes are split.
#include "ws/utf8.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::ws;

namespace {

std::vector<uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

// Straightforward encoder, independent of the validator's tables.
std::vector<uint8_t> encode(uint32_t cp) {
  if (cp < 0x80) return {static_cast<uint8_t>(cp)};
  if (cp < 0x800)
    return {static_cast<uint8_t>(0xC0 | (cp >> 6)), static_cast<uint8_t>(0x80 | (cp & 0x3F))};
  if (cp < 0x10000)
    return {static_cast<uint8_t>(0xE0 | (cp >> 12)),
            static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
            static_cast<uint8_t>(0x80 | (cp & 0x3F))};
  return {static_cast<uint8_t>(0xF0 | (cp >> 18)), static_cast<uint8_t>(0x80 | ((cp >> 12) & 0x3F)),
          static_cast<uint8_t>(0x80 | ((cp >> 6) & 0x3F)),
          static_cast<uint8_t>(0x80 | (cp & 0x3F))};
}

// Reference check of ONE complete sequence by decoding its bits (the RFC 3629 definition:
// shortest form, no surrogates, at most U+10FFFF) rather than by byte ranges.
bool reference_valid_sequence(const std::vector<uint8_t>& s) {
  const uint8_t lead = s[0];
  size_t length;
  uint32_t cp;
  if (lead < 0x80) {
    length = 1;
    cp = lead;
  } else if ((lead & 0xE0) == 0xC0) {
    length = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    length = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    length = 4;
    cp = lead & 0x07;
  } else {
    return false;
  }
  if (s.size() != length) return false;
  for (size_t i = 1; i < length; ++i) {
    if ((s[i] & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (s[i] & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[length]) return false;
  if (cp > 0x10FFFF) return false;
  return cp < 0xD800 || cp > 0xDFFF;
}

// Index of the first byte at which a byte-by-byte feed fails, or -1 when none does.
long fail_index_bytewise(const std::vector<uint8_t>& bytes) {
  Utf8Validator v;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (!v.feed(std::span<const uint8_t>(&bytes[i], 1))) return static_cast<long>(i);
  }
  return -1;
}

// The same, found through one-shot feeds of growing prefixes (exercises the ASCII fast path).
long fail_index_prefixes(const std::vector<uint8_t>& bytes) {
  for (size_t n = 1; n <= bytes.size(); ++n) {
    Utf8Validator v;
    if (!v.feed(std::span<const uint8_t>(bytes.data(), n))) return static_cast<long>(n - 1);
  }
  return -1;
}

}  // namespace

TEST_CASE("empty input is valid and complete") {
  Utf8Validator v;
  CHECK(v.complete());
  CHECK(v.feed(std::span<const uint8_t>()));
  CHECK(v.feed(std::string_view()));
  CHECK(v.complete());
  CHECK(is_valid_utf8(std::string_view()));
}

TEST_CASE("boundary code points of every row of Table 3-7 are valid") {
  for (uint32_t cp : {0x0u,     0x41u,    0x7Fu,    0x80u,    0x7FFu,    0x800u,   0xFFFu,
                      0x1000u,  0xCFFFu,  0xD000u,  0xD7FFu,  0xE000u,   0xFFFDu,  0xFFFFu,
                      0x10000u, 0x3FFFFu, 0x40000u, 0xFFFFFu, 0x100000u, 0x10FFFFu}) {
    CAPTURE(cp);
    const auto s = encode(cp);
    CHECK(is_valid_utf8(s));
    CHECK(fail_index_bytewise(s) == -1);
  }
  CHECK(is_valid_utf8(
      std::string_view("Hello-\xC2\xB5@\xC3\x9F\xC3\xB6\xC3\xA4\xC3\xBC\xC3\xA0\xC3\xA1-UTF-8!!")));
  CHECK(is_valid_utf8(std::string_view("\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5")));  // κόσμε
  CHECK(is_valid_utf8(std::string_view("\xF0\x9F\x98\x80 grin")));
}

TEST_CASE("every Unicode scalar value is valid; every encoded surrogate fails at byte 1") {
  for (uint32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    const auto s = encode(cp);
    if (cp >= 0xD800 && cp <= 0xDFFF) {
      Utf8Validator v;
      REQUIRE(v.feed(std::span<const uint8_t>(s.data(), 1)));  // ED is a fine lead byte
      REQUIRE_FALSE(v.feed(std::span<const uint8_t>(s.data() + 1, 1)));
    } else {
      REQUIRE(is_valid_utf8(s));
    }
  }
}

TEST_CASE("all 2- and 3-byte sequences agree with a bit-decoding reference") {
  for (unsigned a = 0x80; a < 0x100; ++a) {
    for (unsigned b = 0; b < 0x100; ++b) {
      const std::vector<uint8_t> s = {static_cast<uint8_t>(a), static_cast<uint8_t>(b)};
      CAPTURE(a);
      CAPTURE(b);
      REQUIRE(is_valid_utf8(s) ==
              (reference_valid_sequence(s) ||
               (reference_valid_sequence({s[0]}) && reference_valid_sequence({s[1]}))));
    }
  }
  for (unsigned a = 0xE0; a <= 0xEF; ++a) {
    for (unsigned b = 0; b < 0x100; ++b) {
      for (unsigned c = 0x80; c < 0xC0; ++c) {  // only continuation thirds can complete it
        const std::vector<uint8_t> s = {static_cast<uint8_t>(a), static_cast<uint8_t>(b),
                                        static_cast<uint8_t>(c)};
        REQUIRE(is_valid_utf8(s) == reference_valid_sequence(s));
      }
    }
  }
  // 4-byte: sweep the second byte for every lead (that is where all the special ranges are),
  // then the third and fourth bytes with a good second byte.
  for (unsigned a = 0xF0; a <= 0xFF; ++a) {
    for (unsigned b = 0; b < 0x100; ++b) {
      const std::vector<uint8_t> s = {static_cast<uint8_t>(a), static_cast<uint8_t>(b), 0x80, 0xBF};
      REQUIRE(is_valid_utf8(s) == reference_valid_sequence(s));
    }
    for (unsigned x = 0; x < 0x100; ++x) {
      const std::vector<uint8_t> third = {static_cast<uint8_t>(a), 0x8F, static_cast<uint8_t>(x),
                                          0x80};
      const std::vector<uint8_t> fourth = {static_cast<uint8_t>(a), 0x8F, 0x80,
                                           static_cast<uint8_t>(x)};
      REQUIRE(is_valid_utf8(third) == reference_valid_sequence(third));
      REQUIRE(is_valid_utf8(fourth) == reference_valid_sequence(fourth));
    }
  }
}

TEST_CASE("invalid input fails at exactly the first byte that cannot continue") {
  struct Case {
    std::string_view bytes;
    long fail_at;
  };
  const Case cases[] = {
      {"\x80", 0},  // continuation without a lead byte
      {"abc\xBF", 3},
      {"\xC0\x80", 0},  // overlong NUL: C0 and C1 can never start anything
      {"\xC1\xBF", 0},
      {"\xE0\x80\x80", 1},  // overlong 3-byte form
      {"\xE0\x9F\xBF", 1},
      {"\xED\xA0\x80", 1},      // U+D800, high surrogate
      {"\xED\xBF\xBF", 1},      // U+DFFF, low surrogate
      {"\xF0\x80\x80\x80", 1},  // overlong 4-byte form
      {"\xF0\x8F\xBF\xBF", 1},
      {"\xF4\x90\x80\x80", 1},  // U+110000
      {"\xF5\x80\x80\x80", 0},  // F5..FF can never start anything
      {"\xF7\xBF\xBF\xBF", 0},
      {"\xF8\x88\x80\x80\x80", 0},      // old 5-byte form
      {"\xFC\x84\x80\x80\x80\x80", 0},  // old 6-byte form
      {"\xFE", 0},
      {"\xFF", 0},
      {"\xC2"
       "a",
       1},  // sequence cut short by a new character
      {"\xC2\xC2\xA9", 1},
      {"\xE1\x80"
       "a",
       2},
      {"\xF1\x80\x80"
       "a",
       3},
      {"\xF4\x8F\xBF\xC0", 3},
      // Autobahn 6.4.1: κόσμε followed by a surrogate; must fail at the A0, not later.
      {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xED\xA0\x80"
       "edited",
       12},
      // Autobahn 6.4.2: the same with an out-of-range 4-byte sequence.
      {"\xCE\xBA\xE1\xBD\xB9\xCF\x83\xCE\xBC\xCE\xB5\xF4\x90\x80\x80"
       "edited",
       12},
  };
  for (const Case& c : cases) {
    CAPTURE(c.bytes);
    const auto bytes = bytes_of(c.bytes);
    CHECK(fail_index_bytewise(bytes) == c.fail_at);
    CHECK(fail_index_prefixes(bytes) == c.fail_at);
    CHECK_FALSE(is_valid_utf8(bytes));
  }
}

TEST_CASE("a truncated sequence is a valid prefix but not complete") {
  for (std::string_view prefix : {"\xC2", "\xDF", "\xE0\xA0", "\xE1\x80", "\xED\x9F", "\xF0\x90",
                                  "\xF0\x90\x80", "\xF1\x80\x80", "\xF4\x8F\xBF", "abc\xE2\x82"}) {
    CAPTURE(prefix);
    Utf8Validator v;
    CHECK(v.feed(prefix));
    CHECK_FALSE(v.complete());
    CHECK_FALSE(v.failed());
    CHECK_FALSE(is_valid_utf8(prefix));
  }
}

TEST_CASE("a character split across feeds is accepted; failure is sticky until reset") {
  Utf8Validator v;
  CHECK(v.feed(std::string_view("\xF0\x9F")));
  CHECK_FALSE(v.complete());
  CHECK(v.feed(std::string_view("\x98")));
  CHECK(v.feed(std::string_view("\x80!")));
  CHECK(v.complete());
  CHECK_FALSE(v.feed(std::string_view("\xC0")));
  CHECK(v.failed());
  CHECK_FALSE(v.complete());
  CHECK_FALSE(v.feed(std::string_view("a")));  // stays failed
  v.reset();
  CHECK(v.complete());
  CHECK(v.feed(std::string_view("a")));
}

TEST_CASE("the ASCII fast path finds a bad byte at every offset") {
  // Long ASCII runs go through the 8-bytes-at-a-time path; put the bad byte (or a multi-byte
  // character) at every position relative to the 8-byte words.
  for (size_t pos = 0; pos < 40; ++pos) {
    CAPTURE(pos);
    std::vector<uint8_t> bad(48, 'x');
    bad[pos] = 0xFF;
    CHECK(fail_index_prefixes(bad) == static_cast<long>(pos));
    Utf8Validator v;
    CHECK_FALSE(v.feed(bad));

    std::vector<uint8_t> good(48, 'y');
    const auto euro = encode(0x20AC);  // E2 82 AC straddles word boundaries at some positions
    std::copy(euro.begin(), euro.end(), good.begin() + static_cast<long>(pos));
    CHECK(is_valid_utf8(good));

    // A NUL is ASCII and valid.
    std::vector<uint8_t> nul(48, 'z');
    nul[pos] = 0;
    CHECK(is_valid_utf8(nul));
  }
}

TEST_CASE("any split of a mixed text gives the same verdict as one feed") {
  std::vector<uint8_t> text;
  for (uint32_t cp : {0x48u, 0x65u, 0xB5u, 0x20ACu, 0x10348u, 0x7Fu, 0x800u, 0xFFFDu, 0x10FFFFu})
    for (uint8_t b : encode(cp)) text.push_back(b);
  for (char c : std::string_view("plain ascii tail that is long enough"))
    text.push_back(static_cast<uint8_t>(c));
  std::vector<uint8_t> broken = text;
  broken[9] = 0xC0;  // lands inside the 4-byte U+10348

  for (size_t i = 0; i <= text.size(); ++i) {
    for (size_t j = i; j <= text.size(); ++j) {
      Utf8Validator v;
      const std::span<const uint8_t> all(text);
      REQUIRE(v.feed(all.first(i)));
      REQUIRE(v.feed(all.subspan(i, j - i)));
      REQUIRE(v.feed(all.subspan(j)));
      REQUIRE(v.complete());

      Utf8Validator w;
      const std::span<const uint8_t> bad(broken);
      const bool first = w.feed(bad.first(i));
      const bool second = w.feed(bad.subspan(i, j - i));
      const bool third = w.feed(bad.subspan(j));
      // The failure is reported by the piece that holds byte 9, and by every piece after it.
      REQUIRE(first == (i <= 9));
      REQUIRE(second == (j <= 9));
      REQUIRE_FALSE(third);
    }
  }
}
