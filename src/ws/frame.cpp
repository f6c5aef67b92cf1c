// Frame encoder and masking (RFC 6455 §5.2, §5.3, §5.5.1). See frame.hpp.
#include "ws/frame.hpp"

#include <bit>
#include <cstring>

#include "ws/close_code.hpp"

namespace wsrelay::ws {

size_t write_frame_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin,
                          const uint8_t* mask_key) {
  out[0] = static_cast<uint8_t>((fin ? 0x80 : 0x00) | static_cast<uint8_t>(opcode));
  const uint8_t mask_bit = mask_key != nullptr ? 0x80 : 0x00;
  size_t size;
  // §5.2: "the minimal number of bytes MUST be used to encode the length".
  if (payload_length < 126) {
    out[1] = static_cast<uint8_t>(mask_bit | payload_length);
    size = 2;
  } else if (payload_length <= 0xFFFF) {
    out[1] = mask_bit | 126;
    out[2] = static_cast<uint8_t>(payload_length >> 8);  // network byte order
    out[3] = static_cast<uint8_t>(payload_length);
    size = 4;
  } else {
    out[1] = mask_bit | 127;
    for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<uint8_t>(payload_length >> (56 - 8 * i));
    size = 10;
  }
  if (mask_key != nullptr) {
    std::memcpy(out + size, mask_key, 4);
    size += 4;
  }
  return size;
}

void apply_mask(uint8_t* data, size_t length, const uint8_t mask_key[4], size_t key_offset) {
  // §5.3: byte i of the payload is XORed with key[i % 4]. Starting `key_offset` bytes into the
  // payload is the same as starting at 0 with the key rotated by key_offset % 4 bytes.
  // Rotate as an integer rather than by shuffling bytes through memory: a word load right
  // after byte stores to the same place stalls store forwarding (it showed up in profiles of
  // small frames). "Byte j of the rotated key is key[j + offset]" is a right rotation of the
  // loaded value on a little-endian machine and a left rotation on a big-endian one.
  uint32_t key32;
  std::memcpy(&key32, mask_key, sizeof key32);
  const int shift = static_cast<int>(key_offset & 3) * 8;
  key32 = std::endian::native == std::endian::little ? std::rotr(key32, shift)
                                                     : std::rotl(key32, shift);
  // The 8-byte pattern key,key is the same whatever the byte order, so one 64-bit XOR masks 8
  // bytes. Loads and stores go through memcpy: `data` has no alignment guarantee and may not be
  // reinterpreted as uint64_t (alignment and strict-aliasing UB); compilers turn these memcpy
  // calls into plain unaligned moves.
  const uint64_t word_key = (uint64_t{key32} << 32) | key32;
  size_t i = 0;
  for (; i + 32 <= length; i += 32) {  // four words per iteration: independent XORs
    uint64_t w[4];
    std::memcpy(w, data + i, sizeof w);
    w[0] ^= word_key;
    w[1] ^= word_key;
    w[2] ^= word_key;
    w[3] ^= word_key;
    std::memcpy(data + i, w, sizeof w);
  }
  for (; i + 8 <= length; i += 8) {
    uint64_t w;
    std::memcpy(&w, data + i, sizeof w);
    w ^= word_key;
    std::memcpy(data + i, &w, sizeof w);
  }
  if (i < length) {  // the last 1-7 bytes; i is a multiple of 8, so the key phase is intact
    uint8_t key[8];
    std::memcpy(key, &word_key, sizeof key);
    for (size_t j = 0; i < length; ++i, ++j) data[i] ^= key[j];
  }
}

size_t write_close_payload(uint8_t* out, uint16_t code, std::string_view reason) {
  // §7.4.1: 1005 means "no status code was present" and must not be sent; the Close frame
  // that expresses it is the one with an empty body (what we echo to a peer who sent one).
  if (code == close_code::kNoStatus) return 0;
  out[0] = static_cast<uint8_t>(code >> 8);  // §5.5.1: network byte order
  out[1] = static_cast<uint8_t>(code);
  // Cut to 123 bytes, then step back over continuation bytes (10xxxxxx) so the cut falls on a
  // character boundary; the peer must fail a Close whose reason is not UTF-8 (§8.1).
  constexpr size_t kMaxReason = kMaxControlPayload - 2;
  size_t length = reason.size();
  if (length > kMaxReason) {
    length = kMaxReason;
    while (length > 0 && (static_cast<uint8_t>(reason[length]) & 0xC0) == 0x80) --length;
  }
  if (length > 0) std::memcpy(out + 2, reason.data(), length);
  return 2 + length;
}

}  // namespace wsrelay::ws
