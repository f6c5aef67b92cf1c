// Token-bucket rate limiter: burst, exact refill arithmetic, the long-run rate, the warning
// ladder and its forgiveness, and hostile clock values.
#include "app/rate_limiter.hpp"

#include <doctest/doctest.h>

#include <cstdint>

using namespace wsrelay::app;

namespace {

RateLimitPolicy policy(uint32_t per_minute, uint16_t burst, uint16_t warnings = 3) {
  RateLimitPolicy p;
  p.messages_per_minute = per_minute;
  p.burst = burst;
  p.max_warnings = warnings;
  return p;
}

// Spend every whole token at `now`; returns how many.
int drain(RateLimiter& limiter, const RateLimitPolicy& p, int64_t now) {
  int count = 0;
  while (limiter.available(p, now) > 0) {
    REQUIRE(limiter.on_message(p, now) == RateDecision::kAllow);
    ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("rate limiter: a connection's state is a few bytes") {
  CHECK(sizeof(RateLimiter) <= 16);
}

TEST_CASE("rate limiter: the default policy matches the documented configuration") {
  const RateLimitPolicy p;
  CHECK(p.messages_per_minute == 100);
  CHECK(p.burst == 20);
  CHECK(p.max_warnings == 3);
  CHECK(p.enabled());
}

TEST_CASE("rate limiter: a new connection may send its burst at once, then no more") {
  const RateLimitPolicy p = policy(100, 20);
  RateLimiter limiter(p, 5'000);
  for (int i = 0; i < 20; ++i) {
    CAPTURE(i);
    CHECK(limiter.on_message(p, 5'000) == RateDecision::kAllow);
  }
  CHECK(limiter.on_message(p, 5'000) == RateDecision::kWarn);
}

TEST_CASE("rate limiter: refill is exact, with no fractional loss between calls") {
  const RateLimitPolicy p = policy(100, 20);  // one token per 600 ms
  RateLimiter limiter(p, 0);
  CHECK(drain(limiter, p, 0) == 20);
  CHECK(limiter.available(p, 1) == 0);
  CHECK(limiter.available(p, 300) == 0);
  CHECK(limiter.available(p, 599) == 0);
  CHECK(limiter.available(p, 600) == 1);  // the 300 ms seen above were not lost
  CHECK(limiter.available(p, 1'199) == 1);
  CHECK(limiter.available(p, 1'200) == 2);
  CHECK(limiter.on_message(p, 1'200) == RateDecision::kAllow);
  CHECK(limiter.available(p, 1'200) == 1);
  CHECK(limiter.available(p, 12'599) == 19);  // 21 tokens earned since 0, one spent
  CHECK(limiter.available(p, 12'600) == 20);
  CHECK(limiter.available(p, 1'000'000) == 20);  // never more than the burst
}

TEST_CASE("rate limiter: rates that do not divide a minute") {
  const RateLimitPolicy p = policy(7, 10);  // one token per 8571.43 ms
  RateLimiter limiter(p, 0);
  drain(limiter, p, 0);
  CHECK(limiter.available(p, 8'571) == 0);
  CHECK(limiter.available(p, 8'572) == 1);  // 7 * 8572 = 60004 >= 60000
  CHECK(limiter.available(p, 60'000) == 7);
}

TEST_CASE("rate limiter: the long-run rate is messages_per_minute plus one burst") {
  const RateLimitPolicy p = policy(100, 20);
  RateLimiter limiter(p, 0);
  // A greedy client that sends whenever a token is there, for ten minutes.
  int allowed = 0;
  for (int64_t t = 0; t <= 600'000; ++t) {
    while (limiter.available(p, t) > 0) {
      REQUIRE(limiter.on_message(p, t) == RateDecision::kAllow);
      ++allowed;
    }
  }
  CHECK(allowed == 20 + 1'000);
}

TEST_CASE("rate limiter: warnings, then close") {
  const RateLimitPolicy p = policy(100, 5, 3);
  RateLimiter limiter(p, 0);
  drain(limiter, p, 0);
  CHECK(limiter.on_message(p, 0) == RateDecision::kWarn);
  CHECK(limiter.warnings() == 1);
  CHECK(limiter.on_message(p, 1) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 2) == RateDecision::kWarn);
  CHECK(limiter.warnings() == 3);
  CHECK(limiter.on_message(p, 3) == RateDecision::kClose);
}

TEST_CASE("rate limiter: zero warnings closes on the first excess message") {
  const RateLimitPolicy p = policy(60, 1, 0);
  RateLimiter limiter(p, 0);
  CHECK(limiter.on_message(p, 0) == RateDecision::kAllow);
  CHECK(limiter.on_message(p, 999) == RateDecision::kClose);
}

TEST_CASE("rate limiter: allowed messages in between do not reset the warnings") {
  const RateLimitPolicy p = policy(100, 5, 3);
  RateLimiter limiter(p, 0);
  drain(limiter, p, 0);
  CHECK(limiter.on_message(p, 0) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 600) == RateDecision::kAllow);
  CHECK(limiter.on_message(p, 600) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 1'200) == RateDecision::kAllow);
  CHECK(limiter.on_message(p, 1'200) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 1'800) == RateDecision::kAllow);
  CHECK(limiter.on_message(p, 1'800) == RateDecision::kClose);
}

TEST_CASE("rate limiter: warnings are forgiven once the bucket is full again") {
  const RateLimitPolicy p = policy(100, 20, 3);  // full again 12 s after running dry
  RateLimiter limiter(p, 0);
  drain(limiter, p, 0);
  CHECK(limiter.on_message(p, 0) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 0) == RateDecision::kWarn);

  SUBCASE("not yet full: still counted") {
    CHECK(limiter.available(p, 11'999) == 19);
    CHECK(limiter.warnings() == 2);
  }
  SUBCASE("full: forgiven, the whole ladder is available again") {
    CHECK(limiter.available(p, 12'000) == 20);
    CHECK(limiter.warnings() == 0);
    drain(limiter, p, 12'000);
    CHECK(limiter.on_message(p, 12'000) == RateDecision::kWarn);
    CHECK(limiter.on_message(p, 12'000) == RateDecision::kWarn);
    CHECK(limiter.on_message(p, 12'000) == RateDecision::kWarn);
    CHECK(limiter.on_message(p, 12'000) == RateDecision::kClose);
  }
}

TEST_CASE("rate limiter: off") {
  const RateLimitPolicy p = policy(0, 20, 0);
  CHECK_FALSE(p.enabled());
  RateLimiter limiter(p, 0);
  for (int i = 0; i < 100'000; ++i) {
    if (limiter.on_message(p, 0) != RateDecision::kAllow) FAIL("limited while off");
  }
}

TEST_CASE("rate limiter: a burst of 0 behaves as 1") {
  const RateLimitPolicy p = policy(60, 0);
  RateLimiter limiter(p, 0);
  CHECK(limiter.on_message(p, 0) == RateDecision::kAllow);
  CHECK(limiter.on_message(p, 0) == RateDecision::kWarn);
  CHECK(limiter.on_message(p, 1'000) == RateDecision::kAllow);
  CHECK(limiter.available(p, 1'000'000) == 1);
}

TEST_CASE("rate limiter: a clock that goes backwards adds nothing and breaks nothing") {
  const RateLimitPolicy p = policy(100, 20);
  RateLimiter limiter(p, 10'000);
  drain(limiter, p, 10'000);
  CHECK(limiter.available(p, 5'000) == 0);
  CHECK(limiter.available(p, 10'599) == 0);
  CHECK(limiter.available(p, 10'600) == 1);
}

TEST_CASE("rate limiter: extreme clocks and policies do not overflow") {
  SUBCASE("from the smallest to the largest time") {
    const RateLimitPolicy p = policy(UINT32_MAX, UINT16_MAX);
    RateLimiter limiter(p, INT64_MIN);
    CHECK(limiter.available(p, INT64_MIN) == UINT16_MAX);
    drain(limiter, p, INT64_MIN);
    CHECK(limiter.available(p, INT64_MAX) == UINT16_MAX);
  }
  SUBCASE("the slowest rate over a huge gap") {
    const RateLimitPolicy p = policy(1, UINT16_MAX);
    RateLimiter limiter(p, 0);
    drain(limiter, p, 0);
    CHECK(limiter.available(p, 59'999) == 0);
    CHECK(limiter.available(p, 60'000) == 1);
    CHECK(limiter.available(p, INT64_MAX) == UINT16_MAX);
  }
}

TEST_CASE("rate limiter: a smaller burst in a new policy caps the bucket at once") {
  RateLimiter limiter(policy(100, 20), 0);
  const RateLimitPolicy smaller = policy(100, 5);
  CHECK(limiter.available(smaller, 0) == 5);
}
