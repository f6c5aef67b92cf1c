// Why the application closes a connection itself: the close code and reason it sends, and the
// name its stats count the close under (StatsSnapshot::closes). Every front end uses these, so
// a client sees the same words whichever protocol it speaks.
//
// All are 1008, "policy violation" (RFC 6455 §7.4.1): the generic code for a client that broke
// the server's rules when no more specific code fits. The reasons are fixed texts — nothing
// about what exactly was wrong with a token reaches the client (docs/security.md).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace wsrelay::app {

enum class CloseCause : uint8_t {
  kInvalidAuth,  // a token that does not verify (URL or `auth` event), or no usable token
  kAuthTimeout,  // no authentication within auth_timeout
  kRateLimited,  // over the rate limit again after rate_limit_warnings warnings
  kCount
};

struct CloseDescription {
  uint16_t code;
  std::string_view reason;     // sent in the Close frame
  std::string_view stat_name;  // StatsSnapshot::closes
};

inline constexpr uint16_t kPolicyViolation = 1008;
// Not the application's own close, but one it is told about (Application::on_protocol_error):
// RFC 6455 §7.4.1, a message too big to process.
inline constexpr uint16_t kMessageTooBig = 1009;

inline constexpr std::array<CloseDescription, static_cast<size_t>(CloseCause::kCount)> kCloseDescriptions = {{
    {kPolicyViolation, "Invalid authentication", "invalid_auth"},
    {kPolicyViolation, "Authentication timeout", "auth_timeout"},
    {kPolicyViolation, "rate limit exceeded", "rate_limited"},
}};

constexpr const CloseDescription& describe(CloseCause cause) {
  return kCloseDescriptions[static_cast<size_t>(cause)];
}

}  // namespace wsrelay::app
