// HTTP/1.1 request-head parser (RFC 9112). See http_request.hpp for the contract.
//
// The parser is one left-to-right scan in which every decision depends only on the bytes
// already seen. That is what makes re-parsing on each arrival correct: a prefix of a request
// either already shows an error (and so does every longer input), or it is incomplete.
#include "ws/http_request.hpp"

#include <algorithm>
#include <array>

namespace wsrelay::ws {
namespace {

// Character classes, one bit each.
constexpr uint8_t kTokenChar = 1;   // RFC 9110 §5.6.2 tchar: method and field names
constexpr uint8_t kTargetChar = 2;  // visible ASCII: request-target (RFC 9112 §3.2)
constexpr uint8_t kValueChar = 4;   // RFC 9110 §5.5 field-vchar / SP / HTAB (incl. obs-text)

constexpr uint8_t classify(unsigned c) {
  uint8_t bits = 0;
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const bool digit = c >= '0' && c <= '9';
  if (alpha || digit ||
      std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
    bits |= kTokenChar;
  }
  if (c >= 0x21 && c <= 0x7E) bits |= kTargetChar;
  // obs-text (0x80-0xFF) is allowed in values for compatibility (RFC 9110 §5.5); every other
  // control character, DEL and NUL included, makes the request malformed.
  if (c == '\t' || c == ' ' || (c >= 0x21 && c <= 0x7E) || c >= 0x80) bits |= kValueChar;
  return bits;
}

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> table{};
  for (unsigned c = 0; c < 256; ++c) table[c] = classify(c);
  return table;
}
constexpr std::array<uint8_t, 256> kClasses = make_classes();

bool has_class(char c, uint8_t cls) {
  return (kClasses[static_cast<uint8_t>(c)] & cls) != 0;
}
bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

char to_lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim_ows(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

enum class Scan : uint8_t { kDone, kIncomplete, kBad, kTooManyHeaders };

// A cursor over the first `limit` bytes of the input.
class HeadScanner {
 public:
  explicit HeadScanner(std::string_view bytes) : s_(bytes) {}

  Scan parse(HttpRequest& out, size_t& consumed) {
    out.header_count = 0;
    // RFC 9112 §2.2: a server SHOULD ignore at least one empty line received before the
    // request-line (some clients send a stray CRLF after a previous request body).
    for (;;) {
      if (pos_ == s_.size()) return Scan::kIncomplete;
      if (s_[pos_] != '\r' && s_[pos_] != '\n') break;
      if (Scan r = line_end(); r != Scan::kDone) return r;
    }
    if (Scan r = request_line(out); r != Scan::kDone) return r;
    for (;;) {
      if (pos_ == s_.size()) return Scan::kIncomplete;
      const char c = s_[pos_];
      if (c == '\r' || c == '\n') {  // the empty line that ends the head
        if (Scan r = line_end(); r != Scan::kDone) return r;
        consumed = pos_;
        return Scan::kDone;
      }
      // RFC 9112 §5.2: obsolete line folding (a line starting with SP/HTAB) must be rejected
      // with 400 by a server that does not unfold it; §2.2: so must whitespace between the
      // request-line and the first field.
      if (is_ows(c)) return Scan::kBad;
      if (out.header_count == kMaxHttpHeaders) return Scan::kTooManyHeaders;
      if (Scan r = header_line(out.headers[out.header_count]); r != Scan::kDone) return r;
      ++out.header_count;
    }
  }

 private:
  // CRLF, or a bare LF (tolerated by RFC 9112 §2.2). A CR followed by anything else is an error.
  Scan line_end() {
    if (s_[pos_] == '\n') {
      ++pos_;
      return Scan::kDone;
    }
    if (s_[pos_] != '\r') return Scan::kBad;
    if (pos_ + 1 == s_.size()) return Scan::kIncomplete;
    if (s_[pos_ + 1] != '\n') return Scan::kBad;
    pos_ += 2;
    return Scan::kDone;
  }

  // A non-empty run of characters of class `cls`, ended by `stop` (which is consumed).
  Scan run_until(uint8_t cls, char stop, std::string_view& out) {
    const size_t start = pos_;
    for (;;) {
      if (pos_ == s_.size()) return Scan::kIncomplete;
      const char c = s_[pos_];
      if (c == stop) break;
      if (!has_class(c, cls)) return Scan::kBad;
      ++pos_;
    }
    if (pos_ == start) return Scan::kBad;
    out = s_.substr(start, pos_ - start);
    ++pos_;
    return Scan::kDone;
  }

  // Consume `literal` exactly (incomplete when the input stops inside it).
  Scan expect(std::string_view literal) {
    for (char want : literal) {
      if (pos_ == s_.size()) return Scan::kIncomplete;
      if (s_[pos_] != want) return Scan::kBad;
      ++pos_;
    }
    return Scan::kDone;
  }

  // RFC 9112 §3: request-line = method SP request-target SP HTTP-version CRLF, with single
  // spaces. Only HTTP/1.x is spoken here; HTTP-name is case-sensitive (§2.3).
  Scan request_line(HttpRequest& out) {
    if (Scan r = run_until(kTokenChar, ' ', out.method); r != Scan::kDone) return r;
    if (Scan r = run_until(kTargetChar, ' ', out.target); r != Scan::kDone) return r;
    if (Scan r = expect("HTTP/1."); r != Scan::kDone) return r;
    if (pos_ == s_.size()) return Scan::kIncomplete;
    const char minor = s_[pos_];
    if (minor < '0' || minor > '9') return Scan::kBad;
    out.minor_version = minor - '0';
    ++pos_;
    if (pos_ == s_.size()) return Scan::kIncomplete;
    return line_end();
  }

  // RFC 9112 §5.1: field-line = field-name ":" OWS field-value OWS. No whitespace is allowed
  // between the name and the colon (a server must reject it with 400).
  Scan header_line(HttpHeader& header) {
    if (Scan r = run_until(kTokenChar, ':', header.name); r != Scan::kDone) return r;
    const size_t start = pos_;
    for (;;) {
      if (pos_ == s_.size()) return Scan::kIncomplete;
      const char c = s_[pos_];
      if (c == '\r' || c == '\n') break;
      if (!has_class(c, kValueChar)) return Scan::kBad;
      ++pos_;
    }
    // Keep a pointer into the buffer even for an empty value, so that header() can tell
    // "present but empty" (non-null data) from "absent" (null data).
    std::string_view value = trim_ows(s_.substr(start, pos_ - start));
    header.value = value.empty() ? s_.substr(start, 0) : value;
    return line_end();
  }

  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

HttpParseResult parse_request(std::string_view input, HttpRequest& out, size_t max_head_bytes) {
  // Only the first max_head_bytes can belong to an acceptable head, so the scan never looks
  // further; a head that ends exactly at the limit is accepted.
  const size_t limit = std::min(input.size(), max_head_bytes);
  size_t consumed = 0;
  switch (HeadScanner(input.substr(0, limit)).parse(out, consumed)) {
    case Scan::kDone:
      return {HttpParseStatus::kComplete, consumed};
    case Scan::kBad:
      return {HttpParseStatus::kBadRequest, 0};
    case Scan::kTooManyHeaders:
      return {HttpParseStatus::kTooLarge, 0};
    case Scan::kIncomplete:
      break;
  }
  // Still no blank line: once the limit is reached no further bytes can help.
  if (input.size() >= max_head_bytes) return {HttpParseStatus::kTooLarge, 0};
  return {HttpParseStatus::kIncomplete, 0};
}

std::string_view HttpRequest::header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (equals_ignore_case(headers[i].name, name)) return headers[i].value;
  }
  return {};
}

size_t HttpRequest::header_count_of(std::string_view name) const {
  size_t count = 0;
  for (size_t i = 0; i < header_count; ++i) {
    if (equals_ignore_case(headers[i].name, name)) ++count;
  }
  return count;
}

bool HttpRequest::has_token(std::string_view name, std::string_view token) const {
  // RFC 9110 §5.3: repeated list fields mean the same as one field with the values joined by
  // commas, so "Connection: keep-alive" + "Connection: Upgrade" lists "upgrade".
  for (size_t i = 0; i < header_count; ++i) {
    if (equals_ignore_case(headers[i].name, name) && header_has_token(headers[i].value, token)) {
      return true;
    }
  }
  return false;
}

std::string_view HttpRequest::path() const {
  return target.substr(0, target.find('?'));
}

std::string_view HttpRequest::query() const {
  const size_t question = target.find('?');
  if (question == std::string_view::npos) return {};
  return target.substr(question + 1);
}

bool equals_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i])) return false;
  }
  return true;
}

bool header_has_token(std::string_view list, std::string_view token) {
  if (token.empty()) return false;
  // RFC 9110 §5.6.1: #element lists are comma-separated with optional whitespace, and may
  // contain empty elements, which are ignored.
  while (!list.empty()) {
    const size_t comma = list.find(',');
    const std::string_view element = trim_ows(list.substr(0, comma));
    if (equals_ignore_case(element, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace wsrelay::ws
