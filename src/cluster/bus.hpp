// Bus: publish/subscribe between the nodes of one cluster, over the RedisLink.
//
// Contract:
// - Channels are named relative to the cluster: subscribe("room:lobby") listens on the Redis
//   channel "{prefix}:bus:room:lobby". Two clusters with different prefixes on one Redis never
//   see each other's traffic (Redis pub/sub ignores SELECT: the prefix is the only wall).
// - Every message is wrapped in an envelope (envelope.hpp): node id, epoch, seq per
//   (publisher, channel). Redis delivers one publisher's messages on one channel in order, so a
//   receiver sees them in publish order; the bus drops the node's own messages (a node
//   delivers locally itself) and reports lost ones: a BusMessage carries `missed`, the number
//   of messages from that publisher on that channel that never arrived before this one
//   (outage, or the subscriber's output buffer limit in Redis).
// - publish() returns false while the link is down: nothing is queued to be sent "later" in a
//   different order; the caller counts it and decides. Delivery is at most once: a message
//   handed to Redis just before the link dies may or may not arrive; seq tells the receivers.
// - One handler per channel; unsubscribe() drops it. Handlers run on the loop; a handler may
//   subscribe and unsubscribe (including its own channel).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "cluster/redis_link.hpp"
#include "cluster/string_map.hpp"

namespace wsrelay::cluster {

struct BusMessage {
  std::string_view channel;  // relative, as subscribed
  std::string_view origin;   // publishing node's id
  uint64_t seq = 0;
  uint64_t missed = 0;  // messages from `origin` on `channel` lost just before this one
  std::string_view payload;
};

using BusHandler = std::function<void(const BusMessage& message)>;

struct BusStats {
  uint64_t published = 0;
  uint64_t publish_refused = 0;  // link down or its output cap reached
  uint64_t received = 0;         // delivered to a handler
  uint64_t own_dropped = 0;      // our own messages coming back
  uint64_t missed = 0;           // sum of BusMessage::missed
  uint64_t malformed = 0;        // not an envelope
};

class Bus {
 public:
  Bus(RedisLink& link, std::string prefix, std::string node_id, uint64_t epoch);

  bool publish(std::string_view channel, std::string_view payload);
  void subscribe(std::string_view channel, BusHandler handler);
  void unsubscribe(std::string_view channel);
  // Forget the publishing sequence of a channel nobody will publish to again (a room gone).
  void forget(std::string_view channel) {
    if (auto it = next_seq_.find(channel); it != next_seq_.end()) next_seq_.erase(it);
  }

  // From the link's observer: a message on a full Redis channel name.
  void on_link_message(std::string_view channel, std::string_view payload);

  const BusStats& stats() const { return stats_; }
  std::string full_channel(std::string_view channel) const {
    return channel_prefix_ + std::string(channel);
  }
  const std::string& node_id() const { return node_id_; }
  uint64_t epoch() const { return epoch_; }

 private:
  RedisLink& link_;
  std::string channel_prefix_;  // "{prefix}:bus:"
  std::string node_id_;
  uint64_t epoch_;
  BusStats stats_;
  std::string scratch_;          // envelope being published (capacity reused)
  std::string channel_scratch_;  // its full channel name
  struct Seen {
    uint64_t epoch;
    uint64_t seq;
  };
  // relative channel -> handler (shared: a handler may unsubscribe its own channel)
  StringMap<std::shared_ptr<const BusHandler>> handlers_;
  StringMap<uint64_t> next_seq_;  // relative channel -> next seq
  // channel -> origin node -> last (epoch, seq) seen; looked up without allocating
  using Origins = StringMap<Seen>;
  StringMap<Origins> last_seen_;
};

}  // namespace wsrelay::cluster
