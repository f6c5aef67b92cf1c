// HTTP/1.1 response parsing (RFC 9112). See response_parser.hpp for the contract.
//
// The head is parsed only once its end (an empty line) has arrived, so re-running on a longer
// prefix can never change an earlier verdict; the cap bounds how long we wait for it.
#include "http/client/response_parser.hpp"

#include <algorithm>

namespace wsrelay::http::client {

namespace {

// Longest chunk-size line extension and trailer section we skip over.
constexpr size_t kMaxChunkLineBytes = 4096;
// 15 hex digits keep a chunk size below 2^60: no overflow, far above any cap.
constexpr size_t kMaxSizeDigits = 15;

bool is_token_char(char c) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  const bool digit = c >= '0' && c <= '9';
  return alpha || digit || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// RFC 9110 §5.5 field-vchar, SP, HTAB and obs-text.
bool is_value_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u == '\t' || (u >= 0x20 && u != 0x7F);
}

bool is_ows(char c) { return c == ' ' || c == '\t'; }

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_ignore_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

bool list_has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (same_ignore_case(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The last element of a comma-separated list, trimmed.
std::string_view last_element(std::string_view list) {
  const size_t comma = list.rfind(',');
  return trim(comma == std::string_view::npos ? list : list.substr(comma + 1));
}

// One line of the head without its line end; false when `head` holds no line end any more.
bool next_line(std::string_view head, size_t& pos, std::string_view& line) {
  const size_t lf = head.find('\n', pos);
  if (lf == std::string_view::npos) return false;
  size_t end = lf;
  if (end > pos && head[end - 1] == '\r') --end;
  line = head.substr(pos, end - pos);
  pos = lf + 1;
  return true;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view ResponseHead::header(std::string_view name) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (same_ignore_case(headers[i].name, name)) return headers[i].value;
  }
  return {};
}

bool ResponseHead::has_token(std::string_view name, std::string_view token) const {
  for (size_t i = 0; i < header_count; ++i) {
    if (same_ignore_case(headers[i].name, name) && list_has_token(headers[i].value, token)) return true;
  }
  return false;
}

HeadResult parse_response_head(std::string_view input, ResponseHead& out, size_t max_head_bytes) {
  // Where does the head end? The first empty line (CRLF CRLF, or bare LFs).
  size_t end = std::string_view::npos;
  for (size_t lf = input.find('\n'); lf != std::string_view::npos; lf = input.find('\n', lf + 1)) {
    if (lf + 1 > max_head_bytes) break;
    if (lf + 1 < input.size() && input[lf + 1] == '\n') {
      end = lf + 2;
      break;
    }
    if (lf + 2 < input.size() && input[lf + 1] == '\r' && input[lf + 2] == '\n') {
      end = lf + 3;
      break;
    }
  }
  if (end == std::string_view::npos || end > max_head_bytes) {
    if (input.size() >= max_head_bytes) return {HeadStatus::kTooLarge, 0};
    return {HeadStatus::kIncomplete, 0};
  }
  const std::string_view head = input.substr(0, end);
  out.header_count = 0;
  size_t pos = 0;
  std::string_view line;
  next_line(head, pos, line);
  // status-line = HTTP-version SP status-code SP [ reason-phrase ]  (RFC 9112 §4)
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[7] < '0' || line[7] > '9' || line[8] != ' ') {
    return {HeadStatus::kMalformed, 0};
  }
  out.minor_version = line[7] - '0';
  int status = 0;
  for (size_t i = 9; i < 12; ++i) {
    if (line[i] < '0' || line[i] > '9') return {HeadStatus::kMalformed, 0};
    status = status * 10 + (line[i] - '0');
  }
  if (status < 100) return {HeadStatus::kMalformed, 0};
  out.status = status;
  if (line.size() > 12 && line[12] != ' ') return {HeadStatus::kMalformed, 0};
  out.reason = line.size() > 13 ? line.substr(13) : std::string_view();
  for (char c : out.reason) {
    if (!is_value_char(c)) return {HeadStatus::kMalformed, 0};
  }
  while (next_line(head, pos, line) && !line.empty()) {
    // RFC 9112 §5.2: obs-fold is not accepted here (a client may reject the message).
    if (is_ows(line.front())) return {HeadStatus::kMalformed, 0};
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return {HeadStatus::kMalformed, 0};
    const std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!is_token_char(c)) return {HeadStatus::kMalformed, 0};
    }
    const std::string_view value = line.substr(colon + 1);
    for (char c : value) {
      if (!is_value_char(c)) return {HeadStatus::kMalformed, 0};
    }
    if (out.header_count == kMaxResponseHeaders) return {HeadStatus::kTooLarge, 0};
    out.headers[out.header_count++] = {name, trim(value)};
  }
  return {HeadStatus::kComplete, end};
}

BodyFraming body_framing(const ResponseHead& head, bool request_was_head) {
  // RFC 9112 §6.3 step 1: no body whatever the header fields say.
  if (request_was_head || (head.status >= 100 && head.status < 200) || head.status == 204 || head.status == 304) {
    return {Framing::kNone, 0};
  }
  bool has_te = false;
  std::string_view last_te;
  bool has_length = false;
  uint64_t length = 0;
  for (size_t i = 0; i < head.header_count; ++i) {
    const ResponseHeader& h = head.headers[i];
    if (same_ignore_case(h.name, "Transfer-Encoding")) {
      has_te = true;
      if (!trim(h.value).empty()) last_te = last_element(h.value);
    } else if (same_ignore_case(h.name, "Content-Length")) {
      // Each element of a (possibly repeated, possibly listed) Content-Length must be the same
      // decimal number (§6.3 step 5); anything else is unrecoverable framing.
      std::string_view list = h.value;
      while (true) {
        const size_t comma = list.find(',');
        const std::string_view number = trim(list.substr(0, comma));
        if (number.empty() || number.size() > 18) return {Framing::kInvalid, 0};
        uint64_t value = 0;
        for (char c : number) {
          if (c < '0' || c > '9') return {Framing::kInvalid, 0};
          value = value * 10 + static_cast<uint64_t>(c - '0');
        }
        if (has_length && value != length) return {Framing::kInvalid, 0};
        has_length = true;
        length = value;
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
      }
    }
  }
  if (has_te) {
    // §6.3 step 4: chunked last means chunked; any other final coding means read until close.
    if (same_ignore_case(last_te, "chunked")) return {Framing::kChunked, 0};
    return {Framing::kUntilClose, 0};
  }
  if (has_length) return {Framing::kContentLength, length};
  return {Framing::kUntilClose, 0};  // step 7
}

bool reusable(const ResponseHead& head, const BodyFraming& framing) {
  if (framing.framing == Framing::kUntilClose || framing.framing == Framing::kInvalid) return false;
  if (head.has_token("Connection", "close")) return false;
  if (head.header("Transfer-Encoding").data() != nullptr && head.header("Content-Length").data() != nullptr) {
    return false;  // RFC 9112 §6.3 step 3: possibly a smuggling attempt; close after it
  }
  if (head.minor_version == 0) return head.has_token("Connection", "keep-alive");
  return true;
}

void BodyDecoder::reset(BodyFraming framing, size_t max_body) {
  max_body_ = max_body;
  taken_ = 0;
  remaining_ = 0;
  size_digits_ = 0;
  line_bytes_ = 0;
  switch (framing.framing) {
    case Framing::kNone:
    case Framing::kInvalid:
      state_ = State::kDone;
      break;
    case Framing::kContentLength:
      remaining_ = framing.length;
      state_ = remaining_ == 0 ? State::kDone : State::kLength;
      break;
    case Framing::kChunked:
      state_ = State::kChunkSize;
      break;
    case Framing::kUntilClose:
      state_ = State::kUntilClose;
      break;
  }
}

bool BodyDecoder::take(std::string_view data, std::string& body) {
  if (data.size() > max_body_ - taken_) return false;
  taken_ += data.size();
  body.append(data);
  return true;
}

bool BodyDecoder::finish_at_close() const { return state_ == State::kDone || state_ == State::kUntilClose; }

BodyResult BodyDecoder::feed(std::string_view input, std::string& body) {
  size_t pos = 0;
  const auto bad = [&] { return BodyResult{BodyStatus::kMalformed, pos}; };
  while (pos < input.size() && state_ != State::kDone) {
    const char c = input[pos];
    switch (state_) {
      case State::kLength: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size() - pos));
        if (!take(input.substr(pos, n), body)) return {BodyStatus::kTooLarge, pos};
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kDone;
        break;
      }
      case State::kUntilClose:
        if (!take(input.substr(pos), body)) return {BodyStatus::kTooLarge, pos};
        pos = input.size();
        break;
      // RFC 9112 §7.1: chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
      case State::kChunkSize: {
        const int digit = hex_value(c);
        if (digit >= 0) {
          if (++size_digits_ > kMaxSizeDigits) return {BodyStatus::kTooLarge, pos};
          remaining_ = remaining_ * 16 + static_cast<uint64_t>(digit);
          ++pos;
        } else if (size_digits_ == 0) {
          return bad();
        } else if (c == ';' || is_ows(c)) {
          state_ = State::kChunkExt;
        } else if (c == '\r') {
          state_ = State::kChunkSizeLf;
          ++pos;
        } else if (c == '\n') {
          state_ = State::kChunkSizeLf;  // bare LF: handled as if the CR had been there
        } else {
          return bad();
        }
        break;
      }
      case State::kChunkExt:
        // Extensions are ignored (§7.1.1), but their length is bounded.
        if (c == '\r' || c == '\n') {
          state_ = State::kChunkSizeLf;
          if (c == '\r') ++pos;
        } else if (++line_bytes_ > kMaxChunkLineBytes || (!is_value_char(c))) {
          return bad();
        } else {
          ++pos;
        }
        break;
      case State::kChunkSizeLf:
        if (c != '\n') return bad();
        ++pos;
        line_bytes_ = 0;
        size_digits_ = 0;
        if (remaining_ == 0) {
          state_ = State::kTrailerLineStart;  // last-chunk: the trailer section follows
        } else {
          if (remaining_ > max_body_ - taken_) return {BodyStatus::kTooLarge, pos};
          state_ = State::kChunkData;
        }
        break;
      case State::kChunkData: {
        const size_t n = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size() - pos));
        if (!take(input.substr(pos, n), body)) return {BodyStatus::kTooLarge, pos};
        pos += n;
        remaining_ -= n;
        if (remaining_ == 0) state_ = State::kChunkDataCr;
        break;
      }
      case State::kChunkDataCr:
        if (c == '\r') {
          ++pos;
          state_ = State::kChunkDataLf;
        } else if (c == '\n') {
          state_ = State::kChunkDataLf;
        } else {
          return bad();
        }
        break;
      case State::kChunkDataLf:
        if (c != '\n') return bad();
        ++pos;
        state_ = State::kChunkSize;
        break;
      // trailer-section = *( field-line CRLF ) CRLF  (§7.1.2): skipped, bounded.
      case State::kTrailerLineStart:
        if (c == '\r') {
          ++pos;
          state_ = State::kTrailerEndLf;
        } else if (c == '\n') {
          ++pos;
          state_ = State::kDone;
        } else {
          state_ = State::kTrailerLine;
        }
        break;
      case State::kTrailerLine:
        if (++line_bytes_ > kMaxChunkLineBytes) return bad();
        ++pos;
        if (c == '\n') state_ = State::kTrailerLineStart;
        break;
      case State::kTrailerEndLf:
        if (c != '\n') return bad();
        ++pos;
        state_ = State::kDone;
        break;
      case State::kDone:
        break;
    }
  }
  return {state_ == State::kDone ? BodyStatus::kDone : BodyStatus::kNeedMore, pos};
}

}  // namespace wsrelay::http::client
