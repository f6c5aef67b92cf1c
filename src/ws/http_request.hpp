// Incremental HTTP/1.1 request-head parser (RFC 9112 §2-§5), the first thing a WebSocket
// connection speaks (RFC 6455 §4.1: the opening handshake is an HTTP/1.1 GET).
//
// Modelled on picohttpparser: a pure function over a byte buffer. The caller keeps the bytes
// received so far and calls parse_request() again when more arrive; the parser either finds a
// complete head (and says how many bytes it used), says it needs more, or says why the head is
// unacceptable. Output fields are string_views INTO the caller's buffer: valid only while the
// buffer is unchanged. No allocation, no I/O, any split of the input gives the same result.
//
// Accepted: `METHOD SP request-target SP HTTP/1.x CRLF` then header fields `name: value CRLF`
// and an empty line. Bare LF line endings are tolerated (RFC 9112 §2.2). Obsolete line folding,
// control characters, a missing colon or a non-token header name are errors (400).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsrelay::ws {

struct HttpHeader {
  std::string_view name;
  std::string_view value;  // leading and trailing spaces/tabs removed
};

constexpr size_t kMaxHttpHeaders = 64;

struct HttpRequest {
  std::string_view method;
  std::string_view target;  // e.g. "/ws?token=abc"
  int minor_version = 0;    // HTTP/1.<minor_version>
  HttpHeader headers[kMaxHttpHeaders];
  size_t header_count = 0;

  // Value of the first header with this name (case-insensitive), or an empty view with
  // data() == nullptr when absent.
  std::string_view header(std::string_view name) const;
  bool has_header(std::string_view name) const { return header(name).data() != nullptr; }
  // Number of headers with this name; a duplicated Host or Sec-WebSocket-Key is an error.
  size_t header_count_of(std::string_view name) const;
  // True when any header with this name lists `token` (see header_has_token): repeated list
  // headers count as one joined list (RFC 9110 §5.3).
  bool has_token(std::string_view name, std::string_view token) const;
  // The path part of target (before '?') and the query (after '?', may be empty).
  std::string_view path() const;
  std::string_view query() const;
};

enum class HttpParseStatus : uint8_t {
  kComplete,    // `consumed` bytes form the request head (up to and including the blank line)
  kIncomplete,  // no error so far; call again with more bytes
  kBadRequest,  // malformed: answer 400
  kTooLarge,    // head longer than max_head_bytes, or more than kMaxHttpHeaders fields: 431
};

struct HttpParseResult {
  HttpParseStatus status;
  size_t consumed;  // meaningful only for kComplete
};

// Parse the request head at the start of `input`. `max_head_bytes` caps the head: once that
// many bytes have arrived without a blank line the answer is kTooLarge, whatever follows (a
// head ending exactly at the limit is accepted; an error inside the limit is kBadRequest).
// A 65th header field is kTooLarge as soon as its first byte arrives. Empty lines before the
// request-line are skipped (RFC 9112 §2.2) and count in `consumed`. `out` is only meaningful
// for kComplete.
HttpParseResult parse_request(std::string_view input, HttpRequest& out, size_t max_head_bytes);

// Case-insensitive ASCII comparison.
bool equals_ignore_case(std::string_view a, std::string_view b);

// True when the comma-separated token list `list` (e.g. "keep-alive, Upgrade") contains
// `token`, compared case-insensitively, ignoring optional whitespace around elements.
bool header_has_token(std::string_view list, std::string_view token);

}  // namespace wsrelay::ws
