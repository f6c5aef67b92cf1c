// JsonProtocol, the happy paths: every built-in event and alias as docs/protocol.md describes
// it, ids and acks, room isolation, sender exclusion, disconnect notices, prepared-once fan-out,
// custom events and the counters.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "fakes.hpp"

using namespace wsrelay::app;
using namespace wsrelay::app::testing;

namespace {

std::vector<std::string> event_names(const std::vector<rapidjson::Document>& messages) {
  std::vector<std::string> names;
  for (const auto& message : messages) names.push_back(text_of(message, "event"));
  return names;
}

std::set<std::string> string_set(const rapidjson::Value& array) {
  std::set<std::string> out;
  for (const auto& item : array.GetArray()) out.insert(item.GetString());
  return out;
}

AppOptions no_default_room() {
  AppOptions options;
  options.default_room = "";
  return options;
}

}  // namespace

TEST_CASE("connect: welcome with a client id, then the default room is joined") {
  JsonHarness h;
  FakePeer& first = h.connect_quiet();
  FakePeer& peer = h.connect();
  auto messages = h.drain(peer);
  REQUIRE(event_names(messages) == std::vector<std::string>{"welcome", "room_joined"});
  const auto& welcome = messages[0];
  CHECK(text_of(welcome, "client_id") == h.id_of(peer));
  CHECK(text_of(welcome, "client_id").size() == 32);
  CHECK(text_of(welcome, "message") == JsonProtocol::kWelcomeMessage);
  CHECK(text_of(welcome, "timestamp") == "2024-05-01T12:34:56.789Z");
  const auto& joined = messages[1];
  CHECK(text_of(joined, "room") == "general");
  CHECK(joined["member_count"].GetUint64() == 2);
  CHECK(string_set(joined["members"]) == std::set<std::string>{h.id_of(first), h.id_of(peer)});

  // The member already there hears about the newcomer.
  auto notice = h.only(first);
  CHECK(text_of(notice, "event") == "user_joined");
  CHECK(text_of(notice, "client_id") == h.id_of(peer));
  CHECK(text_of(notice, "room") == "general");
  CHECK(notice["member_count"].GetUint64() == 2);
  CHECK_FALSE(has(notice, "members"));
}

TEST_CASE("connect: no automatic room when rooms are disabled or default_room is empty") {
  AppOptions disabled;
  disabled.rooms_enabled = false;
  for (const AppOptions& options : {disabled, no_default_room()}) {
    JsonHarness h(options);
    FakePeer& peer = h.connect();
    CHECK(event_names(h.drain(peer)) == std::vector<std::string>{"welcome"});
    CHECK(peer.client->rooms.empty());
  }
}

TEST_CASE("message -> echo with the original message, any JSON value, re-serialized") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  a.sent.clear();
  h.send(a, R"({"event":"message","message":"Hello"})");
  auto echo = h.only(a);
  CHECK(text_of(echo, "event") == "echo");
  CHECK(text_of(echo, "original_message") == "Hello");
  CHECK(text_of(echo, "timestamp") == "2024-05-01T12:34:56.789Z");
  CHECK(b.sent.empty());

  h.send(a, R"( { "type" : "message", "message" : {"n": [1, 2.5, true, null], "s": "\u00e9\n"} } )");
  auto echo2 = h.only(a);
  CHECK(a.sent.empty());
  CHECK(echo2["original_message"]["n"][1].GetDouble() == 2.5);
  CHECK(text_of(echo2["original_message"], "s") == "\xc3\xa9\n");
}

TEST_CASE("broadcast reaches every other client, not the sender, as one prepared message") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& c = h.connect_quiet();
  int before = h.host.prepare_calls;
  h.send(a, R"({"event":"broadcast","message":"hi all"})");
  CHECK(a.sent.empty());
  CHECK(h.host.prepare_calls == before + 1);
  REQUIRE(b.sent.size() == 1);
  REQUIRE(c.sent.size() == 1);
  CHECK(b.sent[0].shared == c.sent[0].shared);
  auto got = h.only(b);
  CHECK(text_of(got, "event") == "broadcast");
  CHECK(text_of(got, "message") == "hi all");
  CHECK(text_of(got, "from") == h.id_of(a));
  CHECK(has(got, "timestamp"));
}

TEST_CASE("id: a request with an id gets an ack with the same id after its answer") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  (void)b;
  h.send(a, R"({"event":"message","message":1,"id":"req-7"})");
  auto messages = h.drain(a);
  REQUIRE(event_names(messages) == std::vector<std::string>{"echo", "ack"});
  CHECK(text_of(messages[1], "id") == "req-7");
  CHECK(text_of(messages[1], "request") == "message");

  h.send(a, R"({"event":"broadcast","message":1,"id":42})");
  auto ack = h.only(a);
  CHECK(text_of(ack, "event") == "ack");
  CHECK(ack["id"].GetInt() == 42);
  CHECK(ack["recipients"].GetUint64() == 1);

  h.send(a, R"({"event":"ping","id":3.5})");
  messages = h.drain(a);
  REQUIRE(event_names(messages) == std::vector<std::string>{"pong", "ack"});
  CHECK(messages[1]["id"].GetDouble() == 3.5);

  // A numeric id comes back as the same number, however it was written (found by the JSON
  // fuzzer: 6e100 came back as 6.0000000000000005e100, which no client would match).
  h.send(a, R"({"event":"ping","id":6e100})");
  REQUIRE(a.sent.size() == 2);
  // (The text, not a parsed value: RapidJSON's default reading, which parse_json uses, is the
  // one that is off.)
  CHECK(a.sent[1].payload.find(R"("id":6e100)") != std::string::npos);
  a.sent.clear();

  // Without an id, requests that have no answer of their own are silent.
  h.send(a, R"({"event":"broadcast","message":1})");
  CHECK(a.sent.empty());
}

TEST_CASE("join_room: answer with count and members, notices to the others, ack with the same") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& outsider = h.connect_quiet();
  h.send(a, R"({"event":"join_room","room":"test-room"})");
  auto joined = h.only(a);
  CHECK(text_of(joined, "event") == "room_joined");
  CHECK(joined["member_count"].GetUint64() == 1);

  h.send(b, R"({"event":"join_room","room":"test-room","id":"j"})");
  auto messages = h.drain(b);
  REQUIRE(event_names(messages) == std::vector<std::string>{"room_joined", "ack"});
  CHECK(messages[0]["member_count"].GetUint64() == 2);
  CHECK(string_set(messages[0]["members"]) == std::set<std::string>{h.id_of(a), h.id_of(b)});
  CHECK(text_of(messages[1], "room") == "test-room");
  CHECK(messages[1]["member_count"].GetUint64() == 2);
  CHECK(messages[1]["members"].Size() == 2);

  auto notice = h.only(a);
  CHECK(text_of(notice, "event") == "user_joined");
  CHECK(text_of(notice, "client_id") == h.id_of(b));
  CHECK(text_of(notice, "room") == "test-room");
  CHECK(outsider.sent.empty());

  // Joining again: the answer again, nobody else told.
  h.send(b, R"({"event":"join_room","room":"test-room"})");
  CHECK(text_of(h.only(b), "event") == "room_joined");
  CHECK(a.sent.empty());
}

TEST_CASE("join_room: the member list is left out once the room is larger than member_list_limit") {
  AppOptions options = no_default_room();
  options.member_list_limit = 2;
  JsonHarness h(options);
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& c = h.connect_quiet();
  h.send(a, R"({"event":"join_room","room":"r"})");
  h.send(b, R"({"event":"join_room","room":"r"})");
  CHECK(h.drain(b)[0]["members"].Size() == 2);
  h.send(c, R"({"event":"join_room","room":"r"})");
  auto joined = h.only(c);
  CHECK(joined["member_count"].GetUint64() == 3);
  CHECK_FALSE(has(joined, "members"));
}

TEST_CASE("subscribe/publish/unsubscribe are aliases of join_room/room_message/leave_room") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  h.send(a, R"({"event":"subscribe","channel":"news"})");
  h.send(b, R"({"type":"subscribe","channel":"news","id":1})");
  CHECK(text_of(h.drain(b)[1], "request") == "subscribe");
  h.drain(a);

  h.send(a, R"({"event":"publish","channel":"news","data":{"headline":"x"}})");
  auto got = h.only(b);
  CHECK(text_of(got, "event") == "room_message");
  CHECK(text_of(got, "room") == "news");
  CHECK(text_of(got["message"], "headline") == "x");
  CHECK(a.sent.empty());

  h.send(b, R"({"event":"unsubscribe","channel":"news"})");
  CHECK(text_of(h.only(b), "event") == "room_left");
  CHECK(text_of(h.only(a), "event") == "user_left");
}

TEST_CASE("room_message: only the other members of that room receive it, numbered per room") {
  JsonHarness h(no_default_room());
  FakePeer& c1 = h.connect_quiet();
  FakePeer& c2 = h.connect_quiet();
  FakePeer& c3 = h.connect_quiet();
  h.send(c1, R"({"event":"join_room","room":"test-room"})");
  h.send(c2, R"({"event":"join_room","room":"test-room"})");
  h.send(c3, R"({"event":"join_room","room":"other-room"})");
  for (FakePeer* peer : {&c1, &c2, &c3}) peer->sent.clear();

  h.send(c1, R"({"event":"room_message","room":"test-room","message":"Hello room"})");
  CHECK(c1.sent.empty());
  CHECK(c3.sent.empty());
  auto got = h.only(c2);
  CHECK(text_of(got, "event") == "room_message");
  CHECK(text_of(got, "message") == "Hello room");
  CHECK(text_of(got, "from") == h.id_of(c1));
  CHECK(text_of(got, "room") == "test-room");
  CHECK(got["seq"].GetUint64() == 1);
  CHECK(has(got, "timestamp"));

  h.send(c2, R"({"event":"room_message","room":"test-room","message":2,"id":"m2"})");
  CHECK(h.only(c1)["seq"].GetUint64() == 2);
  auto ack = h.only(c2);
  CHECK(text_of(ack, "event") == "ack");
  CHECK(ack["seq"].GetUint64() == 2);
  CHECK(ack["recipients"].GetUint64() == 1);
  h.send(c3, R"({"event":"room_message","room":"other-room","message":3})");
  CHECK(c3.sent.empty());  // alone in the room: nobody to tell
  CHECK(h.protocol.dispatcher().find_room("other-room")->last_sequence() == 1);
}

TEST_CASE("room fan-out: one prepare for N members, the same bytes for each") {
  JsonHarness h(no_default_room());
  std::vector<FakePeer*> peers;
  for (int i = 0; i < 6; ++i) {
    peers.push_back(&h.connect_quiet());
    h.send(*peers.back(), R"({"event":"join_room","room":"big"})");
  }
  for (FakePeer* peer : peers) peer->sent.clear();
  int before = h.host.prepare_calls;
  h.send(*peers[0], R"({"event":"room_message","room":"big","message":"x"})");
  CHECK(h.host.prepare_calls == before + 1);
  const wsrelay::common::SharedBytes* shared = peers[1]->sent.at(0).shared;
  CHECK(shared != nullptr);
  for (size_t i = 1; i < peers.size(); ++i) {
    REQUIRE(peers[i]->sent.size() == 1);
    CHECK(peers[i]->sent[0].shared == shared);
  }
  CHECK(peers[0]->sent.empty());
}

TEST_CASE("leave_room: the room list and the notices are right (three rooms, leave one)") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  for (const char* room : {"support", "sales"}) {
    h.send(a, std::string(R"({"event":"join_room","room":")") + room + "\"}");
    h.send(b, std::string(R"({"event":"join_room","room":")") + room + "\"}");
  }
  a.sent.clear();
  b.sent.clear();

  h.send(a, R"({"event":"leave_room","room":"support","id":9})");
  auto messages = h.drain(a);
  REQUIRE(event_names(messages) == std::vector<std::string>{"room_left", "ack"});
  CHECK(text_of(messages[0], "room") == "support");
  CHECK(messages[0]["member_count"].GetUint64() == 1);
  CHECK(text_of(messages[1], "room") == "support");
  auto notice = h.only(b);
  CHECK(text_of(notice, "event") == "user_left");
  CHECK(text_of(notice, "client_id") == h.id_of(a));
  CHECK(text_of(notice, "room") == "support");
  CHECK(text_of(notice, "reason") == "left");
  CHECK(notice["member_count"].GetUint64() == 1);

  h.send(a, R"({"event":"rooms","id":"r"})");
  messages = h.drain(a);
  REQUIRE(event_names(messages) == std::vector<std::string>{"rooms", "ack"});
  CHECK(string_set(messages[0]["rooms"]) == std::set<std::string>{"general", "sales"});
  CHECK(string_set(messages[1]["rooms"]) == std::set<std::string>{"general", "sales"});

  // A message to the room a has left no longer reaches it.
  h.send(b, R"({"event":"room_message","room":"support","message":"x"})");
  CHECK(a.sent.empty());
}

TEST_CASE("disconnect: every room the client was in is told, once, with reason disconnected") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& c = h.connect_quiet();
  h.send(a, R"({"event":"join_room","room":"side"})");
  h.send(b, R"({"event":"join_room","room":"side"})");
  for (FakePeer* peer : {&a, &b, &c}) peer->sent.clear();
  std::string a_id = h.id_of(a);

  h.disconnect(a);
  CHECK(a.sent.empty());  // a closing connection is not written to
  auto to_b = h.drain(b);
  REQUIRE(to_b.size() == 2);  // general and side
  std::set<std::string> rooms;
  for (const auto& notice : to_b) {
    CHECK(text_of(notice, "event") == "user_left");
    CHECK(text_of(notice, "client_id") == a_id);
    CHECK(text_of(notice, "reason") == "disconnected");
    rooms.insert(text_of(notice, "room"));
  }
  CHECK(rooms == std::set<std::string>{"general", "side"});
  auto to_c = h.only(c);
  CHECK(text_of(to_c, "room") == "general");
  CHECK(h.protocol.dispatcher().client_count() == 2);

  // Messages after on_close (none should come, but be safe) are ignored.
  h.send(a, R"({"event":"message","message":1})");
  CHECK(a.sent.empty());
}

TEST_CASE("signal: listeners get name, data and sender; others get nothing; room narrows it") {
  JsonHarness h(no_default_room());
  FakePeer& page_a = h.connect_quiet();
  FakePeer& page_b = h.connect_quiet();
  FakePeer& page_c = h.connect_quiet();
  h.send(page_b, R"({"event":"listen","name":"ReportIncome","id":1})");
  auto ack = h.only(page_b);
  CHECK(text_of(ack, "event") == "ack");
  CHECK(text_of(ack, "name") == "ReportIncome");

  h.send(page_a, R"({"event":"signal","name":"ReportIncome","data":{"amount":1250},"id":"s"})");
  auto got = h.only(page_b);
  CHECK(text_of(got, "event") == "signal");
  CHECK(text_of(got, "name") == "ReportIncome");
  CHECK(got["data"]["amount"].GetInt() == 1250);
  CHECK(text_of(got, "from") == h.id_of(page_a));
  CHECK_FALSE(has(got, "room"));
  CHECK(page_c.sent.empty());
  CHECK(h.only(page_a)["recipients"].GetUint64() == 1);

  h.send(page_a, R"({"event":"signal","name":"ReportIncome"})");
  CHECK(h.only(page_b)["data"].IsNull());

  // Within a room: only listeners who are members.
  h.send(page_c, R"({"event":"listen","name":"ReportIncome"})");
  h.send(page_a, R"({"event":"join_room","room":"team"})");
  h.send(page_c, R"({"event":"join_room","room":"team"})");
  for (FakePeer* peer : {&page_a, &page_b, &page_c}) peer->sent.clear();
  h.send(page_a, R"({"event":"signal","name":"ReportIncome","room":"team","data":1})");
  CHECK(page_b.sent.empty());
  auto in_room = h.only(page_c);
  CHECK(text_of(in_room, "room") == "team");

  // The sender receives its own signal when it listens too.
  h.send(page_a, R"({"event":"listen","name":"ReportIncome"})");
  h.send(page_a, R"({"event":"signal","name":"ReportIncome"})");
  CHECK(text_of(h.only(page_a), "event") == "signal");
  CHECK(h.drain(page_b).size() == 1);  // b still listens, outside any room filter

  h.send(page_b, R"({"event":"unlisten","name":"ReportIncome"})");
  h.send(page_b, R"({"event":"unlisten","name":"ReportIncome"})");  // idempotent, silent
  page_c.sent.clear();
  h.send(page_a, R"({"event":"signal","name":"ReportIncome"})");
  CHECK(page_b.sent.empty());
  CHECK(page_c.sent.size() == 1);
}

TEST_CASE("send: one specific client gets direct; nobody else does") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  FakePeer& c = h.connect_quiet();
  h.send(a, R"({"event":"send","to":")" + h.id_of(b) + R"(","message":{"text":"psst"},"id":5})");
  auto got = h.only(b);
  CHECK(text_of(got, "event") == "direct");
  CHECK(text_of(got["message"], "text") == "psst");
  CHECK(text_of(got, "from") == h.id_of(a));
  CHECK(c.sent.empty());
  CHECK(h.only(a)["recipients"].GetUint64() == 1);
}

TEST_CASE("identity: user_id travels with presence notices once the client has one") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  b.client->identity = Identity{"user-17", R"({"name":"Ann"})", {}};
  h.send(b, R"({"event":"join_room","room":"x"})");
  h.send(a, R"({"event":"join_room","room":"x"})");
  a.sent.clear();
  b.sent.clear();
  h.send(b, R"({"event":"leave_room","room":"x"})");
  auto notice = h.only(a);
  CHECK(text_of(notice, "user_id") == "user-17");
}

TEST_CASE("custom events: a registered name reaches its handler instead of unknown_event") {
  JsonHarness h(no_default_room());
  FakePeer& a = h.connect_quiet();
  std::vector<std::string> seen;
  CHECK(h.protocol.on_event("typing", [&](CustomEvent& event) {
    seen.push_back(event.client.id + ":" + text_of(event.request, "who"));
  }));
  CHECK(h.protocol.on_event("vote", [&](CustomEvent& event) { event.fail("closed", "voting has closed"); }));
  CHECK_FALSE(h.protocol.on_event("message", [](CustomEvent&) {}));  // built-ins stay built in
  CHECK_FALSE(h.protocol.on_event("", [](CustomEvent&) {}));

  h.send(a, R"({"event":"typing","who":"ann"})");
  CHECK(a.sent.empty());
  CHECK(seen == std::vector<std::string>{h.id_of(a) + ":ann"});
  h.send(a, R"({"type":"typing","who":"bob","id":"t"})");
  auto ack = h.only(a);
  CHECK(text_of(ack, "event") == "ack");
  CHECK(text_of(ack, "id") == "t");
  CHECK(text_of(ack, "request") == "typing");

  h.send(a, R"({"event":"vote","id":8})");
  auto error = h.only(a);
  CHECK(text_of(error, "event") == "error");
  CHECK(text_of(error, "code") == "closed");
  CHECK(error["id"].GetInt() == 8);

  h.protocol.on_event("typing", [&](CustomEvent&) { seen.push_back("replaced"); });
  h.send(a, R"({"event":"typing","who":"x"})");
  CHECK(seen.back() == "replaced");
}

TEST_CASE("stats: per-connection and server counters, requests by event, errors by code") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  const std::vector<std::string> requests = {R"({"event":"message","message":"x"})",
                                             R"({"event":"subscribe","channel":"c"})",
                                             R"({"event":"broadcast","message":"y"})", "not json"};
  size_t request_bytes = 0;
  for (const std::string& request : requests) {
    h.send(a, request);
    request_bytes += request.size();
  }
  h.send(b, R"({"event":"nope"})");
  h.protocol.on_event("custom", [](CustomEvent&) {});
  h.send(b, R"({"event":"custom"})");

  const ConnectionCounters& counters = a.client->counters;
  CHECK(counters.messages_in == 4);
  CHECK(counters.bytes_in == request_bytes);
  CHECK(counters.messages_out >= 5);  // welcome, room_joined x2, echo, error, ...
  StatsSnapshot stats = h.protocol.stats();
  CHECK(stats.clients == 2);
  CHECK(stats.traffic.messages_in == 6);
  std::vector<std::string> events;
  for (const NamedCount& e : stats.events) events.push_back(e.name + "=" + std::to_string(e.count));
  CHECK(events == std::vector<std::string>{"broadcast=1", "custom=1", "message=1", "subscribe=1"});
  std::vector<std::string> errors;
  for (const NamedCount& e : stats.errors) errors.push_back(e.name + "=" + std::to_string(e.count));
  CHECK(errors == std::vector<std::string>{"invalid_json=1", "unknown_event=1"});
  REQUIRE(stats.rooms.size() == 2);
  CHECK(stats.rooms[0].name == "c");
  CHECK(stats.rooms[1].name == "general");
  CHECK(stats.rooms[1].members == 2);
}
