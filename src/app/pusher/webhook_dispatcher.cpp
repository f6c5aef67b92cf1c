#include "app/pusher/webhook_dispatcher.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace wsrelay::app::pusher {

namespace {

constexpr uint64_t kDropLogIntervalMs = 1000;

// The identity a delayed event is cancelled by. Length-prefixed so that no channel name or user
// id can make two different pairs collide.
std::string channel_key(std::string_view channel) {
  std::string key = "c";
  key += std::to_string(channel.size());
  key += ':';
  key += channel;
  return key;
}

std::string member_key(std::string_view channel, std::string_view user_id) {
  std::string key = "m";
  key += std::to_string(channel.size());
  key += ':';
  key += channel;
  key += user_id;
  return key;
}

bool retryable(const WebhookPostResult& result) {
  if (result.kind != WebhookPostResult::kAnswered) return true;
  // RFC 9110 §15.6: 5xx is the server's failure; 408 and 429 (RFC 6585 §4) ask to come back.
  return result.status >= 500 || result.status == 408 || result.status == 429;
}

}  // namespace

WebhookDispatcher::WebhookDispatcher(WebhookOptions options, WebhookHost& host)
    : options_(std::move(options)), host_(host) {
  options_.max_batch_events = std::max<size_t>(options_.max_batch_events, 1);
  options_.max_attempts = std::max<uint32_t>(options_.max_attempts, 1);
}

// ---- what the front end reports --------------------------------------------------------------

void WebhookDispatcher::channel_occupied(std::string_view channel) {
  if (cancel_delayed(channel_key(channel))) return;
  WebhookEvent event;
  event.kind = WebhookKind::kChannelOccupied;
  event.channel = channel;
  make_due(std::move(event), host_.monotonic_ms());
}

void WebhookDispatcher::channel_vacated(std::string_view channel) {
  WebhookEvent event;
  event.kind = WebhookKind::kChannelVacated;
  event.channel = channel;
  delay(channel_key(channel), std::move(event));
}

void WebhookDispatcher::member_added(std::string_view channel, std::string_view user_id) {
  if (cancel_delayed(member_key(channel, user_id))) return;
  WebhookEvent event;
  event.kind = WebhookKind::kMemberAdded;
  event.channel = channel;
  event.user_id = user_id;
  make_due(std::move(event), host_.monotonic_ms());
}

void WebhookDispatcher::member_removed(std::string_view channel, std::string_view user_id) {
  WebhookEvent event;
  event.kind = WebhookKind::kMemberRemoved;
  event.channel = channel;
  event.user_id = user_id;
  delay(member_key(channel, user_id), std::move(event));
}

void WebhookDispatcher::client_event(std::string_view channel, std::string_view name, std::string_view data,
                                     std::string_view socket_id, std::string_view user_id) {
  if ((options_.kinds & kind_bit(WebhookKind::kClientEvent)) == 0) return;  // copy nothing
  WebhookEvent event;
  event.kind = WebhookKind::kClientEvent;
  event.channel = channel;
  event.event = name;
  event.data = data;
  event.socket_id = socket_id;
  event.user_id = user_id;
  make_due(std::move(event), host_.monotonic_ms());
}

// ---- queueing -------------------------------------------------------------------------------

bool WebhookDispatcher::cancel_delayed(const std::string& key) {
  const auto found = delayed_index_.find(key);
  if (found == delayed_index_.end()) return false;
  delayed_.erase(found->second);
  delayed_index_.erase(found);
  ++stats_.flaps_suppressed;
  rearm();
  return true;
}

bool WebhookDispatcher::has_room() { return due_.size() + delayed_.size() < options_.max_queue; }

void WebhookDispatcher::delay(std::string key, WebhookEvent event) {
  if (delayed_index_.count(key) != 0) return;  // already pending: keep the first deadline
  const uint64_t now = host_.monotonic_ms();
  if (!has_room()) {
    note_drop(now);
    return;
  }
  // Kept even when this kind is not sent: the cancellation must still see it (header, step 1).
  delayed_.push_back(Delayed{key, std::move(event), now + options_.delay_ms});
  delayed_index_.emplace(std::move(key), std::prev(delayed_.end()));
  rearm();
}

void WebhookDispatcher::make_due(WebhookEvent event, uint64_t now) {
  if ((options_.kinds & kind_bit(event.kind)) == 0) return;
  if (!has_room()) {
    note_drop(now);
    return;
  }
  ++stats_.events_accepted;
  due_.push_back(Due{std::move(event), now});
  rearm();
}

void WebhookDispatcher::note_drop(uint64_t now) {
  ++stats_.dropped_queue_full;
  ++drops_unlogged_;
  if (logged_a_drop_ && now - last_drop_log_ms_ < kDropLogIntervalMs) return;  // rearm() comes back
  log_drops(now);
}

void WebhookDispatcher::log_drops(uint64_t now) {
  host_.log_warning("webhook queue full (" + std::to_string(options_.max_queue) + " events waiting): dropped " +
                    std::to_string(drops_unlogged_) + " event(s), " + std::to_string(stats_.dropped_queue_full) +
                    " in all");
  logged_a_drop_ = true;
  last_drop_log_ms_ = now;
  drops_unlogged_ = 0;
}

void WebhookDispatcher::drain() {
  draining_ = true;
  const uint64_t now = host_.monotonic_ms();
  for (Delayed& delayed : delayed_) {
    delayed.due_ms = now;
  }
  rearm();
}

// ---- timing and sending ------------------------------------------------------------------

void WebhookDispatcher::on_wake() {
  requested_wake_ = WebhookHost::kNever;
  const uint64_t now = host_.monotonic_ms();
  while (!delayed_.empty() && delayed_.front().due_ms <= now) {
    Delayed& front = delayed_.front();
    delayed_index_.erase(front.key);
    WebhookEvent event = std::move(front.event);
    delayed_.pop_front();
    // It was counted against the bound while delayed, so it cannot be refused now.
    if ((options_.kinds & kind_bit(event.kind)) != 0) {
      ++stats_.events_accepted;
      due_.push_back(Due{std::move(event), now});
    }
  }
  if (drops_unlogged_ > 0 && now - last_drop_log_ms_ >= kDropLogIntervalMs) {
    log_drops(now);  // the rest of the last burst gets its line
  }
  if (batch_state_ == BatchState::kWaitingRetry && now >= retry_at_) {
    ++stats_.retries;
    start_post();
  } else if (batch_state_ == BatchState::kNone && !due_.empty()) {
    const bool full = due_.size() >= options_.max_batch_events;
    if (full || draining_ || now >= due_.front().since_ms + options_.batch_ms) send_batch(now);
  }
  rearm();
}

void WebhookDispatcher::send_batch(uint64_t now) {
  (void)now;
  const size_t count = std::min(due_.size(), options_.max_batch_events);
  std::vector<WebhookEvent> events;
  events.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    events.push_back(std::move(due_.front().event));
    due_.pop_front();
  }
  body_ = format_webhook_body(host_.wall_clock_ms(), events);
  signature_ = webhook_signature(options_.app_secret, body_);
  batch_events_ = count;
  attempts_ = 0;
  start_post();
}

void WebhookDispatcher::start_post() {
  ++attempts_;
  batch_state_ = BatchState::kSending;
  if (host_.post(body_, options_.app_key, signature_)) return;
  WebhookPostResult failed;
  failed.kind = WebhookPostResult::kNetworkError;
  failed.detail = "the request could not be started";
  on_post_done(failed);
}

void WebhookDispatcher::on_post_done(const WebhookPostResult& result) {
  if (batch_state_ != BatchState::kSending) return;  // a stray report: nothing is in flight
  const uint64_t now = host_.monotonic_ms();
  if (result.kind == WebhookPostResult::kAnswered && result.status >= 200 && result.status < 300) {
    stats_.events_delivered += batch_events_;
    ++stats_.batches_delivered;
  } else {
    ++stats_.posts_failed;
    const std::string what = std::to_string(batch_events_) + " event(s), attempt " + std::to_string(attempts_) +
                             " of " + std::to_string(options_.max_attempts) + ": " + result.detail;
    if (!retryable(result)) {
      stats_.dropped_rejected += batch_events_;
      host_.log_warning("webhook refused by the receiver, dropped " + what);
    } else if (attempts_ >= options_.max_attempts) {
      stats_.dropped_failed += batch_events_;
      host_.log_warning("webhook delivery failed, giving up on " + what);
    } else {
      // Exponential backoff: initial, 2x, 4x, ... capped (attempts_ >= 1 here).
      const uint32_t doublings = std::min<uint32_t>(attempts_ - 1, 32);
      const uint64_t delay = std::min<uint64_t>(options_.retry_initial_ms << std::min<uint32_t>(doublings, 20),
                                                options_.retry_max_ms);
      host_.log_warning("webhook delivery failed, retrying in " + std::to_string(delay) + " ms: " + what);
      batch_state_ = BatchState::kWaitingRetry;
      retry_at_ = now + delay;
      rearm();
      return;
    }
  }
  batch_state_ = BatchState::kNone;
  body_.clear();
  signature_.clear();
  batch_events_ = 0;
  rearm();
}

void WebhookDispatcher::rearm() {
  uint64_t at = WebhookHost::kNever;
  if (!delayed_.empty()) at = delayed_.front().due_ms;
  if (batch_state_ == BatchState::kWaitingRetry) {
    at = std::min(at, retry_at_);
  } else if (batch_state_ == BatchState::kNone && !due_.empty()) {
    const bool now = due_.size() >= options_.max_batch_events || draining_;
    at = std::min(at, now ? host_.monotonic_ms() : due_.front().since_ms + options_.batch_ms);
  }
  if (drops_unlogged_ > 0) at = std::min(at, last_drop_log_ms_ + kDropLogIntervalMs);
  if (at == requested_wake_) return;
  requested_wake_ = at;
  host_.wake_at(at);
}

WebhookStats WebhookDispatcher::stats() const {
  WebhookStats stats = stats_;
  stats.queued = due_.size() + delayed_.size();
  stats.in_flight = batch_state_ == BatchState::kNone ? 0 : batch_events_;
  return stats;
}

}  // namespace wsrelay::app::pusher
