// The Dispatcher with fake connections: client lifetime, join/leave policy and observer calls,
// and delivery — who receives, who does not, and that a payload for many is prepared once and
// shared (the same bytes block reaches every recipient).
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "app/dispatcher.hpp"
#include "fakes.hpp"

using namespace wsrelay::app;
using wsrelay::app::testing::FakeHost;
using wsrelay::app::testing::FakePeer;

namespace {

struct RecordingObserver final : DispatcherObserver {
  void on_joined(Client& client, Room& room) override {
    log.push_back("joined " + client.id + " " + room.name() + " " + std::to_string(room.size()));
  }
  void on_left(Client& client, Room& room, LeaveCause cause) override {
    log.push_back(std::string(cause == LeaveCause::kRequest ? "left " : "gone ") + client.id + " " +
                  room.name() + " " + std::to_string(room.size()));
  }
  std::vector<std::string> log;
};

struct Fixture {
  explicit Fixture(AppOptions options = {}) : dispatcher(host, std::move(options), testing::counting_random()) {
    dispatcher.set_observer(&observer);
  }
  Client& add(FakePeer& peer) { return dispatcher.connect(peer, peer.remote_address()); }

  FakeHost host;
  RecordingObserver observer;
  Dispatcher dispatcher;
  FakePeer p1, p2, p3, p4;
};

}  // namespace

TEST_CASE("dispatcher: connect gives unique ids and records the client on the peer") {
  Fixture f;
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  CHECK(f.p1.client == &a);
  CHECK(a.id.size() == kClientIdLength);
  CHECK(a.id != b.id);
  CHECK(a.peer == &f.p1);
  CHECK(a.counters.connected_since_ms == f.host.now_ms);
  CHECK(f.dispatcher.find_client(a.id) == &a);
  CHECK(f.dispatcher.find_client("nobody") == nullptr);
  CHECK(f.dispatcher.client_count() == 2);
  CHECK(a.rooms.empty());  // the dispatcher joins nothing by itself
}

TEST_CASE("dispatcher: a generator that repeats itself still yields unique ids") {
  FakeHost host;
  Dispatcher dispatcher(host, {}, [](std::span<uint8_t> out) { std::fill(out.begin(), out.end(), 7); });
  FakePeer p1, p2, p3;
  std::set<std::string> ids{dispatcher.connect(p1, "").id, dispatcher.connect(p2, "").id,
                            dispatcher.connect(p3, "").id};
  CHECK(ids.size() == 3);
}

TEST_CASE("dispatcher: join and leave report to the observer; refusals change nothing") {
  AppOptions options;
  options.rooms = {{"vip", true, 0}, {"tiny", false, 1}};
  options.max_rooms_per_client = 3;
  Fixture f(options);
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);

  CHECK(f.dispatcher.join(a, "lobby") == Status::kOk);
  CHECK(f.dispatcher.join(b, "lobby") == Status::kOk);
  CHECK(f.dispatcher.join(b, "lobby") == Status::kAlready);
  CHECK(f.dispatcher.join(a, "") == Status::kInvalidName);
  CHECK(f.dispatcher.join(a, "bad\nname") == Status::kInvalidName);
  CHECK(f.dispatcher.join(a, std::string(129, 'x')) == Status::kInvalidName);
  CHECK(f.dispatcher.join(a, "vip") == Status::kForbidden);
  CHECK(f.dispatcher.join(a, "tiny") == Status::kOk);
  CHECK(f.dispatcher.join(b, "tiny") == Status::kRoomFull);
  CHECK(f.dispatcher.join(a, "fourth") == Status::kOk);
  CHECK(f.dispatcher.join(a, "fifth") == Status::kTooManyRooms);
  CHECK(f.observer.log == std::vector<std::string>{"joined " + a.id + " lobby 1", "joined " + b.id + " lobby 2",
                                                   "joined " + a.id + " tiny 1", "joined " + a.id + " fourth 1"});
  f.observer.log.clear();

  CHECK(f.dispatcher.leave(a, "lobby") == Status::kOk);
  CHECK(f.dispatcher.leave(a, "lobby") == Status::kNotInRoom);
  CHECK(f.dispatcher.leave(a, "never-existed") == Status::kNotInRoom);
  CHECK(f.dispatcher.leave(a, "") == Status::kInvalidName);
  CHECK(f.observer.log == std::vector<std::string>{"left " + a.id + " lobby 1"});
  CHECK(f.dispatcher.find_room("lobby") != nullptr);

  CHECK(f.dispatcher.leave(a, "fourth") == Status::kOk);
  CHECK(f.dispatcher.find_room("fourth") == nullptr);  // empty and undeclared: gone
  CHECK(f.dispatcher.leave(a, "tiny") == Status::kOk);
  CHECK(f.dispatcher.find_room("tiny") != nullptr);  // declared: stays
}

TEST_CASE("dispatcher: with rooms disabled every room operation is refused") {
  AppOptions options;
  options.rooms_enabled = false;
  Fixture f(options);
  Client& a = f.add(f.p1);
  Room* room = nullptr;
  CHECK(f.dispatcher.join(a, "lobby") == Status::kRoomsDisabled);
  CHECK(f.dispatcher.leave(a, "lobby") == Status::kRoomsDisabled);
  CHECK(f.dispatcher.member_room(a, "lobby", &room) == Status::kRoomsDisabled);
  CHECK(f.dispatcher.rooms().size() == 0);
}

TEST_CASE("dispatcher: disconnect leaves every room, notifies, stops listening and forgets the client") {
  Fixture f;
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  f.dispatcher.join(a, "one");
  f.dispatcher.join(a, "two");
  f.dispatcher.join(b, "two");
  f.dispatcher.listen(a, "sig");
  f.observer.log.clear();
  std::string a_id = a.id;

  f.dispatcher.disconnect(a);
  std::multiset<std::string> log(f.observer.log.begin(), f.observer.log.end());
  CHECK(log == std::multiset<std::string>{"gone " + a_id + " one 0", "gone " + a_id + " two 1"});
  CHECK(f.p1.client == nullptr);
  CHECK(f.dispatcher.find_client(a_id) == nullptr);
  CHECK(f.dispatcher.client_count() == 1);
  CHECK(f.dispatcher.find_room("one") == nullptr);
  CHECK(f.dispatcher.find_room("two")->size() == 1);
  CHECK(f.dispatcher.signals().find("sig") == nullptr);
}

TEST_CASE("dispatcher: a room payload is prepared once and the same bytes reach every other member") {
  Fixture f;
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  Client& c = f.add(f.p3);
  Client& outsider = f.add(f.p4);
  for (Client* client : {&a, &b, &c}) f.dispatcher.join(*client, "room");
  (void)outsider;

  size_t recipients = f.dispatcher.send_to_room(*f.dispatcher.find_room("room"), "hello", &a);
  CHECK(recipients == 2);
  CHECK(f.host.prepare_calls == 1);
  CHECK(f.p1.sent.empty());  // the sender
  CHECK(f.p4.sent.empty());  // not a member
  REQUIRE(f.p2.sent.size() == 1);
  REQUIRE(f.p3.sent.size() == 1);
  CHECK(f.p2.sent[0].payload == "hello");
  CHECK(f.p2.sent[0].shared != nullptr);
  CHECK(f.p2.sent[0].shared == f.p3.sent[0].shared);  // shared, not copied
  CHECK(f.p2.held[0].bytes.get()->use_count() == 2);  // one block, referenced by both queues
  CHECK(b.counters.messages_out == 1);
  CHECK(b.counters.bytes_out == 5);
  CHECK(f.dispatcher.traffic().messages_out == 2);
  CHECK(f.dispatcher.traffic().bytes_out == 10);
}

TEST_CASE("dispatcher: nothing is prepared when nobody would receive, and closing peers are skipped") {
  Fixture f;
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  f.dispatcher.join(a, "room");
  CHECK(f.dispatcher.send_to_room(*f.dispatcher.find_room("room"), "x", &a) == 0);
  CHECK(f.host.prepare_calls == 0);

  f.dispatcher.join(b, "room");
  f.p2.closing = true;
  CHECK(f.dispatcher.send_to_room(*f.dispatcher.find_room("room"), "x", &a) == 0);
  CHECK(f.dispatcher.send(b, "x") == 0);
  CHECK(f.p2.sent.empty());
  CHECK(f.host.prepare_calls == 0);
}

TEST_CASE("dispatcher: broadcast reaches everyone but the excepted client, prepared once") {
  Fixture f;
  Client& a = f.add(f.p1);
  f.add(f.p2);
  f.add(f.p3);
  CHECK(f.dispatcher.broadcast("all", &a) == 2);
  CHECK(f.host.prepare_calls == 1);
  CHECK(f.p1.sent.empty());
  CHECK(f.p2.sent.size() == 1);
  CHECK(f.p3.sent.size() == 1);
  CHECK(f.p2.sent[0].shared == f.p3.sent[0].shared);
  CHECK(f.dispatcher.broadcast("everyone", nullptr) == 3);
  CHECK(f.host.prepare_calls == 2);
}

TEST_CASE("dispatcher: signals go to listeners only, optionally only within a room") {
  Fixture f;
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  Client& c = f.add(f.p3);
  f.add(f.p4);  // listens to nothing
  CHECK(f.dispatcher.listen(a, "Refresh") == Status::kOk);
  CHECK(f.dispatcher.listen(b, "Refresh") == Status::kOk);
  CHECK(f.dispatcher.listen(c, "Refresh") == Status::kOk);
  CHECK(f.dispatcher.listen(c, "Refresh") == Status::kAlready);
  CHECK(f.dispatcher.listen(c, "") == Status::kInvalidName);
  f.dispatcher.join(b, "team");

  CHECK(f.dispatcher.send_signal("Refresh", nullptr, "s1", nullptr) == 3);
  CHECK(f.host.prepare_calls == 1);
  CHECK(f.p4.sent.empty());
  CHECK(f.dispatcher.send_signal("Refresh", f.dispatcher.find_room("team"), "s2", nullptr) == 1);
  CHECK(f.p2.sent.size() == 2);
  CHECK(f.p1.sent.size() == 1);
  CHECK(f.dispatcher.send_signal("Nobody", nullptr, "s3", nullptr) == 0);
  CHECK(f.host.prepare_calls == 2);

  CHECK(f.dispatcher.unlisten(a, "Refresh") == Status::kOk);
  CHECK(f.dispatcher.unlisten(a, "Refresh") == Status::kOk);  // idempotent
  CHECK(f.dispatcher.send_signal("Refresh", nullptr, "s4", nullptr) == 2);
  CHECK(f.p1.sent.size() == 1);
}

TEST_CASE("dispatcher: snapshot counts clients, rooms by name, traffic and uptime") {
  AppOptions options;
  options.rooms = {{"declared", true, 5}};
  Fixture f(options);
  Client& a = f.add(f.p1);
  Client& b = f.add(f.p2);
  f.dispatcher.join(a, "zeta");
  f.dispatcher.join(b, "zeta");
  f.dispatcher.join(a, "alpha");
  f.dispatcher.listen(b, "sig");
  f.dispatcher.note_received(a, 100);
  f.dispatcher.find_room("zeta")->next_sequence();
  f.host.now_ms += 5000;

  StatsSnapshot stats = f.dispatcher.snapshot();
  CHECK(stats.clients == 2);
  CHECK(stats.connections_total == 2);
  CHECK(stats.uptime_ms == 5000);
  CHECK(stats.traffic.messages_in == 1);
  CHECK(stats.traffic.bytes_in == 100);
  CHECK(a.counters.messages_in == 1);
  CHECK(stats.signal_names == 1);
  REQUIRE(stats.rooms.size() == 3);
  CHECK(stats.rooms[0].name == "alpha");
  CHECK(stats.rooms[1].name == "declared");
  CHECK(stats.rooms[1].declared);
  CHECK(stats.rooms[1].is_private);
  CHECK(stats.rooms[1].members == 0);
  CHECK(stats.rooms[2].name == "zeta");
  CHECK(stats.rooms[2].members == 2);
  CHECK(stats.rooms[2].last_sequence == 1);
}
