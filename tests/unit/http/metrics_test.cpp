// /metrics: the output of render_metrics must pass a strict Prometheus text-format parser
// (prometheus_parser.hpp, itself tested below against broken inputs) and say the right numbers.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "http/snapshot.hpp"
#include "prometheus_parser.hpp"

using namespace wsrelay;
using namespace wsrelay::http;
using namespace wsrelay::http::testing;

namespace {

Snapshot sample_snapshot() {
  Snapshot snapshot;
  snapshot.server.connections = 7;
  snapshot.server.websockets = 5;
  snapshot.server.uptime_ms = 12'345;
  server::ServerStats& stats = snapshot.server.stats;
  stats.connections_accepted = 40;
  stats.upgrades = 30;
  stats.http_requests = 12;
  stats.messages_in = 100;
  stats.messages_out = 250;
  stats.bytes_in = 4096;
  stats.bytes_out = 10'000;
  stats.pings_sent = 3;
  stats.count(server::Reject::kOrigin);
  stats.count(server::Reject::kOrigin);
  stats.count(server::Reject::kBodyTooLarge);
  app::StatsSnapshot app;
  app.clients = 5;
  app.connections_total = 30;
  app.signal_names = 2;
  app.rooms = {{"general", 5, 9, true, false}, {"quote\"back\\slash", 2, 0, false, false}, {"vip", 1, 3, true, true}};
  app.events = {{"join_room", 4}, {"message", 11}};
  app.errors = {{"invalid_json", 2}};
  app.closes = {{"auth_timeout", 0}, {"rate_limited", 4}};
  snapshot.app = app;
  return snapshot;
}

}  // namespace

TEST_CASE("metrics: valid exposition with the snapshot's numbers") {
  const std::string text = render_metrics(sample_snapshot(), 100);
  const PromDocument doc = parse_prometheus(text);
  REQUIRE_MESSAGE(doc.ok(), doc.error, "\n", text);

  CHECK(doc.value("wsrelay_uptime_seconds") == doctest::Approx(12.345));
  CHECK(doc.value("wsrelay_connections") == 7);
  CHECK(doc.value("wsrelay_clients") == 5);
  CHECK(doc.value("wsrelay_connections_accepted_total") == 40);
  CHECK(doc.value("wsrelay_websocket_upgrades_total") == 30);
  CHECK(doc.value("wsrelay_http_requests_total") == 12);
  CHECK(doc.value("wsrelay_messages_received_total") == 100);
  CHECK(doc.value("wsrelay_messages_sent_total") == 250);
  CHECK(doc.value("wsrelay_received_bytes_total") == 4096);
  CHECK(doc.value("wsrelay_sent_bytes_total") == 10000);
  CHECK(doc.value("wsrelay_pings_sent_total") == 3);
  CHECK(doc.value("wsrelay_rejections_total", {{"reason", "origin"}}) == 2);
  CHECK(doc.value("wsrelay_rejections_total", {{"reason", "body_too_large"}}) == 1);
  CHECK(doc.value("wsrelay_rejections_total", {{"reason", "rate_limited"}}) == 0);
  CHECK(doc.families.at("wsrelay_rejections_total").samples.size() == server::kRejectNames.size());
  CHECK(doc.value("wsrelay_rooms") == 3);
  CHECK(doc.value("wsrelay_room_members", {{"room", "general"}}) == 5);
  CHECK(doc.value("wsrelay_room_members", {{"room", "vip"}}) == 1);
  CHECK(doc.value("wsrelay_signal_names") == 2);
  CHECK(doc.value("wsrelay_app_connections_total") == 30);
  CHECK(doc.value("wsrelay_events_total", {{"event", "message"}}) == 11);
  CHECK(doc.value("wsrelay_events_total", {{"event", "join_room"}}) == 4);
  CHECK(doc.value("wsrelay_errors_total", {{"code", "invalid_json"}}) == 2);
  CHECK(doc.value("wsrelay_app_closes_total", {{"cause", "rate_limited"}}) == 4);
  CHECK(doc.value("wsrelay_app_closes_total", {{"cause", "auth_timeout"}}) == 0);
}

TEST_CASE("metrics: every family has HELP and TYPE; counters end in _total, gauges do not") {
  const PromDocument doc = parse_prometheus(render_metrics(sample_snapshot(), 100));
  REQUIRE(doc.ok());
  CHECK(doc.order.size() >= 18);
  for (const auto& entry : doc.families) {
    // Not a structured binding: clang 14 cannot capture those in doctest's message lambdas.
    const std::string& name = entry.first;
    const PromFamily& family = entry.second;
    CHECK_MESSAGE(family.has_help, name);
    CHECK_MESSAGE(!family.help.empty(), name);
    const bool total = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
    if (family.type == "counter") {
      CHECK_MESSAGE(total, name);
    } else {
      CHECK_MESSAGE(family.type == "gauge", name);
      CHECK_MESSAGE(!total, name);
    }
    CHECK_MESSAGE(name.rfind("wsrelay_", 0) == 0, name);
  }
}

TEST_CASE("metrics: label values are escaped and read back unchanged") {
  Snapshot snapshot = sample_snapshot();
  snapshot.app->rooms.push_back({"line\nbreak", 4, 0, false, false});
  snapshot.app->events.push_back({"custom \"quoted\" \\ event", 1});
  const std::string text = render_metrics(snapshot, 100);
  const PromDocument doc = parse_prometheus(text);
  REQUIRE_MESSAGE(doc.ok(), doc.error);
  CHECK(doc.value("wsrelay_room_members", {{"room", "quote\"back\\slash"}}) == 2);
  CHECK(doc.value("wsrelay_room_members", {{"room", "line\nbreak"}}) == 4);
  CHECK(doc.value("wsrelay_events_total", {{"event", "custom \"quoted\" \\ event"}}) == 1);
  CHECK(text.find("room=\"quote\\\"back\\\\slash\"") != std::string::npos);
  CHECK(text.find("room=\"line\\nbreak\"") != std::string::npos);
}

TEST_CASE("metrics: per-room series are capped to the largest rooms") {
  const PromDocument doc = parse_prometheus(render_metrics(sample_snapshot(), 2));
  REQUIRE(doc.ok());
  CHECK(doc.families.at("wsrelay_room_members").samples.size() == 2);
  CHECK(doc.value("wsrelay_room_members", {{"room", "general"}}) == 5);
  CHECK(doc.value("wsrelay_room_members", {{"room", "quote\"back\\slash"}}) == 2);
  CHECK(std::isnan(doc.value("wsrelay_room_members", {{"room", "vip"}})));
  CHECK(doc.value("wsrelay_rooms") == 3);  // the gauge of rooms still counts them all
}

TEST_CASE("metrics: without an application (echo mode) the server families remain") {
  Snapshot snapshot = sample_snapshot();
  snapshot.app.reset();
  const PromDocument doc = parse_prometheus(render_metrics(snapshot, 100));
  REQUIRE_MESSAGE(doc.ok(), doc.error);
  CHECK(doc.value("wsrelay_clients") == 5);  // from the server's upgraded connections
  CHECK(doc.families.count("wsrelay_rooms") == 0);
  CHECK(doc.families.count("wsrelay_events_total") == 0);
  CHECK(doc.value("wsrelay_messages_received_total") == 100);
}

TEST_CASE("metrics: uptime keeps its milliseconds as decimals") {
  Snapshot snapshot;
  snapshot.server.uptime_ms = 5'007;
  CHECK(render_metrics(snapshot, 1).find("wsrelay_uptime_seconds 5.007\n") != std::string::npos);
  snapshot.server.uptime_ms = 60'000;
  CHECK(render_metrics(snapshot, 1).find("wsrelay_uptime_seconds 60.000\n") != std::string::npos);
}

// The parser must reject what a scraper would, or the tests above prove nothing.
TEST_CASE("prometheus parser: rejects malformed exposition") {
  const std::string good = "# HELP a_total A.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n";
  REQUIRE(parse_prometheus(good).ok());
  const char* bad[] = {
      "# HELP a_total A.\n# TYPE a_total counter\na_total 3",                      // no final newline
      "a_total 3\n",                                                               // sample before TYPE
      "# TYPE a counter\n# TYPE a counter\na 1\n",                                 // TYPE twice
      "# TYPE a gauge\na 1\n# TYPE b gauge\nb 1\na 2\n",                           // interleaved families
      "# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n",                              // duplicate series
      "# TYPE a gauge\na{x=\"\\t\"} 1\n",                                          // bad escape
      "# TYPE a gauge\na{x=\"1} 1\n",                                              // unterminated value
      "# TYPE a gauge\na{1x=\"1\"} 1\n",                                           // bad label name
      "# TYPE a gauge\na one\n",                                                   // bad value
      "# TYPE 1a gauge\n",                                                         // bad metric name
      "# TYPE a meter\n",                                                          // unknown type
      "# TYPE a counter\na -1\n",                                                  // negative counter
      "# TYPE a gauge\n\na 1\n",                                                   // blank line
      "# random comment\n",                                                        // free comment
      "# TYPE a gauge\na 1\n# HELP a late\n",                                      // HELP after samples
  };
  for (const char* text : bad) CHECK_MESSAGE(!parse_prometheus(text).ok(), text);
  const PromDocument doc = parse_prometheus("# TYPE a gauge\na{x=\"q\\\"\\\\\\n\",y=\"\"} +Inf 1700000000000\n");
  REQUIRE_MESSAGE(doc.ok(), doc.error);
  CHECK(doc.families.at("a").samples[0].labels.at("x") == "q\"\\\n");
  CHECK(std::isinf(doc.value("a", {{"x", "q\"\\\n"}, {"y", ""}})));
}
