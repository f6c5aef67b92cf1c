// HS256 token verification; the rules and their order are in jwt.hpp.
#include "app/auth/jwt.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "app/auth/base64url.hpp"
#include "app/auth/hmac_sha256.hpp"
#include "app/auth/room_pattern.hpp"
#include "app/json_parser.hpp"

namespace wsrelay::app::auth {

namespace {

// Reasons for logs. Short, fixed, and free of token content (tokens are credentials).
namespace reason {
constexpr std::string_view kTooLarge = "token too large";
constexpr std::string_view kSegments = "token is not three dot-separated segments";
constexpr std::string_view kBase64 = "segment is not valid unpadded base64url";
constexpr std::string_view kHeaderJson = "header is not a JSON object";
constexpr std::string_view kHeaderDuplicate = "header has a duplicate member";
constexpr std::string_view kAlgMissing = "header has no alg";
constexpr std::string_view kAlgNotHs256 = "alg is not HS256";
constexpr std::string_view kTyp = "typ is not JWT";
constexpr std::string_view kCrit = "crit header is not supported";
constexpr std::string_view kNoSecret = "no secret configured";
constexpr std::string_view kHmacFailed = "HMAC computation failed";
constexpr std::string_view kSignature = "signature does not match";
constexpr std::string_view kClaimsJson = "claims are not a JSON object";
constexpr std::string_view kClaimsDuplicate = "claims have a duplicate member";
constexpr std::string_view kExpType = "exp is not a number";
constexpr std::string_view kNbfType = "nbf is not a number";
constexpr std::string_view kExpMissing = "exp claim missing";
constexpr std::string_view kExpired = "token expired";
constexpr std::string_view kNotYetValid = "token not yet valid (nbf)";
constexpr std::string_view kSubMissing = "sub claim missing";
constexpr std::string_view kSubType = "sub is not a non-empty string or an integer";
constexpr std::string_view kSubTooLong = "sub is too long";
constexpr std::string_view kSubControl = "sub contains control characters";
constexpr std::string_view kRoomsType = "rooms is not an array of room patterns";
constexpr std::string_view kNameType = "name is not a string";
constexpr std::string_view kInfoType = "info is not an object";
constexpr std::string_view kInfoShape = "info is nested too deeply or has duplicate members";
}  // namespace reason

// Longest user id we accept: it is echoed to every member of every room the user joins.
constexpr size_t kMaxUserIdLength = 256;
// How deep `info` may nest (objects and arrays); plenty for {"avatar":{"url":...}}.
constexpr int kMaxInfoDepth = 8;

// Nesting allowed in a header or claim set: the claims object, `info` (kMaxInfoDepth) and room.
constexpr size_t kMaxJsonDepth = 16;

VerifyResult fail(TokenError error, std::string_view why) {
  VerifyResult result;
  result.error = error;
  result.reason = why;
  return result;
}

std::string_view name_of(const rapidjson::Value& name) {
  return {name.GetString(), name.GetStringLength()};
}

// RFC 7515 §4 and RFC 7519 §4: member names must be unique; a parser must reject duplicates
// or keep only the last. RapidJSON keeps all and FindMember returns the first, so a token
// with {"alg":"HS256","alg":"none"} would mean different things to different libraries: refuse.
bool has_unique_member_names(const rapidjson::Value& object) {
  std::vector<std::string_view> names;
  names.reserve(object.MemberCount());
  for (auto it = object.MemberBegin(); it != object.MemberEnd(); ++it) {
    names.push_back(name_of(it->name));
  }
  std::sort(names.begin(), names.end());
  return std::adjacent_find(names.begin(), names.end()) == names.end();
}

// Parse `json` (already base64url-decoded) and require a JSON object with unique names.
// app::JsonParser is the same parser the wire protocol uses: iterative (no recursion on
// "[[[["), depth-capped, UTF-8-validating, and strict where RapidJSON alone is not (it refuses
// "{...}\0junk" and lone-surrogate escapes such as "\udc00", which would decode to bytes that
// are not UTF-8 and end up in user_id).
enum class ObjectParse : uint8_t { kOk, kNotObject, kDuplicate };
ObjectParse parse_object(std::string_view json, JsonParser& parser) {
  if (parser.parse(json) != JsonProblem::kNone || !parser.root().IsObject()) {
    return ObjectParse::kNotObject;
  }
  if (!has_unique_member_names(parser.root())) return ObjectParse::kDuplicate;
  return ObjectParse::kOk;
}

const rapidjson::Value* find(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value key(rapidjson::StringRef(name.data(), name.size()));
  auto it = object.FindMember(key);
  return it == object.MemberEnd() ? nullptr : &it->value;
}

bool ascii_iequal(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    return lower(x) == lower(y);
  });
}

// Bounded walk of `info`: depth limit and unique names at every level, so that what we
// re-serialize and hand to other clients is plain, unambiguous JSON.
bool info_is_well_formed(const rapidjson::Value& value, int depth) {
  if (value.IsObject()) {
    if (depth >= kMaxInfoDepth || !has_unique_member_names(value)) return false;
    for (auto it = value.MemberBegin(); it != value.MemberEnd(); ++it) {
      if (!info_is_well_formed(it->value, depth + 1)) return false;
    }
  } else if (value.IsArray()) {
    if (depth >= kMaxInfoDepth) return false;
    for (const auto& item : value.GetArray()) {
      if (!info_is_well_formed(item, depth + 1)) return false;
    }
  }
  return true;
}

// Step 2: the JOSE header.
VerifyResult check_header(const std::string& header_json, JsonParser& parser) {
  switch (parse_object(header_json, parser)) {
    case ObjectParse::kNotObject: return fail(TokenError::kMalformed, reason::kHeaderJson);
    case ObjectParse::kDuplicate: return fail(TokenError::kMalformed, reason::kHeaderDuplicate);
    case ObjectParse::kOk: break;
  }
  const rapidjson::Value& header = parser.root();
  const rapidjson::Value* alg = find(header, "alg");
  if (alg == nullptr) return fail(TokenError::kBadAlg, reason::kAlgMissing);
  // Exact, case-sensitive: RFC 7515 §4.1.1 says alg values are case-sensitive.
  if (!alg->IsString() || name_of(*alg) != "HS256") {
    return fail(TokenError::kBadAlg, reason::kAlgNotHs256);
  }
  if (const rapidjson::Value* typ = find(header, "typ");
      typ != nullptr && !(typ->IsString() && ascii_iequal(name_of(*typ), "JWT"))) {
    return fail(TokenError::kMalformed, reason::kTyp);
  }
  if (find(header, "crit") != nullptr) return fail(TokenError::kMalformed, reason::kCrit);
  return {};
}

// Step 4, time claims. NumericDate may be fractional (RFC 7519 §2), so compare as doubles;
// every second from 1970 to far beyond 2100 is exact in a double.
VerifyResult check_times(const rapidjson::Value& claims, const VerifyOptions& options,
                         TokenIdentity& identity) {
  const double now = static_cast<double>(options.now);
  const double skew = static_cast<double>(std::max<int64_t>(options.clock_skew, 0));

  const rapidjson::Value* exp = find(claims, "exp");
  if (exp == nullptr) {
    if (options.require_exp) return fail(TokenError::kMissingClaim, reason::kExpMissing);
  } else {
    if (!exp->IsNumber()) return fail(TokenError::kBadClaim, reason::kExpType);
    const double expires = exp->GetDouble();
    // RFC 7519 §4.1.4: "the current date/time MUST be before the expiration date/time".
    if (!(now < expires + skew)) return fail(TokenError::kExpired, reason::kExpired);
    // Clamp before converting: a double outside int64's range would be undefined behaviour.
    identity.expires_at = expires >= 9.0e18    ? INT64_MAX
                          : expires <= -9.0e18 ? INT64_MIN
                                               : static_cast<int64_t>(std::floor(expires));
  }

  if (const rapidjson::Value* nbf = find(claims, "nbf"); nbf != nullptr) {
    if (!nbf->IsNumber()) return fail(TokenError::kBadClaim, reason::kNbfType);
    // RFC 7519 §4.1.5: "the current date/time MUST be after or equal to the not-before".
    if (now + skew < nbf->GetDouble()) return fail(TokenError::kNotYetValid, reason::kNotYetValid);
  }
  return {};
}

// Step 4, identity claims.
VerifyResult check_identity(const rapidjson::Value& claims, TokenIdentity& identity) {
  const rapidjson::Value* sub = find(claims, "sub");
  if (sub == nullptr) return fail(TokenError::kMissingClaim, reason::kSubMissing);
  // RFC 7519 §4.1.2 makes sub a string; PHP apps often put a numeric database id there
  // (json_encode of an int), so integers are accepted too and written in decimal.
  if (sub->IsString() && sub->GetStringLength() > 0) {
    if (sub->GetStringLength() > kMaxUserIdLength) {
      return fail(TokenError::kBadClaim, reason::kSubTooLong);
    }
    const std::string_view text = name_of(*sub);
    // user_id goes into every log line and presence message about this user: no control
    // characters (a "\n" would forge log lines, a NUL would cut C strings short).
    if (std::any_of(text.begin(), text.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; })) {
      return fail(TokenError::kBadClaim, reason::kSubControl);
    }
    identity.user_id.assign(text);
  } else if (sub->IsInt64()) {
    identity.user_id = std::to_string(sub->GetInt64());
  } else if (sub->IsUint64()) {
    identity.user_id = std::to_string(sub->GetUint64());
  } else {
    return fail(TokenError::kBadClaim, reason::kSubType);
  }

  if (const rapidjson::Value* rooms = find(claims, "rooms"); rooms != nullptr) {
    if (!rooms->IsArray()) return fail(TokenError::kBadClaim, reason::kRoomsType);
    identity.room_patterns.reserve(rooms->Size());
    for (const auto& item : rooms->GetArray()) {
      if (!item.IsString() || !is_valid_room_pattern(name_of(item))) {
        return fail(TokenError::kBadClaim, reason::kRoomsType);
      }
      identity.room_patterns.emplace_back(item.GetString(), item.GetStringLength());
    }
  }

  const rapidjson::Value* name = find(claims, "name");
  if (name != nullptr && !name->IsString()) return fail(TokenError::kBadClaim, reason::kNameType);
  const rapidjson::Value* info = find(claims, "info");
  if (info != nullptr) {
    if (!info->IsObject()) return fail(TokenError::kBadClaim, reason::kInfoType);
    if (!info_is_well_formed(*info, 0)) return fail(TokenError::kBadClaim, reason::kInfoShape);
  }
  if (name != nullptr || info != nullptr) {
    // user_info = the `info` object, with "name" added from the `name` claim unless `info`
    // already has one. Written through RapidJSON's Writer, so the result is valid JSON.
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    writer.StartObject();
    rapidjson::SizeType members = 0;
    if (name != nullptr && (info == nullptr || find(*info, "name") == nullptr)) {
      writer.Key("name");
      writer.String(name->GetString(), name->GetStringLength());
      ++members;
    }
    if (info != nullptr) {
      for (auto it = info->MemberBegin(); it != info->MemberEnd(); ++it) {
        writer.Key(it->name.GetString(), it->name.GetStringLength());
        it->value.Accept(writer);
        ++members;
      }
    }
    writer.EndObject(members);
    identity.user_info.assign(buffer.GetString(), buffer.GetSize());
  }
  return {};
}

}  // namespace

std::string_view to_string(TokenError error) {
  switch (error) {
    case TokenError::kNone: return "ok";
    case TokenError::kTooLarge: return "too_large";
    case TokenError::kMalformed: return "malformed";
    case TokenError::kBadAlg: return "bad_alg";
    case TokenError::kBadSignature: return "bad_signature";
    case TokenError::kExpired: return "expired";
    case TokenError::kNotYetValid: return "not_yet_valid";
    case TokenError::kMissingClaim: return "missing_claim";
    case TokenError::kBadClaim: return "bad_claim";
  }
  return "unknown";
}

VerifyResult verify_token(std::string_view token, const VerifyOptions& options) {
  // Step 1: shape. The cap comes first so that nothing below allocates more than it allows.
  if (token.size() > options.max_token_size) return fail(TokenError::kTooLarge, reason::kTooLarge);
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return fail(TokenError::kMalformed, reason::kSegments);
  }
  const std::string_view header_b64 = token.substr(0, dot1);
  const std::string_view claims_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signature_b64 = token.substr(dot2 + 1);

  // Step 2: header.
  std::string header_json;
  if (!base64url_decode(header_b64, header_json)) {
    return fail(TokenError::kMalformed, reason::kBase64);
  }
  // One parser for both JSON segments: the header's DOM is done with before the claims'.
  JsonParser parser(options.max_token_size, kMaxJsonDepth);
  if (VerifyResult header = check_header(header_json, parser); !header.ok()) return header;

  // Step 3: signature, over the segments exactly as received (RFC 7515 §5.2 step 8).
  std::string signature;
  if (!base64url_decode(signature_b64, signature)) {
    return fail(TokenError::kMalformed, reason::kBase64);
  }
  if (options.secret.empty()) return fail(TokenError::kBadSignature, reason::kNoSecret);
  const std::optional<Sha256Mac> expected = hmac_sha256(options.secret, token.substr(0, dot2));
  if (!expected) return fail(TokenError::kBadSignature, reason::kHmacFailed);
  if (!equal_constant_time(*expected, signature)) {
    return fail(TokenError::kBadSignature, reason::kSignature);
  }

  // Step 4: claims, now known to come from the holder of the secret.
  std::string claims_json;
  if (!base64url_decode(claims_b64, claims_json)) {
    return fail(TokenError::kMalformed, reason::kBase64);
  }
  switch (parse_object(claims_json, parser)) {
    case ObjectParse::kNotObject: return fail(TokenError::kMalformed, reason::kClaimsJson);
    case ObjectParse::kDuplicate: return fail(TokenError::kMalformed, reason::kClaimsDuplicate);
    case ObjectParse::kOk: break;
  }
  const rapidjson::Value& claims = parser.root();
  VerifyResult result;
  if (VerifyResult times = check_times(claims, options, result.identity); !times.ok()) return times;
  if (VerifyResult who = check_identity(claims, result.identity); !who.ok()) return who;
  return result;
}

}  // namespace wsrelay::app::auth
