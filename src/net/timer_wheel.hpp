// A hashed timer wheel with intrusive nodes: O(1) schedule and cancel, no allocation.
//
// A Timer is embedded in the object it serves (a connection holds one), so a hundred thousand
// connections cost a hundred thousand nodes of 32 bytes and nothing else. Expiry resolution is
// one tick (kTickMs); a timer further away than one revolution simply stays in its slot until
// its deadline comes round. Each slot is a circular doubly-linked list, so unlinking is O(1).
//
// Connections use a single timer for all their deadlines (handshake, idle, ping, pong, close):
// they schedule it for the nearest one and, when it fires, check which deadline has really
// passed. Activity does not touch the wheel — it only updates a timestamp the check reads —
// so the per-message cost of timeouts is one store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace wsrelay::net {

class TimerWheel;

class Timer {
 public:
  Timer() = default;
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  bool scheduled() const { return wheel_ != nullptr; }
  uint64_t deadline_ms() const { return deadline_ms_; }

  // Called by the wheel when the deadline has passed; the timer is no longer scheduled.
  virtual void on_timer() = 0;
  // Cancels itself, so an object holding a Timer can be destroyed at any time.
  virtual ~Timer();

 private:
  friend class TimerWheel;
  Timer* prev_ = nullptr;
  Timer* next_ = nullptr;
  TimerWheel* wheel_ = nullptr;
  uint64_t deadline_ms_ = 0;
  uint32_t slot_ = 0;
};

class TimerWheel {
 public:
  static constexpr uint64_t kTickMs = 50;
  static constexpr size_t kSlots = 2048;  // one revolution: about 102 s

  explicit TimerWheel(uint64_t now_ms = 0);

  // (Re)schedule for an absolute monotonic deadline.
  void schedule_at(Timer& timer, uint64_t deadline_ms);
  void schedule_in(Timer& timer, uint64_t delay_ms) { schedule_at(timer, now_ms_ + delay_ms); }
  void cancel(Timer& timer);

  // Advance the clock and fire every timer whose deadline is <= now.
  void advance(uint64_t now_ms);
  uint64_t now_ms() const { return now_ms_; }
  void set_now(uint64_t now_ms) { now_ms_ = now_ms; }
  size_t size() const { return count_; }
  // Milliseconds until the next tick boundary if any timer is pending, else -1.
  int ms_until_next_tick() const;

 private:
  void link(Timer& timer);
  Timer* slots_[kSlots] = {};
  uint64_t now_ms_;
  uint64_t processed_tick_;  // every tick <= this has been processed
  size_t count_ = 0;
};

}  // namespace wsrelay::net
