// RoomRegistry and SignalIndex on their own: membership on both sides, declared-room policy,
// the authorizer hook, removal of empty rooms and topics, and sequence numbers.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include "app/rooms.hpp"
#include "app/signals.hpp"
#include "fakes.hpp"

using namespace wsrelay::app;
using wsrelay::app::testing::FakePeer;

namespace {

struct Clients {
  FakePeer peer_a, peer_b, peer_c;
  Client a{"a", peer_a}, b{"b", peer_b}, c{"c", peer_c};
};

}  // namespace

TEST_CASE("rooms: join creates, membership is recorded on both sides, leave removes when empty") {
  Clients cl;
  RoomRegistry rooms({}, 50);
  Room* room = nullptr;
  CHECK(rooms.join(cl.a, "lobby", &room) == Status::kOk);
  REQUIRE(room != nullptr);
  CHECK(room->name() == "lobby");
  CHECK(rooms.find("lobby") == room);
  CHECK(room->contains(cl.a));
  CHECK(cl.a.rooms.contains(room));
  CHECK(rooms.join(cl.b, "lobby", &room) == Status::kOk);
  CHECK(room->size() == 2);

  Room* again = nullptr;
  CHECK(rooms.join(cl.a, "lobby", &again) == Status::kAlready);
  CHECK(again == room);
  CHECK(room->size() == 2);

  CHECK(rooms.remove_member(cl.a, *room));
  CHECK_FALSE(rooms.remove_member(cl.a, *room));
  CHECK_FALSE(cl.a.rooms.contains(room));
  rooms.remove_if_unused(*room);
  CHECK(rooms.find("lobby") == room);  // b is still there
  CHECK(rooms.remove_member(cl.b, *room));
  rooms.remove_if_unused(*room);
  CHECK(rooms.find("lobby") == nullptr);
  CHECK(rooms.size() == 0);
}

TEST_CASE("rooms: declared rooms persist, cap their members and keep their sequence") {
  Clients cl;
  RoomRegistry rooms({{"support", false, 2}, {"support", true, 0}}, 50);  // duplicate ignored
  REQUIRE(rooms.size() == 1);
  Room* support = rooms.find("support");
  REQUIRE(support != nullptr);
  CHECK_FALSE(support->is_private());
  CHECK(support->next_sequence() == 1);
  CHECK(support->next_sequence() == 2);

  Room* room = nullptr;
  CHECK(rooms.join(cl.a, "support", &room) == Status::kOk);
  CHECK(rooms.join(cl.b, "support", &room) == Status::kOk);
  CHECK(rooms.join(cl.c, "support", &room) == Status::kRoomFull);
  CHECK_FALSE(support->contains(cl.c));
  CHECK(cl.c.rooms.empty());

  rooms.remove_member(cl.a, *support);
  rooms.remove_member(cl.b, *support);
  rooms.remove_if_unused(*support);
  REQUIRE(rooms.find("support") == support);  // declared: never removed
  CHECK(support->next_sequence() == 3);        // and its numbering goes on
}

TEST_CASE("rooms: private rooms refuse everyone until an authorizer says yes") {
  Clients cl;
  RoomRegistry rooms({{"vip", true, 1}}, 50);
  Room* room = nullptr;
  CHECK(rooms.join(cl.a, "vip", &room) == Status::kForbidden);
  rooms.set_authorizer([](const Client& client, std::string_view room_name) {
    return room_name == "vip" && client.id != "b";
  });
  CHECK(rooms.join(cl.b, "vip", &room) == Status::kForbidden);
  CHECK(rooms.join(cl.a, "vip", &room) == Status::kOk);
  // Authorization is checked before fullness: b learns nothing about the room's size.
  CHECK(rooms.join(cl.b, "vip", &room) == Status::kForbidden);
  CHECK(rooms.join(cl.c, "vip", &room) == Status::kRoomFull);
}

TEST_CASE("rooms: a client's room count is capped, and a refused join leaves no room behind") {
  Clients cl;
  RoomRegistry rooms({}, 2);
  Room* room = nullptr;
  CHECK(rooms.join(cl.a, "one", &room) == Status::kOk);
  CHECK(rooms.join(cl.a, "two", &room) == Status::kOk);
  CHECK(rooms.join(cl.a, "three", &room) == Status::kTooManyRooms);
  CHECK(rooms.find("three") == nullptr);
  CHECK(rooms.join(cl.a, "one", &room) == Status::kAlready);  // re-joining is not a new room
}

TEST_CASE("signals: listen, unlisten, the per-client cap and removal of unused topics") {
  Clients cl;
  SignalIndex signals(2);
  CHECK(signals.listen(cl.a, "ReportIncome") == Status::kOk);
  CHECK(signals.listen(cl.b, "ReportIncome") == Status::kOk);
  CHECK(signals.listen(cl.a, "ReportIncome") == Status::kAlready);
  const SignalTopic* topic = signals.find("ReportIncome");
  REQUIRE(topic != nullptr);
  CHECK(topic->listeners.size() == 2);
  CHECK(cl.a.signals.size() == 1);

  CHECK(signals.listen(cl.a, "Refresh") == Status::kOk);
  CHECK(signals.listen(cl.a, "Third") == Status::kTooManySignals);
  CHECK(signals.find("Third") == nullptr);

  CHECK(signals.unlisten(cl.b, "ReportIncome"));
  CHECK_FALSE(signals.unlisten(cl.b, "ReportIncome"));
  CHECK_FALSE(signals.unlisten(cl.c, "Nope"));
  signals.unlisten_all(cl.a);
  CHECK(cl.a.signals.empty());
  CHECK(signals.find("ReportIncome") == nullptr);
  CHECK(signals.find("Refresh") == nullptr);
  CHECK(signals.size() == 0);
}

TEST_CASE("rooms: a room named private-* is private without being declared") {
  Clients cl;
  RoomRegistry rooms({}, 50);
  Room* room = nullptr;
  // Refused before creation: nothing is left behind, and no authorizer means nobody enters.
  CHECK(rooms.join(cl.a, "private-team-7", &room) == Status::kForbidden);
  CHECK(rooms.find("private-team-7") == nullptr);
  std::vector<std::string> asked;
  rooms.set_authorizer([&asked](const Client& client, std::string_view room_name) {
    asked.emplace_back(room_name);
    return client.id == "a";
  });
  CHECK(rooms.join(cl.b, "private-team-7", &room) == Status::kForbidden);
  CHECK(rooms.find("private-team-7") == nullptr);
  REQUIRE(rooms.join(cl.a, "private-team-7", &room) == Status::kOk);
  CHECK(room->is_private());
  CHECK(room->declared() == nullptr);
  // Only private rooms ask: "privateer" and "team-private-x" are ordinary names.
  asked.clear();
  CHECK(rooms.join(cl.b, "privateer", &room) == Status::kOk);
  CHECK_FALSE(room->is_private());
  CHECK(rooms.join(cl.b, "team-private-x", &room) == Status::kOk);
  CHECK(asked.empty());
  CHECK(rooms.join(cl.b, "private-", &room) == Status::kForbidden);
  CHECK(asked == std::vector<std::string>{"private-"});
}
