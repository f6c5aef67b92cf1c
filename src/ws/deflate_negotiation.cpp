// permessage-deflate negotiation (RFC 7692 §5-§7). See deflate_negotiation.hpp.
#include "ws/deflate_negotiation.hpp"

#include <algorithm>
#include <optional>

#include "ws/http_request.hpp"

namespace wsrelay::ws {

namespace {

// RFC 9110 §5.6.2 tchar.
bool is_tchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_ows(char c) {
  return c == ' ' || c == '\t';
}

// A cursor over the joined header list. Every parse_* function either consumes what it
// recognises or reports a grammar error; nothing is allocated (a quoted value with escapes is
// unescaped into a small fixed buffer: a valid one must be a token anyway, and the only tokens
// we care about are window sizes).
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }
  void skip_ows() {
    while (!at_end() && is_ows(peek())) ++pos_;
  }
  bool eat(char c) {
    if (at_end() || peek() != c) return false;
    ++pos_;
    return true;
  }
  std::string_view token() {
    const size_t start = pos_;
    while (!at_end() && is_tchar(peek())) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  // RFC 9110 §5.6.4 quoted-string, unescaped into `out`. False on a grammar error (including
  // a value too long for `out`: a valid permessage-deflate value is at most 2 characters).
  bool quoted(std::string& out) {
    if (!eat('"')) return false;
    while (!at_end()) {
      char c = text_[pos_++];
      if (c == '"') return true;
      if (c == '\\') {
        if (at_end()) return false;
        c = text_[pos_++];
      }
      // qdtext excludes CTLs; a quoted value that is not a token is rejected later anyway.
      if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return false;
      if (c == 0x7f) return false;
      out.push_back(c);
    }
    return false;  // unterminated
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

struct Param {
  std::string_view name;
  std::string value;  // unescaped; empty with has_value == false for a bare parameter
  bool has_value = false;
};

// One offer as parsed: its extension name and up to a few parameters (more than kMaxParams
// cannot be a valid permessage-deflate offer, which defines four, each at most once).
constexpr size_t kMaxParams = 4;
struct Offer {
  std::string_view name;
  Param params[kMaxParams];
  size_t count = 0;
  bool too_many = false;
};

// Parses one `extension` at the cursor. Returns false on a grammar error.
bool parse_extension(Cursor& cursor, Offer& offer) {
  cursor.skip_ows();
  offer.name = cursor.token();
  if (offer.name.empty()) return false;
  for (;;) {
    cursor.skip_ows();
    if (!cursor.eat(';')) return true;
    cursor.skip_ows();
    Param param;
    param.name = cursor.token();
    if (param.name.empty()) return false;
    cursor.skip_ows();
    if (cursor.eat('=')) {
      param.has_value = true;
      cursor.skip_ows();
      if (!cursor.at_end() && cursor.peek() == '"') {
        if (!cursor.quoted(param.value)) return false;
        // RFC 6455 §9.1: "the value MUST conform to the token ABNF" after unescaping.
        if (param.value.empty() || !std::all_of(param.value.begin(), param.value.end(), is_tchar))
          return false;
      } else {
        const std::string_view value = cursor.token();
        if (value.empty()) return false;
        param.value.assign(value);
      }
    }
    if (offer.count < kMaxParams) {
      offer.params[offer.count++] = std::move(param);
    } else {
      offer.too_many = true;  // grammatical, but certainly a duplicate or unknown parameter
    }
  }
}

// RFC 7692 §7.1.2.1/§7.1.2.2: window bits are 1*DIGIT with no leading zero, 8..15.
std::optional<uint8_t> parse_window_bits(std::string_view text) {
  if (text.size() == 1 && text[0] >= '8' && text[0] <= '9')
    return static_cast<uint8_t>(text[0] - '0');
  if (text.size() == 2 && text[0] == '1' && text[1] >= '0' && text[1] <= '5') {
    return static_cast<uint8_t>(10 + text[1] - '0');
  }
  return std::nullopt;
}

// Evaluate one permessage-deflate offer against the policy. Returns the decline reason, or
// an empty view with `out` filled when acceptable.
std::string_view evaluate(const Offer& offer, const DeflatePolicy& policy, DeflateParams& out,
                          bool& state_server_window, bool& state_client_window) {
  if (offer.too_many) return "too many parameters";
  bool seen_snct = false, seen_cnct = false, seen_smwb = false, seen_cmwb = false;
  std::optional<uint8_t> server_max;  // the client's limit on our window
  std::optional<uint8_t> client_max;  // the client's own limit (value optional)
  for (size_t i = 0; i < offer.count; ++i) {
    const Param& p = offer.params[i];
    // RFC 7692 writes its parameter names in lower case; like the extension name they are
    // tokens, compared here without regard to case.
    if (equals_ignore_case(p.name, "server_no_context_takeover")) {
      // §7.1.1.1: no value allowed.
      if (seen_snct) return "duplicate server_no_context_takeover";
      if (p.has_value) return "server_no_context_takeover has a value";
      seen_snct = true;
    } else if (equals_ignore_case(p.name, "client_no_context_takeover")) {
      // §7.1.1.2: no value allowed.
      if (seen_cnct) return "duplicate client_no_context_takeover";
      if (p.has_value) return "client_no_context_takeover has a value";
      seen_cnct = true;
    } else if (equals_ignore_case(p.name, "server_max_window_bits")) {
      // §7.1.2.1: a value is required.
      if (seen_smwb) return "duplicate server_max_window_bits";
      seen_smwb = true;
      if (!p.has_value) return "server_max_window_bits without a value";
      server_max = parse_window_bits(p.value);
      if (!server_max) return "invalid server_max_window_bits";
    } else if (equals_ignore_case(p.name, "client_max_window_bits")) {
      // §7.1.2.2: the value is optional ("I can limit my window if you ask").
      if (seen_cmwb) return "duplicate client_max_window_bits";
      seen_cmwb = true;
      if (p.has_value) {
        client_max = parse_window_bits(p.value);
        if (!client_max) return "invalid client_max_window_bits";
      }
    } else {
      return "unknown parameter";  // §5.1: not defined for use in an offer
    }
  }
  // zlib cannot produce a raw deflate stream with an 8-bit window (it silently uses 9), so a
  // client that can only inflate 256-byte windows gets no compression from us (§5.1: "the
  // server doesn't support the offered configuration").
  if (server_max && *server_max < 9) return "server_max_window_bits=8 is not supported";

  DeflateParams params;
  params.server_no_context_takeover = seen_snct || policy.force_no_context_takeover;
  params.client_no_context_takeover = seen_cnct || policy.force_no_context_takeover;
  params.server_window_bits = std::min<uint8_t>(policy.window_bits, server_max.value_or(15));
  // §7.1.2.2: only when the client offered the parameter may we ask it for a smaller window
  // (it saves inflate memory when we keep the client's context). Never larger than its own.
  params.client_window_bits = 15;
  if (seen_cmwb)
    params.client_window_bits = std::min<uint8_t>(policy.window_bits, client_max.value_or(15));
  out = params;
  // §7.1.2.1: accepting an offer with server_max_window_bits means answering with it.
  state_server_window = seen_smwb;
  state_client_window = seen_cmwb && params.client_window_bits < 15;
  return {};
}

}  // namespace

std::string deflate_response(const DeflateParams& params, bool state_server_window,
                             bool state_client_window) {
  std::string text = "permessage-deflate";
  if (params.server_no_context_takeover) text += "; server_no_context_takeover";
  if (params.client_no_context_takeover) text += "; client_no_context_takeover";
  if (state_server_window)
    text += "; server_max_window_bits=" + std::to_string(params.server_window_bits);
  if (state_client_window)
    text += "; client_max_window_bits=" + std::to_string(params.client_window_bits);
  return text;
}

DeflateNegotiation negotiate_deflate(std::span<const std::string_view> headers,
                                     const DeflatePolicy& policy) {
  DeflateNegotiation result;
  if (!policy.enabled) return result;
  // Parse the whole list first: a grammar error anywhere declines everything (see header).
  // Then the first acceptable permessage-deflate offer wins.
  bool offered = false;
  bool accepted = false;
  for (std::string_view header : headers) {
    Cursor cursor(header);
    for (;;) {
      cursor.skip_ows();
      // RFC 9110 §5.6.1: empty list elements are tolerated ("a, , b").
      if (cursor.eat(',')) continue;
      if (cursor.at_end()) break;
      Offer offer;
      if (!parse_extension(cursor, offer)) {
        result = DeflateNegotiation{};
        result.outcome = NegotiationOutcome::kDeclined;
        result.decline = "malformed Sec-WebSocket-Extensions header";
        return result;
      }
      cursor.skip_ows();
      if (!cursor.at_end() && !cursor.eat(',')) {
        result = DeflateNegotiation{};
        result.outcome = NegotiationOutcome::kDeclined;
        result.decline = "malformed Sec-WebSocket-Extensions header";
        return result;
      }
      // Extension names are tokens compared case-insensitively (RFC 6455 §9.1 registers them
      // like header tokens). Other extensions are not ours to answer: they are declined by
      // not being mentioned.
      if (!equals_ignore_case(offer.name, "permessage-deflate")) continue;
      offered = true;
      if (accepted) continue;  // keep parsing: the rest must still be well formed
      DeflateParams params;
      bool state_server = false, state_client = false;
      const std::string_view reason = evaluate(offer, policy, params, state_server, state_client);
      if (!reason.empty()) {
        result.decline = reason;
        continue;
      }
      accepted = true;
      result.params = params;
      result.response = deflate_response(params, state_server, state_client);
    }
  }
  if (accepted) {
    result.outcome = NegotiationOutcome::kAccepted;
    result.decline = {};
  } else {
    result.outcome = offered ? NegotiationOutcome::kDeclined : NegotiationOutcome::kNotOffered;
  }
  return result;
}

}  // namespace wsrelay::ws
