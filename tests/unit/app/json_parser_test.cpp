// JsonParser: the limits and the edge cases RapidJSON alone would let through.
#include <doctest/doctest.h>

#include <cstdint>
#include <string>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

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

// Numbers are read as the nearest double (as JSON.parse does), so what the server writes back
// (RapidJSON's writer: the shortest text that reads back exactly) is the number the client
// sent. RapidJSON's default reading made 6e100 into 6.0000000000000005e100 (found by the JSON
// fuzzer: an ack carried a different id than its request).
TEST_CASE("json parser: numbers are read exactly and written back as the same number") {
  JsonParser parser(1024, 32);
  const auto written = [](const rapidjson::Value& value) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    value.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
  };
  REQUIRE(parser.parse("[6e100, 0.1, 1.7976931348623157e308, 5e-324, 123456789012345678901234567890]") ==
          JsonProblem::kNone);
  const rapidjson::Value& a = parser.root();
  CHECK(a[0].GetDouble() == 6e100);
  CHECK(written(a[0]) == "6e100");
  CHECK(a[1].GetDouble() == 0.1);
  CHECK(a[2].GetDouble() == 1.7976931348623157e308);
  CHECK(a[3].GetDouble() == 5e-324);
  CHECK(a[4].GetDouble() == 123456789012345678901234567890.0);

  // Integers stay integers as long as 64 bits hold them; beyond that they become doubles.
  REQUIRE(parser.parse("[42, -7, 18446744073709551615, -9223372036854775808, 18446744073709551616, -0, -0.0]") ==
          JsonProblem::kNone);
  const rapidjson::Value& b = parser.root();
  CHECK(b[0].IsUint());
  CHECK(b[0].GetUint() == 42);
  CHECK(b[1].GetInt() == -7);
  CHECK(b[2].GetUint64() == UINT64_MAX);
  CHECK(b[3].GetInt64() == INT64_MIN);
  CHECK(b[4].IsDouble());
  CHECK(b[4].GetDouble() == 18446744073709551616.0);
  CHECK(written(b[5]) == "0");
  CHECK(written(b[6]) == "-0.0");

  // Below the smallest double is zero; above the largest there is no double: refused.
  REQUIRE(parser.parse("[1e-400, -2.4e-324, 0.0000000001e-320]") == JsonProblem::kNone);
  CHECK(parser.root()[0].GetDouble() == 0.0);
  CHECK(parser.root()[1].GetDouble() == 0.0);
  CHECK(parser.root()[2].GetDouble() == 0.0);
  REQUIRE(parser.parse("[100000000000000000000000000000e-1000000000000000000000]") == JsonProblem::kNone);
  CHECK(parser.root()[0].GetDouble() == 0.0);  // 1e29 times a huge negative power: tiny
  for (const char* huge : {"[1e400]", "[-1e400]", "[2e308]", "[13422996067805489e305]", "[1e99999999999999999999]"}) {
    INFO(huge);
    CHECK(parser.parse(huge) == JsonProblem::kInvalid);
    CHECK(parser.error().find("Number too big") != std::string::npos);
  }
  // Numbers right at the edge of the range are fine.
  CHECK(parser.parse("[17976931348623157e292, 0.000000000000000000001e-300]") == JsonProblem::kNone);
}
