// Per-connection message rate limiting: a token bucket (rate_limit, rate_limit_burst) with a
// warning counter (rate_limit_warnings).
//
// The bucket holds up to `burst` messages (at least one) and refills continuously at
// `messages_per_minute`. A message that finds a whole token is allowed. One that does not is
// answered with an `error` of code `rate_limited` and not processed (kWarn) — until the client
// has had `max_warnings` such warnings; the next over-limit message closes the connection with
// 1008 (kClose). The warnings are forgiven when the bucket has refilled completely, i.e. once
// the client has stayed under its rate for burst / rate minutes: occasional bursts cost nothing,
// a client that keeps pushing after being told is disconnected.
//
// Arithmetic is exact integers: a token is 60000 units and each millisecond adds
// `messages_per_minute` units, so 100/min refills one token in exactly 600 ms, with no drift.
// Pure: the caller passes a monotonic clock in milliseconds. The policy is shared (one per
// server) and passed to each call, so each connection stores only 16 bytes.
#pragma once

#include <cstdint>

namespace wsrelay::app {

struct RateLimitPolicy {
  uint32_t messages_per_minute = 100;  // rate_limit; 0 turns limiting off
  uint16_t burst = 20;                 // rate_limit_burst; bucket size (0 behaves as 1)
  uint16_t max_warnings = 3;           // rate_limit_warnings; 0 closes on the first excess

  bool enabled() const { return messages_per_minute != 0; }
};

enum class RateDecision : uint8_t {
  kAllow,  // process the message
  kWarn,   // drop it and answer `rate_limited`
  kClose,  // drop it and close the connection with 1008
};

class RateLimiter {
 public:
  static constexpr uint64_t kUnitsPerToken = 60'000;  // one token = one minute of 1 msg/min

  // A full bucket at `now_ms` (a new connection may send its burst at once).
  RateLimiter(const RateLimitPolicy& policy, int64_t now_ms);

  // Account for one incoming message at `now_ms`. A clock that goes backwards adds nothing.
  RateDecision on_message(const RateLimitPolicy& policy, int64_t now_ms);

  // Whole messages available now (for tests and stats); refills first.
  uint32_t available(const RateLimitPolicy& policy, int64_t now_ms);
  uint16_t warnings() const { return warnings_; }

 private:
  void refill(const RateLimitPolicy& policy, int64_t now_ms);

  int64_t last_ms_;    // when units_ was last brought up to date
  uint32_t units_;     // tokens * kUnitsPerToken, <= capacity (burst * 60000 < 2^32)
  uint16_t warnings_ = 0;
};

}  // namespace wsrelay::app
