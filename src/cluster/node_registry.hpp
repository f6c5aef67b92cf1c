// NodeRegistry: which nodes of the cluster are alive, kept in Redis with expiring keys.
//
//   {prefix}:node:{node_id}   value = the node's epoch, PX ttl_ms, refreshed every heartbeat_ms
//   {prefix}:nodes            a set of node ids that joined and have not been seen to leave
//   bus channel "nodes"       "up", "leave", "down <node_id> <epoch>" announcements
//
// Contract:
// - Every heartbeat the node SETs its key and SADDs itself, then checks every other member:
//   a member whose key has expired is dead. The first node to SREM it owns the cleanup
//   (on_node_down(..., owner = true)); every node that knew it hears on_node_down once, from
//   its own check or from the owner's "down" announcement, whichever comes first. A node
//   that stopped heartbeating (kill -9, a frozen VM, cut off from Redis) is noticed within
//   ttl_ms + heartbeat_ms + one reply (12 s and a little with the defaults of 3 s and 9 s:
//   inside the 15 s bound).
// - A node restarted under the same id has a new epoch: peers see the old incarnation go down
//   and the new one come up, never one continuous life.
// - If the node finds itself missing from the set (declared dead during a partition, or Redis
//   restarted empty), it re-adds itself and calls on_self_restored(): what it had published in
//   Redis (presence, next session) must be published again.
// - While the link is down nothing is concluded about peers (we cannot see them); the checks
//   resume when it is back. leave() (graceful shutdown) deletes the key, leaves the set and
//   announces "leave", so peers drop this node at once instead of after the ttl.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/bus.hpp"

namespace wsrelay::cluster {

struct RegistryOptions {
  uint64_t heartbeat_ms = 3000;
  uint64_t ttl_ms = 9000;
};

class NodeObserver {
 public:
  virtual void on_node_up(std::string_view node_id) = 0;
  // `owner`: this node removed the dead one from the set and should clean up after it.
  virtual void on_node_down(std::string_view node_id, bool owner, std::string_view why) = 0;
  virtual void on_self_restored() = 0;

 protected:
  ~NodeObserver() = default;
};

struct RegistryStats {
  uint64_t heartbeats = 0;
  uint64_t nodes_up = 0;    // on_node_up calls
  uint64_t nodes_down = 0;  // on_node_down calls
  uint64_t restored = 0;    // on_self_restored calls
};

class NodeRegistry final : private net::Timer {
 public:
  NodeRegistry(net::EventLoop& loop, RedisLink& link, Bus& bus, std::string prefix,
               RegistryOptions options, NodeObserver& observer);
  ~NodeRegistry() override;

  // From the cluster's link observer.
  void on_link_up();
  void on_link_down();
  // Graceful shutdown: remove our keys now (best effort: the link may be down).
  void leave();

  // Peers believed alive (not this node), sorted.
  std::vector<std::string> peers() const;
  const RegistryStats& stats() const { return stats_; }

 private:
  void on_timer() override;
  void heartbeat();
  void check_members(std::vector<std::string> members);
  void saw_alive(const std::string& node_id, uint64_t epoch);
  void saw_dead(const std::string& node_id, uint64_t epoch, bool owner, std::string_view why);
  void on_announcement(const BusMessage& message);
  std::string node_key(std::string_view node_id) const {
    return prefix_ + ":node:" + std::string(node_id);
  }

  net::EventLoop& loop_;
  RedisLink& link_;
  Bus& bus_;
  std::string prefix_;
  std::string nodes_key_;
  RegistryOptions options_;
  NodeObserver& observer_;
  RegistryStats stats_;
  std::map<std::string, uint64_t, std::less<>> alive_;  // peer id -> epoch
  bool joined_ = false;                                 // our SADD has succeeded once
  bool left_ = false;
};

}  // namespace wsrelay::cluster
