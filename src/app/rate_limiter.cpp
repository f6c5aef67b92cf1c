// Token-bucket rate limiter; see rate_limiter.hpp for the policy.
#include "app/rate_limiter.hpp"

#include <algorithm>

namespace wsrelay::app {

namespace {

uint64_t capacity_units(const RateLimitPolicy& policy) {
  // 65535 * 60000 = 3,932,100,000 still fits the uint32_t bucket.
  return uint64_t{std::max<uint16_t>(policy.burst, 1)} * RateLimiter::kUnitsPerToken;
}

}  // namespace

static_assert(uint64_t{UINT16_MAX} * RateLimiter::kUnitsPerToken <= UINT32_MAX,
              "the largest bucket must fit in 32 bits");

RateLimiter::RateLimiter(const RateLimitPolicy& policy, int64_t now_ms)
    : last_ms_(now_ms), units_(static_cast<uint32_t>(capacity_units(policy))) {}

void RateLimiter::refill(const RateLimitPolicy& policy, int64_t now_ms) {
  const uint64_t capacity = capacity_units(policy);
  if (now_ms > last_ms_) {
    // Clamp the elapsed time before multiplying: anything past `capacity` milliseconds fills
    // the bucket even at 1 msg/min, and the clamp keeps the product within 64 bits. The
    // subtraction is unsigned so that even INT64_MIN..INT64_MAX cannot overflow.
    const uint64_t elapsed = std::min<uint64_t>(
        static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(last_ms_), capacity);
    const uint64_t added = elapsed * policy.messages_per_minute;
    units_ = static_cast<uint32_t>(std::min<uint64_t>(uint64_t{units_} + added, capacity));
    last_ms_ = now_ms;
  }
  // A policy whose burst shrank since the last call must not leave an over-full bucket.
  units_ = static_cast<uint32_t>(std::min<uint64_t>(units_, capacity));
  if (units_ == capacity) warnings_ = 0;  // a full bucket means the client calmed down
}

RateDecision RateLimiter::on_message(const RateLimitPolicy& policy, int64_t now_ms) {
  if (!policy.enabled()) return RateDecision::kAllow;
  refill(policy, now_ms);
  if (units_ >= kUnitsPerToken) {
    units_ -= static_cast<uint32_t>(kUnitsPerToken);
    return RateDecision::kAllow;
  }
  if (warnings_ >= policy.max_warnings) return RateDecision::kClose;
  ++warnings_;
  return RateDecision::kWarn;
}

uint32_t RateLimiter::available(const RateLimitPolicy& policy, int64_t now_ms) {
  refill(policy, now_ms);
  return static_cast<uint32_t>(units_ / kUnitsPerToken);
}

}  // namespace wsrelay::app
