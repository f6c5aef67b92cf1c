// The cluster link in /health, /stats and /metrics: degraded while down, the counters where
// operators look, a valid exposition, and nothing added when the node is not in a cluster.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "http/snapshot.hpp"
#include "prometheus_parser.hpp"

using namespace wsrelay::http;
using namespace wsrelay::http::testing;

namespace {

rapidjson::Document parse_json(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  REQUIRE_MESSAGE(!document.HasParseError(), text);
  return document;
}

ClusterCounters sample(bool up) {
  ClusterCounters c;
  c.node_id = "web-1";
  c.prefix = "app1";
  c.state = up ? "up" : "down";
  c.up = up;
  c.state_for_ms = 4'200;
  c.last_error = up ? "none" : "auth";
  c.connects = 2;
  c.disconnects = 1;
  c.failed_attempts = 7;
  c.published = 100;
  c.publish_refused = 3;
  c.received = 90;
  c.missed = 4;
  c.malformed = 1;
  c.peers = 2;
  return c;
}

}  // namespace

TEST_CASE("health: with a cluster, redis state; degraded while the link is not up") {
  ClusterCounters up = sample(true);
  rapidjson::Document doc = parse_json(render_health(5'000, &up));
  CHECK(std::string(doc["status"].GetString()) == "ok");
  CHECK(std::string(doc["redis"].GetString()) == "up");
  ClusterCounters down = sample(false);
  doc = parse_json(render_health(5'000, &down));
  CHECK(std::string(doc["status"].GetString()) == "degraded");
  CHECK(std::string(doc["redis"].GetString()) == "down");
  CHECK(doc["uptime"].GetUint64() == 5);
  // Without a cluster the document keeps its two members.
  CHECK(parse_json(render_health(5'000)).MemberCount() == 2);
}

TEST_CASE("stats: a cluster object only when the node is in a cluster") {
  Snapshot snapshot;
  CHECK_FALSE(parse_json(render_stats(snapshot)).HasMember("cluster"));
  snapshot.cluster = sample(false);
  const rapidjson::Document doc = parse_json(render_stats(snapshot));
  REQUIRE(doc.HasMember("cluster"));
  const auto& c = doc["cluster"];
  CHECK(std::string(c["node_id"].GetString()) == "web-1");
  CHECK(std::string(c["prefix"].GetString()) == "app1");
  CHECK(std::string(c["redis"].GetString()) == "down");
  CHECK(std::string(c["last_error"].GetString()) == "auth");
  CHECK(c["redis_state_seconds"].GetUint64() == 4);
  CHECK(c["connects"].GetUint64() == 2);
  CHECK(c["disconnects"].GetUint64() == 1);
  CHECK(c["failed_attempts"].GetUint64() == 7);
  CHECK(c["published"].GetUint64() == 100);
  CHECK(c["publish_refused"].GetUint64() == 3);
  CHECK(c["received"].GetUint64() == 90);
  CHECK(c["missed"].GetUint64() == 4);
  CHECK(c["malformed"].GetUint64() == 1);
  CHECK(c["peers"].GetUint64() == 2);
}

TEST_CASE("metrics: the redis and cluster families, valid exposition") {
  Snapshot snapshot;
  CHECK(render_metrics(snapshot, 10).find("wsrelay_redis") == std::string::npos);
  snapshot.cluster = sample(true);
  const PromDocument doc = parse_prometheus(render_metrics(snapshot, 10));
  REQUIRE_MESSAGE(doc.ok(), doc.error);
  CHECK(doc.value("wsrelay_redis_up") == 1);
  CHECK(doc.value("wsrelay_redis_connects_total") == 2);
  CHECK(doc.value("wsrelay_redis_disconnects_total") == 1);
  CHECK(doc.value("wsrelay_redis_failed_attempts_total") == 7);
  CHECK(doc.value("wsrelay_cluster_published_total") == 100);
  CHECK(doc.value("wsrelay_cluster_publish_refused_total") == 3);
  CHECK(doc.value("wsrelay_cluster_received_total") == 90);
  CHECK(doc.value("wsrelay_cluster_missed_total") == 4);
  CHECK(doc.value("wsrelay_cluster_peers") == 2);
  snapshot.cluster = sample(false);
  CHECK(parse_prometheus(render_metrics(snapshot, 10)).value("wsrelay_redis_up") == 0);
}
