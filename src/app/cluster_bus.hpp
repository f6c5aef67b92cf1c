// app::ClusterBus: how the dispatcher will reach the other nodes of its cluster — the
// interface only. Nothing implements or calls it yet: the next step of issue 14 implements it
// in src/cluster over cluster::Bus and cluster::NodeRegistry, and plugs the dispatcher in once
// its delivery serves both wire formats (JSON and Pusher). docs/cluster.md has the plan.
//
// The shape follows app::Peer/Host: the dispatcher calls ClusterBus (outgoing) and implements
// ClusterListener (incoming); it never sees Redis, a socket or an envelope, and unit tests
// drive it with a fake bus.
//
// Contract (what an implementation must keep):
// - Messages are wire-format neutral: the content (JSON text) and who/where, never framed
//   bytes. Each node frames for its own clients, in their protocol.
// - Per publisher, messages to one room arrive at every other node in the order published, at
//   most once; the publisher's own node never gets its message back (the dispatcher delivered
//   locally already). A message lost in an outage is reported (`missed`), never replayed out
//   of order.
// - Sender exclusion crosses nodes: `except_client` (JSON `except`, Pusher `socket_id`) is
//   honoured by the receiving node.
// - A node receives a room's traffic only between room_active() and room_idle() (its first
//   local member joined / its last one left).
// - publish() returns false when the message did not leave this node (Redis down): local
//   delivery has happened already; the dispatcher counts the refusal, it does not retry.
// - Calls and callbacks run on the loop thread; a callback may call back into ClusterBus.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace wsrelay::app {

struct ClusterMessage {
  enum class Kind : uint8_t {
    kRoomMessage,  // to every member of `room`
    kSignal,       // named signal to `room`'s members listening to `name`
    kBroadcast,    // to every client of every node
    kDirect,       // to one client (`target_client`) wherever it is connected
  };
  Kind kind = Kind::kRoomMessage;
  std::string_view room;           // kRoomMessage, kSignal
  std::string_view name;           // kSignal: the signal; Pusher: the event name
  std::string_view from_client;    // sender's client id (empty: the backend API)
  std::string_view target_client;  // kDirect
  std::string_view except_client;  // do not deliver to this client (sender exclusion)
  std::string_view data;           // the message content, JSON text
};

// One connection's membership of a room, for cluster-wide counts, member lists and presence
// (`member_added` on a user's first connection anywhere, `member_removed` on its last).
struct ClusterMember {
  std::string_view room;
  std::string_view client_id;
  std::string_view user_id;    // presence: the user behind the connection; may repeat
  std::string_view user_info;  // presence: JSON the auth endpoint gave, or empty
};

class ClusterBus {
 public:
  virtual bool publish(const ClusterMessage& message) = 0;
  virtual void room_active(std::string_view room) = 0;
  virtual void room_idle(std::string_view room) = 0;
  virtual void member_joined(const ClusterMember& member) = 0;
  virtual void member_left(const ClusterMember& member) = 0;
  // Members of `room` on every node, for GET /api/rooms/... and Pusher's users endpoint.
  virtual size_t member_count(std::string_view room) const = 0;
  virtual bool up() const = 0;

 protected:
  ~ClusterBus() = default;
};

class ClusterListener {
 public:
  // From another node; `missed` messages from that node to that room were lost before it.
  virtual void on_cluster_message(std::string_view origin_node, const ClusterMessage& message,
                                  uint64_t missed) = 0;
  virtual void on_cluster_member_joined(std::string_view origin_node,
                                        const ClusterMember& member) = 0;
  virtual void on_cluster_member_left(std::string_view origin_node,
                                      const ClusterMember& member) = 0;
  // A node died (no heartbeat for the ttl) or left: its members leave every room, with the
  // normal leave events, exactly as if each had disconnected.
  virtual void on_cluster_node_down(std::string_view node_id) = 0;
  // The link came back after an outage (or Redis lost its data): re-publish local presence.
  virtual void on_cluster_restored() = 0;

 protected:
  ~ClusterListener() = default;
};

}  // namespace wsrelay::app
