// HTTP dates: IMF-fixdate both ways, and everything else refused.
#include "http/http_date.hpp"

#include <doctest/doctest.h>

using namespace wsrelay::http;

TEST_CASE("format_http_date: IMF-fixdate") {
  CHECK(format_http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
  CHECK(format_http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT");  // RFC 9110's example
  CHECK(format_http_date(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
  CHECK(format_http_date(1714566896) == "Wed, 01 May 2024 12:34:56 GMT");
}

TEST_CASE("parse_http_date: round trip, and other forms refused") {
  for (int64_t t : {int64_t{0}, int64_t{784111777}, int64_t{951782400}, int64_t{1714566896}, int64_t{4102444799}}) {
    const auto parsed = parse_http_date(format_http_date(t));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == t);
  }
  CHECK_FALSE(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"));  // RFC 850: obsolete
  CHECK_FALSE(parse_http_date("Sun Nov  6 08:49:37 1994"));        // asctime: obsolete
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:49:37 UTC"));
  CHECK_FALSE(parse_http_date("Sun, 06 Foo 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Xyz, 06 Nov 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 36 Nov 1994 08:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 24:49:37 GMT"));
  CHECK_FALSE(parse_http_date("Sun, 06 Nov 1994 08:4x:37 GMT"));
  CHECK_FALSE(parse_http_date(""));
}
