// JsonParser: the limits and the edge cases RapidJSON alone would let through.
#include <doctest/doctest.h>

#include <string>

#include "app/json_parser.hpp"

using namespace wsrelay::app;

namespace {
std::string nested(size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); }
}  // namespace

TEST_CASE("json parser: a valid object, repeatedly, with the DOM reset between parses") {
  JsonParser parser(1024, 32);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(parser.parse(R"({"event":"message","message":{"a":[1,2.5,null,true]}})") == JsonProblem::kNone);
    REQUIRE(parser.root().IsObject());
    CHECK(parser.root()["message"]["a"].Size() == 4);
  }
  REQUIRE(parser.parse(" [1] \r\n\t") == JsonProblem::kNone);
  CHECK(parser.root().IsArray());
  CHECK(parser.error().empty());
}

TEST_CASE("json parser: size limit is inclusive") {
  JsonParser parser(10, 32);
  CHECK(parser.parse("\"12345678\"") == JsonProblem::kNone);  // 10 bytes
  CHECK(parser.parse("\"123456789\"") == JsonProblem::kTooLarge);
}

TEST_CASE("json parser: nesting deeper than the limit is refused before it is built") {
  JsonParser parser(1 << 20, 32);
  CHECK(parser.parse(nested(32)) == JsonProblem::kNone);
  CHECK(parser.parse(nested(33)) == JsonProblem::kTooDeep);
  CHECK(parser.parse(R"({"a":)" + nested(31) + "}") == JsonProblem::kNone);
  CHECK(parser.parse(R"({"a":)" + nested(32) + "}") == JsonProblem::kTooDeep);
  // Far deeper than any stack would survive recursively: refused, no crash.
  CHECK(parser.parse(std::string(100000, '[')) == JsonProblem::kTooDeep);
}

TEST_CASE("json parser: not JSON, trailing data, NUL bytes and lone surrogates are invalid") {
  JsonParser parser(1024, 32);
  CHECK(parser.parse("") == JsonProblem::kInvalid);
  CHECK(parser.parse("   ") == JsonProblem::kInvalid);
  CHECK(parser.parse("hello") == JsonProblem::kInvalid);
  CHECK(parser.parse("{\"a\":}") == JsonProblem::kInvalid);
  CHECK(parser.error().find("at byte 5") != std::string::npos);
  CHECK(parser.parse("{} {}") == JsonProblem::kInvalid);
  CHECK(parser.error().find("after the JSON value") != std::string::npos);
  CHECK(parser.parse(std::string("{}\0junk", 7)) == JsonProblem::kInvalid);
  CHECK(parser.parse(std::string("{\"a\":\"x\0y\"}", 11)) == JsonProblem::kInvalid);
  CHECK(parser.parse(R"(["\udc00"])") == JsonProblem::kInvalid);   // lone low surrogate
  CHECK(parser.parse(R"({"\udfff":1})") == JsonProblem::kInvalid);  // ... in a key
  CHECK(parser.parse(R"(["\ud800"])") == JsonProblem::kInvalid);   // lone high surrogate
  CHECK(parser.parse(R"(["\ud83d\ude00"])") == JsonProblem::kNone);  // a proper pair
  CHECK(parser.parse("[\"\xff\"]") == JsonProblem::kInvalid);       // raw invalid UTF-8
  CHECK(parser.parse("[NaN]") == JsonProblem::kInvalid);
  CHECK(parser.parse("{'a':1}") == JsonProblem::kInvalid);
}

TEST_CASE("json parser: large documents spill past the pool buffer and still parse") {
  JsonParser parser(1 << 20, 32);
  std::string big = "[";
  for (int i = 0; i < 5000; ++i) big += (i ? ",\"" : "\"") + std::to_string(i) + "-some-text\"";
  big += "]";
  REQUIRE(parser.parse(big) == JsonProblem::kNone);
  CHECK(parser.root().Size() == 5000);
  REQUIRE(parser.parse("{}") == JsonProblem::kNone);
  CHECK(parser.root().IsObject());
}
