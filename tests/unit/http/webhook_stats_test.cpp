// /stats and /metrics text for webhook deliveries: valid JSON and strict Prometheus text that
// carry every counter, drops by reason.
#include "http/webhook_stats.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include "prometheus_parser.hpp"

using namespace wsrelay;

TEST_CASE("webhook stats: JSON and Prometheus say the same numbers") {
  app::pusher::WebhookStats s;
  s.events_accepted = 10;
  s.events_delivered = 7;
  s.batches_delivered = 3;
  s.posts_failed = 2;
  s.retries = 1;
  s.flaps_suppressed = 4;
  s.dropped_queue_full = 5;
  s.dropped_failed = 6;
  s.dropped_rejected = 8;
  s.queued = 9;
  s.in_flight = 11;
  rapidjson::Document doc;
  const std::string json = http::webhook_stats_json(s);
  doc.Parse(json.c_str());
  REQUIRE_FALSE(doc.HasParseError());
  CHECK(doc["events_accepted"].GetUint64() == 10);
  CHECK(doc["dropped_queue_full"].GetUint64() == 5);
  CHECK(doc["in_flight"].GetUint64() == 11);
  CHECK(doc.MemberCount() == 11);

  std::string text;
  http::append_webhook_metrics(text, s);
  const http::testing::PromDocument prom = http::testing::parse_prometheus(text);
  REQUIRE_MESSAGE(prom.ok(), prom.error);
  CHECK(prom.value("wsrelay_webhook_events_delivered_total") == 7);
  CHECK(prom.value("wsrelay_webhook_events_dropped_total", {{"reason", "queue_full"}}) == 5);
  CHECK(prom.value("wsrelay_webhook_events_dropped_total", {{"reason", "failed"}}) == 6);
  CHECK(prom.value("wsrelay_webhook_events_dropped_total", {{"reason", "rejected"}}) == 8);
  CHECK(prom.value("wsrelay_webhook_queued_events") == 9);
  CHECK(prom.families.at("wsrelay_webhook_queued_events").type == "gauge");
  CHECK(prom.value("wsrelay_webhook_retries_total") == 1);
}
