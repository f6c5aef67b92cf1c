// Test helper: builds wire frames byte by byte, independently of the encoder under test
// (write_frame_header/apply_mask), so parser tests do not trust the code they check.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::ws::test {

using Bytes = std::vector<uint8_t>;

inline constexpr uint8_t kTestMask[4] = {0x37, 0xFA, 0x21, 0x3D};  // RFC 6455 §5.7's key

struct FrameSpec {
  uint8_t opcode = 0x1;
  bool fin = true;
  uint8_t rsv = 0;     // 0bxxx, RSV1 = 0b100
  bool masked = true;  // client-to-server frames are masked
  const uint8_t* mask = kTestMask;
};

// One frame with `payload`, using the minimal length form.
inline Bytes frame(const FrameSpec& spec, std::string_view payload) {
  Bytes out;
  out.push_back(static_cast<uint8_t>((spec.fin ? 0x80 : 0) | (spec.rsv << 4) | spec.opcode));
  const uint8_t mask_bit = spec.masked ? 0x80 : 0;
  const uint64_t n = payload.size();
  if (n < 126) {
    out.push_back(static_cast<uint8_t>(mask_bit | n));
  } else if (n < 65536) {
    out.push_back(mask_bit | 126);
    out.push_back(static_cast<uint8_t>(n >> 8));
    out.push_back(static_cast<uint8_t>(n));
  } else {
    out.push_back(mask_bit | 127);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  }
  if (spec.masked) out.insert(out.end(), spec.mask, spec.mask + 4);
  for (size_t i = 0; i < payload.size(); ++i) {
    const uint8_t byte = static_cast<uint8_t>(payload[i]);
    out.push_back(spec.masked ? static_cast<uint8_t>(byte ^ spec.mask[i % 4]) : byte);
  }
  return out;
}

// Masked client frames, the common case.
inline Bytes text(std::string_view payload, bool fin = true) {
  return frame({.opcode = 0x1, .fin = fin}, payload);
}
inline Bytes binary(std::string_view payload, bool fin = true) {
  return frame({.opcode = 0x2, .fin = fin}, payload);
}
inline Bytes continuation(std::string_view payload, bool fin = true) {
  return frame({.opcode = 0x0, .fin = fin}, payload);
}
inline Bytes ping(std::string_view payload) {
  return frame({.opcode = 0x9}, payload);
}
inline Bytes pong(std::string_view payload) {
  return frame({.opcode = 0xA}, payload);
}
inline Bytes close_frame(std::string_view payload) {
  return frame({.opcode = 0x8}, payload);
}
inline Bytes close_with(uint16_t code, std::string_view reason) {
  std::string payload;
  payload.push_back(static_cast<char>(code >> 8));
  payload.push_back(static_cast<char>(code & 0xFF));
  payload.append(reason);
  return close_frame(payload);
}

inline Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

inline std::string as_string(const uint8_t* data, size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

}  // namespace wsrelay::ws::test
