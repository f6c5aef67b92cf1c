// HS256 token verification: an external test vector (RFC 7515 A.1) and one made by an
// independent implementation, then every rejection path — size, shape, base64, header,
// algorithm, signature, time claims at their exact boundaries, and each identity claim.
#include "app/auth/jwt.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <string>
#include <vector>

#include "app/auth/base64url.hpp"

using namespace wsrelay::app::auth;

namespace {

constexpr std::string_view kSecret = "test-secret-0123456789";
constexpr int64_t kNow = 1'700'000'000;
constexpr std::string_view kHeader = R"({"alg":"HS256","typ":"JWT"})";

VerifyOptions options(int64_t now = kNow, int64_t skew = 30) {
  VerifyOptions o;
  o.secret = kSecret;
  o.now = now;
  o.clock_skew = skew;
  return o;
}

VerifyResult verify(std::string_view token, const VerifyOptions& o = options()) {
  return verify_token(token, o);
}

// A token with the standard header and these claims, correctly signed with kSecret.
std::string token_with_claims(std::string_view claims) {
  return mint_token_raw(kHeader, claims, kSecret);
}

std::string token_with_header(std::string_view header) {
  return mint_token_raw(header, R"({"sub":"u1","exp":1700000100})", kSecret);
}

// A token whose segments are given already encoded, signed over them as they are.
std::string signed_segments(std::string_view header_b64, std::string_view claims_b64) {
  std::string input = std::string(header_b64) + "." + std::string(claims_b64);
  return input + "." + hs256_signature(input, kSecret);
}

std::string exp_claims(std::string_view exp) {
  return std::string(R"({"sub":"u1","exp":)") + std::string(exp) + "}";
}

}  // namespace

TEST_CASE("jwt: RFC 7515 Appendix A.1 example verifies its signature") {
  // The RFC's key (a JWK "k"), header and payload, byte for byte, including the CR LFs.
  std::string key;
  REQUIRE(base64url_decode(
      "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
      key));
  const std::string signing_input =
      "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9."
      "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
  CHECK(hs256_signature(signing_input, key) == "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");

  const std::string token = signing_input + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
  VerifyOptions o = options(1'300'819'000);
  o.secret = key;
  // Header, alg, typ and signature all pass; the example simply has no `sub` for us.
  VerifyResult r = verify_token(token, o);
  CHECK(r.error == TokenError::kMissingClaim);
  CHECK(r.reason == "sub claim missing");
  // And it expired in 2011.
  o.now = 1'300'819'380 + 30;
  CHECK(verify_token(token, o).error == TokenError::kExpired);
  o.secret = "another key";
  CHECK(verify_token(token, o).error == TokenError::kBadSignature);
}

TEST_CASE("jwt: a token minted the way docs/security.md mints it in PHP") {
  // Made by an independent implementation (Python's hmac/base64/json, mirroring PHP's
  // hash_hmac + json_encode, with `typ` before `alg` as firebase/php-jwt writes it).
  const std::string token =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
      "eyJzdWIiOiI0MiIsIm5hbWUiOiJBbm4iLCJyb29tcyI6WyJ2aXAiLCJ0ZWFtLTctKiJdLCJpYXQiOjE3MDAwMDAwMDAs"
      "Im5iZiI6MTcwMDAwMDAwMCwiZXhwIjoxNzAwMDAzNjAwfQ."
      "k_hnqbdX_gChs80ZHATCKwtN1uWc2A1Si4O1fwXh33I";
  VerifyOptions o = options(1'700'000'100);
  o.secret = "change-me-to-a-long-random-string";
  const VerifyResult r = verify_token(token, o);
  REQUIRE(r.ok());
  CHECK(r.identity.user_id == "42");
  CHECK(r.identity.room_patterns == std::vector<std::string>{"vip", "team-7-*"});
  CHECK(r.identity.user_info == R"({"name":"Ann"})");
  CHECK(r.identity.expires_at == 1'700'003'600);
}

TEST_CASE("jwt: a token minted by PHP 8.2 with the plain hash_hmac function of docs/security.md") {
  // Output of that function (php-cli 8.2) with NOW=1700000000, an integer sub, a UTF-8 name with
  // quotes and a slash, and an info object; secret: 40 times 'x'.
  const std::string token =
      "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9."
      "eyJzdWIiOjQyLCJuYW1lIjoiWm_DqyBcIlpcIiAvIGFkbWluIiwicm9vbXMiOlsidmlwIiwicHJpdmF0ZS10ZWFtLTct"
      "KiJdLCJpbmZvIjp7ImF2YXRhciI6Imh0dHBzOi8vZXhhbXBsZS5jb20vYS5wbmcifSwiaWF0IjoxNzAwMDAwMDAwLCJu"
      "YmYiOjE3MDAwMDAwMDAsImV4cCI6MTcwMDAwMDMwMH0."
      "qRzTbfnJryhOe48PG4WyYQu36wEzlzCBYsMD4QJkm3E";
  const std::string secret(40, 'x');
  VerifyOptions o = options(1'700'000'100);
  o.secret = secret;
  const VerifyResult r = verify_token(token, o);
  REQUIRE(r.ok());
  CHECK(r.identity.user_id == "42");
  CHECK(r.identity.room_patterns == std::vector<std::string>{"vip", "private-team-7-*"});
  CHECK(r.identity.user_info ==
        "{\"name\":\"Zo\xc3\xab \\\"Z\\\" / admin\",\"avatar\":\"https://example.com/a.png\"}");
  o.now = 1'700'000'300 + 30;
  CHECK(verify_token(token, o).error == TokenError::kExpired);
}

TEST_CASE("jwt: mint_token round-trips through verify_token") {
  TokenClaims claims;
  claims.sub = "user \"7\" \\ é";
  claims.iat = kNow;
  claims.nbf = kNow;
  claims.exp = kNow + 3600;
  claims.rooms = {"vip", "private-team-*"};
  claims.name = "Zoë \"Z\"\n";
  const std::string token = mint_token(claims, kSecret);
  CHECK(std::count(token.begin(), token.end(), '.') == 2);
  const VerifyResult r = verify(token);
  REQUIRE(r.ok());
  CHECK(r.reason.empty());
  CHECK(r.identity.user_id == claims.sub);
  CHECK(r.identity.room_patterns == claims.rooms);
  CHECK(r.identity.expires_at == kNow + 3600);
  rapidjson::Document info;
  info.Parse(r.identity.user_info.c_str());
  REQUIRE(info.IsObject());
  CHECK(std::string(info["name"].GetString()) == claims.name);

  CHECK(verify(mint_token(claims, "other secret")).error == TokenError::kBadSignature);
}

TEST_CASE("jwt: a minimal valid token") {
  const VerifyResult r = verify(token_with_claims(R"({"sub":"u1","exp":1700000100})"));
  REQUIRE(r.ok());
  CHECK(r.identity.user_id == "u1");
  CHECK(r.identity.room_patterns.empty());
  CHECK(r.identity.user_info.empty());
  CHECK(r.identity.expires_at == 1'700'000'100);
}

TEST_CASE("jwt: exp at the clock-skew boundary") {
  // Valid while now < exp + skew.
  CHECK(verify(token_with_claims(exp_claims("1699999971"))).ok());  // now - 29
  const VerifyResult at = verify(token_with_claims(exp_claims("1699999970")));  // now - 30
  CHECK(at.error == TokenError::kExpired);
  CHECK(at.reason == "token expired");
  CHECK(verify(token_with_claims(exp_claims("1000"))).error == TokenError::kExpired);
  // Fractional NumericDate (RFC 7519 §2).
  CHECK(verify(token_with_claims(exp_claims("1699999970.5"))).ok());
  CHECK(verify(token_with_claims(exp_claims("1699999969.5"))).error == TokenError::kExpired);
  // Without skew: exp must be strictly after now.
  CHECK(verify(token_with_claims(exp_claims("1700000000")), options(kNow, 0)).error ==
        TokenError::kExpired);
  CHECK(verify(token_with_claims(exp_claims("1700000001")), options(kNow, 0)).ok());
  // A negative skew is treated as none, not as extra strictness gone wrong.
  CHECK(verify(token_with_claims(exp_claims("1700000000")), options(kNow, -100)).error ==
        TokenError::kExpired);
  CHECK(verify(token_with_claims(exp_claims("1700000001")), options(kNow, -100)).ok());
}

TEST_CASE("jwt: nbf at the clock-skew boundary") {
  const auto with_nbf = [](std::string_view nbf) {
    return token_with_claims(std::string(R"({"sub":"u1","exp":1700009999,"nbf":)") +
                             std::string(nbf) + "}");
  };
  // Valid once now >= nbf - skew.
  CHECK(verify(with_nbf("1700000030")).ok());
  const VerifyResult early = verify(with_nbf("1700000031"));
  CHECK(early.error == TokenError::kNotYetValid);
  CHECK(early.reason == "token not yet valid (nbf)");
  CHECK(verify(with_nbf("1700000030.5")).error == TokenError::kNotYetValid);
  CHECK(verify(with_nbf("1700000000"), options(kNow, 0)).ok());
  CHECK(verify(with_nbf("1700000001"), options(kNow, 0)).error == TokenError::kNotYetValid);
  CHECK(verify(with_nbf("0")).ok());
}

TEST_CASE("jwt: exp is required unless the caller says otherwise") {
  const std::string token = token_with_claims(R"({"sub":"u1"})");
  const VerifyResult r = verify(token);
  CHECK(r.error == TokenError::kMissingClaim);
  CHECK(r.reason == "exp claim missing");
  VerifyOptions o = options();
  o.require_exp = false;
  const VerifyResult lax = verify(token, o);
  REQUIRE(lax.ok());
  CHECK_FALSE(lax.identity.expires_at.has_value());
}

TEST_CASE("jwt: time claims of the wrong type") {
  for (const char* exp : {R"("1700000100")", "null", "true", "[1700000100]", "{}"}) {
    CAPTURE(exp);
    CHECK(verify(token_with_claims(exp_claims(exp))).error == TokenError::kBadClaim);
  }
  CHECK(verify(token_with_claims(R"({"sub":"u1","exp":1700000100,"nbf":"0"})")).error ==
        TokenError::kBadClaim);
}

TEST_CASE("jwt: expires_at rounds down and clamps") {
  CHECK(verify(token_with_claims(exp_claims("1700000100.9"))).identity.expires_at == 1700000100);
  CHECK(verify(token_with_claims(exp_claims("1e300"))).identity.expires_at == INT64_MAX);
  CHECK(verify(token_with_claims(exp_claims("18446744073709551615"))).identity.expires_at ==
        INT64_MAX);
}

TEST_CASE("jwt: wrong signatures") {
  const std::string good = token_with_claims(R"({"sub":"u1","exp":1700000100})");
  REQUIRE(verify(good).ok());
  const size_t dot2 = good.rfind('.');

  SUBCASE("signed with another secret") {
    const VerifyResult r = verify(mint_token_raw(kHeader, R"({"sub":"u1","exp":1700000100})",
                                                 "test-secret-0123456788"));
    CHECK(r.error == TokenError::kBadSignature);
    CHECK(r.reason == "signature does not match");
  }
  SUBCASE("claims changed after signing") {
    const std::string forged = base64url_encode(kHeader) + "." +
                               base64url_encode(R"({"sub":"admin","exp":1700000100})") +
                               good.substr(dot2);
    CHECK(verify(forged).error == TokenError::kBadSignature);
  }
  SUBCASE("empty, truncated or extended signature") {
    CHECK(verify(good.substr(0, dot2 + 1)).error == TokenError::kBadSignature);
    // 43 characters hold 32 bytes; 42 characters (31 bytes, canonical ending) is too short.
    std::string sig = good.substr(dot2 + 1);
    REQUIRE(sig.size() == 43);
    std::string bytes;
    REQUIRE(base64url_decode(sig, bytes));
    CHECK(verify(good.substr(0, dot2 + 1) + base64url_encode(bytes.substr(0, 31))).error ==
          TokenError::kBadSignature);
    CHECK(verify(good.substr(0, dot2 + 1) + base64url_encode(bytes + "x")).error ==
          TokenError::kBadSignature);
  }
  SUBCASE("no secret configured refuses even a token signed with an empty secret") {
    VerifyOptions o = options();
    o.secret = "";
    const std::string token = mint_token_raw(kHeader, R"({"sub":"u1","exp":1700000100})", "");
    const VerifyResult r = verify_token(token, o);
    CHECK(r.error == TokenError::kBadSignature);
    CHECK(r.reason == "no secret configured");
  }
}

TEST_CASE("jwt: changing any single character of a valid token never verifies") {
  const std::string good = token_with_claims(R"({"sub":"u1","exp":1700000100,"rooms":["a"]})");
  REQUIRE(verify(good).ok());
  for (size_t i = 0; i < good.size(); ++i) {
    for (const char replacement : {'A', 'B', 'g', 'Q', '-', '_', '.', '0'}) {
      if (good[i] == replacement) continue;
      std::string bad = good;
      bad[i] = replacement;
      const VerifyResult r = verify(bad);
      if (r.ok()) FAIL_CHECK("verified after changing position " << i << " to " << replacement);
    }
  }
}

TEST_CASE("jwt: alg must be exactly HS256") {
  for (const char* header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"alg":"HS512"})",
        R"({"alg":"HS384"})", R"({"alg":"RS256"})", R"({"alg":"hs256"})", R"({"alg":"HS256 "})",
        R"({"alg":""})", R"({"alg":256})", R"({"alg":["HS256"]})", R"({"alg":null})",
        R"({"alg":{"name":"HS256"}})", "{\"alg\":\"HS256\\u0000\"}"}) {
    CAPTURE(header);
    const VerifyResult r = verify(token_with_header(header));
    CHECK(r.error == TokenError::kBadAlg);
    CHECK(r.reason == "alg is not HS256");
  }
  const VerifyResult missing = verify(token_with_header(R"({"typ":"JWT"})"));
  CHECK(missing.error == TokenError::kBadAlg);
  CHECK(missing.reason == "header has no alg");
  CHECK(verify(token_with_header("{}")).error == TokenError::kBadAlg);
}

TEST_CASE("jwt: the classic alg:none forgery is refused") {
  // Unsigned token as an attacker would send it: header.payload. with an empty signature.
  const std::string forged = base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." +
                             base64url_encode(R"({"sub":"admin","exp":9999999999})") + ".";
  CHECK(verify(forged).error == TokenError::kBadAlg);
}

TEST_CASE("jwt: duplicate header members are refused in either order") {
  for (const char* header : {R"({"alg":"HS256","alg":"none"})", R"({"alg":"none","alg":"HS256"})",
                             R"({"alg":"HS256","typ":"JWT","typ":"JWT"})"}) {
    CAPTURE(header);
    const VerifyResult r = verify(token_with_header(header));
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "header has a duplicate member");
  }
}

TEST_CASE("jwt: typ, crit and other header members") {
  CHECK(verify(token_with_header(R"({"alg":"HS256"})")).ok());
  CHECK(verify(token_with_header(R"({"typ":"jwt","alg":"HS256"})")).ok());
  CHECK(verify(token_with_header(R"({"alg":"HS256","kid":"key-1"})")).ok());
  CHECK(verify(token_with_header(" {\r\n \"alg\" : \"HS256\" } ")).ok());
  for (const char* header : {R"({"alg":"HS256","typ":"at+jwt"})", R"({"alg":"HS256","typ":1})",
                             R"({"alg":"HS256","typ":null})"}) {
    CAPTURE(header);
    const VerifyResult r = verify(token_with_header(header));
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "typ is not JWT");
  }
  const VerifyResult crit = verify(token_with_header(R"({"alg":"HS256","crit":["exp"],"exp":1})"));
  CHECK(crit.error == TokenError::kMalformed);
  CHECK(crit.reason == "crit header is not supported");
}

TEST_CASE("jwt: header that is not a JSON object") {
  for (const char* header : {"", "not json", "[]", R"(["alg","HS256"])", R"("HS256")", "42",
                             "null", R"({"alg":"HS256")", R"({"alg":"HS256"}x)",
                             R"({"alg":"HS256"}{})", R"({'alg':'HS256'})",
                             "{\"alg\":\"HS256\",\"x\":\"\xff\"}"}) {
    CAPTURE(header);
    const VerifyResult r = verify(token_with_header(header));
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "header is not a JSON object");
  }
}

TEST_CASE("jwt: deeply nested JSON is refused without exhausting the stack") {
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  VerifyOptions o = options();
  o.max_token_size = 1 << 20;
  CHECK(verify_token(mint_token_raw(deep, "{}", kSecret), o).reason ==
        "header is not a JSON object");
  const std::string deep_claims =
      R"({"sub":"u","exp":1700000100,"x":)" + std::string(20000, '[') + std::string(20000, ']') + "}";
  CHECK(verify_token(mint_token_raw(kHeader, deep_claims, kSecret), o).reason ==
        "claims are not a JSON object");
  // Ordinary nesting in an ignored claim is fine.
  CHECK(verify(token_with_claims(R"({"sub":"u","exp":1700000100,"x":[[[[{"y":[1]}]]]]})")).ok());
}

TEST_CASE("jwt: escapes that do not decode to UTF-8 are refused") {
  // A lone surrogate escape would put bytes that are not UTF-8 into user_id.
  for (const char* claims : {R"({"sub":"a\udc00","exp":1700000100})",
                             R"({"sub":"a\ud800","exp":1700000100})",
                             R"({"sub":"a\ud800x","exp":1700000100})",
                             R"({"sub":"u","exp":1700000100,"name":"\udfff"})"}) {
    CAPTURE(claims);
    CHECK(verify(token_with_claims(claims)).reason == "claims are not a JSON object");
  }
  // A proper pair is a character like any other.
  const VerifyResult pair = verify(token_with_claims(R"({"sub":"\ud83d\ude00","exp":1700000100})"));
  REQUIRE(pair.ok());
  CHECK(pair.identity.user_id == "\xf0\x9f\x98\x80");
}

TEST_CASE("jwt: wrong number of segments") {
  const std::string good = token_with_claims(R"({"sub":"u1","exp":1700000100})");
  for (const std::string& token :
       {std::string(), std::string("abc"), std::string("."), std::string("abc.def"),
        good.substr(0, good.rfind('.')), good + ".", good + ".abc", good + "..",
        std::string("a.b.c.d.e"), "." + good}) {
    CAPTURE(token);
    const VerifyResult r = verify(token);
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "token is not three dot-separated segments");
  }
  CHECK(verify("..").error == TokenError::kMalformed);  // three empty segments: empty header
}

TEST_CASE("jwt: malformed base64 in any segment") {
  const std::string good = token_with_claims(R"({"sub":"u1","exp":1700000100})");
  const size_t dot1 = good.find('.');
  const size_t dot2 = good.rfind('.');
  const std::string header = good.substr(0, dot1);
  const std::string claims = good.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string signature = good.substr(dot2 + 1);
  const auto expect_base64_error = [](const std::string& token) {
    const VerifyResult r = verify(token);
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "segment is not valid unpadded base64url");
  };
  SUBCASE("header") {
    expect_base64_error(header + "=." + claims + "." + signature);
    expect_base64_error("eyJ+" + header.substr(4) + "." + claims + "." + signature);
    expect_base64_error(header + "A." + claims + "." + signature);  // length 4k+1
    expect_base64_error(" " + header + "." + claims + "." + signature);
  }
  SUBCASE("signature") {
    expect_base64_error(good + "=");
    expect_base64_error(good.substr(0, dot2 + 1) + "*" + signature.substr(1));
    // 43 characters: the last carries 2 unused bits, which must be zero.
    std::string noncanonical = signature;
    noncanonical.back() = noncanonical.back() == 'A' ? 'B' : 'A';
    if (std::string_view("AEIMQUYcgkosw048").find(noncanonical.back()) != std::string_view::npos) {
      noncanonical.back() = static_cast<char>(noncanonical.back() + 1);
    }
    expect_base64_error(good.substr(0, dot2 + 1) + noncanonical);
  }
  SUBCASE("claims, correctly signed over the bad text") {
    expect_base64_error(signed_segments(header, claims + "="));
    // 4k+1 characters, whatever the length of the real claims segment.
    for (const char* extra : {"A", "AA", "AAA", "AAAA"}) {
      const std::string padded = claims + extra;
      if (padded.size() % 4 == 1) expect_base64_error(signed_segments(header, padded));
    }
    expect_base64_error(signed_segments(header, "e/J" + claims.substr(3)));
  }
  SUBCASE("claims, but the signature is wrong: the signature is reported, claims never read") {
    const VerifyResult r = verify(header + "." + claims + "=." + signature);
    CHECK(r.error == TokenError::kBadSignature);
  }
}

TEST_CASE("jwt: a NUL byte after the JSON is not ignored") {
  // RapidJSON alone would stop at the NUL and accept the object before it.
  const VerifyResult claims =
      verify(token_with_claims(std::string(R"({"sub":"u1","exp":1700000100})") + '\0'));
  CHECK(claims.error == TokenError::kMalformed);
  CHECK(claims.reason == "claims are not a JSON object");
  CHECK(verify(token_with_header(std::string(kHeader) + '\0' + "junk")).reason ==
        "header is not a JSON object");
}

TEST_CASE("jwt: claims that are not a JSON object") {
  for (const char* claims : {"", "[]", R"(["sub","u1"])", R"("u1")", "42", "null", "true",
                             R"({"sub":"u1")", R"({"sub":"u1"} x)", "{\"sub\":\"\xc3\x28\"}"}) {
    CAPTURE(claims);
    const VerifyResult r = verify(token_with_claims(claims));
    CHECK(r.error == TokenError::kMalformed);
    CHECK(r.reason == "claims are not a JSON object");
  }
  const VerifyResult dup = verify(token_with_claims(R"({"sub":"u1","exp":1700000100,"sub":"admin"})"));
  CHECK(dup.error == TokenError::kMalformed);
  CHECK(dup.reason == "claims have a duplicate member");
}

TEST_CASE("jwt: sub") {
  const auto with_sub = [](std::string_view sub) {
    return token_with_claims(std::string(R"({"exp":1700000100,"sub":)") + std::string(sub) + "}");
  };
  SUBCASE("missing") {
    const VerifyResult r = verify(token_with_claims(R"({"exp":1700000100})"));
    CHECK(r.error == TokenError::kMissingClaim);
    CHECK(r.reason == "sub claim missing");
  }
  SUBCASE("integers become decimal strings") {
    CHECK(verify(with_sub("42")).identity.user_id == "42");
    CHECK(verify(with_sub("0")).identity.user_id == "0");
    CHECK(verify(with_sub("-7")).identity.user_id == "-7");
    CHECK(verify(with_sub("18446744073709551615")).identity.user_id == "18446744073709551615");
  }
  SUBCASE("strings are kept as they are") {
    CHECK(verify(with_sub(R"("42")")).identity.user_id == "42");
    CHECK(verify(with_sub(R"("a\"b\u00e9")")).identity.user_id == "a\"b\xc3\xa9");
    CHECK(verify(with_sub('"' + std::string(256, 'x') + '"')).identity.user_id.size() == 256);
  }
  SUBCASE("anything else is a bad claim") {
    for (const char* sub : {R"("")", "4.2", "1e3", "true", "null", "[]", R"(["u1"])", "{}"}) {
      CAPTURE(sub);
      const VerifyResult r = verify(with_sub(sub));
      CHECK(r.error == TokenError::kBadClaim);
      CHECK(r.reason == "sub is not a non-empty string or an integer");
    }
    for (const char* sub : {R"("u\u0000")", R"("a\nb")", R"("\t")", R"("x\u007f")"}) {
      CAPTURE(sub);
      CHECK(verify(with_sub(sub)).reason == "sub contains control characters");
    }
    const VerifyResult too_long = verify(with_sub('"' + std::string(257, 'x') + '"'));
    CHECK(too_long.error == TokenError::kBadClaim);
    CHECK(too_long.reason == "sub is too long");
  }
}

TEST_CASE("jwt: rooms") {
  const auto with_rooms = [](std::string_view rooms) {
    return verify(token_with_claims(std::string(R"({"sub":"u1","exp":1700000100,"rooms":)") +
                                    std::string(rooms) + "}"));
  };
  CHECK(with_rooms(R"(["vip","team-*","*"])").identity.room_patterns ==
        std::vector<std::string>{"vip", "team-*", "*"});
  CHECK(with_rooms("[]").ok());
  CHECK(with_rooms("[]").identity.room_patterns.empty());
  for (const char* rooms : {R"("vip")", "null", "{}", R"({"vip":true})", "[1]", R"(["vip",2])",
                            R"([""])", R"(["a*b"])", R"(["*vip"])", R"([["vip"]])", "[null]"}) {
    CAPTURE(rooms);
    const VerifyResult r = with_rooms(rooms);
    CHECK(r.error == TokenError::kBadClaim);
    CHECK(r.reason == "rooms is not an array of room patterns");
  }
}

TEST_CASE("jwt: name and info become user_info") {
  const auto with = [](std::string_view extra) {
    return verify(token_with_claims(std::string(R"({"sub":"u1","exp":1700000100,)") +
                                    std::string(extra) + "}"));
  };
  CHECK(with(R"("name":"Ann")").identity.user_info == R"({"name":"Ann"})");
  CHECK(with(R"("info":{"avatar":"/a.png","level":3})").identity.user_info ==
        R"({"avatar":"/a.png","level":3})");
  CHECK(with(R"("name":"Ann","info":{"avatar":"/a.png"})").identity.user_info ==
        R"({"name":"Ann","avatar":"/a.png"})");
  // info's own name wins over the name claim (no duplicate key in the output).
  CHECK(with(R"("name":"Ann","info":{"name":"Annie"})").identity.user_info ==
        R"({"name":"Annie"})");
  CHECK(with(R"("info":{})").identity.user_info == "{}");
  // Escapes are re-written correctly.
  CHECK(with(R"("name":"a\"b\n\u0001")").identity.user_info == R"({"name":"a\"b\n\u0001"})");

  CHECK(with(R"("name":7)").reason == "name is not a string");
  CHECK(with(R"("name":null)").error == TokenError::kBadClaim);
  for (const char* info : {R"("info":"x")", R"("info":[])", R"("info":null)", R"("info":1)"}) {
    CAPTURE(info);
    CHECK(with(info).reason == "info is not an object");
  }
  CHECK(with(R"("info":{"a":1,"a":2})").reason ==
        "info is nested too deeply or has duplicate members");
  CHECK(with(R"("info":{"x":{"a":1,"a":2}})").error == TokenError::kBadClaim);
}

TEST_CASE("jwt: info may nest eight levels, not nine") {
  const auto nested = [](int levels) {  // `levels` objects and arrays, alternating
    std::string open;
    std::string close;
    for (int i = 0; i < levels; ++i) {
      open += i % 2 == 0 ? R"({"k":)" : "[";
      close.insert(0, i % 2 == 0 ? "}" : "]");
    }
    return open + "1" + close;
  };
  const auto verify_info = [](const std::string& info) {
    return verify(token_with_claims(R"({"sub":"u1","exp":1700000100,"info":)" + info + "}"));
  };
  const VerifyResult eight = verify_info(nested(8));
  REQUIRE(eight.ok());
  CHECK(eight.identity.user_info == nested(8));
  CHECK(verify_info(nested(9)).error == TokenError::kBadClaim);
}

TEST_CASE("jwt: unknown claims are ignored") {
  const VerifyResult r = verify(token_with_claims(
      R"({"iss":"app","aud":["x"],"iat":"whenever","jti":1,"sub":"u1","exp":1700000100})"));
  CHECK(r.ok());
}

TEST_CASE("jwt: size cap") {
  const std::string token = token_with_claims(R"({"sub":"u1","exp":1700000100})");
  VerifyOptions o = options();
  o.max_token_size = token.size();
  CHECK(verify_token(token, o).ok());
  o.max_token_size = token.size() - 1;
  const VerifyResult r = verify_token(token, o);
  CHECK(r.error == TokenError::kTooLarge);
  CHECK(r.reason == "token too large");
}

TEST_CASE("jwt: error codes have distinct stable names") {
  const TokenError all[] = {TokenError::kNone,        TokenError::kTooLarge,
                            TokenError::kMalformed,   TokenError::kBadAlg,
                            TokenError::kBadSignature, TokenError::kExpired,
                            TokenError::kNotYetValid, TokenError::kMissingClaim,
                            TokenError::kBadClaim};
  std::vector<std::string_view> names;
  for (const TokenError e : all) names.push_back(to_string(e));
  CHECK(names == std::vector<std::string_view>{"ok", "too_large", "malformed", "bad_alg",
                                                "bad_signature", "expired", "not_yet_valid",
                                                "missing_claim", "bad_claim"});
}
