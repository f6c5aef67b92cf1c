// Rooms: named groups of clients. A room message goes to the members; joining and leaving are
// announced to them. This is the registry: which rooms exist, who is in each, and who may join.
//
// - Membership is kept on both sides (Room::members and Client::rooms, both IndexedSets), so
//   join, leave and "is X in room R" are O(1) on average and a disconnect visits only the
//   client's own rooms.
// - Declared rooms (configuration) exist from start-up and are never removed; they can have a
//   member cap (`room_full`) and be private.
// - A room is private when declared so or when its name starts with "private-" (kPrivatePrefix),
//   declared or not. Joining one asks the RoomAuthorizer first, even before the room is created
//   (the JSON protocol installs Authenticator::may_join: the token's `rooms` claim must match);
//   with no authorizer installed, private rooms refuse everyone.
// - Any other room is created by its first join and removed when its last member leaves
//   (remove_if_unused), so idle names cost nothing.
// - Each room numbers its messages 1, 2, 3... (next_sequence): the order clients can rely on,
//   and the key that per-room history and resume-after-reconnect will use. An undeclared room
//   that is removed and created again starts again at 1.
//
// The registry enforces per-room policy only; name validation and rooms_enabled are the
// Dispatcher's, and announcing joins/leaves is the front end's (via DispatcherObserver).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "app/client.hpp"
#include "app/indexed_set.hpp"
#include "app/options.hpp"
#include "app/status.hpp"

namespace wsrelay::app {

// Rooms whose name starts with this are private whether or not configuration declares them.
inline constexpr std::string_view kPrivatePrefix = "private-";

inline bool has_private_name(std::string_view room_name) { return room_name.starts_with(kPrivatePrefix); }

class Room {
 public:
  Room(std::string name, const DeclaredRoom* declared)
      : name_(std::move(name)),
        declared_(declared),
        private_((declared != nullptr && declared->is_private) || has_private_name(name_)) {}
  Room(const Room&) = delete;
  Room& operator=(const Room&) = delete;

  const std::string& name() const { return name_; }
  // The configuration entry, or nullptr for a room created on first join.
  const DeclaredRoom* declared() const { return declared_; }
  bool is_private() const { return private_; }
  const IndexedSet<Client*>& members() const { return members_; }
  size_t size() const { return members_.size(); }
  bool contains(const Client& client) const {
    // The set is keyed by Client*; a lookup modifies nothing, so dropping const is safe.
    return members_.contains(const_cast<Client*>(&client));
  }

  // Numbers the next room message: 1 for the first, then 2, 3...
  uint64_t next_sequence() { return ++last_sequence_; }
  uint64_t last_sequence() const { return last_sequence_; }

 private:
  friend class RoomRegistry;
  std::string name_;
  const DeclaredRoom* declared_;
  bool private_;
  IndexedSet<Client*> members_;
  uint64_t last_sequence_ = 0;
};

// May `client` join the private room named `room_name`? Asked before a room that does not exist
// yet is created, hence a name rather than a Room. Installed by the front end.
using RoomAuthorizer = std::function<bool(const Client& client, std::string_view room_name)>;

class RoomRegistry {
 public:
  // Creates the declared rooms (the first of duplicate names wins).
  RoomRegistry(const std::vector<DeclaredRoom>& declared, size_t max_rooms_per_client);
  RoomRegistry(const RoomRegistry&) = delete;
  RoomRegistry& operator=(const RoomRegistry&) = delete;

  void set_authorizer(RoomAuthorizer authorizer) { authorizer_ = std::move(authorizer); }

  Room* find(std::string_view name) const;

  // Adds `client` to the room `name`, creating it when it is not declared and does not exist.
  // kOk: joined; kAlready: was a member; kForbidden (private and not authorized), kRoomFull,
  // kTooManyRooms: refused (no room is left behind). `*room` is set for kOk and kAlready.
  Status join(Client& client, std::string_view name, Room** room);

  // Removes `client` from `room`; false when it was not a member. The room stays (possibly
  // empty) so the caller can still announce the departure; call remove_if_unused after.
  bool remove_member(Client& client, Room& room);

  // Removes `room` when it is empty and not declared. `room` may dangle afterwards.
  void remove_if_unused(Room& room);

  size_t size() const { return rooms_.size(); }
  // Every room, in no particular order.
  template <typename Fn>
  void for_each(Fn&& fn) const {
    for (const auto& [name, room] : rooms_) fn(*room);
  }

 private:
  std::vector<std::unique_ptr<DeclaredRoom>> declared_;  // stable addresses for Room::declared_
  std::unordered_map<std::string_view, std::unique_ptr<Room>> rooms_;  // key views Room::name_
  size_t max_rooms_per_client_;
  RoomAuthorizer authorizer_;
};

}  // namespace wsrelay::app
