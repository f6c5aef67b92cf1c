// Incremental frame parser (RFC 6455 §5.2): bytes in, frame headers and payload pieces out.
//
// Pure and resumable at every byte boundary: a partial header is kept in a 14-byte buffer
// inside the parser; payload is handed out piece by piece as it arrives, unmasked IN PLACE in
// the caller's buffer (so the input span is mutable). No allocation, no I/O.
//
// This layer enforces the rules a single frame can break on its own, each failing with the
// close code the RFC gives (1002): RSV bits not allowed by a negotiated extension, reserved
// opcodes, a control frame that is fragmented or longer than 125 bytes, a 64-bit length with
// its most significant bit set, and a frame whose MASK bit is wrong for our role (clients must
// mask, servers must not: §5.1). Rules that span frames (fragment sequencing, message size,
// UTF-8, close payloads) belong to MessageReader, one layer up.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "ws/frame.hpp"

namespace wsrelay::ws {

struct FrameHeader {
  bool fin = false;
  uint8_t rsv = 0;  // the three RSV bits, as 0bxxx (RSV1 is 0b100)
  Opcode opcode = Opcode::kContinuation;
  bool masked = false;
  uint64_t payload_length = 0;
  uint8_t mask_key[4] = {0, 0, 0, 0};
};

enum class FrameEvent : uint8_t {
  kNeedMore,  // every byte of the input was used; call again with more
  kHeader,    // a new frame began: header() describes it (already validated)
  kPayload,   // `payload` is the next piece of the current frame's payload, unmasked
  kError,     // the stream is broken: error_code()/error_reason() say why; stays in error
};

struct FrameStep {
  FrameEvent event;
  size_t consumed;                   // bytes of the input used by this step
  std::span<const uint8_t> payload;  // for kPayload (may be empty for an empty frame)
  bool frame_complete;               // for kPayload: this piece ends the frame
};

class FrameParser {
 public:
  explicit FrameParser(Role role = Role::kServer, uint8_t allowed_rsv = 0)
      : role_(role), allowed_rsv_(allowed_rsv) {}

  // Take one step over `input`. Typical loop:
  //   while (!input.empty() || parser.in_payload()) {
  //     FrameStep step = parser.next(input);
  //     input = input.subspan(step.consumed);
  //     if (step.event == FrameEvent::kNeedMore) break;
  //     ...
  //   }
  // kPayload pieces are views into `input`, unmasked in place. `consumed` is meaningless for
  // kError; once in error every call returns kError again until reset(). Header errors are
  // reported as soon as the byte that shows them arrives (e.g. a reserved opcode after the
  // first byte), so any split of the input gives the same events and the same reason.
  // After kHeader, the next call returns kPayload even with empty input when the frame's
  // payload is empty, so every frame yields exactly one kPayload with frame_complete == true.
  FrameStep next(std::span<uint8_t> input);

  const FrameHeader& header() const { return header_; }
  // True between a kHeader and the kPayload that completes that frame.
  bool in_payload() const { return state_ == State::kPayload; }
  // True when the next byte starts a new frame: no header or payload is half read.
  bool at_frame_start() const { return state_ == State::kHeader && header_bytes_ == 0; }
  uint64_t payload_remaining() const { return remaining_; }
  uint16_t error_code() const { return error_code_; }
  std::string_view error_reason() const { return error_reason_; }
  void reset();

 private:
  enum class State : uint8_t { kHeader, kPayload, kError };

  FrameStep next_header(std::span<uint8_t> input);
  FrameStep next_payload(std::span<uint8_t> input);
  std::string_view check_header_prefix(const uint8_t* header, size_t size) const;
  void decode_header(const uint8_t* header);
  FrameStep fail(std::string_view reason, size_t consumed);

  Role role_;
  uint8_t allowed_rsv_;
  State state_ = State::kHeader;
  uint8_t header_bytes_ = 0;  // bytes buffered in header_buf_
  uint8_t header_buf_[kMaxFrameHeader];
  FrameHeader header_;
  uint64_t remaining_ = 0;    // payload bytes of the current frame still to come
  uint64_t mask_offset_ = 0;  // payload bytes already unmasked (key rotation)
  uint16_t error_code_ = 0;
  std::string_view error_reason_;
};

}  // namespace wsrelay::ws
