// Presence bookkeeping: users, not sockets.
#include "app/pusher/presence.hpp"

#include <doctest/doctest.h>

namespace wsrelay::app::pusher {

TEST_CASE("presence: first connection adds, last removes, tabs in between are silent") {
  PresenceChannel channel;
  CHECK(channel.add("42", R"({"name":"Ann"})"));
  CHECK_FALSE(channel.add("42", R"({"name":"changed"})"));  // second tab
  CHECK(channel.add("7", ""));
  CHECK(channel.user_count() == 2);
  CHECK(channel.members().at("42").user_info == R"({"name":"Ann"})");  // the first tab's info stays
  CHECK(channel.members().at("42").connections == 2);
  CHECK_FALSE(channel.remove("42"));
  CHECK(channel.contains("42"));
  CHECK(channel.remove("42"));
  CHECK_FALSE(channel.contains("42"));
  CHECK_FALSE(channel.remove("42"));  // not a member any more: nothing to announce
  CHECK(channel.remove("7"));
  CHECK(channel.user_count() == 0);
}

TEST_CASE("presence registry: channels appear on use and go when empty") {
  PresenceRegistry registry;
  CHECK(registry.find("presence-a") == nullptr);
  registry.channel("presence-a").add("u", "");
  registry.remove_if_empty("presence-a");
  REQUIRE(registry.find("presence-a") != nullptr);
  registry.channel("presence-a").remove("u");
  registry.remove_if_empty("presence-a");
  CHECK(registry.find("presence-a") == nullptr);
  CHECK(registry.size() == 0);
}

}  // namespace wsrelay::app::pusher
