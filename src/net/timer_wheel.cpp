#include "net/timer_wheel.hpp"

namespace wsrelay::net {

Timer::~Timer() {
  if (wheel_ != nullptr) wheel_->cancel(*this);
}

TimerWheel::TimerWheel(uint64_t now_ms) : now_ms_(now_ms), processed_tick_(now_ms / kTickMs) {}

void TimerWheel::schedule_at(Timer& timer, uint64_t deadline_ms) {
  if (timer.wheel_ != nullptr) cancel(timer);
  timer.deadline_ms_ = deadline_ms;
  timer.wheel_ = this;
  ++count_;
  link(timer);
}

void TimerWheel::link(Timer& timer) {
  uint64_t tick = timer.deadline_ms_ / kTickMs;
  // A deadline in a tick already processed fires on the next one.
  if (tick <= processed_tick_) tick = processed_tick_ + 1;
  timer.slot_ = static_cast<uint32_t>(tick % kSlots);
  Timer*& head = slots_[timer.slot_];
  if (head == nullptr) {
    timer.prev_ = timer.next_ = &timer;
    head = &timer;
  } else {
    // Insert before the head of a circular list: that is the tail.
    timer.next_ = head;
    timer.prev_ = head->prev_;
    head->prev_->next_ = &timer;
    head->prev_ = &timer;
  }
}

void TimerWheel::cancel(Timer& timer) {
  if (timer.wheel_ != this) return;
  Timer*& head = slots_[timer.slot_];
  if (timer.next_ == &timer) {
    head = nullptr;
  } else {
    timer.prev_->next_ = timer.next_;
    timer.next_->prev_ = timer.prev_;
    if (head == &timer) head = timer.next_;
  }
  timer.prev_ = timer.next_ = nullptr;
  timer.wheel_ = nullptr;
  --count_;
}

void TimerWheel::advance(uint64_t now_ms) {
  now_ms_ = now_ms;
  const uint64_t target = now_ms / kTickMs;
  // After a stall longer than a revolution, one pass over every slot is enough.
  uint64_t first = processed_tick_ + 1;
  if (target >= first + kSlots) first = target - kSlots + 1;
  for (uint64_t tick = first; tick <= target; ++tick) {
    processed_tick_ = tick;
    Timer*& head = slots_[tick % kSlots];
    // Examine only the timers present now: a handler may schedule new ones (they land in later
    // ticks) or cancel others (they unlink themselves), and a timer due in a later revolution is
    // put back into this same slot.
    size_t pending = 0;
    if (head != nullptr) {
      pending = 1;
      for (Timer* t = head->next_; t != head; t = t->next_) ++pending;
    }
    while (pending-- > 0 && head != nullptr) {
      Timer* timer = head;
      cancel(*timer);
      if (timer->deadline_ms_ <= now_ms) {
        timer->on_timer();
      } else {
        timer->wheel_ = this;
        ++count_;
        link(*timer);
      }
    }
  }
  if (target > processed_tick_) processed_tick_ = target;
}

int TimerWheel::ms_until_next_tick() const {
  if (count_ == 0) return -1;
  const uint64_t next_boundary = (now_ms_ / kTickMs + 1) * kTickMs;
  return static_cast<int>(next_boundary - now_ms_);
}

}  // namespace wsrelay::net
