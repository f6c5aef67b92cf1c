// Presence bookkeeping for Pusher presence-* channels: which users are in a channel and through
// how many connections. Pusher counts users, not sockets: a user with three tabs open is one
// member, announced (member_added) when its first connection subscribes and removed
// (member_removed) when its last one leaves.
//
// Pure data: no I/O, no JSON of its own (user_info is kept as the serialized JSON object the
// front end re-wrote from the parsed channel_data, never as client text).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

namespace wsrelay::app::pusher {

struct PresenceMember {
  std::string user_info;     // serialized JSON ("" = none: written as null)
  uint32_t connections = 0;  // subscribed connections of this user
};

class PresenceChannel {
 public:
  // One more connection of `user_id`. True when it is the user's first (announce it); the
  // user_info of the first connection is kept.
  bool add(std::string_view user_id, std::string_view user_info);
  // One connection of `user_id` fewer. True when it was the last (announce the removal).
  bool remove(std::string_view user_id);
  bool contains(std::string_view user_id) const { return members_.find(user_id) != members_.end(); }
  size_t user_count() const { return members_.size(); }
  // Users sorted by id (a stable order for `ids` and for GET .../users).
  const std::map<std::string, PresenceMember, std::less<>>& members() const { return members_; }

 private:
  std::map<std::string, PresenceMember, std::less<>> members_;
};

class PresenceRegistry {
 public:
  PresenceChannel& channel(std::string_view name);
  const PresenceChannel* find(std::string_view name) const;
  // Forgets `name` once nobody is in it.
  void remove_if_empty(std::string_view name);
  size_t size() const { return channels_.size(); }

 private:
  std::unordered_map<std::string, PresenceChannel> channels_;
};

}  // namespace wsrelay::app::pusher
