// Presence bookkeeping; see presence.hpp.
#include "app/pusher/presence.hpp"

namespace wsrelay::app::pusher {

bool PresenceChannel::add(std::string_view user_id, std::string_view user_info) {
  auto it = members_.find(user_id);
  if (it == members_.end()) {
    members_.emplace(std::string(user_id), PresenceMember{std::string(user_info), 1});
    return true;
  }
  it->second.connections += 1;
  return false;
}

bool PresenceChannel::remove(std::string_view user_id) {
  auto it = members_.find(user_id);
  if (it == members_.end()) return false;
  if (--it->second.connections > 0) return false;
  members_.erase(it);
  return true;
}

PresenceChannel& PresenceRegistry::channel(std::string_view name) {
  auto it = channels_.find(std::string(name));
  if (it == channels_.end()) it = channels_.emplace(std::string(name), PresenceChannel{}).first;
  return it->second;
}

const PresenceChannel* PresenceRegistry::find(std::string_view name) const {
  auto it = channels_.find(std::string(name));
  return it == channels_.end() ? nullptr : &it->second;
}

void PresenceRegistry::remove_if_empty(std::string_view name) {
  auto it = channels_.find(std::string(name));
  if (it != channels_.end() && it->second.user_count() == 0) channels_.erase(it);
}

}  // namespace wsrelay::app::pusher
