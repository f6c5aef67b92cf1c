// SHA-256 through OpenSSL, for the two places the HTTP side needs a digest: static files' ETags
// (a fingerprint of the content) and the API key check (comparing digests, not keys, so the
// comparison takes the same time whatever the length of the presented key).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::http {

using Sha256Digest = std::array<uint8_t, 32>;

Sha256Digest sha256(std::string_view data);

// Constant-time equality (CRYPTO_memcmp): the time taken does not depend on where the first
// differing byte is.
bool equal_constant_time(const Sha256Digest& a, const Sha256Digest& b);

// Lowercase hex of the first `bytes` bytes of `digest`.
std::string to_hex(const Sha256Digest& digest, size_t bytes);

}  // namespace wsrelay::http
