// Fuzz property check for the HTTP request-head parser and the upgrade check
// (src/ws/http_request.hpp, src/ws/handshake.hpp). See fuzz_support.hpp for the convention.
//
// Input: [limit][seed][seed][request bytes...]
//   limit (low 4 bits): max_head_bytes, one of kHeadLimits (0 = the 8 KiB default);
//   seed: the PRNG choosing which prefixes are parsed.
//
// The server keeps the bytes received so far and parses them again after every read, stopping
// at the first answer that is not kIncomplete. So the property that matters is monotonicity:
// there is one length L at which the prefix first gets a definite answer, every shorter prefix
// is kIncomplete, and every longer one (the whole input included) gives that same answer:
// status, consumed, and every field, as views at the same offsets of the buffer. That makes
// the result independent of how the bytes were split into reads, kTooLarge included.
// Checked for every prefix of short inputs and for random prefixes of long ones.
//
// A complete head is also checked for shape (views inside the head, tokens, no CR/LF/NUL in
// values, trimmed values, consumed within the limit and ending in LF), the lookup helpers are
// compared with naive loops, and check_upgrade() is compared with a naive statement of
// RFC 6455 §4.2.1: it accepts exactly when every rule holds, and when it refuses, its status is
// one a broken rule calls for (405 method, 426 version, 400 the rest).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_support.hpp"
#include "ws/handshake.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::fuzz {

namespace http_check {

inline constexpr size_t kHeadLimits[16] = {8192, 0,   1,   2,   16,   32,   64,    100,
                                           128,  200, 256, 512, 1024, 4096, 65536, SIZE_MAX};
inline constexpr size_t kMaxEveryPrefix = 1024;

inline std::string status_name(ws::HttpParseStatus status) {
  switch (status) {
    case ws::HttpParseStatus::kComplete:
      return "complete";
    case ws::HttpParseStatus::kIncomplete:
      return "incomplete";
    case ws::HttpParseStatus::kBadRequest:
      return "bad request";
    case ws::HttpParseStatus::kTooLarge:
      return "too large";
  }
  return "?";
}

struct Parsed {
  ws::HttpParseResult result{ws::HttpParseStatus::kIncomplete, 0};
  ws::HttpRequest request;
};

inline bool same_view(std::string_view a, std::string_view b) {
  return a.data() == b.data() && a.size() == b.size();
}

// Same answer, and for kComplete the same fields at the same places.
inline std::string compare(const Parsed& a, const Parsed& b) {
  if (a.result.status != b.result.status) {
    return status_name(a.result.status) + " vs " + status_name(b.result.status);
  }
  if (a.result.status != ws::HttpParseStatus::kComplete) return {};
  if (a.result.consumed != b.result.consumed) {
    return "consumed " + std::to_string(a.result.consumed) + " vs " +
           std::to_string(b.result.consumed);
  }
  const ws::HttpRequest& x = a.request;
  const ws::HttpRequest& y = b.request;
  if (!same_view(x.method, y.method) || !same_view(x.target, y.target) ||
      x.minor_version != y.minor_version || x.header_count != y.header_count) {
    return "request line or header count differs";
  }
  for (size_t i = 0; i < x.header_count; ++i) {
    if (!same_view(x.headers[i].name, y.headers[i].name) ||
        !same_view(x.headers[i].value, y.headers[i].value)) {
      return "header " + std::to_string(i) + " differs";
    }
  }
  return {};
}

inline char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
}

inline bool naive_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

inline bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// Comma-separated list elements, whitespace-trimmed (RFC 9110 §5.6.1).
inline std::vector<std::string_view> naive_elements(std::string_view list) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i == list.size() || list[i] == ',') {
      std::string_view e = list.substr(start, i - start);
      while (!e.empty() && (e.front() == ' ' || e.front() == '\t')) e.remove_prefix(1);
      while (!e.empty() && (e.back() == ' ' || e.back() == '\t')) e.remove_suffix(1);
      out.push_back(e);
      start = i + 1;
    }
  }
  return out;
}

inline bool naive_lists(const ws::HttpRequest& r, std::string_view name, std::string_view token) {
  for (size_t i = 0; i < r.header_count; ++i) {
    if (!naive_iequal(r.headers[i].name, name)) continue;
    for (std::string_view e : naive_elements(r.headers[i].value)) {
      if (naive_iequal(e, token)) return true;
    }
  }
  return false;
}

inline size_t naive_count(const ws::HttpRequest& r, std::string_view name) {
  size_t n = 0;
  for (size_t i = 0; i < r.header_count; ++i) n += naive_iequal(r.headers[i].name, name);
  return n;
}

inline const ws::HttpHeader* naive_first(const ws::HttpRequest& r, std::string_view name) {
  for (size_t i = 0; i < r.header_count; ++i) {
    if (naive_iequal(r.headers[i].name, name)) return &r.headers[i];
  }
  return nullptr;
}

// RFC 6455 §4.2.1 item 5: base64 of exactly 16 bytes. Decode the 22 data characters into bits:
// 132 bits, of which the last 4 must be zero for the text to encode 16 bytes (RFC 4648 §3.5).
inline bool naive_key_ok(std::string_view key) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (key.size() != 24 || key.substr(22) != "==") return false;
  std::vector<int> bits;
  for (char c : key.substr(0, 22)) {
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return false;
    for (int b = 5; b >= 0; --b) bits.push_back(static_cast<int>((v >> b) & 1));
  }
  for (size_t i = 128; i < bits.size(); ++i) {
    if (bits[i] != 0) return false;
  }
  return true;
}

// Statuses the broken rules call for; empty when the request is an acceptable upgrade.
inline std::vector<int> naive_upgrade_refusals(const ws::HttpRequest& r) {
  std::vector<int> out;
  if (r.method != "GET") out.push_back(405);
  if (r.minor_version < 1) out.push_back(400);
  if (naive_count(r, "host") != 1) out.push_back(400);
  if (!naive_lists(r, "upgrade", "websocket")) out.push_back(400);
  if (!naive_lists(r, "connection", "upgrade")) out.push_back(400);
  const ws::HttpHeader* version = naive_first(r, "sec-websocket-version");
  if (naive_count(r, "sec-websocket-version") != 1 || version->value != "13") out.push_back(426);
  const ws::HttpHeader* key = naive_first(r, "sec-websocket-key");
  if (naive_count(r, "sec-websocket-key") != 1 || !naive_key_ok(key->value)) out.push_back(400);
  return out;
}

inline std::string check_complete(std::string_view input, const Parsed& p, size_t limit) {
  const ws::HttpRequest& r = p.request;
  const size_t consumed = p.result.consumed;
  if (consumed == 0 || consumed > input.size() || consumed > limit) {
    return "consumed " + std::to_string(consumed) + " is outside the input or the limit";
  }
  if (input[consumed - 1] != '\n') return "the head does not end with LF";
  auto inside = [&](std::string_view v) {
    return v.data() >= input.data() && v.data() + v.size() <= input.data() + consumed;
  };
  if (r.method.empty() || r.target.empty() || !inside(r.method) || !inside(r.target)) {
    return "method or target empty or outside the head";
  }
  for (char c : r.method) {
    if (!is_tchar(c)) return "method holds a non-token character";
  }
  for (char c : r.target) {
    if (c <= 0x20 || c >= 0x7F) return "target holds a space or control character";
  }
  if (r.minor_version < 0 || r.minor_version > 9) return "minor version out of range";
  if (r.header_count > ws::kMaxHttpHeaders) return "too many headers";
  for (size_t i = 0; i < r.header_count; ++i) {
    const ws::HttpHeader& h = r.headers[i];
    if (h.name.empty() || !inside(h.name) || h.value.data() == nullptr || !inside(h.value)) {
      return "header " + std::to_string(i) + " empty name or outside the head";
    }
    for (char c : h.name) {
      if (!is_tchar(c)) return "header name holds a non-token character";
    }
    for (char c : h.value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7F) return "header value holds a control character";
    }
    if (!h.value.empty() && (h.value.front() == ' ' || h.value.front() == '\t' ||
                             h.value.back() == ' ' || h.value.back() == '\t')) {
      return "header value not trimmed";
    }
    // The lookup helpers against naive loops, for this header's name.
    const ws::HttpHeader* first = naive_first(r, h.name);
    if (!same_view(r.header(h.name), first->value)) return "header() is not the first match";
    if (r.header_count_of(h.name) != naive_count(r, h.name)) return "header_count_of() miscounts";
    for (std::string_view token : {"websocket", "upgrade", "close", "keep-alive"}) {
      if (r.has_token(h.name, token) != naive_lists(r, h.name, token)) {
        return "has_token(" + std::string(token) + ") disagrees with a naive split";
      }
    }
  }
  if (r.header("x-absent-header").data() != nullptr)
    return "header() of an absent name is not null";
  const size_t q = r.target.find('?');
  if (r.path() != r.target.substr(0, q) ||
      r.query() != (q == std::string_view::npos ? std::string_view() : r.target.substr(q + 1))) {
    return "path()/query() do not split the target at '?'";
  }

  // The upgrade decision.
  const std::vector<int> refusals = naive_upgrade_refusals(r);
  const ws::UpgradeCheck check = ws::check_upgrade(r);
  if (ws::wants_websocket(r) != naive_lists(r, "upgrade", "websocket")) {
    return "wants_websocket() disagrees with the Upgrade header";
  }
  if (refusals.empty()) {
    if (check.status != 0) {
      return "check_upgrade refused (" + std::to_string(check.status) + " " +
             std::string(check.reason) + ") an acceptable upgrade";
    }
    if (!same_view(check.key, naive_first(r, "sec-websocket-key")->value)) {
      return "check_upgrade returned another key";
    }
    const std::string response = ws::accept_response(check.key);
    if (response.rfind("HTTP/1.1 101 ", 0) != 0 || response.size() < 4 ||
        response.substr(response.size() - 4) != "\r\n\r\n") {
      return "accept_response is not a 101 head";
    }
  } else {
    bool allowed = false;
    for (int status : refusals) allowed = allowed || status == check.status;
    if (!allowed) {
      return "check_upgrade answered " + std::to_string(check.status) +
             " but the broken rules call for another status";
    }
    if (check.reason.empty()) return "check_upgrade refused without a reason";
  }
  return {};
}

}  // namespace http_check

inline std::string check_http(std::span<const uint8_t> input) {
  using namespace http_check;
  const size_t limit = kHeadLimits[input.empty() ? 0 : input[0] & 0xF];
  Rng rng(seed_from(clamped(input, 1, 2)));
  const std::string_view bytes = as_text(clamped(input, 3, input.size()));
  const std::string where = " (limit " + std::to_string(limit) + ", input " + hex(bytes, 200) + ")";

  auto parse = [&](size_t length) {
    Parsed p;
    p.result = ws::parse_request(bytes.substr(0, length), p.request, limit);
    return p;
  };

  // Find the first decisive length by bisection (sound only if the parser is monotonic, which
  // the prefix checks below then verify).
  const Parsed whole = parse(bytes.size());
  size_t decisive = bytes.size() + 1;  // none: everything is incomplete
  if (whole.result.status != ws::HttpParseStatus::kIncomplete) {
    size_t lo = 0;
    size_t hi = bytes.size();
    while (lo < hi) {
      const size_t mid = lo + (hi - lo) / 2;
      if (parse(mid).result.status == ws::HttpParseStatus::kIncomplete) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    decisive = lo;
  }

  std::vector<size_t> lengths;
  if (bytes.size() <= kMaxEveryPrefix) {
    for (size_t n = 0; n <= bytes.size(); ++n) lengths.push_back(n);
  } else {
    // The lengths a server would see reading random pieces, and the edges of the decision.
    size_t at = 0;
    for (size_t piece : random_pieces(bytes.size(), rng)) lengths.push_back(at += piece);
    for (size_t n : {decisive - 1, decisive, decisive + 1}) {
      if (n <= bytes.size()) lengths.push_back(n);
    }
  }
  for (size_t n : lengths) {
    const Parsed p = parse(n);
    if (n < decisive) {
      if (p.result.status != ws::HttpParseStatus::kIncomplete) {
        return "prefix of " + std::to_string(n) + " bytes is " + status_name(p.result.status) +
               " but the shortest decisive prefix found is " + std::to_string(decisive) + where;
      }
    } else if (std::string diff = compare(p, whole); !diff.empty()) {
      return "prefix of " + std::to_string(n) + " bytes and the whole input differ: " + diff +
             where;
    }
  }
  // The whole input with a different tail: once decided, later bytes cannot matter.
  if (whole.result.status != ws::HttpParseStatus::kIncomplete) {
    std::string extended(bytes);
    extended += "\r\n\r\nGET / HTTP/1.1\r\n";
    Parsed p;
    p.result =
        ws::parse_request(std::string_view(extended).substr(0, bytes.size()), p.request, limit);
    Parsed q;
    q.result = ws::parse_request(extended, q.request, limit);
    if (p.result.status != q.result.status || p.result.consumed != q.result.consumed) {
      return "bytes after the decision changed the answer: " + status_name(p.result.status) +
             " vs " + status_name(q.result.status) + where;
    }
  }

  if (whole.result.status == ws::HttpParseStatus::kComplete) {
    if (std::string f = check_complete(bytes, whole, limit); !f.empty()) return f + where;
  }
  return {};
}

}  // namespace wsrelay::fuzz
