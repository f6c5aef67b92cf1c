// PusherProtocol on the JSON protocol's dispatcher, with fake peers: the call sites of the
// webhook interface (a recording fake), presence bookkeeping through subscribe / unsubscribe /
// disconnect, and the dispatcher's per-format delivery (each format prepared once, only when
// the room has members of it).
#include "app/pusher/protocol.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../fakes.hpp"
#include "app/pusher/signatures.hpp"

namespace wsrelay::app::pusher {
namespace {

using testing::FakePeer;
using testing::JsonHarness;
using testing::parse_json;

constexpr std::string_view kKey = "key";
constexpr std::string_view kSecret = "secret";

class RecordingWebhooks final : public WebhookEvents {
 public:
  void channel_occupied(std::string_view channel) override {
    calls.push_back("occupied " + std::string(channel));
  }
  void channel_vacated(std::string_view channel) override {
    calls.push_back("vacated " + std::string(channel));
  }
  void member_added(std::string_view channel, std::string_view user) override {
    calls.push_back("added " + std::string(channel) + " " + std::string(user));
  }
  void member_removed(std::string_view channel, std::string_view user) override {
    calls.push_back("removed " + std::string(channel) + " " + std::string(user));
  }
  void client_event(std::string_view channel, std::string_view event, std::string_view data,
                    std::string_view socket_id, std::string_view user) override {
    calls.push_back("client " + std::string(channel) + " " + std::string(event) + " " +
                    std::string(data) + " " + std::string(user) +
                    (socket_id.empty() ? " no-socket" : ""));
  }
  std::vector<std::string> calls;
};

PusherOptions options() {
  PusherOptions o;
  o.app_id = "1";
  o.key = std::string(kKey);
  o.secret = std::string(kSecret);
  return o;
}

struct Harness {
  Harness() : pusher(json.host, json.protocol.dispatcher(), options(), testing::counting_random()) {
    pusher.set_webhooks(&hooks);
  }

  FakePeer& connect(std::string_view path = "/app/key", std::string_view query = "protocol=7") {
    json.peers.push_back(std::make_unique<FakePeer>());
    FakePeer& peer = *json.peers.back();
    pusher.on_open(peer, ConnectInfo{path, query, "", peer.remote_address()});
    return peer;
  }
  void send(FakePeer& peer, std::string_view text) {
    pusher.on_message(
        peer, PayloadKind::kText,
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  void disconnect(FakePeer& peer) {
    peer.closing = true;
    pusher.on_close(peer, 1000, "");
  }
  static std::string socket_id(FakePeer& peer) {
    auto established = parse_json(peer.sent.front().payload);
    auto data = parse_json(established["data"].GetString());
    return data["socket_id"].GetString();
  }
  void subscribe_presence(FakePeer& peer, std::string_view channel, std::string_view user) {
    const std::string data = R"({"user_id":")" + std::string(user) + R"("})";
    const std::string auth =
        sign_auth(kKey, kSecret, channel_string_to_sign(socket_id(peer), channel, data));
    rapidjson::StringBuffer b;
    rapidjson::Writer<rapidjson::StringBuffer> w(b);
    w.StartObject();
    w.Key("event");
    w.String("pusher:subscribe");
    w.Key("data");
    w.StartObject();
    w.Key("channel");
    w.String(channel.data(), static_cast<rapidjson::SizeType>(channel.size()));
    w.Key("auth");
    w.String(auth.c_str());
    w.Key("channel_data");
    w.String(data.c_str());
    w.EndObject();
    w.EndObject();
    send(peer, b.GetString());
  }
  // Events `peer` got since it was last cleared, by name.
  static std::vector<std::string> events(FakePeer& peer) {
    std::vector<std::string> out;
    for (const auto& sent : peer.sent) out.push_back(parse_json(sent.payload)["event"].GetString());
    peer.sent.clear();
    return out;
  }

  JsonHarness json;
  RecordingWebhooks hooks;
  PusherProtocol pusher;
};

}  // namespace

TEST_CASE("pusher: connection_established, and the refusals 4001 and 4007") {
  Harness h;
  FakePeer& ok = h.connect();
  CHECK(PusherProtocol::valid_socket_id(Harness::socket_id(ok)));
  CHECK_FALSE(ok.closing);
  FakePeer& wrong_key = h.connect("/app/nope");
  CHECK(wrong_key.close_code == code::kUnknownAppKey);
  FakePeer& old = h.connect("/app/key", "protocol=4");
  CHECK(old.close_code == code::kUnsupportedProtocol);
}

TEST_CASE(
    "pusher: presence tabs and webhooks — one member_added, one member_removed, occupied/vacated "
    "once") {
  Harness h;
  FakePeer& watcher = h.connect();
  h.subscribe_presence(watcher, "presence-x", "w");
  FakePeer& tab1 = h.connect();
  FakePeer& tab2 = h.connect();
  Harness::events(watcher);
  h.subscribe_presence(tab1, "presence-x", "u");
  h.subscribe_presence(tab2, "presence-x", "u");
  CHECK(Harness::events(watcher) == std::vector<std::string>{"pusher_internal:member_added"});
  h.send(tab1, R"({"event":"pusher:unsubscribe","data":{"channel":"presence-x"}})");
  CHECK(Harness::events(watcher).empty());
  h.disconnect(tab2);
  CHECK(Harness::events(watcher) == std::vector<std::string>{"pusher_internal:member_removed"});
  h.disconnect(watcher);
  CHECK(h.hooks.calls == std::vector<std::string>{"occupied presence-x", "added presence-x w",
                                                  "added presence-x u", "removed presence-x u",
                                                  "removed presence-x w", "vacated presence-x"});
  CHECK(h.pusher.presence("presence-x") == nullptr);
}

TEST_CASE("pusher: a JSON member counts for occupied/vacated (one namespace)") {
  Harness h;
  FakePeer& json = h.json.connect_quiet();
  h.json.send(json, R"({"event":"join_room","room":"shared"})");
  FakePeer& p = h.connect();
  h.send(p, R"({"event":"pusher:subscribe","data":{"channel":"shared"}})");
  h.disconnect(p);
  h.json.disconnect(json);
  // "general" is the JSON default room; a disconnect leaves its rooms in no particular order.
  std::vector<std::string> calls = h.hooks.calls;
  std::sort(calls.begin() + 2, calls.end());
  CHECK(calls == std::vector<std::string>{"occupied general", "occupied shared", "vacated general",
                                          "vacated shared"});
}

TEST_CASE("pusher: client_event webhook for a relayed client event, with the presence user") {
  Harness h;
  FakePeer& a = h.connect();
  FakePeer& b = h.connect();
  h.subscribe_presence(a, "presence-c", "ua");
  h.subscribe_presence(b, "presence-c", "ub");
  Harness::events(a);
  Harness::events(b);
  h.hooks.calls.clear();
  h.send(a, R"({"event":"client-typing","channel":"presence-c","data":{"x":1}})");
  CHECK(Harness::events(a).empty());  // never echoed
  const auto got = parse_json(b.sent.at(0).payload);
  CHECK(std::string(got["event"].GetString()) == "client-typing");
  CHECK(std::string(got["user_id"].GetString()) == "ua");
  CHECK(h.hooks.calls == std::vector<std::string>{R"(client presence-c client-typing {"x":1} ua)"});
}

TEST_CASE("dispatcher: a room event is prepared once per format, only for formats present") {
  Harness h;
  FakePeer& p1 = h.connect();
  FakePeer& p2 = h.connect();
  const std::string p1_socket = Harness::socket_id(p1);
  h.send(p1, R"({"event":"pusher:subscribe","data":{"channel":"fan"}})");
  h.send(p2, R"({"event":"pusher:subscribe","data":{"channel":"fan"}})");
  Harness::events(p1);
  Harness::events(p2);
  const int before = h.json.host.prepare_calls;
  CHECK(h.pusher.trigger("fan", "e", R"({"a":1})", "") == 2);
  CHECK(h.json.host.prepare_calls == before + 1);  // Pusher only: no JSON member, no JSON encoding
  CHECK(p1.sent.at(0).shared == p2.sent.at(0).shared);

  FakePeer& j = h.json.connect_quiet();
  h.json.send(j, R"({"event":"join_room","room":"fan"})");
  h.json.drain(j);
  const int before2 = h.json.host.prepare_calls;
  CHECK(h.pusher.trigger("fan", "e", R"({"a":2})", p1_socket) == 2);  // p1 excluded (toOthers)
  CHECK(h.json.host.prepare_calls == before2 + 2);                    // one JSON, one Pusher
  const auto at_json = h.json.only(j);
  CHECK(std::string(at_json["event"].GetString()) == "room_message");
  CHECK(at_json["message"]["a"].GetInt() == 2);
  CHECK(std::string(at_json["name"].GetString()) == "e");
}

TEST_CASE(
    "pusher: shutdown closes with 4200; a silent connection is pinged, then closed with 4201") {
  Harness h;
  FakePeer& a = h.connect();
  FakePeer& b = h.connect();
  Harness::events(a);
  h.json.host.advance(120'000);
  CHECK(Harness::events(a) == std::vector<std::string>{"pusher:ping"});
  h.send(b, R"({"event":"pusher:pong","data":{}})");  // b answers; a stays silent
  h.json.host.advance(29'000);
  CHECK_FALSE(a.closing);
  h.json.host.advance(1'000);
  CHECK(a.close_code == code::kPongNotReceived);
  CHECK_FALSE(b.closing);
  b.sent.clear();
  h.pusher.shutdown();
  CHECK(b.close_code == code::kReconnectNow);
}

}  // namespace wsrelay::app::pusher
