// Backoff: the delay before the next reconnect attempt. Pure.
//
// Exponential from `initial_ms`, doubling per failed attempt up to `max_ms`, with "equal jitter"
// (half the step fixed, half random) so a fleet of nodes that lost Redis together does not
// reconnect in lockstep when it comes back, and no delay is ever below half its step. reset()
// after a success. The random source is a small xorshift seeded by the caller (the layer makes
// no syscalls of its own).
#pragma once

#include <algorithm>
#include <cstdint>

namespace wsrelay::cluster {

class Backoff {
 public:
  Backoff(uint64_t initial_ms, uint64_t max_ms, uint64_t seed)
      : initial_ms_(std::max<uint64_t>(initial_ms, 1)),
        max_ms_(std::max(max_ms, initial_ms_)),
        state_(seed | 1) {}

  uint64_t next_ms() {
    uint64_t step = initial_ms_;
    for (uint32_t i = 0; i < attempts_ && step < max_ms_; ++i) step *= 2;
    step = std::min(step, max_ms_);
    ++attempts_;
    const uint64_t half = step / 2;
    return step - half + (half == 0 ? 0 : random() % (half + 1));
  }
  void reset() { attempts_ = 0; }
  uint32_t attempts() const { return attempts_; }

 private:
  uint64_t random() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 7;
    state_ ^= state_ << 17;
    return state_;
  }

  uint64_t initial_ms_;
  uint64_t max_ms_;
  uint64_t state_;
  uint32_t attempts_ = 0;
};

}  // namespace wsrelay::cluster
