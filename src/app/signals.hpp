// Signals: named, room-independent notifications ("ReportIncome", "refresh-dashboard"). A client
// listens for a name; a signal with that name goes to its listeners only.
//
// The index maps each name to its listeners (an IndexedSet), and each Client keeps the topics it
// listens to, so delivery visits only the listeners (never a scan of all clients) and listen,
// unlisten and disconnect are O(1) on average per name. A topic is removed when its last
// listener goes, so names nobody listens to cost nothing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "app/client.hpp"
#include "app/indexed_set.hpp"
#include "app/status.hpp"

namespace wsrelay::app {

struct SignalTopic {
  explicit SignalTopic(std::string topic_name) : name(std::move(topic_name)) {}
  const std::string name;
  IndexedSet<Client*> listeners;
};

class SignalIndex {
 public:
  explicit SignalIndex(size_t max_signals_per_client) : max_per_client_(max_signals_per_client) {}
  SignalIndex(const SignalIndex&) = delete;
  SignalIndex& operator=(const SignalIndex&) = delete;

  // kOk, kAlready, or kTooManySignals (max_signals_per_client names already).
  Status listen(Client& client, std::string_view name);
  // False when the client was not listening for `name`.
  bool unlisten(Client& client, std::string_view name);
  // Everything the client listens to (on disconnect).
  void unlisten_all(Client& client);

  const SignalTopic* find(std::string_view name) const;
  size_t size() const { return topics_.size(); }

 private:
  void remove_listener(Client& client, SignalTopic& topic);

  std::unordered_map<std::string_view, std::unique_ptr<SignalTopic>> topics_;  // key views name
  size_t max_per_client_;
};

}  // namespace wsrelay::app
