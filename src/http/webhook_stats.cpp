#include "http/webhook_stats.hpp"

#include <cstdint>
#include <string_view>

namespace wsrelay::http {

namespace {

void family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ").append(name).append(" ");
  out.append(type).append("\n");
}

void sample(std::string& out, std::string_view name, uint64_t value, std::string_view labels = {}) {
  out.append(name).append(labels).append(" ").append(std::to_string(value)).append("\n");
}

}  // namespace

std::string webhook_stats_json(const app::pusher::WebhookStats& s) {
  std::string out = "{";
  const auto field = [&](std::string_view key, uint64_t value, bool last = false) {
    out.append("\"").append(key).append("\":").append(std::to_string(value));
    if (!last) out.append(",");
  };
  field("events_accepted", s.events_accepted);
  field("events_delivered", s.events_delivered);
  field("batches_delivered", s.batches_delivered);
  field("posts_failed", s.posts_failed);
  field("retries", s.retries);
  field("flaps_suppressed", s.flaps_suppressed);
  field("dropped_queue_full", s.dropped_queue_full);
  field("dropped_failed", s.dropped_failed);
  field("dropped_rejected", s.dropped_rejected);
  field("queued", s.queued);
  field("in_flight", s.in_flight, true);
  out.append("}");
  return out;
}

void append_webhook_metrics(std::string& out, const app::pusher::WebhookStats& s) {
  family(out, "wsrelay_webhook_events_accepted_total", "counter", "Webhook events queued for delivery.");
  sample(out, "wsrelay_webhook_events_accepted_total", s.events_accepted);
  family(out, "wsrelay_webhook_events_delivered_total", "counter", "Webhook events in POSTs answered 2xx.");
  sample(out, "wsrelay_webhook_events_delivered_total", s.events_delivered);
  family(out, "wsrelay_webhook_batches_delivered_total", "counter", "Webhook POSTs answered 2xx.");
  sample(out, "wsrelay_webhook_batches_delivered_total", s.batches_delivered);
  family(out, "wsrelay_webhook_posts_failed_total", "counter",
         "Webhook POST attempts that failed (network error, timeout, non-2xx).");
  sample(out, "wsrelay_webhook_posts_failed_total", s.posts_failed);
  family(out, "wsrelay_webhook_retries_total", "counter", "Webhook POST attempts after the first for a batch.");
  sample(out, "wsrelay_webhook_retries_total", s.retries);
  family(out, "wsrelay_webhook_flaps_suppressed_total", "counter",
         "channel_vacated/member_removed cancelled by a re-occupation within the delay.");
  sample(out, "wsrelay_webhook_flaps_suppressed_total", s.flaps_suppressed);
  family(out, "wsrelay_webhook_events_dropped_total", "counter",
         "Webhook events never delivered, by reason: queue_full, failed (attempts exhausted), rejected (4xx).");
  sample(out, "wsrelay_webhook_events_dropped_total", s.dropped_queue_full, "{reason=\"queue_full\"}");
  sample(out, "wsrelay_webhook_events_dropped_total", s.dropped_failed, "{reason=\"failed\"}");
  sample(out, "wsrelay_webhook_events_dropped_total", s.dropped_rejected, "{reason=\"rejected\"}");
  family(out, "wsrelay_webhook_queued_events", "gauge", "Webhook events waiting (due or delayed).");
  sample(out, "wsrelay_webhook_queued_events", s.queued);
  family(out, "wsrelay_webhook_in_flight_events", "gauge", "Webhook events in the batch being sent or retried.");
  sample(out, "wsrelay_webhook_in_flight_events", s.in_flight);
}

}  // namespace wsrelay::http
