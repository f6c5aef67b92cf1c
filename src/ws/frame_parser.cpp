// Incremental frame parser (RFC 6455 §5.2). See frame_parser.hpp for the contract.
#include "ws/frame_parser.hpp"

#include <algorithm>

#include "ws/close_code.hpp"

namespace wsrelay::ws {
namespace {

// Header size implied by its first two bytes (§5.2): 2, plus 2 or 8 bytes of extended length,
// plus 4 bytes of masking key when MASK is set.
size_t header_size(uint8_t byte1) {
  const uint8_t len7 = byte1 & 0x7F;
  const size_t size = len7 < 126 ? 2 : len7 == 126 ? 4 : 10;
  return (byte1 & 0x80) != 0 ? size + 4 : size;
}

}  // namespace

void FrameParser::reset() {
  state_ = State::kHeader;
  header_bytes_ = 0;
  header_ = FrameHeader{};
  remaining_ = 0;
  mask_offset_ = 0;
  error_code_ = 0;
  error_reason_ = {};
}

FrameStep FrameParser::fail(std::string_view reason, size_t consumed) {
  state_ = State::kError;
  error_code_ = close_code::kProtocolError;  // every single-frame violation is 1002 (§7.4.1)
  error_reason_ = reason;
  return {FrameEvent::kError, consumed, {}, false};
}

// The rules that can be judged from the first `n` header bytes (n = 1, 2 or 3 or more). They
// are checked as soon as those bytes arrive, in byte order, so a broken header fails at the
// same byte and with the same reason however the input is split.
std::string_view FrameParser::check_header_prefix(const uint8_t* h, size_t n) const {
  const uint8_t rsv = (h[0] >> 4) & 0x7;
  const uint8_t op = h[0] & 0x0F;
  const bool control = (op & 0x8) != 0;
  // §5.2: RSV1-3 "MUST be 0 unless an extension is negotiated that defines meanings".
  if ((rsv & ~allowed_rsv_) != 0) return close_reason::kReservedBits;
  // §5.2: "If an unknown opcode is received, the receiving endpoint MUST _Fail_".
  if (!is_known_opcode(op)) return close_reason::kReservedOpcode;
  // §5.5: "All control frames MUST ... NOT be fragmented."
  if (control && (h[0] & 0x80) == 0) return close_reason::kControlFragmented;
  if (n < 2) return {};
  const bool masked = (h[1] & 0x80) != 0;
  // §5.1: a server MUST close on an unmasked frame; a client MUST close on a masked one.
  if (role_ == Role::kServer && !masked) return close_reason::kUnmasked;
  if (role_ == Role::kClient && masked) return close_reason::kServerMasked;
  // §5.5: control frames have a payload length of 125 bytes or less, so the 7-bit field
  // already tells (126 and 127 announce an extended length).
  const uint8_t len7 = h[1] & 0x7F;
  if (control && len7 > kMaxControlPayload) return close_reason::kControlTooLong;
  if (n < 3) return {};
  // §5.2: for the 64-bit form "the most significant bit MUST be 0".
  if (len7 == 127 && (h[2] & 0x80) != 0) return close_reason::kLengthTopBit;
  return {};
}

// Decodes a complete, already checked header.
void FrameParser::decode_header(const uint8_t* h) {
  header_.fin = (h[0] & 0x80) != 0;
  header_.rsv = (h[0] >> 4) & 0x7;
  header_.opcode = static_cast<Opcode>(h[0] & 0x0F);
  header_.masked = (h[1] & 0x80) != 0;
  const uint8_t len7 = h[1] & 0x7F;
  size_t pos = 2;
  if (len7 < 126) {
    header_.payload_length = len7;
  } else if (len7 == 126) {
    header_.payload_length = (uint64_t{h[2]} << 8) | h[3];
    pos = 4;
  } else {
    uint64_t length = 0;
    for (size_t i = 0; i < 8; ++i) length = (length << 8) | h[2 + i];
    header_.payload_length = length;
    pos = 10;
  }
  // Extended lengths in non-minimal form (e.g. 5 in the 16-bit field) are accepted: §5.2's
  // "minimal number of bytes" binds the sender, and failing on it buys no safety.
  if (header_.masked) {
    for (size_t i = 0; i < 4; ++i) header_.mask_key[i] = h[pos + i];
  } else {
    for (size_t i = 0; i < 4; ++i) header_.mask_key[i] = 0;
  }
  remaining_ = header_.payload_length;
  mask_offset_ = 0;
  state_ = State::kPayload;
}

FrameStep FrameParser::next_header(std::span<uint8_t> input) {
  // Fast path: nothing buffered and the whole header is in the input. Decode it in place.
  if (header_bytes_ == 0 && input.size() >= 2) {
    const size_t size = header_size(input[1]);
    if (input.size() >= size) {
      if (std::string_view reason = check_header_prefix(input.data(), size); !reason.empty()) {
        return fail(reason, 0);
      }
      decode_header(input.data());
      return {FrameEvent::kHeader, size, {}, false};
    }
  }
  // Slow path: the header is split across calls. Buffer it byte by byte (at most 14), checking
  // each prefix as it grows so errors surface at the same byte as on the fast path.
  size_t used = 0;
  for (;;) {
    const size_t needed = header_bytes_ < 2 ? 2 : header_size(header_buf_[1]);
    if (header_bytes_ == needed) break;
    if (used == input.size()) return {FrameEvent::kNeedMore, used, {}, false};
    header_buf_[header_bytes_++] = input[used++];
    if (header_bytes_ <= 3) {
      if (std::string_view reason = check_header_prefix(header_buf_, header_bytes_);
          !reason.empty()) {
        return fail(reason, used);
      }
    }
  }
  header_bytes_ = 0;
  decode_header(header_buf_);
  return {FrameEvent::kHeader, used, {}, false};
}

FrameStep FrameParser::next_payload(std::span<uint8_t> input) {
  // An empty remainder still yields a step (frame_complete), so that every frame, empty ones
  // included, ends with exactly one kPayload whose frame_complete is true.
  if (input.empty() && remaining_ != 0) return {FrameEvent::kNeedMore, 0, {}, false};
  const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, input.size()));
  uint8_t* const piece = input.data();
  // §5.3: unmask in place; mask_offset_ keeps the key's phase across pieces.
  if (header_.masked && take != 0) apply_mask(piece, take, header_.mask_key, mask_offset_);
  mask_offset_ += take;
  remaining_ -= take;
  const bool complete = remaining_ == 0;
  if (complete) state_ = State::kHeader;
  return {FrameEvent::kPayload, take, std::span<const uint8_t>(piece, take), complete};
}

FrameStep FrameParser::next(std::span<uint8_t> input) {
  switch (state_) {
    case State::kHeader:
      return next_header(input);
    case State::kPayload:
      return next_payload(input);
    case State::kError:
      break;
  }
  return {FrameEvent::kError, 0, {}, false};
}

}  // namespace wsrelay::ws
