// Frames to messages (RFC 6455 §5.4-§5.6, §7, §8.1). See message_reader.hpp.
//
// Buffer layout while a message is open:
//
//   buffer_: [ data of the open message ... ][ payload of a split control frame ]
//                                            ^ control_start_
//
// Data-frame pieces are appended to the message part unless the piece is the whole message
// (then it is handed over as a view into the caller's input and never copied). A control
// frame whose payload is split across feed() calls is collected after the message data and
// cut off again once handled, so a Ping in the middle of a long fragmented message costs no
// second buffer.
//
// A compressed message (RFC 7692) never uses the zero-copy path: its pieces are inflated into
// the message part of buffer_ as they arrive (see inflate_piece for the bound).
#include "ws/message_reader.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>

#include "ws/close_code.hpp"

namespace wsrelay::ws {

namespace {
// Inflate output grows in steps of at least this much (then doubling with what is held).
constexpr size_t kInflateStep = 16 * 1024;
}  // namespace

MessageReader::MessageReader(const ReaderLimits& limits)
    : limits_(limits), parser_(limits.role, limits.allowed_rsv) {}

bool MessageReader::at_rest() const {
  return terminal_ == ReadStatus::kOk && !message_open_ && parser_.at_frame_start() && buffer_.empty();
}

void MessageReader::reset(const ReaderLimits& limits) {
  limits_ = limits;
  parser_ = FrameParser(limits.role, limits.allowed_rsv);
  utf8_.reset();
  buffer_.clear();
  message_size_ = 0;
  control_start_ = 0;
  message_kind_ = MessageKind::kBinary;
  message_open_ = false;
  compressed_ = false;
  last_compressed_ = false;
  last_wire_bytes_ = 0;
  compressed_bytes_ = 0;
  // A pooled reader keeps its Inflater for the next compressed connection (the pool bounds
  // how many exist); a new connection starts from an empty window.
  if (inflater_) {
    if (inflater_->window_bits() != std::clamp<uint8_t>(limits.inflate_window_bits, 9, 15)) {
      inflater_.reset();
    } else {
      inflater_->reset();
    }
  }
  consumed_ = 0;
  terminal_ = ReadStatus::kOk;
}

ReadStatus MessageReader::feed(std::span<uint8_t> input, MessageHandler& handler) {
  consumed_ = 0;
  if (terminal_ != ReadStatus::kOk) return terminal_;
  for (;;) {
    // An empty frame still owes its kPayload step after kHeader, even with no input left.
    if (input.empty() && !parser_.in_payload()) return ReadStatus::kOk;
    const FrameStep step = parser_.next(input);
    consumed_ += step.consumed;
    input = input.subspan(step.consumed);
    ReadStatus status = ReadStatus::kOk;
    switch (step.event) {
      case FrameEvent::kNeedMore:
        return ReadStatus::kOk;
      case FrameEvent::kError:
        return fail(handler, parser_.error_code(), parser_.error_reason());
      case FrameEvent::kHeader:
        status = on_header(handler);
        break;
      case FrameEvent::kPayload:
        status = on_payload(step, handler);
        break;
    }
    if (status != ReadStatus::kOk) return status;
  }
}

ReadStatus MessageReader::on_header(MessageHandler& handler) {
  const FrameHeader& header = parser_.header();
  // The RSV1 rules below are permessage-deflate's; without it RSV1 means whatever the host's
  // extension says (the parser already refused it when no extension allows it).
  const bool rsv1 = limits_.deflate && (header.rsv & 0b100) != 0;
  if (is_control(header.opcode)) {
    // RFC 7692 §6.1: control frames are never compressed; RSV1 on one is a protocol error.
    if (rsv1) return fail(handler, close_code::kProtocolError, close_reason::kRsv1Control);
    // §5.4: control frames may be injected between fragments; they are not part of the
    // message. A split payload is collected after the message data (see top of file).
    control_start_ = buffer_.size();
    return ReadStatus::kOk;
  }
  if (header.opcode == Opcode::kContinuation) {
    // §5.4: a continuation frame continues an open message, and nothing else.
    if (!message_open_) {
      return fail(handler, close_code::kProtocolError, close_reason::kUnexpectedContinuation);
    }
    // RFC 7692 §6.1: RSV1 belongs on the first frame of a message only.
    if (rsv1) return fail(handler, close_code::kProtocolError, close_reason::kRsv1Continuation);
  } else {
    // §5.4: "fragments of one message MUST NOT be interleaved between the fragments of
    // another": a new text/binary frame while a message is open is an error.
    if (message_open_) {
      return fail(handler, close_code::kProtocolError, close_reason::kExpectedContinuation);
    }
    message_open_ = true;
    message_kind_ = header.opcode == Opcode::kText ? MessageKind::kText : MessageKind::kBinary;
    message_size_ = 0;
    compressed_ = rsv1;
    compressed_bytes_ = 0;
    utf8_.reset();
  }
  // §10.4 / §7.4.1 (1009): refuse an oversized message as soon as a header announces it,
  // before buffering any of it. message_size_ counts announced bytes, so a hostile header
  // cannot make us allocate. A message of exactly max_message_size is allowed.
  // A compressed message is checked here on its wire size, with slack for data that does not
  // compress, and again while it inflates. Its wire bytes are inflated as they arrive, never
  // held, so the slack costs no memory.
  uint64_t max = limits_.max_message_size;
  if (compressed_) max += max / 8 + 1024;
  if (message_size_ > max || header.payload_length > max - message_size_) {
    return fail(handler, close_code::kMessageTooBig, too_big_reason(header));
  }
  message_size_ += header.payload_length;
  return ReadStatus::kOk;
}

ReadStatus MessageReader::on_payload(const FrameStep& step, MessageHandler& handler) {
  const FrameHeader& header = parser_.header();
  if (is_control(header.opcode)) {
    // Whole payload in this piece and nothing collected before: hand it over in place.
    if (step.frame_complete && buffer_.size() == control_start_) {
      return finish_control(step.payload, handler);
    }
    buffer_.insert(buffer_.end(), step.payload.begin(), step.payload.end());
    if (!step.frame_complete) return ReadStatus::kOk;
    const std::span<const uint8_t> payload(buffer_.data() + control_start_,
                                           buffer_.size() - control_start_);
    const ReadStatus status = finish_control(payload, handler);
    // Cut the control payload off again, leaving the message data (unless a Close or an
    // error already released the whole buffer).
    if (buffer_.size() > control_start_) buffer_.resize(control_start_);
    return status;
  }

  if (compressed_) return on_compressed_payload(step, handler);
  // §8.1: text is checked piece by piece as it arrives, so the connection fails at the first
  // invalid byte even in the middle of a frame (Autobahn 6.4.x), not when the message ends.
  if (message_kind_ == MessageKind::kText && !utf8_.feed(step.payload)) {
    return fail(handler, close_code::kInvalidPayload, close_reason::kInvalidUtf8);
  }
  const bool message_done = step.frame_complete && header.fin;
  if (!message_done) {
    append_message_data(step.payload);
    return ReadStatus::kOk;
  }
  // The last piece of the message. A text message must also end on a character boundary.
  if (message_kind_ == MessageKind::kText && !utf8_.complete()) {
    return fail(handler, close_code::kInvalidPayload, close_reason::kInvalidUtf8);
  }
  message_open_ = false;
  last_compressed_ = false;
  last_wire_bytes_ = message_size_;
  message_size_ = 0;
  if (buffer_.empty()) {
    // Everything before this piece was empty, so this piece IS the message: zero copy.
    return handler.on_message(message_kind_, step.payload) ? ReadStatus::kOk : ReadStatus::kStopped;
  }
  append_message_data(step.payload);
  return deliver(buffer_, handler);
}

ReadStatus MessageReader::on_compressed_payload(const FrameStep& step, MessageHandler& handler) {
  compressed_bytes_ += step.payload.size();
  ReadStatus status = inflate_piece(step.payload, handler);
  if (status != ReadStatus::kOk) return status;
  if (!step.frame_complete || !parser_.header().fin) return ReadStatus::kOk;
  // RFC 7692 §7.2.2: the sender removed the 00 00 ff ff of its final flush; put it back.
  status = inflate_piece(kDeflateTail, handler);
  if (status != ReadStatus::kOk) return status;
  if (message_kind_ == MessageKind::kText && !utf8_.complete()) {
    return fail(handler, close_code::kInvalidPayload, close_reason::kInvalidUtf8);
  }
  // §7.1.1.2: with client_no_context_takeover the next message starts from an empty window.
  if (!limits_.inflate_context_takeover) inflater_->reset();
  message_open_ = false;
  compressed_ = false;
  last_compressed_ = true;
  last_wire_bytes_ = compressed_bytes_;
  message_size_ = 0;
  return deliver(buffer_, handler);
}

// Inflates one piece of compressed payload onto the message data in buffer_.
//
// The bound: buffer_ is never offered more room than one byte past max_message_size, so a
// message that inflates beyond the cap is refused (1009) the moment zlib writes that byte,
// and the reader has held at most max_message_size + 1 bytes for it (a 1 KiB frame that
// would inflate to 1 GiB costs the cap, not 1 GiB). Room grows geometrically with what has
// been produced, never with what the input might produce. The ratio limit bounds the CPU a
// client can make us spend per byte it sends, and the UTF-8 check runs on the inflated text.
ReadStatus MessageReader::inflate_piece(std::span<const uint8_t> piece, MessageHandler& handler) {
  if (!inflater_) inflater_ = std::make_unique<Inflater>(limits_.inflate_window_bits);
  if (!inflater_->ok()) {
    inflater_.reset();
    return fail(handler, close_code::kInternalError, "out of memory for decompression");
  }
  const uint64_t max = limits_.max_message_size;
  size_t used = 0;
  for (;;) {
    const size_t have = buffer_.size();  // <= max: checked after every step
    const size_t room = static_cast<size_t>(std::min<uint64_t>(std::max(kInflateStep, have), max - have + 1));
    if (have + room > buffer_.capacity()) {
      const uint64_t grown = std::max<uint64_t>(have + room, 2 * buffer_.capacity());
      buffer_.reserve(static_cast<size_t>(std::min<uint64_t>(grown, max + 1)));
    }
    buffer_.resize(have + room);
    const InflateStep step = inflater_->inflate(piece.subspan(used), {buffer_.data() + have, room});
    buffer_.resize(have + step.produced);
    used += step.consumed;
    if (step.status == InflateStatus::kError) {
      return fail(handler, close_code::kInvalidPayload, close_reason::kBadDeflateData);
    }
    if (buffer_.size() > max) return fail(handler, close_code::kMessageTooBig, inflated_too_big_reason(buffer_.size()));
    if (limits_.max_inflate_ratio != 0 && buffer_.size() > limits_.max_inflate_ratio_floor &&
        buffer_.size() / limits_.max_inflate_ratio > compressed_bytes_) {
      return fail(handler, close_code::kMessageTooBig, close_reason::kInflateRatio);
    }
    if (message_kind_ == MessageKind::kText &&
        !utf8_.feed(std::span<const uint8_t>(buffer_.data() + have, step.produced))) {
      return fail(handler, close_code::kInvalidPayload, close_reason::kInvalidUtf8);
    }
    if (step.status == InflateStatus::kOk) return ReadStatus::kOk;
  }
}

ReadStatus MessageReader::deliver(std::span<const uint8_t> payload, MessageHandler& handler) {
  const bool keep_reading = handler.on_message(message_kind_, payload);
  // Keep the capacity for the next message unless this one made the buffer unusually large.
  if (buffer_.capacity() > kRetainedBufferBytes) {
    release_buffer();
  } else {
    buffer_.clear();
  }
  return keep_reading ? ReadStatus::kOk : ReadStatus::kStopped;
}

std::string_view MessageReader::too_big_reason(const FrameHeader& header) {
  // What is known of the size is what the headers announced so far. A single final frame
  // announces the whole message; a fragmented one only its parts up to now ("at least").
  const bool whole = header.fin && header.opcode != Opcode::kContinuation;
  uint64_t size = message_size_ + header.payload_length;
  if (size < message_size_) size = UINT64_MAX;  // saturate: both are bounded by 2^63 and max
  char* out = reason_.data();
  char* const end = out + reason_.size();
  auto put = [&out](std::string_view text) {
    std::copy(text.begin(), text.end(), out);
    out += text.size();
  };
  // Longest form: 19 + 7 + 20 + 29 + 20 = 95 bytes, within the 123 of RFC 6455 §5.5.
  put(whole ? "message of " : "message of at least ");
  out = std::to_chars(out, end, size).ptr;
  put(" bytes exceeds max_message_size ");
  out = std::to_chars(out, end, limits_.max_message_size).ptr;
  return {reason_.data(), static_cast<size_t>(out - reason_.data())};
}

std::string_view MessageReader::inflated_too_big_reason(uint64_t inflated) {
  // Inflating stops one byte past the cap, so the whole size is never known: "at least".
  char* out = reason_.data();
  char* const end = out + reason_.size();
  auto put = [&out](std::string_view text) {
    std::copy(text.begin(), text.end(), out);
    out += text.size();
  };
  // Longest form: 29 + 20 + 32 + 20 = 101 bytes, within the 123 of RFC 6455 §5.5.
  put("message inflates to at least ");
  out = std::to_chars(out, end, inflated).ptr;
  put(" bytes, over max_message_size ");
  out = std::to_chars(out, end, limits_.max_message_size).ptr;
  return {reason_.data(), static_cast<size_t>(out - reason_.data())};
}

void MessageReader::append_message_data(std::span<const uint8_t> piece) {
  if (piece.empty()) return;
  // Grow with what has ARRIVED, doubling, never with what a header announces: a hostile
  // client could otherwise announce max_message_size on every connection, send nothing more,
  // and make us hold that much memory for each. Memory stays below twice the bytes received.
  const size_t needed = buffer_.size() + piece.size();
  if (needed > buffer_.capacity()) buffer_.reserve(std::max(needed, 2 * buffer_.capacity()));
  buffer_.insert(buffer_.end(), piece.begin(), piece.end());
}

ReadStatus MessageReader::finish_control(std::span<const uint8_t> payload,
                                         MessageHandler& handler) {
  switch (parser_.header().opcode) {
    case Opcode::kPing:
      return handler.on_ping(payload) ? ReadStatus::kOk : ReadStatus::kStopped;
    case Opcode::kPong:
      return handler.on_pong(payload) ? ReadStatus::kOk : ReadStatus::kStopped;
    case Opcode::kClose:
      break;
    default:
      return ReadStatus::kOk;  // unreachable: the parser only passes known control opcodes
  }
  // §5.5.1: the body, if any, starts with a 2-byte status code, then a UTF-8 reason.
  uint16_t code = close_code::kNoStatus;  // §7.1.5: no code in the frame reads as 1005
  std::string_view reason;
  if (payload.size() == 1) {
    return fail(handler, close_code::kProtocolError, close_reason::kCloseOneByte);
  }
  if (payload.size() >= 2) {
    code = static_cast<uint16_t>((payload[0] << 8) | payload[1]);
    if (!is_valid_close_code(code)) {
      return fail(handler, close_code::kProtocolError, close_reason::kInvalidCloseCode);
    }
    const std::span<const uint8_t> text = payload.subspan(2);
    if (!is_valid_utf8(text)) {
      return fail(handler, close_code::kInvalidPayload, close_reason::kInvalidCloseReason);
    }
    reason = std::string_view(reinterpret_cast<const char*>(text.data()), text.size());
  }
  // §5.5.1: after a Close nothing more is read; a partly received message is abandoned.
  terminal_ = ReadStatus::kClosed;
  message_open_ = false;
  handler.on_close(code, reason);
  release_buffer();  // only now: `reason` may point into buffer_
  return ReadStatus::kClosed;
}

ReadStatus MessageReader::fail(MessageHandler& handler, uint16_t code, std::string_view reason) {
  terminal_ = ReadStatus::kFailed;
  message_open_ = false;
  release_buffer();
  handler.on_protocol_error(code, reason);
  return ReadStatus::kFailed;
}

void MessageReader::release_buffer() {
  std::vector<uint8_t>().swap(buffer_);
  control_start_ = 0;
}

}  // namespace wsrelay::ws
