// WebSocket frame vocabulary and the frame encoder (RFC 6455 §5.2).
//
//      0                   1                   2                   3
//      0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//     +-+-+-+-+-------+-+-------------+-------------------------------+
//     |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
//     |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
//     |N|V|V|V|       |S|             |   (if payload len==126/127)   |
//     | |1|2|3|       |K|             |                               |
//     +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
//     |     Extended payload length continued, if payload len == 127  |
//     + - - - - - - - - - - - - - - - +-------------------------------+
//     |                               |Masking-key, if MASK set to 1  |
//     +-------------------------------+-------------------------------+
//     | Masking-key (continued)       |          Payload Data         |
//     +-------------------------------- - - - - - - - - - - - - - - - +
//
// Pure functions over caller-provided memory: nothing here allocates or does I/O.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsrelay::ws {

enum class Opcode : uint8_t {
  kContinuation = 0x0,
  kText = 0x1,
  kBinary = 0x2,
  kClose = 0x8,
  kPing = 0x9,
  kPong = 0xA,
};

// §5.5: opcodes with the high bit set are control frames.
constexpr bool is_control(Opcode op) {
  return (static_cast<uint8_t>(op) & 0x8) != 0;
}
// §5.2: 0x3-0x7 and 0xB-0xF are reserved.
constexpr bool is_known_opcode(uint8_t op) {
  return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}

// §5.5: control frame payloads are at most 125 bytes.
constexpr size_t kMaxControlPayload = 125;
// Largest frame header: 2 + 8 (64-bit length) + 4 (masking key).
constexpr size_t kMaxFrameHeader = 14;
// Largest server-to-client header (no masking key).
constexpr size_t kMaxServerFrameHeader = 10;
// RSV1 in a header's first byte: set on the first frame of a compressed message (RFC 7692 §6).
constexpr uint8_t kRsv1Bit = 0x40;

// Which side of the connection we are: a server requires masked frames from the client
// (§5.1), a client requires unmasked frames from the server.
enum class Role : uint8_t { kServer, kClient };

// Size of the header that write_frame_header() produces for this payload length:
// the length uses its minimal form (§5.2: 7 bits, else 16 bits, else 64 bits).
constexpr size_t frame_header_size(uint64_t payload_length, bool masked) {
  size_t size = payload_length < 126 ? 2 : payload_length <= 0xFFFF ? 4 : 10;
  return masked ? size + 4 : size;
}

// Write a frame header into `out`. Exactly frame_header_size(payload_length, mask_key != nullptr)
// bytes are written and returned: kMaxServerFrameHeader is always enough for an unmasked
// (server) header, kMaxFrameHeader for any. `mask_key` is nullptr for server frames; a client
// passes its 4 random bytes and then masks the payload itself with apply_mask(). RSV bits are
// written as 0; a compressed message's first frame ORs kRsv1Bit into byte 0 (RFC 7692 §6).
size_t write_frame_header(uint8_t* out, Opcode opcode, uint64_t payload_length, bool fin = true,
                          const uint8_t* mask_key = nullptr);

// XOR `length` bytes with the masking key, as if the payload started `key_offset` bytes
// earlier (so a payload unmasked in pieces gives the same result as in one go). Works a
// machine word at a time. Masking and unmasking are the same operation (§5.3).
void apply_mask(uint8_t* data, size_t length, const uint8_t mask_key[4], size_t key_offset = 0);

// Close frame payload (§5.5.1): 2-byte code in network order, then the UTF-8 reason, cut to
// fit 125 bytes without splitting a character. `out` must hold kMaxControlPayload bytes.
// Returns the payload length. close_code::kNoStatus (1005, never sent on the wire) gives the
// empty payload, so echoing the code from on_close() answers an empty Close with an empty one.
size_t write_close_payload(uint8_t* out, uint16_t code, std::string_view reason);

}  // namespace wsrelay::ws
