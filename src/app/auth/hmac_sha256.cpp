// HMAC-SHA256 through OpenSSL; see hmac_sha256.hpp.
#include "app/auth/hmac_sha256.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <climits>

namespace wsrelay::app::auth {

std::optional<Sha256Mac> hmac_sha256(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<size_t>(INT_MAX)) return std::nullopt;
  // An empty string_view may carry a null pointer; OpenSSL wants a valid one even for 0 bytes.
  static const unsigned char kEmpty = 0;
  const void* key_ptr = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  const unsigned char* data_ptr =
      data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());

  Sha256Mac mac{};
  unsigned int mac_length = 0;
  if (HMAC(EVP_sha256(), key_ptr, static_cast<int>(key.size()), data_ptr, data.size(), mac.data(),
           &mac_length) == nullptr ||
      mac_length != mac.size()) {
    return std::nullopt;
  }
  return mac;
}

bool equal_constant_time(const Sha256Mac& a, std::string_view b) {
  // The length is public (every HS256 MAC is 32 bytes), so checking it first leaks nothing.
  if (b.size() != a.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace wsrelay::app::auth
