// The webhook dispatcher: implements WebhookEvents (what the Pusher front end reports) and turns
// those calls into batched, signed, retried POSTs — all decisions here, no I/O. It reaches the
// outside world only through WebhookHost: a clock, one wake-up request, the POST itself and a
// line for the log. The runtime's adapter (runtime/webhook_service.hpp) implements the host with
// the reactor's timer wheel and the non-blocking HTTP client; unit tests with a fake clock.
//
// What it does, in order:
// 1. Filter: only the kinds in options.kinds are sent (Pusher lets each webhook choose). The
//    delay/cancel bookkeeping of step 2 runs for every kind, so a vacated-then-reoccupied channel
//    is one continuous occupation even for a webhook that only wants channel_occupied.
// 2. Delay (as Pusher does, so a page reload does not flap): channel_vacated and member_removed
//    wait options.delay_ms. If, within that time, the same channel is occupied again (or the same
//    user re-added to the same presence channel), BOTH the pending vacated/removed and the new
//    occupied/added are dropped — the receiver sees one uninterrupted occupation/membership. The
//    pair is counted in stats().flaps_suppressed. A repeated vacated/removed while one is pending
//    keeps the first deadline.
// 3. Batch: events that are due wait at most options.batch_ms after the oldest of them, then go
//    in one POST of at most options.max_batch_events (a full batch leaves at the next tick).
// 4. One POST in flight at a time, so the receiver sees batches in order. A 2xx answer is
//    delivered. A network error, a timeout, a 5xx, 408 or 429 is retried with exponential backoff
//    (retry_initial_ms, doubling, capped at retry_max_ms) with the same body and signature, up to
//    options.max_attempts attempts in all; then the batch is dropped and counted. Any other
//    status (4xx: the receiver refuses it) is dropped at once and counted: retrying cannot help.
// 5. Bound: at most options.max_queue events wait (due + delayed, not counting the batch in
//    flight). An event that finds the queue full is dropped, counted in
//    stats().dropped_queue_full and reported to the log (at most one line per second, with the
//    count), never silently.
//
// Contract: the WebhookEvents calls return at once and never call the host's post() (they may
// ask for a wake-up at "now"); the host calls on_wake() when the requested time has come and
// on_post_done() exactly once for each post() that returned true, never from inside post().
// Single-threaded, like the loop it lives on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "app/pusher/webhook_events.hpp"
#include "app/pusher/webhook_format.hpp"

namespace wsrelay::app::pusher {

struct WebhookOptions {
  std::string app_key;     // X-Pusher-Key
  std::string app_secret;  // signs the body (X-Pusher-Signature)
  WebhookKindSet kinds = kind_bit(WebhookKind::kChannelOccupied) | kind_bit(WebhookKind::kChannelVacated) |
                         kind_bit(WebhookKind::kMemberAdded) | kind_bit(WebhookKind::kMemberRemoved);
  uint64_t batch_ms = 250;
  size_t max_batch_events = 100;
  uint64_t delay_ms = 3000;  // channel_vacated / member_removed
  uint32_t max_attempts = 5;
  uint64_t retry_initial_ms = 1000;
  uint64_t retry_max_ms = 60000;
  size_t max_queue = 10000;
};

// How one POST ended, as the host saw it.
struct WebhookPostResult {
  enum Kind : uint8_t {
    kAnswered,      // a complete response; `status` holds its code
    kNetworkError,  // could not connect, reset, TLS failure, malformed response
    kTimeout,       // no complete response in time
  };
  Kind kind = kNetworkError;
  int status = 0;
  std::string detail;  // for the log: "connection refused", "HTTP 500", ...
};

class WebhookHost {
 public:
  static constexpr uint64_t kNever = UINT64_MAX;
  virtual uint64_t monotonic_ms() = 0;
  virtual int64_t wall_clock_ms() = 0;
  // Call on_wake() once monotonic_ms() >= at (kNever: no wake-up wanted). Replaces any earlier
  // request.
  virtual void wake_at(uint64_t at) = 0;
  // Start POSTing `body` with X-Pusher-Key `key` and X-Pusher-Signature `signature`. False if
  // it cannot even start (counted as a failed attempt). The views are valid during the call.
  virtual bool post(std::string_view body, std::string_view key, std::string_view signature) = 0;
  // A line for the log (warnings: failed deliveries, drops).
  virtual void log_warning(std::string_view text) = 0;

 protected:
  ~WebhookHost() = default;
};

struct WebhookStats {
  uint64_t events_accepted = 0;     // passed the filter and entered the queue
  uint64_t events_delivered = 0;    // in a batch answered 2xx
  uint64_t batches_delivered = 0;
  uint64_t posts_failed = 0;        // attempts that did not end in 2xx
  uint64_t retries = 0;             // attempts after the first
  uint64_t flaps_suppressed = 0;    // vacated+occupied / removed+added pairs cancelled
  uint64_t dropped_queue_full = 0;  // events refused because max_queue were waiting
  uint64_t dropped_failed = 0;      // events of batches given up after max_attempts
  uint64_t dropped_rejected = 0;    // events of batches refused with a non-retryable status
  size_t queued = 0;                // waiting now (due + delayed)
  size_t in_flight = 0;             // events of the batch being sent or awaiting a retry
};

class WebhookDispatcher final : public WebhookEvents {
 public:
  WebhookDispatcher(WebhookOptions options, WebhookHost& host);
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;
  ~WebhookDispatcher() = default;

  void channel_occupied(std::string_view channel) override;
  void channel_vacated(std::string_view channel) override;
  void member_added(std::string_view channel, std::string_view user_id) override;
  void member_removed(std::string_view channel, std::string_view user_id) override;
  void client_event(std::string_view channel, std::string_view event, std::string_view data,
                    std::string_view socket_id, std::string_view user_id) override;

  void on_wake();
  void on_post_done(const WebhookPostResult& result);

  // Shutdown: delayed events become due now and the batch window closes (retries keep their
  // backoff). idle() is true once nothing waits and nothing is in flight.
  void drain();
  bool idle() const { return due_.empty() && delayed_.empty() && batch_state_ == BatchState::kNone; }

  WebhookStats stats() const;
  const WebhookOptions& options() const { return options_; }

 private:
  enum class BatchState : uint8_t { kNone, kSending, kWaitingRetry };
  struct Delayed {
    std::string key;
    WebhookEvent event;
    uint64_t due_ms;
  };
  struct Due {
    WebhookEvent event;
    uint64_t since_ms;  // when it became due (the batch window counts from the oldest)
  };

  // A delayed vacated/removed with this key is pending: cancel it and report true.
  bool cancel_delayed(const std::string& key);
  void delay(std::string key, WebhookEvent event);
  void make_due(WebhookEvent event, uint64_t now);
  bool has_room();
  void note_drop(uint64_t now);
  void log_drops(uint64_t now);
  void send_batch(uint64_t now);
  void start_post();
  void rearm();

  WebhookOptions options_;
  WebhookHost& host_;
  std::deque<Due> due_;
  std::list<Delayed> delayed_;  // in deadline order: every delay is options_.delay_ms
  std::unordered_map<std::string, std::list<Delayed>::iterator> delayed_index_;
  bool draining_ = false;

  BatchState batch_state_ = BatchState::kNone;
  std::string body_;
  std::string signature_;
  size_t batch_events_ = 0;
  uint32_t attempts_ = 0;
  uint64_t retry_at_ = 0;

  uint64_t requested_wake_ = WebhookHost::kNever;
  uint64_t last_drop_log_ms_ = 0;
  uint64_t drops_unlogged_ = 0;
  bool logged_a_drop_ = false;
  WebhookStats stats_;
};

}  // namespace wsrelay::app::pusher
