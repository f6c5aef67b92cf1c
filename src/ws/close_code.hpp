// Close status codes (RFC 6455 §7.4) and the rules for which ones a peer may send.
//
// Pure constants and predicates; the one vocabulary every layer uses when a WebSocket
// connection ends. Reason strings live here too so that logs and close frames agree.
#pragma once

#include <cstdint>
#include <string_view>

namespace wsrelay::ws {

namespace close_code {
constexpr uint16_t kNormal = 1000;     // §7.4.1: purpose fulfilled
constexpr uint16_t kGoingAway = 1001;  // server shutting down / page navigated away
constexpr uint16_t kProtocolError = 1002;
constexpr uint16_t kUnsupportedData = 1003;
constexpr uint16_t kNoStatus = 1005;        // never on the wire: "close frame had no code"
constexpr uint16_t kAbnormal = 1006;        // never on the wire: "no close frame at all"
constexpr uint16_t kInvalidPayload = 1007;  // e.g. text that is not UTF-8
constexpr uint16_t kPolicyViolation = 1008;
constexpr uint16_t kMessageTooBig = 1009;
constexpr uint16_t kMandatoryExtension = 1010;
constexpr uint16_t kInternalError = 1011;
constexpr uint16_t kTlsHandshake = 1015;  // never on the wire
}  // namespace close_code

// True when `code` may legally appear in a Close frame received from a peer:
// 1000-1003, 1007-1011 (1012-1014 are registered by IANA and accepted too), 3000-4999.
// Everything else (below 1000, 1004-1006, 1015, 1016-2999, 5000+) is a protocol error.
bool is_valid_close_code(uint16_t code);

// Reason strings used in our own Close frames (<= 123 bytes, RFC 6455 §5.5).
namespace close_reason {
constexpr std::string_view kShuttingDown = "server shutting down";
constexpr std::string_view kUnmasked = "client frames must be masked";
constexpr std::string_view kReservedBits = "reserved bits set without an extension";
constexpr std::string_view kReservedOpcode = "reserved opcode";
constexpr std::string_view kControlTooLong = "control frame payload over 125 bytes";
constexpr std::string_view kControlFragmented = "control frame fragmented";
constexpr std::string_view kLengthTopBit = "64-bit payload length has its top bit set";
constexpr std::string_view kUnexpectedContinuation = "continuation frame with nothing to continue";
constexpr std::string_view kExpectedContinuation = "new data frame inside a fragmented message";
// Generic 1009 reason; MessageReader says more ("message of N bytes exceeds max_message_size M").
constexpr std::string_view kMessageTooBig = "message too big";
constexpr std::string_view kInvalidUtf8 = "invalid UTF-8 in text message";
constexpr std::string_view kInvalidCloseCode = "invalid close code";
constexpr std::string_view kCloseOneByte = "close payload of one byte";
constexpr std::string_view kInvalidCloseReason = "close reason is not UTF-8";
constexpr std::string_view kServerMasked = "server frames must not be masked";
constexpr std::string_view kSlowConsumer = "slow consumer";
constexpr std::string_view kIdleTimeout = "idle timeout";
constexpr std::string_view kPongTimeout = "pong timeout";
// permessage-deflate (RFC 7692)
constexpr std::string_view kRsv1Continuation = "RSV1 set on a continuation frame";
constexpr std::string_view kRsv1Control = "RSV1 set on a control frame";
constexpr std::string_view kBadDeflateData = "invalid compressed data";
constexpr std::string_view kInflateRatio = "compression ratio over the limit";
}  // namespace close_reason

}  // namespace wsrelay::ws
