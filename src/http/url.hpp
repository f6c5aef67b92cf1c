// Request paths: turning the raw request-target into decoded path segments, safely.
//
// Every route, including static files, is matched on DECODED segments: "/wsrelay%2Ejs" is
// "/wsrelay.js" (RFC 3986 §6.2.2.2: percent-encoded unreserved characters are equivalent to
// the characters), while "/api/rooms/a%2Fb" is the two segments "api", "rooms" and one room
// called "a/b" — splitting happens before decoding, so an encoded slash never makes a new
// segment. A path that could mean something else on a file system is refused outright rather
// than "cleaned": a segment that decodes to "." or ".." (RFC 3986 §5.2.4 dot-segments, also as
// %2e%2e), a NUL byte or backslash anywhere, a malformed %-escape, or bytes that are not UTF-8.
//
// Pure functions, no I/O.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::http {

enum class PathProblem : unsigned char {
  kNone,
  kNotAPath,     // not origin-form ("/...") nor absolute-form ("http://host/...")
  kBadEscape,    // '%' not followed by two hex digits
  kDotSegment,   // a segment that is "." or ".." once decoded
  kForbiddenByte,  // NUL or backslash, raw or encoded
  kNotUtf8,      // decoded bytes that are not UTF-8
};

std::string_view describe(PathProblem problem);

// The path of a request-target: origin-form "/a/b?q" -> "/a/b"; absolute-form
// "http://host:8080/a?q" -> "/a" (RFC 9112 §3.2.2: a server must accept it); "" otherwise.
std::string_view target_path(std::string_view target);

// Splits `path` (starting with '/') at '/' and decodes each segment. "/" is one empty
// segment; "/a/" is "a" and "". On failure `segments` is unspecified.
PathProblem split_path(std::string_view path, std::vector<std::string>& segments);

}  // namespace wsrelay::http
