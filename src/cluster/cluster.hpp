// Cluster: this node's membership in a wsrelay cluster — the Redis link, the bus on top of it
// and the node registry — built from settings by the runtime when redis_url is set.
//
//   runtime ──▶ Cluster ──▶ RedisLink (two RedisConnections on the reactor) ──▶ Redis
//                 ├─ Bus           publish/subscribe with envelopes, own messages dropped
//                 └─ NodeRegistry  heartbeats, dead-peer detection, graceful leave
//
// The dispatcher does not see this class: next it reaches the cluster through app::ClusterBus
// (src/app/cluster_bus.hpp), implemented over Bus and NodeRegistry, the way it reaches
// connections through app::Peer/Host. Until then the runtime runs the membership (heartbeats,
// health, metrics) and nothing is fanned out.
//
// Single-threaded, on the loop it was given. leave() before the loop stops (graceful
// shutdown); the destructor closes the connections without a word to Redis.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "cluster/bus.hpp"
#include "cluster/node_registry.hpp"
#include "cluster/redis_link.hpp"

namespace wsrelay::cluster {

struct ClusterOptions {
  LinkOptions link;          // endpoint resolved to an IP literal
  std::string url_for_logs;  // redis_url with the password masked
  std::string prefix = "wsrelay";
  std::string node_id;
  uint64_t epoch = 0;  // random per process start
  RegistryOptions registry;
};

// What /health, /stats and /metrics show.
struct ClusterStatus {
  LinkStats link;
  BusStats bus;
  RegistryStats registry;
  size_t peers = 0;
  uint64_t state_for_ms = 0;  // time in the current link state
};

class Cluster final : private LinkObserver, private NodeObserver {
 public:
  Cluster(net::EventLoop& loop, ClusterOptions options);
  ~Cluster();

  void start();
  // Graceful shutdown: this node's keys leave Redis now, peers are told.
  void leave();

  bool up() const { return link_.up(); }
  Bus& bus() { return bus_; }
  NodeRegistry& registry() { return registry_; }
  RedisLink& link() { return link_; }
  const ClusterOptions& options() const { return options_; }
  ClusterStatus status() const;

  // Who hears of peers coming and going (the embedding program, later the dispatcher's
  // presence). Optional; the registry logs either way.
  void set_node_observer(NodeObserver* observer) { node_observer_ = observer; }
  // Told when the link goes up or down (after the registry).
  void set_link_observer(LinkObserver* observer) { link_observer_ = observer; }

 private:
  void on_link_up() override;
  void on_link_down(LinkError error, std::string_view detail) override;
  void on_link_message(std::string_view channel, std::string_view payload) override;
  void on_node_up(std::string_view node_id) override;
  void on_node_down(std::string_view node_id, bool owner, std::string_view why) override;
  void on_self_restored() override;

  net::EventLoop& loop_;
  ClusterOptions options_;
  RedisLink link_;
  Bus bus_;
  NodeRegistry registry_;
  NodeObserver* node_observer_ = nullptr;
  LinkObserver* link_observer_ = nullptr;
};

}  // namespace wsrelay::cluster
