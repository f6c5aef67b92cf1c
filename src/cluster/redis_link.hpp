// RedisLink: the node's two connections to Redis, kept up for as long as the node runs.
//
//   command connection   PUBLISH, the node registry's SET/SADD/SMEMBERS/MGET, ...
//   pub/sub connection   SUBSCRIBE/UNSUBSCRIBE, then only pushes (Redis allows nothing else
//                        on a subscribed connection)
//
// Contract:
// - The link is up when both connections are ready and every subscription has been confirmed.
//   Either connection failing takes the link down: both are closed, on_link_down() is called
//   (once per outage), and a reconnect is tried after a jittered exponential backoff
//   (backoff.hpp). On reconnect the subscriptions are sent again before on_link_up().
// - While down, publish() and command() refuse (return false) instead of queueing: what is
//   lost during an outage is decided above, in plain sight, not hidden in a buffer here.
// - A keepalive PING every keepalive_ms on an idle pub/sub connection turns a silently dead
//   server (a cable, a frozen VM) into a reply timeout rather than an outage nobody notices.
// - Every transition is logged (down with the reason, up with how long it was down); a wrong
//   password or a garbage-speaking server is logged as an error once per distinct reason, the
//   retries after it at debug level.
// - No callback of this class ever blocks; the observer must not destroy the link from one.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "cluster/backoff.hpp"
#include "cluster/redis_connection.hpp"
#include "cluster/string_map.hpp"

namespace wsrelay::cluster {

struct LinkOptions {
  RedisEndpoint endpoint;  // host already resolved to an IP literal
  uint64_t connect_timeout_ms = 2000;
  uint64_t reply_timeout_ms = 3000;
  uint64_t backoff_initial_ms = 100;
  uint64_t backoff_max_ms = 5000;
  uint64_t keepalive_ms = 2000;
  uint64_t seed = 1;  // jitter
};

enum class LinkState : uint8_t { kStopped, kConnecting, kUp, kDown };
inline constexpr std::string_view kLinkStateNames[] = {"stopped", "connecting", "up", "down"};
inline std::string_view name_of(LinkState s) {
  return kLinkStateNames[static_cast<size_t>(s)];
}

struct LinkStats {
  LinkState state = LinkState::kStopped;
  uint64_t connects = 0;         // times the link came up
  uint64_t disconnects = 0;      // times it went down after being up
  uint64_t failed_attempts = 0;  // connect attempts that did not get the link up
  uint64_t published = 0;        // PUBLISH commands accepted for sending
  uint64_t publish_refused = 0;  // publish() while the link was down or full
  uint64_t received = 0;         // pub/sub messages received
  LinkError last_error = LinkError::kNone;
  std::string last_error_detail;
  uint64_t state_since_ms = 0;  // loop time of the last state change
};

class LinkObserver {
 public:
  virtual void on_link_up() = 0;
  virtual void on_link_down(LinkError error, std::string_view detail) = 0;
  virtual void on_link_message(std::string_view channel, std::string_view payload) = 0;

 protected:
  ~LinkObserver() = default;
};

class RedisLink final : private ConnectionListener, private net::Timer {
 public:
  RedisLink(net::EventLoop& loop, LinkOptions options, LinkObserver& observer);
  ~RedisLink() override;

  void start();
  // Closes both connections; no more reconnects. Safe to call twice.
  void stop();

  bool up() const { return stats_.state == LinkState::kUp; }
  const LinkStats& stats() const { return stats_; }

  // On the command connection. False when the link is not up (handler not called).
  bool command(std::span<const std::string_view> argv, ReplyHandler handler);
  bool command(std::initializer_list<std::string_view> argv, ReplyHandler handler) {
    return command(std::span<const std::string_view>(argv.begin(), argv.size()),
                   std::move(handler));
  }
  // PUBLISH channel payload; the handler (optional) gets the receiver count or nullptr.
  bool publish(std::string_view channel, std::string_view payload, ReplyHandler handler = {});

  // Subscriptions are remembered and restored after every reconnect. Full channel names.
  void subscribe(std::string_view channel);
  void unsubscribe(std::string_view channel);
  size_t subscriptions() const { return channels_.size(); }

 private:
  void on_ready(RedisConnection& connection) override;
  void on_down(RedisConnection& connection, LinkError error, std::string_view detail) override;
  void on_push(RedisConnection& connection, std::string_view channel,
               std::string_view payload) override;
  void on_timer() override;  // reconnect, or keepalive while up

  void attempt();
  void resubscribe();
  void send_subscribe(const std::string& channel);
  void maybe_up();
  void set_state(LinkState state);

  net::EventLoop& loop_;
  LinkOptions options_;
  LinkObserver& observer_;
  RedisConnection command_;
  RedisConnection pubsub_;
  Backoff backoff_;
  LinkStats stats_;
  // channel -> confirmed on the current pub/sub connection
  StringMap<bool> channels_;
  size_t unconfirmed_ = 0;
  bool handling_down_ = false;
  bool was_up_ = false;       // went down after being up: counts as a disconnect
  std::string logged_error_;  // the last failure logged at error/warn level
  uint64_t down_since_ms_ = 0;
};

}  // namespace wsrelay::cluster
