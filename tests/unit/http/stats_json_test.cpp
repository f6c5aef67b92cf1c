// /health and /stats documents: valid JSON with the snapshot's numbers and a stable shape.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>

#include "http/snapshot.hpp"

using namespace wsrelay;
using namespace wsrelay::http;

namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document document;
  document.Parse(text.c_str(), text.size());
  REQUIRE_MESSAGE(!document.HasParseError(), text);
  REQUIRE(document.IsObject());
  return document;
}

}  // namespace

TEST_CASE("health: status ok and whole seconds of uptime") {
  const rapidjson::Document doc = parse(render_health(61'999));
  CHECK(std::string(doc["status"].GetString()) == "ok");
  CHECK(doc["uptime"].GetUint64() == 61);
  CHECK(doc.MemberCount() == 2);
}

TEST_CASE("stats: clients, rooms, traffic, events, errors, rejections, uptime") {
  Snapshot snapshot;
  snapshot.server.connections = 4;
  snapshot.server.websockets = 3;
  snapshot.server.uptime_ms = 90'500;
  snapshot.server.stats.messages_in = 10;
  snapshot.server.stats.messages_out = 20;
  snapshot.server.stats.bytes_in = 300;
  snapshot.server.stats.bytes_out = 400;
  snapshot.server.stats.connections_accepted = 9;
  snapshot.server.stats.upgrades = 8;
  snapshot.server.stats.http_requests = 6;
  snapshot.server.stats.count(server::Reject::kServerFull);
  app::StatsSnapshot app;
  app.started_at_ms = 1714566896789;
  app.clients = 3;
  app.rooms = {{"general", 3, 5, true, false}, {"a \"quoted\" room", 1, 0, false, true}};
  app.signal_names = 1;
  app.events = {{"signal", 2}};
  app.errors = {{"not_in_room", 1}};
  app.closes = {{"invalid_auth", 3}};
  snapshot.app = app;

  const rapidjson::Document doc = parse(render_stats(snapshot));
  CHECK(doc["uptime"].GetUint64() == 90);
  CHECK(doc["uptime_ms"].GetUint64() == 90'500);
  CHECK(std::string(doc["started_at"].GetString()) == "2024-05-01T12:34:56.789Z");
  CHECK(doc["clients"].GetUint64() == 3);
  CHECK(doc["connections"]["open"].GetUint64() == 4);
  CHECK(doc["connections"]["websocket"].GetUint64() == 3);
  CHECK(doc["connections"]["accepted_total"].GetUint64() == 9);
  CHECK(doc["connections"]["upgrades_total"].GetUint64() == 8);
  CHECK(doc["http_requests"].GetUint64() == 6);
  CHECK(doc["messages"]["in"].GetUint64() == 10);
  CHECK(doc["messages"]["out"].GetUint64() == 20);
  CHECK(doc["bytes"]["in"].GetUint64() == 300);
  CHECK(doc["bytes"]["out"].GetUint64() == 400);
  REQUIRE(doc["rooms"].IsArray());
  REQUIRE(doc["rooms"].Size() == 2);
  CHECK(std::string(doc["rooms"][0]["name"].GetString()) == "general");
  CHECK(doc["rooms"][0]["members"].GetUint64() == 3);
  CHECK(doc["rooms"][0]["last_sequence"].GetUint64() == 5);
  CHECK(doc["rooms"][0]["declared"].GetBool());
  CHECK(std::string(doc["rooms"][1]["name"].GetString()) == "a \"quoted\" room");
  CHECK(doc["rooms"][1]["private"].GetBool());
  CHECK(doc["signal_names"].GetUint64() == 1);
  CHECK(doc["events"]["signal"].GetUint64() == 2);
  CHECK(doc["errors"]["not_in_room"].GetUint64() == 1);
  CHECK(doc["closes"]["invalid_auth"].GetUint64() == 3);
  REQUIRE(doc["rejections"].IsObject());
  CHECK(doc["rejections"].MemberCount() == server::kRejectNames.size());
  CHECK(doc["rejections"]["server_full"].GetUint64() == 1);
  CHECK(doc["rejections"]["origin"].GetUint64() == 0);
}

TEST_CASE("stats: without an application, clients come from the server and lists are empty") {
  Snapshot snapshot;
  snapshot.server.websockets = 2;
  const rapidjson::Document doc = parse(render_stats(snapshot));
  CHECK(doc["clients"].GetUint64() == 2);
  CHECK(doc["rooms"].Size() == 0);
  CHECK(doc["events"].MemberCount() == 0);
  CHECK(doc["closes"].MemberCount() == 0);
  CHECK_FALSE(doc.HasMember("started_at"));
}
