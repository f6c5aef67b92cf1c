// A deliberately simple WebSocket decoder, the reference the frame harness (and the connection
// harness, for the server's output) compares the real parser against.
//
// The real FrameParser/MessageReader are resumable state machines fed in pieces, unmasking a
// machine word at a time and handing out zero-copy views. This reference sees the whole buffer
// at once and walks it with an index, one byte at a time: it unmasks byte by byte, keeps every
// payload in a fresh vector, validates text with NaiveUtf8 and has no notion of a "piece". Two
// layers, like the real code:
//   reference_frames()   — RFC 6455 §5.2 frame syntax and the single-frame rules (→ 1002);
//   reference_messages() — fragmentation, size limit, UTF-8 and Close rules over those frames.
// The rules and their order follow the documented contract in src/ws/frame_parser.hpp and
// src/ws/message_reader.hpp: a header rule fails at the byte that shows it (so a truncated
// header can already be an error), a too-big message fails at its frame header, text fails at
// its first invalid byte even mid-frame, and everything before an error is delivered first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "reference_utf8.hpp"

namespace wsrelay::fuzz {

struct RefFrame {
  bool fin = false;
  uint8_t rsv = 0;
  uint8_t opcode = 0;
  bool masked = false;
  uint64_t length = 0;  // announced payload length
  uint8_t key[4] = {0, 0, 0, 0};
  std::vector<uint8_t> payload;  // unmasked; shorter than `length` when the input ended
  bool complete = false;
  size_t end = 0;  // offset just past the frame's last byte seen
};

struct RefFrameResult {
  std::vector<RefFrame> frames;  // every frame whose header is complete, the last maybe partial
  bool error = false;            // a single-frame rule broken (always close code 1002)
  size_t error_at = 0;           // offset of the byte that showed it
  std::string reason;            // which rule, as the close reason constants word it
};

// Frame-level decode of the whole buffer. `server` means we receive client frames, which must
// be masked (§5.1); a client receives server frames, which must not be.
inline RefFrameResult reference_frames(std::span<const uint8_t> in, bool server,
                                       uint8_t allowed_rsv) {
  RefFrameResult out;
  size_t pos = 0;
  auto fail = [&](size_t at, const char* reason) {
    out.error = true;
    out.error_at = at;
    out.reason = reason;
    return out;
  };
  while (pos < in.size()) {
    // Byte 0: FIN, RSV1-3, opcode.
    const uint8_t b0 = in[pos];
    RefFrame frame;
    frame.fin = (b0 & 0x80) != 0;
    frame.rsv = static_cast<uint8_t>((b0 >> 4) & 0x7);
    frame.opcode = b0 & 0x0F;
    if ((frame.rsv & ~allowed_rsv) != 0) return fail(pos, "reserved bits set without an extension");
    const bool known = frame.opcode <= 2 || (frame.opcode >= 8 && frame.opcode <= 10);
    if (!known) return fail(pos, "reserved opcode");
    const bool control = frame.opcode >= 8;
    if (control && !frame.fin) return fail(pos, "control frame fragmented");
    if (pos + 1 >= in.size()) break;

    // Byte 1: MASK and the 7-bit length.
    const uint8_t b1 = in[pos + 1];
    frame.masked = (b1 & 0x80) != 0;
    const uint8_t len7 = b1 & 0x7F;
    if (server && !frame.masked) return fail(pos + 1, "client frames must be masked");
    if (!server && frame.masked) return fail(pos + 1, "server frames must not be masked");
    if (control && len7 > 125) return fail(pos + 1, "control frame payload over 125 bytes");
    if (len7 == 127) {
      if (pos + 2 >= in.size()) break;
      if ((in[pos + 2] & 0x80) != 0) {
        return fail(pos + 2, "64-bit payload length has its top bit set");
      }
    }

    // The rest of the header: extended length, masking key.
    const size_t extended = len7 == 126 ? 2 : len7 == 127 ? 8 : 0;
    const size_t header = 2 + extended + (frame.masked ? 4 : 0);
    if (in.size() - pos < header) break;
    if (extended == 0) {
      frame.length = len7;
    } else {
      for (size_t i = 0; i < extended; ++i) frame.length = frame.length * 256 + in[pos + 2 + i];
    }
    if (frame.masked) {
      for (size_t i = 0; i < 4; ++i) frame.key[i] = in[pos + 2 + extended + i];
    }
    pos += header;

    // Payload, unmasked byte by byte (§5.3: byte i is XORed with key byte i mod 4).
    const size_t available = in.size() - pos;
    const size_t take = frame.length < available ? static_cast<size_t>(frame.length) : available;
    for (size_t i = 0; i < take; ++i) {
      frame.payload.push_back(static_cast<uint8_t>(in[pos + i] ^ frame.key[i % 4]));
    }
    pos += take;
    frame.complete = take == frame.length;
    frame.end = pos;
    out.frames.push_back(std::move(frame));
  }
  return out;
}

// What a receiver reports, in order.
struct RefEvent {
  enum Type : uint8_t { kText, kBinary, kPing, kPong, kClose, kError } type;
  std::vector<uint8_t> data;  // message or control payload
  uint16_t code = 0;          // kClose, kError
  std::string reason;         // kClose, kError

  bool operator==(const RefEvent&) const = default;
};

struct RefMessages {
  std::vector<RefEvent> events;
  bool terminal = false;    // ended with kClose or kError
  bool in_message = false;  // a data message's first header arrived and it is not delivered
  size_t close_end = 0;     // for kClose: offset just past the Close frame
};

// RFC 6455 §7.4: the codes a peer may send (1012-1014 registered later, accepted too).
inline bool reference_close_code_ok(unsigned code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
         (code >= 3000 && code <= 4999);
}

inline RefMessages reference_messages(const RefFrameResult& frames, uint64_t max_message_size) {
  RefMessages out;
  auto fail = [&](uint16_t code, std::string reason) {
    out.events.push_back({RefEvent::kError, {}, code, std::move(reason)});
    out.terminal = true;
    out.in_message = false;
    return out;
  };
  bool open = false;
  bool text = false;
  uint64_t announced = 0;
  std::vector<uint8_t> message;
  NaiveUtf8 utf8;
  for (const RefFrame& frame : frames.frames) {
    const bool control = frame.opcode >= 8;
    if (!control) {
      // §5.4 fragmentation rules, judged when the header arrives.
      if (frame.opcode == 0 && !open) {
        return fail(1002, "continuation frame with nothing to continue");
      }
      if (frame.opcode != 0 && open) {
        return fail(1002, "new data frame inside a fragmented message");
      }
      if (frame.opcode != 0) {
        open = true;
        text = frame.opcode == 1;
        announced = 0;
        message.clear();
        utf8 = NaiveUtf8();
      }
      out.in_message = true;
      // The whole message may not exceed the limit; judged on announced lengths.
      if (frame.length > max_message_size || announced > max_message_size - frame.length) {
        // The reader's reason: the announced size ("at least" unless one final first frame).
        const bool whole = frame.fin && frame.opcode != 0;
        const uint64_t sum = announced + frame.length;
        const uint64_t size = sum < announced ? UINT64_MAX : sum;
        return fail(1009, std::string("message of ") + (whole ? "" : "at least ") + std::to_string(size) +
                              " bytes exceeds max_message_size " + std::to_string(max_message_size));
      }
      announced += frame.length;
      for (uint8_t byte : frame.payload) {
        if (text && !utf8.push(byte)) return fail(1007, "invalid UTF-8 in text message");
        message.push_back(byte);
      }
      if (!frame.complete || !frame.fin) continue;
      if (text && !utf8.complete()) return fail(1007, "invalid UTF-8 in text message");
      out.events.push_back({text ? RefEvent::kText : RefEvent::kBinary, message, 0, {}});
      open = false;
      out.in_message = false;
      message.clear();
      continue;
    }
    if (!frame.complete) continue;  // control frames are reported whole
    if (frame.opcode == 9) {
      out.events.push_back({RefEvent::kPing, frame.payload, 0, {}});
    } else if (frame.opcode == 10) {
      out.events.push_back({RefEvent::kPong, frame.payload, 0, {}});
    } else {
      // §5.5.1: empty, or a 2-byte code then a UTF-8 reason.
      const std::vector<uint8_t>& p = frame.payload;
      if (p.size() == 1) return fail(1002, "close payload of one byte");
      uint16_t code = 1005;
      std::string reason;
      if (p.size() >= 2) {
        code = static_cast<uint16_t>(p[0] * 256 + p[1]);
        if (!reference_close_code_ok(code)) return fail(1002, "invalid close code");
        const std::span<const uint8_t> rest(p.data() + 2, p.size() - 2);
        if (!naive_utf8(rest).complete) return fail(1007, "close reason is not UTF-8");
        reason.assign(rest.begin(), rest.end());
      }
      out.events.push_back({RefEvent::kClose, {}, code, reason});
      out.terminal = true;
      out.in_message = false;
      out.close_end = frame.end;
      return out;
    }
  }
  if (frames.error) return fail(1002, frames.reason);
  return out;
}

inline std::string describe(const RefEvent& event) {
  static constexpr const char* kNames[] = {"text", "binary", "ping", "pong", "close", "error"};
  std::string out = kNames[event.type];
  if (event.type == RefEvent::kClose || event.type == RefEvent::kError) {
    out += " " + std::to_string(event.code) + " '" + event.reason + "'";
  } else {
    out += "(" + std::to_string(event.data.size()) + " bytes)";
  }
  return out;
}

inline std::string describe(const std::vector<RefEvent>& events) {
  std::string out = "[";
  for (size_t i = 0; i < events.size(); ++i) out += (i ? ", " : "") + describe(events[i]);
  return out + "]";
}

}  // namespace wsrelay::fuzz
