// base64url: RFC 4648 §10 vectors, the URL-safe alphabet, and strictness — every padding,
// alphabet, length and non-canonical-bits error a token might carry is refused, and every
// accepted string round-trips to itself (one encoding per byte string).
#include "app/auth/base64url.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace wsrelay::app::auth;

namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

bool decodes(std::string_view text) {
  std::string out;
  return base64url_decode(text, out);
}

std::string decode(std::string_view text) {
  std::string out;
  REQUIRE(base64url_decode(text, out));
  return out;
}

}  // namespace

TEST_CASE("base64url: RFC 4648 §10 test vectors, without padding") {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},          {"f", "Zg"},         {"fo", "Zm8"},       {"foo", "Zm9v"},
      {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
  };
  for (const auto& vector : vectors) {
    const std::string_view plain = vector.first;
    const std::string_view encoded = vector.second;
    CAPTURE(plain);
    CHECK(base64url_encode(plain) == encoded);
    CHECK(decode(encoded) == plain);
  }
}

TEST_CASE("base64url: uses '-' and '_' where base64 uses '+' and '/'") {
  // 0xFB 0xFF 0xBF is "+/+/" in standard base64 (62, 63, 62, 63).
  const std::string bytes = "\xFB\xFF\xBF";
  CHECK(base64url_encode(bytes) == "-_-_");
  CHECK(decode("-_-_") == bytes);
  CHECK_FALSE(decodes("+/+/"));
  CHECK_FALSE(decodes("-_+_"));
  CHECK_FALSE(decodes("-_-/"));
}

TEST_CASE("base64url: every byte value and length round-trips") {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37 + 11));
    const std::string encoded = base64url_encode(bytes);
    CHECK(encoded.size() == (bytes.size() * 4 + 2) / 3);
    CHECK(encoded.find('=') == std::string::npos);
    std::string back;
    REQUIRE(base64url_decode(encoded, back));
    CHECK(back == bytes);
    CHECK(base64url_decoded_size(encoded.size()) == bytes.size());
  }
}

TEST_CASE("base64url: padding is refused wherever it appears") {
  CHECK_FALSE(decodes("Zg=="));
  CHECK_FALSE(decodes("Zg="));
  CHECK_FALSE(decodes("Zm8="));
  CHECK_FALSE(decodes("===="));
  CHECK_FALSE(decodes("="));
  CHECK_FALSE(decodes("Zm=v"));
}

TEST_CASE("base64url: characters outside the alphabet are refused") {
  for (int c = 0; c < 256; ++c) {
    const char ch = static_cast<char>(c);
    std::string text = "Zm9v";
    text[2] = ch;
    CAPTURE(c);
    CHECK(decodes(text) == (kAlphabet.find(ch) != std::string_view::npos));
  }
  CHECK_FALSE(decodes("Zm9v\n"));
  CHECK_FALSE(decodes(" Zm9v"));
  CHECK_FALSE(decodes(std::string_view("Zm\0v", 4)));
}

TEST_CASE("base64url: a length of 4k+1 cannot hold whole bytes") {
  CHECK_FALSE(decodes("Z"));
  CHECK_FALSE(decodes("Zm9vY"));
  CHECK_FALSE(decodes("Zm9vYmFyZ"));
}

TEST_CASE("base64url: exhaustive 2- and 3-character strings, canonical bits only") {
  // Two characters carry 12 bits for one byte: the low 4 bits of the second must be zero.
  // Three characters carry 18 bits for two bytes: the low 2 bits of the third must be zero.
  // Whatever decodes must re-encode to exactly the same text.
  size_t accepted2 = 0;
  size_t accepted3 = 0;
  std::string text(3, 'A');
  std::string out;
  for (size_t a = 0; a < 64; ++a) {
    for (size_t b = 0; b < 64; ++b) {
      text.assign({kAlphabet[a], kAlphabet[b]});
      const bool ok2 = base64url_decode(text, out);
      CHECK(ok2 == ((b & 0x0F) == 0));
      if (ok2) {
        ++accepted2;
        CHECK(base64url_encode(out) == text);
      }
      for (size_t c = 0; c < 64; ++c) {
        text.assign({kAlphabet[a], kAlphabet[b], kAlphabet[c]});
        const bool ok3 = base64url_decode(text, out);
        if (ok3 != ((c & 0x03) == 0)) FAIL_CHECK("wrong verdict for " << text);
        if (ok3) {
          ++accepted3;
          if (base64url_encode(out) != text) FAIL_CHECK("not canonical: " << text);
        }
      }
    }
  }
  CHECK(accepted2 == 256);    // one encoding per byte value
  CHECK(accepted3 == 65536);  // one encoding per pair of bytes
}

TEST_CASE("base64url: decoding replaces the output") {
  std::string out = "left over";
  REQUIRE(base64url_decode("Zm9v", out));
  CHECK(out == "foo");
  REQUIRE(base64url_decode("", out));
  CHECK(out.empty());
}
