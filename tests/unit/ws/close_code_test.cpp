// Which close codes a peer may send (RFC 6455 §7.4), checked over the whole uint16_t range.
#include "ws/close_code.hpp"

#include <doctest/doctest.h>

using namespace wsrelay::ws;

TEST_CASE("close codes defined by RFC 6455 and IANA that a peer may send are valid") {
  for (uint16_t code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014}) {
    CAPTURE(code);
    CHECK(is_valid_close_code(code));
  }
  CHECK(is_valid_close_code(close_code::kNormal));
  CHECK(is_valid_close_code(close_code::kMessageTooBig));
}

TEST_CASE("codes that must never appear on the wire are invalid") {
  // §7.4.1: 1004 reserved; 1005, 1006 and 1015 are for reporting only.
  for (uint16_t code : {1004, 1005, 1006, 1015}) {
    CAPTURE(code);
    CHECK_FALSE(is_valid_close_code(code));
  }
  CHECK_FALSE(is_valid_close_code(close_code::kNoStatus));
  CHECK_FALSE(is_valid_close_code(close_code::kAbnormal));
  CHECK_FALSE(is_valid_close_code(close_code::kTlsHandshake));
}

TEST_CASE("the whole 16-bit range splits exactly at the documented boundaries") {
  // Autobahn 7.9.x sends 0, 999, 1004-1006, 1012-1016, 1100, 2000, 2999; 7.7.x sends 3000, 3999,
  // 4000, 4999 and expects them accepted.
  unsigned valid = 0;
  for (uint32_t code = 0; code <= 0xFFFF; ++code) {
    const bool expected = (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) ||
                          (code >= 3000 && code <= 4999);
    CAPTURE(code);
    REQUIRE(is_valid_close_code(static_cast<uint16_t>(code)) == expected);
    valid += expected ? 1 : 0;
  }
  CHECK(valid == 4 + 8 + 2000);
  CHECK_FALSE(is_valid_close_code(0));
  CHECK_FALSE(is_valid_close_code(999));
  CHECK_FALSE(is_valid_close_code(1016));
  CHECK_FALSE(is_valid_close_code(2999));
  CHECK(is_valid_close_code(3000));
  CHECK(is_valid_close_code(4999));
  CHECK_FALSE(is_valid_close_code(5000));
  CHECK_FALSE(is_valid_close_code(65535));
}

TEST_CASE("our own close reasons fit a control frame") {
  // §5.5: control payload <= 125 bytes, 2 of which carry the code.
  for (std::string_view reason :
       {close_reason::kShuttingDown, close_reason::kUnmasked, close_reason::kReservedBits,
        close_reason::kReservedOpcode, close_reason::kControlTooLong,
        close_reason::kControlFragmented, close_reason::kLengthTopBit,
        close_reason::kUnexpectedContinuation, close_reason::kExpectedContinuation,
        close_reason::kMessageTooBig, close_reason::kInvalidUtf8, close_reason::kInvalidCloseCode,
        close_reason::kCloseOneByte, close_reason::kInvalidCloseReason, close_reason::kServerMasked,
        close_reason::kSlowConsumer, close_reason::kIdleTimeout, close_reason::kPongTimeout}) {
    CAPTURE(reason);
    CHECK(reason.size() <= 123);
    CHECK_FALSE(reason.empty());
  }
}
