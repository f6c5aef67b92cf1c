// Server as app::Host: the monotonic clock and the once-a-second tick the application's
// deadlines (auth_timeout) are checked on. Runs a real event loop for about two seconds.
#include <doctest/doctest.h>

#include <vector>

#include "app/peer.hpp"
#include "net/event_loop.hpp"
#include "server/server.hpp"

namespace {

using namespace wsrelay;

struct NoApplication final : app::Application {
  void on_open(app::Peer&, const app::ConnectInfo&) override {}
  void on_message(app::Peer&, app::PayloadKind, std::span<const uint8_t>) override {}
  void on_close(app::Peer&, uint16_t, std::string_view) override {}
};

struct Ticks final : app::TickListener {
  Ticks(net::EventLoop& l, server::Server& s) : loop(l), server(s) {}
  void on_tick(int64_t now_ms) override {
    at.push_back(now_ms);
    if (at.size() == 2) {
      server.set_tick_listener(nullptr);  // clearing itself from inside the tick is allowed
      loop.stop();
    }
  }
  net::EventLoop& loop;
  server::Server& server;
  std::vector<int64_t> at;
};

}  // namespace

TEST_CASE("server: ticks its listener once a second on the monotonic clock, until cleared") {
  net::EventLoop loop;
  NoApplication application;
  server::Server server(loop, server::ServerOptions{}, application);
  CHECK(loop.timers().size() == 0);  // nobody listens: no timer at all
  Ticks ticks(loop, server);
  const int64_t start = server.monotonic_ms();
  server.set_tick_listener(&ticks);
  CHECK(loop.timers().size() == 1);
  server.set_tick_listener(&ticks);  // registering again does not add a second timer
  CHECK(loop.timers().size() == 1);
  REQUIRE(loop.run());
  REQUIRE(ticks.at.size() == 2);
  CHECK(ticks.at[0] - start >= 1000);
  CHECK(ticks.at[1] - ticks.at[0] >= 1000);
  CHECK(ticks.at[1] - ticks.at[0] < 1500);
  CHECK(server.monotonic_ms() == static_cast<int64_t>(loop.now_ms()));
  CHECK(loop.timers().size() == 0);  // cleared: the timer is gone
}
