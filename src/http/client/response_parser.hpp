// HTTP/1.1 response parsing for the client side (RFC 9112), pure and resumable:
//
//   parse_response_head()  the status line and header fields, re-run on the bytes received so
//                          far (like ws::parse_request): complete (and how many bytes), need
//                          more, malformed, or too large. Views point into the caller's buffer.
//   body_framing()         how the body is delimited (RFC 9112 §6.3): none, Content-Length,
//                          chunked, or until the connection closes.
//   BodyDecoder            a small state machine fed the body bytes in any pieces: it removes
//                          the chunked framing, enforces a size cap and says when the message ends.
//
// No I/O, no allocation beyond appending the decoded body to the caller's string (and only up
// to the cap). Any split of the input gives the same result; the unit tests feed every split.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::http::client {

struct ResponseHeader {
  std::string_view name;
  std::string_view value;  // spaces and tabs around it removed
};

constexpr size_t kMaxResponseHeaders = 64;

struct ResponseHead {
  int minor_version = 1;  // HTTP/1.<minor_version>
  int status = 0;         // 100..999
  std::string_view reason;
  ResponseHeader headers[kMaxResponseHeaders];
  size_t header_count = 0;

  // The first header of that name (case-insensitive); data() == nullptr when absent.
  std::string_view header(std::string_view name) const;
  // Whether any header of that name lists `token` (comma-separated, case-insensitive).
  bool has_token(std::string_view name, std::string_view token) const;
};

enum class HeadStatus : uint8_t { kComplete, kIncomplete, kMalformed, kTooLarge };

struct HeadResult {
  HeadStatus status;
  size_t consumed;  // kComplete: bytes of the head, blank line included
};

// `max_head_bytes` caps the head: kTooLarge once that many bytes arrived without its end (or
// more than kMaxResponseHeaders fields). Bare LF line ends are accepted (RFC 9112 §2.2);
// obsolete line folding, control characters and non-token field names are kMalformed.
HeadResult parse_response_head(std::string_view input, ResponseHead& out, size_t max_head_bytes);

enum class Framing : uint8_t {
  kNone,           // 1xx, 204, 304, or the answer to HEAD: no body
  kContentLength,  // exactly `length` bytes
  kChunked,        // Transfer-Encoding: chunked
  kUntilClose,     // no length: the body ends when the server closes (not reusable)
  kInvalid,        // conflicting or malformed Content-Length, an unknown transfer coding last
};

struct BodyFraming {
  Framing framing = Framing::kNone;
  uint64_t length = 0;
};

// RFC 9112 §6.3, in its order. Several Content-Length fields must agree (§6.3 step 5);
// Transfer-Encoding wins over Content-Length (step 3), and then the connection must not be
// reused (the client handles that: see reusable()).
BodyFraming body_framing(const ResponseHead& head, bool request_was_head);

// Whether the connection may carry another request after this response: HTTP/1.1 without
// "Connection: close", HTTP/1.0 only with "Connection: keep-alive", a body delimited by length
// or chunking (not by the close), and not both Transfer-Encoding and Content-Length.
bool reusable(const ResponseHead& head, const BodyFraming& framing);

enum class BodyStatus : uint8_t {
  kNeedMore,  // every byte given was consumed; the body goes on
  kDone,      // the body ended after `consumed` bytes (what follows is not part of it)
  kMalformed, // bad chunk framing
  kTooLarge,  // the decoded body would pass the cap
};

struct BodyResult {
  BodyStatus status;
  size_t consumed;
};

class BodyDecoder {
 public:
  BodyDecoder() = default;
  BodyDecoder(BodyFraming framing, size_t max_body) { reset(framing, max_body); }
  void reset(BodyFraming framing, size_t max_body);

  // Consumes body bytes from `input`, appending the decoded body to `body`.
  BodyResult feed(std::string_view input, std::string& body);
  // The connection closed: true when that is a proper end of this body (until-close framing,
  // or a body already complete).
  bool finish_at_close() const;
  bool done() const { return state_ == State::kDone; }

 private:
  enum class State : uint8_t {
    kLength, kUntilClose, kChunkSize, kChunkExt, kChunkSizeLf, kChunkData, kChunkDataCr, kChunkDataLf,
    kTrailerLineStart, kTrailerLine, kTrailerEndLf, kDone,
  };
  bool take(std::string_view data, std::string& body);

  State state_ = State::kDone;
  uint64_t remaining_ = 0;    // Content-Length bytes, or bytes left of the current chunk
  size_t size_digits_ = 0;    // hex digits of the chunk size seen so far
  size_t line_bytes_ = 0;     // chunk extension / trailer bytes (capped)
  size_t max_body_ = 0;
  size_t taken_ = 0;
};

}  // namespace wsrelay::http::client
