// JsonParser: one JSON request in, a RapidJSON DOM out, within limits — size, nesting depth,
// one value and nothing after it, and strings that are valid UTF-8 once unescaped. Never
// throws and never recurses per nesting level (RapidJSON's iterative parser), so hostile input
// cannot exhaust the stack or escape as an exception into the event loop.
//
// Memory: the DOM lives in a pool that starts in a buffer owned by the parser and is rewound
// before each parse, so a typical request allocates nothing for its values. The document
// returned by parse() is valid until the next call.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include <rapidjson/document.h>

namespace wsrelay::app {

enum class JsonProblem : unsigned char {
  kNone,
  kTooLarge,  // more than max_size bytes
  kTooDeep,   // arrays/objects nested more than max_depth levels
  kInvalid,   // not JSON (syntax, trailing data, a lone surrogate escape, ...)
};

class JsonParser {
 public:
  JsonParser(size_t max_size, size_t max_depth);
  JsonParser(const JsonParser&) = delete;
  JsonParser& operator=(const JsonParser&) = delete;

  JsonProblem parse(std::string_view text);
  // The parsed value (valid after kNone, until the next parse).
  const rapidjson::Value& root() const { return document_; }
  // For kInvalid: what is wrong and where ("Missing a colon after a name of object member.
  // at byte 7"); empty otherwise.
  const std::string& error() const { return error_; }

 private:
  static constexpr size_t kPoolBytes = 16 * 1024;

  size_t max_size_;
  size_t max_depth_;
  std::array<char, kPoolBytes> pool_buffer_;
  rapidjson::MemoryPoolAllocator<> pool_;
  rapidjson::Document document_;
  std::string error_;
};

}  // namespace wsrelay::app
