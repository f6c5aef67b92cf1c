// FrontEnds: what the server sees as "the application" when several wire front ends share one
// Dispatcher — an Application that hands each connection to the front end its upgrade path
// names (Pusher for /app/{key} while Pusher is enabled, JSON for every other path), and a Host
// per front end so that each can register its own once-a-second TickListener (Host allows one).
//
// Routing after on_open follows Client::front_end (each front end connects its peer to the
// dispatcher in on_open and keeps peer.client until on_close), so no per-peer table is needed.
// Not thread-safe; lives on the reactor thread.
#pragma once

#include <array>

#include "app/client.hpp"
#include "app/peer.hpp"
#include "app/pusher/protocol.hpp"

namespace wsrelay::app {

// One Host shared by several front ends: prepare and the clocks go to the real Host; each branch
// has its own tick listener slot, all ticked from the real Host's one.
class HostFork final : private TickListener {
 public:
  class Branch final : public Host {
   public:
    PreparedMessage prepare(PayloadKind kind, std::string_view payload) override {
      return fork_->host_.prepare(kind, payload);
    }
    int64_t wall_clock_ms() const override { return fork_->host_.wall_clock_ms(); }
    int64_t monotonic_ms() const override { return fork_->host_.monotonic_ms(); }
    // Forwarded, not left to Host's run-at-once defaults: a branch that ran deferred work at
    // once would quietly undo the batching the front end asked for.
    void defer(DeferredTask& task) override { fork_->host_.defer(task); }
    void defer_after(DeferredTask& task, uint64_t delay_ms) override { fork_->host_.defer_after(task, delay_ms); }
    void set_tick_listener(TickListener* listener) override {
      listener_ = listener;
      fork_->update();
    }

   private:
    friend class HostFork;
    HostFork* fork_ = nullptr;
    TickListener* listener_ = nullptr;
  };

  explicit HostFork(Host& host) : host_(host) {
    for (Branch& branch : branches_) branch.fork_ = this;
  }
  ~HostFork() { host_.set_tick_listener(nullptr); }
  HostFork(const HostFork&) = delete;
  HostFork& operator=(const HostFork&) = delete;

  Host& branch(uint8_t front_end) { return branches_[front_end]; }

 private:
  void on_tick(int64_t now_ms) override {
    for (Branch& branch : branches_) {
      if (branch.listener_ != nullptr) branch.listener_->on_tick(now_ms);
    }
  }
  // Listen to the real Host only while some branch has a listener.
  void update() {
    bool any = false;
    for (const Branch& branch : branches_) any |= branch.listener_ != nullptr;
    host_.set_tick_listener(any ? this : nullptr);
  }

  Host& host_;
  std::array<Branch, kFrontEndCount> branches_;
};

class FrontEndRouter final : public Application {
 public:
  // `pusher` may be null (Pusher not configured): everything is JSON then.
  FrontEndRouter(Application& json, pusher::PusherProtocol* pusher)
      : json_(json), pusher_(pusher) {}

  void on_open(Peer& peer, const ConnectInfo& info) override {
    if (pusher_ != nullptr && pusher_->handles(info.path))
      pusher_->on_open(peer, info);
    else
      json_.on_open(peer, info);
  }
  void on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) override {
    route(peer).on_message(peer, kind, payload);
  }
  void on_close(Peer& peer, uint16_t code, std::string_view reason) override {
    route(peer).on_close(peer, code, reason);
  }
  void on_protocol_error(Peer& peer, uint16_t code, std::string_view reason) override {
    route(peer).on_protocol_error(peer, code, reason);
  }

 private:
  Application& route(const Peer& peer) {
    const bool pusher =
        pusher_ != nullptr && peer.client != nullptr && peer.client->front_end == kPusherFrontEnd;
    return pusher ? *pusher_ : json_;
  }

  Application& json_;
  pusher::PusherProtocol* pusher_;
};

}  // namespace wsrelay::app
