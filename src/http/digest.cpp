#include "http/digest.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstdlib>

namespace wsrelay::http {

Sha256Digest sha256(std::string_view data) {
  Sha256Digest digest{};
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure inside OpenSSL; an all-zero digest would then
  // make every key compare equal to every other, so treat failure as fatal instead.
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1 ||
      length != digest.size()) {
    std::abort();
  }
  return digest;
}

bool equal_constant_time(const Sha256Digest& a, const Sha256Digest& b) {
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string to_hex(const Sha256Digest& digest, size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes && i < digest.size(); ++i) {
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 0xF];
  }
  return out;
}

}  // namespace wsrelay::http
