#include "app/rooms.hpp"

namespace wsrelay::app {

RoomRegistry::RoomRegistry(const std::vector<DeclaredRoom>& declared, size_t max_rooms_per_client)
    : max_rooms_per_client_(max_rooms_per_client) {
  for (const DeclaredRoom& entry : declared) {
    if (rooms_.find(entry.name) != rooms_.end()) continue;
    declared_.push_back(std::make_unique<DeclaredRoom>(entry));
    auto room = std::make_unique<Room>(entry.name, declared_.back().get());
    std::string_view key = room->name();
    rooms_.emplace(key, std::move(room));
  }
}

Room* RoomRegistry::find(std::string_view name) const {
  auto it = rooms_.find(name);
  return it == rooms_.end() ? nullptr : it->second.get();
}

Status RoomRegistry::join(Client& client, std::string_view name, Room** joined) {
  Room* room = find(name);
  if (room != nullptr && room->members_.contains(&client)) {
    *joined = room;
    return Status::kAlready;
  }
  if (max_rooms_per_client_ != 0 && client.rooms.size() >= max_rooms_per_client_) {
    return Status::kTooManyRooms;
  }
  // Authorization first: a client that may not enter learns nothing about the room's size.
  const bool is_private = room != nullptr ? room->is_private() : has_private_name(name);
  if (is_private && !(authorizer_ && authorizer_(client, name))) return Status::kForbidden;
  if (room != nullptr && room->declared_ != nullptr && room->declared_->max_clients != 0 &&
      room->size() >= room->declared_->max_clients) {
    return Status::kRoomFull;
  }
  if (room == nullptr) {
    auto created = std::make_unique<Room>(std::string(name), nullptr);
    room = created.get();
    std::string_view key = room->name();
    rooms_.emplace(key, std::move(created));
  }
  room->members_.insert(&client);
  client.rooms.insert(room);
  *joined = room;
  return Status::kOk;
}

bool RoomRegistry::remove_member(Client& client, Room& room) {
  if (!room.members_.erase(&client)) return false;
  client.rooms.erase(&room);
  return true;
}

void RoomRegistry::remove_if_unused(Room& room) {
  if (room.declared_ != nullptr || !room.members_.empty()) return;
  // Erase by iterator: the key is a view into the room about to be destroyed.
  auto it = rooms_.find(std::string_view(room.name()));
  if (it != rooms_.end()) rooms_.erase(it);
}

}  // namespace wsrelay::app
