#include "app/json_parser.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <system_error>

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

namespace wsrelay::app {
namespace {

// RapidJSON turns a lone low-surrogate escape ("\udc00") into the bytes ED B0 80, which are not
// UTF-8; passing such a string on would make every recipient's browser fail the connection
// (RFC 6455 §8.1). Raw input is validated by the parser flag, so an encoded surrogate (ED A0..BF)
// can only have come from an escape.
bool has_encoded_surrogate(const char* text, size_t length) {
  const char* end = text + length;
  for (const char* p = text; (p = static_cast<const char*>(std::memchr(p, '\xed', end - p)));) {
    if (p + 1 < end && static_cast<uint8_t>(p[1]) >= 0xa0) return true;
    ++p;
  }
  return false;
}

// Forwards SAX events to the document, stopping at max_depth levels of nesting and at strings
// that are not valid UTF-8.
class CheckingHandler {
 public:
  CheckingHandler(rapidjson::Document& document, size_t max_depth)
      : document_(document), max_depth_(max_depth) {}

  bool Null() { return document_.Null(); }
  bool Bool(bool b) { return document_.Bool(b); }
  // Never called with kParseNumbersAsStringsFlag (numbers arrive in RawNumber below), but the
  // reader's code names them all, so a handler must have them.
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(int64_t i) { return document_.Int64(i); }
  bool Uint64(uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  // With kParseNumbersAsStringsFlag every number arrives here as its text (already checked
  // against the JSON grammar) and is converted exactly; see the flags in JsonParser::parse.
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    const char* end = text + length;
    if (std::find_if(text, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; }) == end) {
      // An integer: kept exact as long as 64 bits hold it, as RapidJSON itself does.
      if (text[0] == '-') {
        int64_t value = 0;
        if (std::from_chars(text, end, value).ec == std::errc()) return document_.Int64(value);
      } else {
        uint64_t value = 0;
        if (std::from_chars(text, end, value).ec == std::errc()) return document_.Uint64(value);
      }
    }
    double value = 0;
    const std::from_chars_result result = std::from_chars(text, end, value);
    if (result.ec == std::errc()) return document_.Double(value);
    // Out of range: below the smallest double it is a zero (as JSON.parse reads it); above the
    // largest it has no double at all, and the document is refused (RapidJSON's rule too).
    if (magnitude_below_one(text, end)) return document_.Double(text[0] == '-' ? -0.0 : 0.0);
    number_too_big_ = true;
    return false;
  }
  bool String(const char* text, rapidjson::SizeType length, bool copy) {
    if (has_encoded_surrogate(text, length)) return fail_surrogate();
    return document_.String(text, length, copy);
  }
  bool Key(const char* text, rapidjson::SizeType length, bool copy) {
    if (has_encoded_surrogate(text, length)) return fail_surrogate();
    return document_.Key(text, length, copy);
  }
  bool StartObject() { return enter() && document_.StartObject(); }
  bool EndObject(rapidjson::SizeType members) {
    --depth_;
    return document_.EndObject(members);
  }
  bool StartArray() { return enter() && document_.StartArray(); }
  bool EndArray(rapidjson::SizeType elements) {
    --depth_;
    return document_.EndArray(elements);
  }

  bool too_deep() const { return too_deep_; }
  bool bad_surrogate() const { return bad_surrogate_; }
  bool number_too_big() const { return number_too_big_; }

 private:
  // For a number out of a double's range: true when it is tiny (|x| < 1), false when huge.
  // The grammar is -?int(.frac)?([eE][+-]?digits)?; the power of ten of its first significant
  // digit plus the exponent says which side it is on.
  static bool magnitude_below_one(const char* text, const char* end) {
    const char* p = text + (*text == '-' ? 1 : 0);
    int64_t lead = 0;  // power of ten of the first nonzero digit, before the exponent
    if (*p != '0') {
      while (p < end && *p >= '0' && *p <= '9') ++p, ++lead;
      --lead;
    } else {
      ++p;
      if (p < end && *p == '.') {
        for (++p; p < end && *p == '0'; ++p) --lead;
        --lead;
      }
    }
    while (p < end && *p != 'e' && *p != 'E') ++p;
    int64_t exponent = 0;
    if (p < end) {
      ++p;
      const bool negative = *p == '-';
      if (*p == '-' || *p == '+') ++p;
      // Saturate: any exponent past a million is out of range whatever the digits.
      for (; p < end; ++p) exponent = std::min<int64_t>(exponent * 10 + (*p - '0'), 1'000'000);
      if (negative) exponent = -exponent;
    }
    return lead + exponent < 0;
  }

  bool enter() {
    if (++depth_ > max_depth_) too_deep_ = true;
    return !too_deep_;
  }
  bool fail_surrogate() {
    bad_surrogate_ = true;
    return false;
  }

  rapidjson::Document& document_;
  size_t max_depth_;
  size_t depth_ = 0;
  bool too_deep_ = false;
  bool bad_surrogate_ = false;
  bool number_too_big_ = false;
};

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

}  // namespace

JsonParser::JsonParser(size_t max_size, size_t max_depth)
    : max_size_(max_size),
      max_depth_(max_depth),
      pool_(pool_buffer_.data(), pool_buffer_.size()),
      document_(&pool_) {}

JsonProblem JsonParser::parse(std::string_view text) {
  error_.clear();
  document_.SetNull();  // drop the previous DOM before rewinding the pool it lives in
  pool_.Clear();
  if (text.size() > max_size_) return JsonProblem::kTooLarge;

  // kParseIterativeFlag: constant stack depth whatever the nesting.
  // kParseValidateEncodingFlag: raw strings must be UTF-8 (the server checks text frames too,
  //   but an embedding program may hand us anything).
  // kParseStopWhenDoneFlag: stop after the first value; we check the rest ourselves, because
  //   RapidJSON's own check stops at a NUL byte and would accept `{} \0 junk`.
  // kParseNumbersAsStringsFlag: the handler converts numbers itself, to the nearest double as
  //   JavaScript's JSON.parse does (std::from_chars). RapidJSON's default reading is a fast path
  //   that can be a few units in the last place off ("6e100" became 6.0000000000000005e100) and
  //   the writer spells out the double it holds, so an `id` or a number in a message came back
  //   as a different number than the client sent (found by the JSON fuzzer: the ack did not
  //   carry the request's id). Its exact mode (kParseFullPrecisionFlag) is broken in Debian's
  //   RapidJSON 1.1.0 near the top of the range: "2e308" reads as NaN, "13422996067805489e304"
  //   as -4.2e-297, and "13422996067805489e305" fails an assertion (aborts the server).
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  CheckingHandler handler(document_, max_depth_);
  rapidjson::ParseResult result;
  auto generator = [&](rapidjson::Document& document) {
    (void)document;  // the handler already forwards to it
    rapidjson::Reader reader;
    result = reader.Parse<kFlags>(input, handler);
    return !result.IsError();
  };
  document_.Populate(generator);

  if (handler.too_deep()) return JsonProblem::kTooDeep;
  if (handler.number_too_big()) {
    // The same words as when RapidJSON itself finds an exponent too large to bother reading.
    error_ = rapidjson::GetParseError_En(rapidjson::kParseErrorNumberTooBig);
    error_ += " at byte " + std::to_string(result.Offset());
    return JsonProblem::kInvalid;
  }
  if (handler.bad_surrogate()) {
    error_ = "a \\u escape is a lone surrogate, which is not a Unicode character";
    return JsonProblem::kInvalid;
  }
  if (result.IsError()) {
    error_ = rapidjson::GetParseError_En(result.Code());
    error_ += " at byte " + std::to_string(result.Offset());
    return JsonProblem::kInvalid;
  }
  for (size_t i = input.Tell(); i < text.size(); ++i) {
    if (!is_json_whitespace(text[i])) {
      document_.SetNull();
      error_ = "unexpected data after the JSON value at byte " + std::to_string(i);
      return JsonProblem::kInvalid;
    }
  }
  return JsonProblem::kNone;
}

}  // namespace wsrelay::app
