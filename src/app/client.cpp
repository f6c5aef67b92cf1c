#include "app/client.hpp"

#include <array>

namespace wsrelay::app {

std::string make_client_id(const RandomSource& random) {
  std::array<uint8_t, kClientIdBytes> bytes{};
  random(bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(kClientIdLength, '0');
  for (size_t i = 0; i < bytes.size(); ++i) {
    id[2 * i] = kHex[bytes[i] >> 4];
    id[2 * i + 1] = kHex[bytes[i] & 0x0f];
  }
  return id;
}

}  // namespace wsrelay::app
