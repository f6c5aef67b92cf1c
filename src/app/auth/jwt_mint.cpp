// Minting HS256 tokens: the inverse of verify_token(), for tests, tools and doc examples.
// The server itself never mints; the PHP application does (docs/security.md).
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/auth/base64url.hpp"
#include "app/auth/hmac_sha256.hpp"
#include "app/auth/jwt.hpp"

namespace wsrelay::app::auth {

std::string hs256_signature(std::string_view signing_input, std::string_view secret) {
  const std::optional<Sha256Mac> mac = hmac_sha256(secret, signing_input);
  if (!mac) return {};  // an empty signature never verifies
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(mac->data()), mac->size()));
}

std::string mint_token_raw(std::string_view header_json, std::string_view claims_json,
                           std::string_view secret) {
  // RFC 7515 §7.1: BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(signature).
  std::string token = base64url_encode(header_json);
  token += '.';
  token += base64url_encode(claims_json);
  const std::string signature = hs256_signature(token, secret);
  token += '.';
  token += signature;
  return token;
}

std::string mint_token(const TokenClaims& claims, std::string_view secret) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  writer.StartObject();
  writer.Key("sub");
  writer.String(claims.sub.data(), static_cast<rapidjson::SizeType>(claims.sub.size()));
  const auto time_claim = [&writer](const char* key, const std::optional<int64_t>& value) {
    if (!value) return;
    writer.Key(key);
    writer.Int64(*value);
  };
  time_claim("iat", claims.iat);
  time_claim("nbf", claims.nbf);
  time_claim("exp", claims.exp);
  if (!claims.rooms.empty()) {
    writer.Key("rooms");
    writer.StartArray();
    for (const std::string& room : claims.rooms) {
      writer.String(room.data(), static_cast<rapidjson::SizeType>(room.size()));
    }
    writer.EndArray();
  }
  if (!claims.name.empty()) {
    writer.Key("name");
    writer.String(claims.name.data(), static_cast<rapidjson::SizeType>(claims.name.size()));
  }
  writer.EndObject();
  return mint_token_raw(R"({"alg":"HS256","typ":"JWT"})",
                        std::string_view(buffer.GetString(), buffer.GetSize()), secret);
}

}  // namespace wsrelay::app::auth
