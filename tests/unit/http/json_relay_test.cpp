// JsonRelay against the real JsonProtocol and Dispatcher with fake connections: what clients
// receive from the backend, and the delivery counts the API answers with.
#include "http/json_relay.hpp"

#include <doctest/doctest.h>

#include <string>

#include "../app/fakes.hpp"

using namespace wsrelay;
using namespace wsrelay::app::testing;
using wsrelay::http::Delivery;
using wsrelay::http::JsonRelay;
using wsrelay::http::RoomDetail;

namespace {

rapidjson::Document value_of(std::string_view json) { return parse_json(json); }

void listen(JsonHarness& h, FakePeer& peer, std::string_view name) {
  h.send(peer, "{\"event\":\"listen\",\"name\":\"" + std::string(name) + "\"}");
  peer.sent.clear();
}

void join(JsonHarness& h, FakePeer& peer, std::string_view room) {
  h.send(peer, "{\"event\":\"join_room\",\"room\":\"" + std::string(room) + "\"}");
}

}  // namespace

TEST_CASE("json relay: a signal reaches its listeners only, from the server") {
  JsonHarness h;
  JsonRelay relay(h.protocol);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& c = h.connect_quiet();
  listen(h, a, "ReportIncome");
  listen(h, b, "ReportIncome");
  h.drain(a);
  h.drain(b);
  h.drain(c);

  const rapidjson::Document data = value_of(R"({"total":1200,"currency":"EUR"})");
  const Delivery delivery = relay.signal("ReportIncome", &data, "");
  CHECK(delivery.status == app::Status::kOk);
  CHECK(delivery.delivered == 2);
  for (FakePeer* peer : {&a, &b}) {
    const rapidjson::Document got = h.only(*peer);
    CHECK(text_of(got, "event") == "signal");
    CHECK(text_of(got, "name") == "ReportIncome");
    CHECK(got["data"]["total"].GetInt() == 1200);
    CHECK(text_of(got, "from") == "server");
    CHECK(text_of(got, "timestamp") == "2024-05-01T12:34:56.789Z");
    CHECK_FALSE(has(got, "room"));
  }
  CHECK(c.sent.empty());

  // Without data: "data": null. Nobody listening: 0, not an error.
  CHECK(relay.signal("ReportIncome", nullptr, "").delivered == 2);
  CHECK(h.only(a)["data"].IsNull());
  h.drain(b);
  CHECK(relay.signal("nobody-listens", nullptr, "").delivered == 0);
  CHECK(relay.signal("", nullptr, "").status == app::Status::kInvalidName);
}

TEST_CASE("json relay: a signal within a room reaches only listeners in that room") {
  JsonHarness h;
  JsonRelay relay(h.protocol);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  listen(h, a, "refresh");
  listen(h, b, "refresh");
  join(h, a, "sales");
  h.drain(a);
  h.drain(b);
  const Delivery delivery = relay.signal("refresh", nullptr, "sales");
  CHECK(delivery.delivered == 1);
  const rapidjson::Document got = h.only(a);
  CHECK(text_of(got, "room") == "sales");
  CHECK(b.sent.empty());
  CHECK(relay.signal("refresh", nullptr, "no-such-room").delivered == 0);
  CHECK(a.sent.empty());
}

TEST_CASE("json relay: publish to a room's members with the room's sequence numbers") {
  JsonHarness h;
  JsonRelay relay(h.protocol);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& outsider = h.connect_quiet();
  join(h, a, "sales");
  join(h, b, "sales");
  h.drain(a);
  h.drain(b);
  h.drain(outsider);
  const rapidjson::Document message = value_of(R"("new order #42")");
  CHECK(relay.publish("sales", message).delivered == 2);
  CHECK(relay.publish("sales", message).delivered == 2);
  auto got = h.drain(a);
  REQUIRE(got.size() == 2);
  CHECK(text_of(got[0], "event") == "room_message");
  CHECK(text_of(got[0], "room") == "sales");
  CHECK(text_of(got[0], "message") == "new order #42");
  CHECK(text_of(got[0], "from") == "server");
  CHECK(got[1]["seq"].GetUint64() == got[0]["seq"].GetUint64() + 1);
  CHECK(h.drain(b).size() == 2);
  CHECK(outsider.sent.empty());
  CHECK(relay.publish("empty-room", message).delivered == 0);
  CHECK(relay.publish("", message).status == app::Status::kInvalidName);
}

TEST_CASE("json relay: broadcast reaches everyone; send reaches one client by id") {
  JsonHarness h;
  JsonRelay relay(h.protocol);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  h.drain(a);
  const rapidjson::Document message = value_of(R"({"text":"maintenance"})");
  CHECK(relay.broadcast(message).delivered == 2);
  CHECK(text_of(h.only(a), "event") == "broadcast");
  CHECK(text_of(h.only(b), "from") == "server");

  const Delivery direct = relay.send(h.id_of(b), message);
  CHECK(direct.status == app::Status::kOk);
  CHECK(direct.delivered == 1);
  const rapidjson::Document got = h.only(b);
  CHECK(text_of(got, "event") == "direct");
  CHECK(text_of(got["message"], "text") == "maintenance");
  CHECK(a.sent.empty());
  CHECK(relay.send("0123456789abcdef0123456789abcdef", message).status == app::Status::kUnknownClient);
}

TEST_CASE("json relay: rooms are refused while rooms are disabled") {
  app::AppOptions options;
  options.rooms_enabled = false;
  JsonHarness h(options);
  JsonRelay relay(h.protocol);
  const rapidjson::Document message = value_of(R"("x")");
  CHECK(relay.publish("sales", message).status == app::Status::kRoomsDisabled);
  CHECK(relay.signal("refresh", nullptr, "sales").status == app::Status::kRoomsDisabled);
  CHECK(relay.signal("refresh", nullptr, "").status == app::Status::kOk);
  CHECK(relay.rooms().empty());
}

TEST_CASE("json relay: room list and room detail") {
  JsonHarness h;
  JsonRelay relay(h.protocol);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  join(h, a, "sales");
  const auto rooms = relay.rooms();
  REQUIRE(rooms.size() == 2);
  CHECK(rooms[0].name == "general");
  CHECK(rooms[0].members == 2);
  CHECK(rooms[1].name == "sales");
  CHECK(rooms[1].members == 1);

  RoomDetail detail;
  REQUIRE(relay.room("general", 10, detail));
  CHECK(detail.summary.members == 2);
  CHECK(detail.clients.size() == 2);
  REQUIRE(relay.room("general", 1, detail));
  CHECK(detail.clients.size() == 1);
  CHECK((detail.clients[0] == h.id_of(a) || detail.clients[0] == h.id_of(b)));
  CHECK_FALSE(relay.room("nowhere", 10, detail));
  CHECK(relay.stats().clients == 2);
}
