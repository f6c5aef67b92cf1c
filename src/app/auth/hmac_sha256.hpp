// HMAC-SHA256 (RFC 2104 with SHA-256) through OpenSSL's one-shot HMAC(): the primitive under
// HS256 tokens. Pure computation, no I/O; wrapped so that no other file includes OpenSSL for it.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wsrelay::app::auth {

using Sha256Mac = std::array<uint8_t, 32>;

// The MAC of `data` under `key`; nothing if OpenSSL reports a failure (it should not).
std::optional<Sha256Mac> hmac_sha256(std::string_view key, std::string_view data);

// Constant-time equality of two byte strings of the same length (CRYPTO_memcmp), so that a
// forger cannot learn how many leading bytes of a guessed MAC were right from response times.
bool equal_constant_time(const Sha256Mac& a, std::string_view b);

}  // namespace wsrelay::app::auth
