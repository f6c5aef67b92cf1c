// The receiving half of a WebSocket endpoint (RFC 6455 §5.4-§5.6, §7, §8.1): frames in,
// whole messages and control events out.
//
// MessageReader sits on FrameParser and enforces the rules that span frames:
//  - a continuation frame needs a message to continue, and a new text/binary frame must not
//    start while one is unfinished (1002);
//  - control frames may arrive between the fragments of a message and are handled at once;
//  - a message longer than max_message_size is refused as soon as a frame header announces it
//    (1009), before its payload is buffered; the reason says the size and the limit
//    ("message of 70012 bytes exceeds max_message_size 65536", or "of at least N bytes" for a
//    fragmented message, whose later fragments are not announced yet);
//  - text is checked for UTF-8 incrementally as payload bytes arrive, so the connection fails
//    at the first invalid byte, even in the middle of a frame (1007);
//  - a Close payload of 1 byte (1002), an invalid close code (1002) or a reason that is not
//    UTF-8 (1007) are protocol errors;
//  - with permessage-deflate (RFC 7692 §6), RSV1 on a message's first frame marks it
//    compressed; RSV1 on a continuation or control frame is 1002. A compressed message is
//    inflated as its payload arrives, into the reader's buffer, which is never offered more
//    room than max_message_size allows: a decompression bomb ends with 1009 when the cap is
//    passed, having cost no more memory than the cap. Invalid DEFLATE data is 1007, and the
//    UTF-8 check runs on the inflated text.
//
// It reaches its host only through MessageHandler, so tests and fuzzers link it with a stub
// host and no sockets. Payload views passed to the handler are valid only during the call.
//
// Buffers: a message that arrives whole in one input span is handed over as a view into that
// span (zero copy). Only fragmented messages, or frames split across reads, are copied into
// the reader's own buffer; that buffer keeps its capacity between messages (no allocation per
// frame in the steady state) and is released when it grew past kRetainedBufferBytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ws/deflate.hpp"
#include "ws/frame_parser.hpp"
#include "ws/utf8.hpp"

namespace wsrelay::ws {

enum class MessageKind : uint8_t { kText, kBinary };

class MessageHandler {
 public:
  virtual ~MessageHandler() = default;
  // A complete message; text has been validated as UTF-8. Return false to stop reading
  // (e.g. the host closed the connection while handling it).
  virtual bool on_message(MessageKind kind, std::span<const uint8_t> payload) = 0;
  // §5.5.2: the host should answer with a Pong carrying the same payload.
  virtual bool on_ping(std::span<const uint8_t> payload) = 0;
  // §5.5.3: a Pong, solicited or not.
  virtual bool on_pong(std::span<const uint8_t> payload) = 0;
  // §5.5.1: the peer's Close, already validated. `code` is close_code::kNoStatus (1005) when
  // the frame had no payload. The reader stops after it; bytes after a Close are ignored.
  virtual void on_close(uint16_t code, std::string_view reason) = 0;
  // The peer broke the protocol (§7.1.7 "Fail the WebSocket Connection"): the host should
  // send Close(code, reason) and close. The reader stops and stays failed.
  virtual void on_protocol_error(uint16_t code, std::string_view reason) = 0;
};

struct ReaderLimits {
  uint64_t max_message_size = 64 * 1024;
  Role role = Role::kServer;
  uint8_t allowed_rsv = 0;
  // permessage-deflate (RFC 7692), when negotiated: RSV1 on a message's first frame marks it
  // compressed. inflate_window_bits is the client's window; with context takeover the
  // inflate window is kept from one message to the next (and the host must keep the reader).
  bool deflate = false;
  bool inflate_context_takeover = false;
  uint8_t inflate_window_bits = 15;
  // A compressed message larger than max_inflate_ratio_floor bytes after inflating may be at
  // most max_inflate_ratio times its compressed size (0 = no ratio limit): this bounds the
  // inflate work a client buys with each byte it sends.
  uint32_t max_inflate_ratio = 0;
  uint64_t max_inflate_ratio_floor = 1 << 20;
};

enum class ReadStatus : uint8_t {
  kOk,       // all input used; waiting for more
  kStopped,  // a handler returned false; the rest of the input was not read
  kClosed,   // a Close frame was received (on_close was called)
  kFailed,   // a protocol error (on_protocol_error was called)
};

class MessageReader {
 public:
  static constexpr size_t kRetainedBufferBytes = 64 * 1024;

  explicit MessageReader(const ReaderLimits& limits = {});

  // Feed bytes received from the peer. The span is mutable because masked payloads are
  // unmasked in place. Once kClosed or kFailed is returned, further calls return the same.
  // Every message completed before a protocol error is delivered before on_protocol_error.
  ReadStatus feed(std::span<uint8_t> input, MessageHandler& handler);

  // Bytes of the last feed()'s input that were used. After kStopped the rest,
  // input.subspan(consumed()), has not been looked at and can be fed again later; after
  // kClosed it is what followed the Close frame. 0 when feed() returned a terminal status at once.
  size_t consumed() const { return consumed_; }

  // True while a data message has started (its first frame header arrived) and has not yet
  // been delivered: a fragmented message, or a single frame whose payload is still arriving.
  bool in_message() const { return message_open_; }
  void set_max_message_size(uint64_t bytes) { limits_.max_message_size = bytes; }

  // True between messages with nothing held back: no frame, message or control payload half
  // read, neither closed nor failed. Such a reader knows nothing a new one would not, so a
  // host may set it aside and read the next bytes with another (server::Connection lends
  // readers to busy connections this way; idle ones hold none).
  bool at_rest() const;
  // The state of a new reader with these limits; spare buffer capacity is kept for reuse.
  void reset(const ReaderLimits& limits);
  // Bytes currently held for partial messages/control frames (for memory accounting).
  size_t buffered_bytes() const { return buffer_.size(); }
  // Heap memory the reader holds, spare capacity included (kept between messages up to
  // kRetainedBufferBytes, released after a larger message and after Close/failure).
  size_t retained_bytes() const { return buffer_.capacity(); }
  // For the message just delivered by on_message: was it compressed, and how many payload
  // bytes did it take on the wire (the stats show both sides of compression).
  bool last_message_compressed() const { return last_compressed_; }
  uint64_t last_message_wire_bytes() const { return last_wire_bytes_; }
  // The reader holds an Inflater (created at the first compressed message, kept with the
  // reader so pooled readers reuse it).
  bool holds_inflater() const { return inflater_ != nullptr; }

 private:
  ReadStatus on_header(MessageHandler& handler);
  ReadStatus on_payload(const FrameStep& step, MessageHandler& handler);
  ReadStatus finish_control(std::span<const uint8_t> payload, MessageHandler& handler);
  ReadStatus fail(MessageHandler& handler, uint16_t code, std::string_view reason);
  std::string_view too_big_reason(const FrameHeader& header);  // formatted into reason_
  std::string_view inflated_too_big_reason(uint64_t inflated);  // formatted into reason_
  void append_message_data(std::span<const uint8_t> piece);
  void release_buffer();
  ReadStatus on_compressed_payload(const FrameStep& step, MessageHandler& handler);
  ReadStatus inflate_piece(std::span<const uint8_t> piece, MessageHandler& handler);
  ReadStatus deliver(std::span<const uint8_t> payload, MessageHandler& handler);

  ReaderLimits limits_;
  FrameParser parser_;
  Utf8Validator utf8_;
  std::vector<uint8_t> buffer_;  // message fragments, then (temporarily) a control payload
  uint64_t message_size_ = 0;    // payload bytes announced so far by the open message's frames
  size_t control_start_ = 0;     // where a split control frame's payload begins in buffer_
  MessageKind message_kind_ = MessageKind::kBinary;
  bool message_open_ = false;
  bool compressed_ = false;       // the open message is compressed (RSV1 on its first frame)
  bool last_compressed_ = false;  // see last_message_compressed()
  uint64_t last_wire_bytes_ = 0;
  uint64_t compressed_bytes_ = 0;  // compressed payload bytes of the open message so far
  std::unique_ptr<Inflater> inflater_;
  size_t consumed_ = 0;  // see consumed()
  ReadStatus terminal_ = ReadStatus::kOk;
  std::array<char, 123> reason_{};  // the 1009 reason (RFC 6455 §5.5: at most 123 bytes)
};

}  // namespace wsrelay::ws
