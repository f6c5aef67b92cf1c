// Webhook delivery figures for /stats (a JSON object, to sit under "webhooks") and /metrics
// (Prometheus families wsrelay_webhook_*). Pure text building from the dispatcher's counters
// (app/pusher/webhook_dispatcher.hpp WebhookStats), so both endpoints say the same numbers.
#pragma once

#include <string>

#include "app/pusher/webhook_dispatcher.hpp"

namespace wsrelay::http {

// {"events_accepted":N,"events_delivered":N,"batches_delivered":N,"posts_failed":N,"retries":N,
//  "flaps_suppressed":N,"dropped_queue_full":N,"dropped_failed":N,"dropped_rejected":N,
//  "queued":N,"in_flight":N}
std::string webhook_stats_json(const app::pusher::WebhookStats& stats);

// Appends the wsrelay_webhook_* families (HELP, TYPE, one sample each) to `out`. Drops are one
// counter with a `reason` label: queue_full, failed (attempts exhausted), rejected (4xx).
void append_webhook_metrics(std::string& out, const app::pusher::WebhookStats& stats);

}  // namespace wsrelay::http
