// Fuzz property check for the Pusher REST request signature (src/app/pusher/signatures.hpp).
// See fuzz_support.hpp for the check-function convention.
//
// Input: "METHOD\nPATH\nQUERY\nBODY" (missing parts are empty; BODY is everything after the
// third newline).
//
// Properties:
//  - verify_rest_request never crashes on anything, and accepts the fuzzed request only when its
//    auth_signature really is HMAC-SHA256(secret, METHOD\nPATH\nsorted params) and body_md5 the
//    body's MD5 (recomputed here independently of the verifier's code path order);
//  - the same method, path, extra parameters and body, signed properly (every value
//    percent-encoded, as the SDKs do), are accepted — and refused once one hex digit of the
//    signature, the body or the timestamp (by more than 600 s) is changed.
#pragma once

#include <cctype>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "app/pusher/signatures.hpp"
#include "fuzz_support.hpp"

namespace wsrelay::fuzz {

namespace pusher_rest_check {

inline std::string encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

}  // namespace pusher_rest_check

inline std::string check_pusher_rest(std::span<const uint8_t> input) {
  namespace p = app::pusher;
  using pusher_rest_check::encode;
  constexpr std::string_view kKey = "key";
  constexpr std::string_view kSecret = "secret";
  constexpr int64_t kNow = 1'700'000'000;
  std::string_view rest(reinterpret_cast<const char*>(input.data()), input.size());
  std::string_view parts[3];
  for (std::string_view& part : parts) {
    const size_t newline = rest.find('\n');
    part = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
  }
  const std::string_view method = parts[0], path = parts[1], query = parts[2], body = rest;

  // 1. The fuzzed request as it is.
  if (p::verify_rest_request(method, path, query, body, kKey, kSecret, kNow) == p::RestAuthProblem::kNone) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!p::parse_query(query, params)) return "accepted a query that does not parse";
    const std::string* signature = p::find_param(params, "auth_signature");
    const std::string* md5 = p::find_param(params, "body_md5");
    if (signature == nullptr) return "accepted without auth_signature";
    std::string lower;
    for (char c : *signature) lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (lower != p::hmac_hex(kSecret, p::rest_string_to_sign(method, path, params))) return "accepted a wrong signature";
    if (!body.empty() && (md5 == nullptr || *md5 != p::md5_hex(body))) return "accepted a wrong body_md5";
  }

  // 2. The same request signed properly.
  std::vector<std::pair<std::string, std::string>> params;
  if (!p::parse_query(query, params)) params.clear();
  std::erase_if(params, [](const auto& kv) { return kv.first.rfind("auth_", 0) == 0 || kv.first == "body_md5"; });
  params.emplace_back("auth_key", std::string(kKey));
  params.emplace_back("auth_timestamp", std::to_string(kNow));
  params.emplace_back("auth_version", "1.0");
  if (!body.empty()) params.emplace_back("body_md5", p::md5_hex(body));
  std::string signed_query;
  for (const auto& [k, v] : params) signed_query += encode(k) + "=" + encode(v) + "&";
  const std::string signature = p::hmac_hex(kSecret, p::rest_string_to_sign(method, path, params));
  const std::string good = signed_query + "auth_signature=" + signature;
  const p::RestAuthProblem verdict = p::verify_rest_request(method, path, good, body, kKey, kSecret, kNow);
  if (verdict != p::RestAuthProblem::kNone) return "a properly signed request was refused: " + std::string(p::describe(verdict));
  std::string bad = good;
  bad.back() = bad.back() == '0' ? '1' : '0';
  if (p::verify_rest_request(method, path, bad, body, kKey, kSecret, kNow) == p::RestAuthProblem::kNone) {
    return "a changed signature was accepted";
  }
  if (p::verify_rest_request(method, path, good, std::string(body) + "x", kKey, kSecret, kNow) == p::RestAuthProblem::kNone) {
    return "a changed body was accepted";
  }
  if (p::verify_rest_request(method, path, good, body, kKey, kSecret, kNow + 601) == p::RestAuthProblem::kNone) {
    return "a stale timestamp was accepted";
  }
  return {};
}

}  // namespace wsrelay::fuzz
