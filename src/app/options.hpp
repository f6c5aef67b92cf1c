// AppOptions: everything the application layer is configured with. Plain data, filled by the
// configuration layer from the keys in docs/configuration (rooms_enabled, default_room,
// max_rooms_per_client, rooms, max_name_length, max_json_depth, member_list_limit, auth_*,
// rate_limit*) and by embedding programs directly. The defaults here are the documented defaults.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/rate_limiter.hpp"

namespace wsrelay::app {

// How the other members of a room hear of a join or a leave (docs/protocol.md, "Join and
// leave notices"): one user_joined/user_left per event, the notices of one loop iteration
// coalesced into one event per member, or not at all.
enum class NoticeMode : uint8_t { kEach, kBatched, kOff };

// A room named in configuration ("vip:private:max_clients=10"). Declared rooms exist from
// start-up and are never removed when they empty, so their sequence numbers never restart.
struct DeclaredRoom {
  std::string name;
  bool is_private = false;  // joining needs the RoomAuthorizer's consent (refused without one);
                            // rooms named "private-..." are private without being declared
  size_t max_clients = 0;   // 0 = unlimited; a full room answers `room_full`
  std::optional<NoticeMode> notices = std::nullopt;  // unset: AppOptions::room_notices
};

// Authentication (docs/security.md): with `enabled`, a connection must present an HS256 token
// signed with `secret`, in its upgrade URL (`?token=`) or in an `auth` event sent within
// `timeout_ms` of connecting.
struct AuthOptions {
  bool enabled = false;       // auth_enabled
  std::string secret;         // auth_secret
  int64_t timeout_ms = 10000;  // auth_timeout (checked on the Host's ticks: about 1 s late at most)
  int64_t clock_skew_s = 30;  // auth_clock_skew, for the token's exp and nbf
};

struct AppOptions {
  bool rooms_enabled = true;
  // Joined automatically on connect when rooms are enabled; empty = no automatic room.
  std::string default_room = "general";
  size_t max_rooms_per_client = 50;     // 0 = unlimited
  size_t max_signals_per_client = 100;  // distinct signal names one client listens to; 0 = unlimited
  std::vector<DeclaredRoom> rooms;
  size_t max_name_length = 128;  // bytes, for room and signal names
  size_t max_json_depth = 32;    // nesting of arrays/objects in one request
  size_t max_json_size = 65536;  // bytes of one request
  // Join answers list the members while the room has at most this many (0 = never list).
  size_t member_list_limit = 100;
  // Join/leave notices of rooms that do not set their own (room_notices).
  NoticeMode room_notices = NoticeMode::kEach;
  AuthOptions auth;
  // Messages per connection (rate_limit per minute, rate_limit_burst, rate_limit_warnings).
  RateLimitPolicy rate_limit;
  // log_payloads: debug lines about messages quote their text (activity_log.hpp).
  bool log_payloads = false;
};

}  // namespace wsrelay::app
