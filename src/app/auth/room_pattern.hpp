// Room patterns: which rooms a token lets its holder join (the JWT `rooms` claim).
//
// A pattern is either an exact room name ("vip") or a prefix ending in one '*'
// ("team-42-*" matches "team-42-", "team-42-sales", ...); "*" alone matches every room.
// A '*' anywhere else is not a wildcard and makes the pattern invalid, so a claim can never
// mean something other than what it looks like. Matching is exact and case-sensitive, like
// room names themselves. Pure functions, no allocation.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace wsrelay::app::auth {

// True for a non-empty pattern with no '*' except, optionally, as its last character.
bool is_valid_room_pattern(std::string_view pattern);

// True when `room` matches `pattern` (an invalid pattern matches nothing).
bool room_pattern_matches(std::string_view pattern, std::string_view room);

// True when any of `patterns` matches `room`. An empty list allows nothing.
bool room_allowed(std::span<const std::string> patterns, std::string_view room);

}  // namespace wsrelay::app::auth
