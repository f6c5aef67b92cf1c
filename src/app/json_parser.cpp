#include "app/json_parser.hpp"

#include <cstdint>
#include <cstring>

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
  bool Int(int i) { return document_.Int(i); }
  bool Uint(unsigned u) { return document_.Uint(u); }
  bool Int64(int64_t i) { return document_.Int64(i); }
  bool Uint64(uint64_t u) { return document_.Uint64(u); }
  bool Double(double d) { return document_.Double(d); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool copy) {
    return document_.RawNumber(text, length, copy);
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

 private:
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
  constexpr unsigned kFlags = rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag |
                              rapidjson::kParseStopWhenDoneFlag;
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
