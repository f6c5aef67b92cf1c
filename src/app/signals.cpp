#include "app/signals.hpp"

#include <vector>

namespace wsrelay::app {

Status SignalIndex::listen(Client& client, std::string_view name) {
  auto it = topics_.find(name);
  if (it != topics_.end() && it->second->listeners.contains(&client)) return Status::kAlready;
  if (max_per_client_ != 0 && client.signals.size() >= max_per_client_) {
    return Status::kTooManySignals;
  }
  if (it == topics_.end()) {
    auto topic = std::make_unique<SignalTopic>(std::string(name));
    std::string_view key = topic->name;
    it = topics_.emplace(key, std::move(topic)).first;
  }
  SignalTopic& topic = *it->second;
  topic.listeners.insert(&client);
  client.signals.insert(&topic);
  return Status::kOk;
}

bool SignalIndex::unlisten(Client& client, std::string_view name) {
  auto it = topics_.find(name);
  if (it == topics_.end() || !it->second->listeners.contains(&client)) return false;
  remove_listener(client, *it->second);
  return true;
}

void SignalIndex::unlisten_all(Client& client) {
  // remove_listener shrinks client.signals: walk a copy.
  std::vector<SignalTopic*> topics(client.signals.begin(), client.signals.end());
  for (SignalTopic* topic : topics) remove_listener(client, *topic);
}

const SignalTopic* SignalIndex::find(std::string_view name) const {
  auto it = topics_.find(name);
  return it == topics_.end() ? nullptr : it->second.get();
}

void SignalIndex::remove_listener(Client& client, SignalTopic& topic) {
  topic.listeners.erase(&client);
  client.signals.erase(&topic);
  if (topic.listeners.empty()) {
    // Erase by iterator: the key is a view into the topic about to be destroyed.
    auto it = topics_.find(std::string_view(topic.name));
    if (it != topics_.end()) topics_.erase(it);
  }
}

}  // namespace wsrelay::app
