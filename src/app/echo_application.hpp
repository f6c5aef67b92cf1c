// EchoApplication: the Application behind `wsrelay echo` — the smallest useful server, used by
// conformance suites (Autobahn) and benchmarks.
//
// Mode kEcho: every message, text or binary, goes back to its sender unchanged, through
// Peer::send (the connection frames it straight from the payload view: no allocation here).
// Mode kBroadcast (`echo --broadcast`): every message goes to every connected peer, the sender
// included, prepared once with Host::prepare and shared by all of them. Only this mode keeps
// a set of peers; echo mode counts them, so an idle echo connection costs the application
// nothing (the memory benchmark measures `wsrelay echo`).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "app/indexed_set.hpp"
#include "app/peer.hpp"

namespace wsrelay::app {

class EchoApplication final : public Application {
 public:
  enum class Mode : uint8_t { kEcho, kBroadcast };

  EchoApplication(Host& host, Mode mode) : host_(host), mode_(mode) {}

  void on_open(Peer& peer, const ConnectInfo& info) override;
  void on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) override;
  void on_close(Peer& peer, uint16_t code, std::string_view reason) override;

  size_t peer_count() const { return peer_count_; }

 private:
  Host& host_;
  Mode mode_;
  IndexedSet<Peer*> peers_;  // kBroadcast only
  size_t peer_count_ = 0;
};

}  // namespace wsrelay::app
