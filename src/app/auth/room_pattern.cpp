// Room pattern matching for the `rooms` token claim; see room_pattern.hpp.
#include "app/auth/room_pattern.hpp"

namespace wsrelay::app::auth {

bool is_valid_room_pattern(std::string_view pattern) {
  if (pattern.empty()) return false;
  const size_t star = pattern.find('*');
  return star == std::string_view::npos || star == pattern.size() - 1;
}

bool room_pattern_matches(std::string_view pattern, std::string_view room) {
  if (!is_valid_room_pattern(pattern)) return false;
  if (pattern.back() == '*') {
    return room.starts_with(pattern.substr(0, pattern.size() - 1));
  }
  return room == pattern;
}

bool room_allowed(std::span<const std::string> patterns, std::string_view room) {
  for (const std::string& pattern : patterns) {
    if (room_pattern_matches(pattern, room)) return true;
  }
  return false;
}

}  // namespace wsrelay::app::auth
