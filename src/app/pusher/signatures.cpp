// Pusher channel-auth and REST signatures; see signatures.hpp.
#include "app/pusher/signatures.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>

#include "app/auth/hmac_sha256.hpp"
#include "common/percent_decode.hpp"

namespace wsrelay::app::pusher {
namespace {

constexpr int64_t kMaxClockSkewS = 600;  // Pusher's REST API window

std::string to_hex(const uint8_t* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * size);
  for (size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

// Hex to bytes; false unless exactly `expected` bytes of valid hex (either case).
bool from_hex(std::string_view hex, size_t expected, std::string& out) {
  if (hex.size() != 2 * expected) return false;
  out.clear();
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = common::hex_digit_value(hex[i]);
    const int low = common::hex_digit_value(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high * 16 + low));
  }
  return true;
}

bool mac_matches(std::string_view secret, std::string_view data, std::string_view presented_hex) {
  std::string presented;
  if (!from_hex(presented_hex, 32, presented)) return false;
  const auto mac = auth::hmac_sha256(secret, data);
  return mac && auth::equal_constant_time(*mac, presented);
}

bool form_decode(std::string_view text, std::string& out) {
  std::string spaced(text);
  std::replace(spaced.begin(), spaced.end(), '+', ' ');
  return common::percent_decode(spaced, out);
}

}  // namespace

std::string hmac_hex(std::string_view secret, std::string_view data) {
  const auto mac = auth::hmac_sha256(secret, data);
  return mac ? to_hex(mac->data(), mac->size()) : std::string();
}

std::string sign_auth(std::string_view key, std::string_view secret,
                      std::string_view string_to_sign) {
  return std::string(key) + ":" + hmac_hex(secret, string_to_sign);
}

bool verify_auth(std::string_view auth, std::string_view key, std::string_view secret,
                 std::string_view string_to_sign) {
  const size_t colon = auth.find(':');
  if (colon == std::string_view::npos || key.empty()) return false;
  // The key is public (it is in every page's JavaScript): comparing it plainly leaks nothing.
  if (auth.substr(0, colon) != key) return false;
  return mac_matches(secret, string_to_sign, auth.substr(colon + 1));
}

std::string channel_string_to_sign(std::string_view socket_id, std::string_view channel,
                                   std::string_view channel_data) {
  std::string text;
  text.reserve(socket_id.size() + channel.size() + channel_data.size() + 2);
  text.append(socket_id).append(":").append(channel);
  if (!channel_data.empty()) text.append(":").append(channel_data);
  return text;
}

std::string_view describe(RestAuthProblem problem) {
  switch (problem) {
    case RestAuthProblem::kNone:
      return "ok";
    case RestAuthProblem::kMissing:
      return "auth_key, auth_timestamp and auth_signature are required";
    case RestAuthProblem::kWrongKey:
      return "unknown auth_key";
    case RestAuthProblem::kStale:
      return "auth_timestamp is more than 600 seconds from the server's clock";
    case RestAuthProblem::kBadBodyMd5:
      return "body_md5 does not match the body";
    case RestAuthProblem::kBadSignature:
      return "invalid signature";
  }
  return "invalid signature";
}

bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out) {
  out.clear();
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    if (pair.empty()) continue;
    const size_t equals = pair.find('=');
    std::string name;
    std::string value;
    if (!form_decode(pair.substr(0, equals), name)) return false;
    if (equals != std::string_view::npos && !form_decode(pair.substr(equals + 1), value))
      return false;
    out.emplace_back(std::move(name), std::move(value));
  }
  return true;
}

const std::string* find_param(const std::vector<std::pair<std::string, std::string>>& params,
                              std::string_view name) {
  for (const auto& [key, value] : params) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string md5_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  static const unsigned char kEmpty = 0;
  const void* ptr = data.empty() ? &kEmpty : static_cast<const void*>(data.data());
  if (EVP_Digest(ptr, data.size(), digest, &length, EVP_md5(), nullptr) != 1) return {};
  return to_hex(digest, length);
}

std::string rest_string_to_sign(std::string_view method, std::string_view path,
                                std::vector<std::pair<std::string, std::string>> params) {
  std::erase_if(params, [](const auto& p) { return p.first == "auth_signature"; });
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string text;
  text.append(method).append("\n").append(path).append("\n");
  for (size_t i = 0; i < params.size(); ++i) {
    if (i != 0) text.push_back('&');
    text.append(params[i].first).append("=").append(params[i].second);
  }
  return text;
}

RestAuthProblem verify_rest_request(std::string_view method, std::string_view path,
                                    std::string_view query, std::string_view body,
                                    std::string_view key, std::string_view secret, int64_t now_s) {
  std::vector<std::pair<std::string, std::string>> params;
  if (!parse_query(query, params)) return RestAuthProblem::kMissing;
  const std::string* auth_key = find_param(params, "auth_key");
  const std::string* timestamp = find_param(params, "auth_timestamp");
  const std::string* signature = find_param(params, "auth_signature");
  if (auth_key == nullptr || timestamp == nullptr || signature == nullptr)
    return RestAuthProblem::kMissing;
  if (key.empty() || *auth_key != key) return RestAuthProblem::kWrongKey;
  int64_t stamp = 0;
  const auto [end, ec] =
      std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), stamp);
  if (ec != std::errc() || end != timestamp->data() + timestamp->size())
    return RestAuthProblem::kStale;
  if (stamp > now_s + kMaxClockSkewS || stamp < now_s - kMaxClockSkewS)
    return RestAuthProblem::kStale;
  const std::string* body_md5 = find_param(params, "body_md5");
  if (!body.empty() || body_md5 != nullptr) {
    // An MD5 is not secret: a plain comparison is fine; the signature covers it anyway.
    if (body_md5 == nullptr || *body_md5 != md5_hex(body)) return RestAuthProblem::kBadBodyMd5;
  }
  if (!mac_matches(secret, rest_string_to_sign(method, path, params), *signature)) {
    return RestAuthProblem::kBadSignature;
  }
  return RestAuthProblem::kNone;
}

}  // namespace wsrelay::app::pusher
