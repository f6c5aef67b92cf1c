// Pusher's two signatures, checked in constant time
// (https://pusher.com/docs/channels/library_auth_reference/auth-signatures/,
// https://pusher.com/docs/channels/library_auth_reference/rest-api/#authentication):
//
//  - Channel authorization (private-*, presence-*) and user sign-in: the client presents
//    auth = "<app key>:<hex HMAC-SHA256(secret, string_to_sign)>", where string_to_sign is
//    "socket_id:channel_name" (private), "socket_id:channel_name:channel_data" (presence) or
//    "socket_id::user::user_data" (pusher:signin). This is what Laravel's /broadcasting/auth
//    returns.
//  - REST requests: the query carries auth_key, auth_timestamp, auth_version (1.0), body_md5
//    (hex MD5 of a non-empty body) and auth_signature = hex HMAC-SHA256(secret,
//    "METHOD\nPATH\n" + every other query parameter, decoded, sorted by name, joined
//    "name=value" with '&'). The timestamp must be within 600 s of the server's clock.
//
// Pure functions: no I/O; the clock is passed in. MACs are compared with CRYPTO_memcmp after
// decoding the presented hex, so response time says nothing about how much of a guess was right.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsrelay::app::pusher {

// Lowercase hex HMAC-SHA256 of `data` under `secret` ("" if OpenSSL fails).
std::string hmac_hex(std::string_view secret, std::string_view data);

// "key:hexmac" for `string_to_sign` (what a backend computes; tests and tools use it).
std::string sign_auth(std::string_view key, std::string_view secret,
                      std::string_view string_to_sign);

// Does `auth` ("key:hexmac") sign `string_to_sign` with this app's key and secret?
bool verify_auth(std::string_view auth, std::string_view key, std::string_view secret,
                 std::string_view string_to_sign);

// The string_to_sign of a channel subscription (channel_data empty for private channels).
std::string channel_string_to_sign(std::string_view socket_id, std::string_view channel,
                                   std::string_view channel_data);

// ---- REST request signatures ------------------------------------------------------------------

enum class RestAuthProblem : uint8_t {
  kNone,
  kMissing,       // no auth_key / auth_timestamp / auth_signature, or a malformed query
  kWrongKey,      // auth_key is not this app's key
  kStale,         // auth_timestamp more than 600 s away from now (or not a number)
  kBadBodyMd5,    // body_md5 missing for a body, or not the body's MD5
  kBadSignature,  // auth_signature does not match
};
std::string_view describe(RestAuthProblem problem);

// Decoded query parameters in order ('+' is a space: these are form-encoded by the SDKs). False
// for a bad percent-escape.
bool parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out);

// The first value of `name`, or nullptr.
const std::string* find_param(const std::vector<std::pair<std::string, std::string>>& params,
                              std::string_view name);

// Checks a REST request. `path` is the request path as sent ("/apps/1/events"); `query` the raw
// query (without '?'); `now_s` the wall clock in Unix seconds.
RestAuthProblem verify_rest_request(std::string_view method, std::string_view path,
                                    std::string_view query, std::string_view body,
                                    std::string_view key, std::string_view secret, int64_t now_s);

// Lowercase hex MD5 of `data` (OpenSSL EVP).
std::string md5_hex(std::string_view data);

// The REST string to sign from decoded parameters (auth_signature is left out).
std::string rest_string_to_sign(std::string_view method, std::string_view path,
                                std::vector<std::pair<std::string, std::string>> params);

}  // namespace wsrelay::app::pusher
