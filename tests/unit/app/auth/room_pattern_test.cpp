// Room patterns from the `rooms` claim: exact names, "prefix*", "*", and what is not a pattern.
#include "app/auth/room_pattern.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::app::auth;

TEST_CASE("room pattern: validity") {
  CHECK(is_valid_room_pattern("vip"));
  CHECK(is_valid_room_pattern("team-*"));
  CHECK(is_valid_room_pattern("*"));
  CHECK_FALSE(is_valid_room_pattern(""));
  CHECK_FALSE(is_valid_room_pattern("a*b"));
  CHECK_FALSE(is_valid_room_pattern("*vip"));
  CHECK_FALSE(is_valid_room_pattern("team-**"));
}

TEST_CASE("room pattern: exact names match only themselves, case-sensitively") {
  CHECK(room_pattern_matches("vip", "vip"));
  CHECK_FALSE(room_pattern_matches("vip", "VIP"));
  CHECK_FALSE(room_pattern_matches("vip", "vip2"));
  CHECK_FALSE(room_pattern_matches("vip", "vi"));
  CHECK_FALSE(room_pattern_matches("vip", ""));
}

TEST_CASE("room pattern: prefix* matches the prefix and anything after it") {
  CHECK(room_pattern_matches("team-42-*", "team-42-sales"));
  CHECK(room_pattern_matches("team-42-*", "team-42-"));
  CHECK(room_pattern_matches("team-42-*", "team-42-*"));
  CHECK_FALSE(room_pattern_matches("team-42-*", "team-42"));
  CHECK_FALSE(room_pattern_matches("team-42-*", "team-420"));
  CHECK_FALSE(room_pattern_matches("team-42-*", "xteam-42-a"));
  CHECK_FALSE(room_pattern_matches("team-42-*", "Team-42-a"));
}

TEST_CASE("room pattern: '*' alone matches every room") {
  CHECK(room_pattern_matches("*", "anything"));
  CHECK(room_pattern_matches("*", "private-x"));
}

TEST_CASE("room pattern: an invalid pattern matches nothing, not even itself") {
  CHECK_FALSE(room_pattern_matches("a*b", "a*b"));
  CHECK_FALSE(room_pattern_matches("a*b", "axb"));
  CHECK_FALSE(room_pattern_matches("", ""));
}

TEST_CASE("room_allowed: any pattern in the list") {
  const std::vector<std::string> patterns = {"vip", "private-team-7-*"};
  CHECK(room_allowed(patterns, "vip"));
  CHECK(room_allowed(patterns, "private-team-7-chat"));
  CHECK_FALSE(room_allowed(patterns, "private-team-8-chat"));
  CHECK_FALSE(room_allowed(patterns, "vip-lounge"));
  CHECK_FALSE(room_allowed({}, "vip"));
}
