// cors_origins: origin normalisation (case, default ports), exact and wildcard-subdomain
// matching, "*", "null", absent headers, and configuration errors.
#include "server/origin_policy.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::server;

namespace {

OriginPolicy policy(std::string_view list) {
  OriginPolicy p;
  std::string error;
  REQUIRE_MESSAGE(p.configure(list, error), error);
  return p;
}

Origin origin(std::string_view text) {
  const std::optional<Origin> parsed = parse_origin(text);
  REQUIRE_MESSAGE(parsed.has_value(), text);
  return *parsed;
}

}  // namespace

TEST_CASE("origin: parsing and normalisation") {
  CHECK(origin("https://example.com") == Origin{"https", "example.com", 443});
  CHECK(origin("http://example.com") == Origin{"http", "example.com", 80});
  CHECK(origin("HTTPS://Example.COM") == origin("https://example.com:443"));
  CHECK(origin("http://a.com:80") == origin("http://a.com"));
  CHECK(origin("wss://a.com") == Origin{"wss", "a.com", 443});
  CHECK(origin("ws://a.com") == Origin{"ws", "a.com", 80});
  CHECK(origin("http://a.com:8080").port == 8080);
  CHECK(origin("http://a.com:65535").port == 65535);
  CHECK(origin("chrome-extension://abcdef") == Origin{"chrome-extension", "abcdef", 0});
  CHECK(origin("http://127.0.0.1:3000") == Origin{"http", "127.0.0.1", 3000});
  CHECK(origin("http://[::1]:8080") == Origin{"http", "[::1]", 8080});
  CHECK(origin("http://[FE80::1]") == Origin{"http", "[fe80::1]", 80});
  CHECK(origin("http://my_host.local") == Origin{"http", "my_host.local", 80});
  // Different ports, schemes and hosts stay different.
  CHECK_FALSE(origin("https://a.com:80") == origin("https://a.com"));
  CHECK_FALSE(origin("http://a.com") == origin("https://a.com"));
  CHECK_FALSE(origin("http://a.com") == origin("ws://a.com"));
}

TEST_CASE("origin: what is not an origin") {
  for (const char* bad :
       {"", "null", "a.com", "https:/a.com", "https//a.com", "://a.com", "1http://a.com",
        "https://", "https://a.com/", "https://a.com/path", "https://a.com?x=1", "https://a.com#f",
        "https://user@a.com", "https://user:pw@a.com", "https://a.com:", "https://a.com:0",
        "https://a.com:65536", "https://a.com:99999", "https://a.com:123456", "https://a.com:08080",
        "https://a.com:+80", "https://a.com:80x", "https://a..com", "https://.a.com",
        "https://a.com.", "https://a com", "https://a.com https://b.com", "https://%61.com",
        "https://*.a.com", "https://[::1", "https://[]", "https://[::1]x", "https://[::g]",
        "https://::1", "https://a.com:443:443", "https://\xc3\xa9.com"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_origin(bad).has_value());
  }
  CHECK_FALSE(parse_origin("https://" + std::string(254, 'a')).has_value());
  CHECK(parse_origin("https://" + std::string(253, 'a')).has_value());
}

TEST_CASE("origin policy: '*' allows everything, and is the default") {
  const OriginPolicy unconfigured;
  CHECK(unconfigured.allows_all());
  CHECK(unconfigured.allows("https://evil.example"));
  const OriginPolicy star = policy("*");
  CHECK(star.allows_all());
  CHECK(star.allows("https://evil.example"));
  CHECK(star.allows("null"));
  CHECK(star.allows("garbage"));
  CHECK(policy("https://a.com, *").allows_all());
}

TEST_CASE("origin policy: exact entries, normalised on both sides") {
  const OriginPolicy p = policy("https://App.Example.com, http://localhost:3000");
  CHECK_FALSE(p.allows_all());
  CHECK(p.allows("https://app.example.com"));
  CHECK(p.allows("https://APP.EXAMPLE.COM"));
  CHECK(p.allows("https://app.example.com:443"));
  CHECK(p.allows("http://localhost:3000"));
  CHECK(p.allows(" https://app.example.com\t"));  // optional whitespace around the value

  CHECK_FALSE(p.allows("http://app.example.com"));        // scheme
  CHECK_FALSE(p.allows("https://app.example.com:8443"));  // port
  CHECK_FALSE(p.allows("https://example.com"));           // parent
  CHECK_FALSE(p.allows("https://x.app.example.com"));     // child
  CHECK_FALSE(p.allows("https://app.example.com.evil.net"));
  CHECK_FALSE(p.allows("http://localhost"));
  CHECK_FALSE(p.allows("http://localhost:3001"));
  CHECK_FALSE(p.allows("https://app.example.com/"));      // not a valid Origin value
  CHECK_FALSE(p.allows("null"));
  CHECK_FALSE(p.allows("not an origin"));
}

TEST_CASE("origin policy: a configured default port equals an implied one") {
  CHECK(policy("https://a.com:443").allows("https://a.com"));
  CHECK(policy("http://a.com:80").allows("http://a.com"));
  CHECK_FALSE(policy("https://a.com:80").allows("https://a.com"));
  CHECK(policy("https://a.com/").allows("https://a.com"));  // trailing slash tolerated in config
}

TEST_CASE("origin policy: wildcard subdomains") {
  const OriginPolicy p = policy("https://*.example.com");
  CHECK(p.allows("https://a.example.com"));
  CHECK(p.allows("https://a.b.example.com"));
  CHECK(p.allows("https://A.Example.com:443"));
  CHECK_FALSE(p.allows("https://example.com"));
  CHECK_FALSE(p.allows("https://evilexample.com"));
  CHECK_FALSE(p.allows("https://.example.com"));
  CHECK_FALSE(p.allows("http://a.example.com"));
  CHECK_FALSE(p.allows("https://a.example.com:8443"));
  CHECK_FALSE(p.allows("https://a.example.com.evil.net"));
  CHECK_FALSE(p.allows("https://a.example.co"));

  const OriginPolicy with_port = policy("http://*.localhost:8080");
  CHECK(with_port.allows("http://app.localhost:8080"));
  CHECK_FALSE(with_port.allows("http://app.localhost"));
}

TEST_CASE("origin policy: no Origin header is not a browser and is allowed") {
  const OriginPolicy p = policy("https://a.com");
  CHECK(p.allows(""));
  CHECK(p.allows("  "));
  const OriginPolicy none = policy("");
  CHECK_FALSE(none.allows_all());
  CHECK(none.allows(""));
  CHECK_FALSE(none.allows("https://a.com"));
}

TEST_CASE("origin policy: the opaque origin 'null' only when listed") {
  CHECK_FALSE(policy("https://a.com").allows("null"));
  CHECK(policy("https://a.com null").allows("null"));
  CHECK_FALSE(policy("null").allows("https://a.com"));
  CHECK_FALSE(policy("null").allows("NULL"));
}

TEST_CASE("origin policy: configuration errors leave the policy unchanged") {
  OriginPolicy p = policy("https://a.com");
  std::string error;
  for (const char* bad : {"a.com", "https://a.com, b.com", "https://*example.com",
                          "https://a.*.com", "https://*.", "https://*", "https://*.[::1]",
                          "*.example.com", "https://a.com/path", "https://a.com//", "**", "*/"}) {
    CAPTURE(bad);
    CHECK_FALSE(p.configure(bad, error));
  }
  CHECK(p.configure("https://ok.com, nope", error) == false);
  CHECK(error ==
        "cors_origins: 'nope' is not an origin (scheme://host[:port], scheme://*.domain[:port], "
        "null or *)");
  CHECK(p.allows("https://a.com"));
  CHECK_FALSE(p.allows("https://ok.com"));
  CHECK_FALSE(p.allows_all());
}

TEST_CASE("origin policy: entries already split, as config::Settings holds them") {
  OriginPolicy p;
  std::string error;
  const std::vector<std::string> entries = {"https://a.com", " http://*.b.org:8080 "};
  REQUIRE(p.configure(entries, error));
  CHECK_FALSE(p.allows_all());
  CHECK(p.allows("https://a.com"));
  CHECK(p.allows("http://x.b.org:8080"));
  CHECK_FALSE(p.allows("https://c.com"));
  const std::vector<std::string> bad = {"https://c.com", "https://a.com https://c.com"};
  CHECK_FALSE(p.configure(bad, error));
  CHECK_FALSE(p.allows("https://c.com"));
  const std::vector<std::string> star = {"*"};
  REQUIRE(p.configure(star, error));
  CHECK(p.allows_all());
  const std::vector<std::string> none;
  REQUIRE(p.configure(none, error));
  CHECK_FALSE(p.allows_all());
  CHECK_FALSE(p.allows("https://a.com"));
}
