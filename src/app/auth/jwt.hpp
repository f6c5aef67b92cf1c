// JSON Web Tokens signed with HMAC-SHA256 (JWS compact form, RFC 7515; claims, RFC 7519):
// how a PHP application vouches for a user before the user's browser connects.
//
// verify_token() is pure: no clock, no I/O, no exceptions. The caller passes the time and the
// secret; the answer is either a TokenIdentity or a TokenError with a short reason for logs (the
// reason is never sent to the client, who only learns "Invalid authentication").
//
// What is checked, in this order (the order matters: nothing from the claims is trusted or
// even parsed before the signature has been proven):
//   1. size cap, exactly three '.'-separated segments, each strict base64url (base64url.hpp);
//   2. the header is a JSON object with unique member names; `alg` is exactly "HS256"
//      (RFC 8725 §3.1: never let the token choose the algorithm, so "none", "HS512", "hs256"
//      and a missing alg are all refused); `typ`, when present, is "JWT" (any case, RFC 7519
//      §5.1); a `crit` member is refused since we understand no extensions (RFC 7515 §4.1.11);
//   3. the signature is 32 bytes equal, in constant time, to HMAC-SHA256(secret, header.payload);
//   4. the claims are a JSON object with unique member names;
//      `exp` (required by default) and `nbf` are JSON numbers (NumericDate, seconds, may have a
//      fraction); valid while  nbf - skew <= now < exp + skew  (RFC 7519 §4.1.4, §4.1.5);
//      `sub` is a non-empty string or an integer (written in decimal) and becomes user_id;
//      `rooms`, optional, is an array of room patterns (room_pattern.hpp);
//      `name`, optional, a string, and `info`, optional, an object, become user_info.
// Other claims (iss, aud, iat, jti, ...) are ignored: the server has one secret shared with one
// application, so there is no audience to tell apart.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::app::auth {

enum class TokenError : uint8_t {
  kNone = 0,
  kTooLarge,       // longer than VerifyOptions::max_token_size
  kMalformed,      // not three base64url segments, a segment not a JSON object, duplicate
                   // members, unsupported `typ` or `crit`
  kBadAlg,         // `alg` missing or not exactly "HS256"
  kBadSignature,   // wrong length or wrong MAC (or no secret configured)
  kExpired,        // now >= exp + skew
  kNotYetValid,    // now < nbf - skew
  kMissingClaim,   // `sub` absent, or `exp` absent while required
  kBadClaim,       // a claim of the wrong type or value
};

// Stable snake_case code for logs and metrics: "expired", "bad_signature", ...
std::string_view to_string(TokenError error);

// Who the token says the client is.
struct TokenIdentity {
  std::string user_id;                     // from `sub`
  std::vector<std::string> room_patterns;  // from `rooms`; empty when absent
  std::string user_info;                   // compact JSON object from `info`+`name`, or ""
  std::optional<int64_t> expires_at;       // `exp` rounded down to whole seconds, if present
};

// RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits. Configuration
// should refuse a shorter auth_secret (firebase/php-jwt 7 refuses to sign with one).
constexpr size_t kMinSecretLength = 32;

struct VerifyOptions {
  std::string_view secret;       // auth_secret; empty means every token is refused
  int64_t now = 0;               // seconds since the Unix epoch (the caller's wall clock)
  int64_t clock_skew = 30;       // auth_clock_skew, seconds, >= 0
  bool require_exp = true;       // a token without `exp` would be valid forever
  size_t max_token_size = 8192;  // bytes; also bounds every allocation made while verifying
};

struct VerifyResult {
  TokenError error = TokenError::kNone;
  std::string_view reason;  // static text for logs, e.g. "alg is not HS256"; empty when ok
  TokenIdentity identity;   // meaningful only when ok()

  bool ok() const { return error == TokenError::kNone; }
};

VerifyResult verify_token(std::string_view token, const VerifyOptions& options);

// ---- minting (for tests, tools and documentation examples) --------------------------------

// The claims mint_token() writes. Times are seconds since the Unix epoch.
struct TokenClaims {
  std::string sub;
  std::optional<int64_t> exp;
  std::optional<int64_t> nbf;
  std::optional<int64_t> iat;
  std::vector<std::string> rooms;  // written only when non-empty
  std::string name;                // written only when non-empty
};

// A signed token with header {"alg":"HS256","typ":"JWT"} and `claims` serialized as JSON
// (strings escaped properly, so any user id is safe).
std::string mint_token(const TokenClaims& claims, std::string_view secret);

// A token from raw header and claims text, signed as given, without any validation: lets tests
// build every malformed header and claim set and still carry a correct signature.
std::string mint_token_raw(std::string_view header_json, std::string_view claims_json,
                           std::string_view secret);

// base64url(HMAC-SHA256(secret, signing_input)): the third segment of a token whose first two
// segments, joined by '.', are `signing_input` (RFC 7515 §5.1).
std::string hs256_signature(std::string_view signing_input, std::string_view secret);

}  // namespace wsrelay::app::auth
