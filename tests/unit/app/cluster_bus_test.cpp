// app::ClusterBus is only an interface this session: this proves it compiles, can be
// implemented by a fake (how the dispatcher will be unit-tested), and says nothing of Redis.
#include "app/cluster_bus.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace {

using wsrelay::app::ClusterBus;
using wsrelay::app::ClusterMember;
using wsrelay::app::ClusterMessage;

struct FakeBus final : ClusterBus {
  std::vector<std::string> log;
  bool link_up = true;
  bool publish(const ClusterMessage& m) override {
    log.push_back("publish " + std::string(m.room) + " " + std::string(m.data));
    return link_up;
  }
  void room_active(std::string_view room) override { log.push_back("active " + std::string(room)); }
  void room_idle(std::string_view room) override { log.push_back("idle " + std::string(room)); }
  void member_joined(const ClusterMember& m) override {
    log.push_back("joined " + std::string(m.client_id));
  }
  void member_left(const ClusterMember& m) override {
    log.push_back("left " + std::string(m.client_id));
  }
  size_t member_count(std::string_view) const override { return 0; }
  bool up() const override { return link_up; }
};

}  // namespace

TEST_CASE("ClusterBus: a fake implements it; publish reports a message that did not leave") {
  FakeBus bus;
  ClusterBus& api = bus;
  api.room_active("lobby");
  ClusterMessage m;
  m.room = "lobby";
  m.data = "{\"x\":1}";
  m.except_client = "c1";
  CHECK(api.publish(m));
  bus.link_up = false;
  CHECK_FALSE(api.publish(m));
  api.member_joined({"lobby", "c1", "u1", ""});
  api.room_idle("lobby");
  CHECK(bus.log == std::vector<std::string>{"active lobby", "publish lobby {\"x\":1}",
                                            "publish lobby {\"x\":1}", "joined c1", "idle lobby"});
}
