#include "cluster/cluster.hpp"

#include "log/logger.hpp"

namespace wsrelay::cluster {

Cluster::Cluster(net::EventLoop& loop, ClusterOptions options)
    : loop_(loop),
      options_(std::move(options)),
      link_(loop, options_.link, *this),
      bus_(link_, options_.prefix, options_.node_id, options_.epoch),
      registry_(loop, link_, bus_, options_.prefix, options_.registry, *this) {}

Cluster::~Cluster() = default;

void Cluster::start() {
  log::info("cluster: node ", options_.node_id, " joining cluster '", options_.prefix, "' through ",
            options_.url_for_logs);
  link_.start();
}

void Cluster::leave() {
  registry_.leave();
}

ClusterStatus Cluster::status() const {
  ClusterStatus s;
  s.link = link_.stats();
  s.bus = bus_.stats();
  s.registry = registry_.stats();
  s.peers = registry_.peers().size();
  s.state_for_ms = loop_.now_ms() - s.link.state_since_ms;
  return s;
}

void Cluster::on_link_up() {
  registry_.on_link_up();
  if (link_observer_ != nullptr) link_observer_->on_link_up();
}

void Cluster::on_link_down(LinkError error, std::string_view detail) {
  registry_.on_link_down();
  if (link_observer_ != nullptr) link_observer_->on_link_down(error, detail);
}

void Cluster::on_link_message(std::string_view channel, std::string_view payload) {
  bus_.on_link_message(channel, payload);
}

void Cluster::on_node_up(std::string_view node_id) {
  if (node_observer_ != nullptr) node_observer_->on_node_up(node_id);
}

void Cluster::on_node_down(std::string_view node_id, bool owner, std::string_view why) {
  if (node_observer_ != nullptr) node_observer_->on_node_down(node_id, owner, why);
}

void Cluster::on_self_restored() {
  if (node_observer_ != nullptr) node_observer_->on_self_restored();
}

}  // namespace wsrelay::cluster
