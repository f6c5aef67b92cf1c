// query_parameter: finding and percent-decoding one parameter of an upgrade URL's query.
#include <doctest/doctest.h>

#include <string>

#include "app/query.hpp"

using wsrelay::app::query_parameter;
using wsrelay::app::QueryValue;

TEST_CASE("query: finds a parameter anywhere in the query, first one wins") {
  std::string value;
  CHECK(query_parameter("token=abc", "token", value) == QueryValue::kFound);
  CHECK(value == "abc");
  CHECK(query_parameter("room=x&token=def&y=1", "token", value) == QueryValue::kFound);
  CHECK(value == "def");
  CHECK(query_parameter("token=first&token=second", "token", value) == QueryValue::kFound);
  CHECK(value == "first");
  // Only whole names match.
  CHECK(query_parameter("xtoken=a&tokens=b&token_=c", "token", value) == QueryValue::kAbsent);
  CHECK(query_parameter("", "token", value) == QueryValue::kAbsent);
  CHECK(query_parameter("&&", "token", value) == QueryValue::kAbsent);
}

TEST_CASE("query: an empty or missing value is found and empty") {
  std::string value = "stale";
  CHECK(query_parameter("token=", "token", value) == QueryValue::kFound);
  CHECK(value.empty());
  value = "stale";
  CHECK(query_parameter("a=1&token", "token", value) == QueryValue::kFound);
  CHECK(value.empty());
}

TEST_CASE("query: values are percent-decoded; '+' and '=' inside the value are kept") {
  std::string value;
  CHECK(query_parameter("token=a%2Eb%2ec%41", "token", value) == QueryValue::kFound);
  CHECK(value == "a.b.cA");
  CHECK(query_parameter("token=a+b", "token", value) == QueryValue::kFound);
  CHECK(value == "a+b");
  CHECK(query_parameter("token=a=b", "token", value) == QueryValue::kFound);
  CHECK(value == "a=b");
  CHECK(query_parameter("token=%00", "token", value) == QueryValue::kFound);
  CHECK(value == std::string(1, '\0'));
}

TEST_CASE("query: a bad percent-escape is malformed, not absent") {
  std::string value;
  for (const char* query : {"token=%", "token=%4", "token=%zz", "token=ab%g1", "x=1&token=%%41"}) {
    CAPTURE(query);
    CHECK(query_parameter(query, "token", value) == QueryValue::kMalformed);
  }
  // A bad escape in another parameter does not matter.
  CHECK(query_parameter("x=%zz&token=ok", "token", value) == QueryValue::kFound);
  CHECK(value == "ok");
}
