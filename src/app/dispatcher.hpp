// Dispatcher: who gets what. It owns the clients, the room registry and the signal index, and
// delivers payloads that a front end has already serialized in its own wire format. It knows
// no wire format (the JSON protocol and the coming Pusher protocol are front ends that translate
// requests into these calls and results back into their events) and makes no syscalls: it
// reaches connections only through Peer and Host (peer.hpp), so tests drive it with fakes.
//
// Delivery: a payload for several recipients is prepared (serialized and framed) ONCE with
// Host::prepare, lazily on the first recipient, and every recipient is handed the same shared
// bytes with Peer::send_prepared. Closing peers are skipped. Every "send to many" operation
// takes an `except` client, so "everyone in the room but the sender" is one call.
//
// Several front ends share one room namespace (a Pusher channel `orders` is the JSON room
// `orders`). A room message is therefore handed over in no wire format (RoomEvent) and each
// registered FrontEnd encodes it for its own clients: publish() prepares each format ONCE per
// message, lazily, only when the room has a member of that front end. The text-payload calls
// (send, send_to_room, broadcast, send_signal) carry one front end's format and reach only that
// front end's clients (JSON by default).
//
// Membership changes, whatever caused them (a request, a disconnect, an embedding program),
// are reported to the DispatcherObserver while the room still exists, so the front end can
// announce them in its format. Peer calls never re-enter the dispatcher (peer.hpp), so the
// observer may send from inside the callback.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <rapidjson/document.h>

#include "app/client.hpp"
#include "app/options.hpp"
#include "app/peer.hpp"
#include "app/rate_limiter.hpp"
#include "app/rooms.hpp"
#include "app/signals.hpp"
#include "app/stats.hpp"
#include "app/status.hpp"

namespace wsrelay::app {

enum class LeaveCause : uint8_t {
  kRequest,     // the client asked to leave (or an embedding program removed it)
  kDisconnect,  // the connection is gone
};

class DispatcherObserver {
 public:
  // `client` has just been added to `room`.
  virtual void on_joined(Client& client, Room& room) = 0;
  // `client` has just been removed from `room`; the room still exists (it may be empty) and
  // is removed after this returns if it is empty and not declared.
  virtual void on_left(Client& client, Room& room, LeaveCause cause) = 0;

 protected:
  ~DispatcherObserver() = default;
};

// A room message in no wire format. Exactly one of `message` (a JSON value, from the JSON
// protocol or /api/publish) and `text` (a string, from a Pusher trigger or client event) is the
// payload; each FrontEnd maps it to its own shape (docs/pusher.md, "Mapping").
struct RoomEvent {
  const Room& room;
  std::string_view event;                    // Pusher event name; "" for a JSON room_message
  const rapidjson::Value* message = nullptr;  // a JSON value, or nullptr when `text` is the data
  std::string_view text;                     // the data as a string (when message == nullptr)
  std::string_view sender;                   // client id / socket id / "server"
  uint64_t seq = 0;
  int64_t timestamp_ms = 0;
  const Client* origin = nullptr;  // the connection that sent it (nullptr: the backend)
};

// One wire format's encoder for room events, registered with Dispatcher::set_front_end.
class FrontEnd {
 public:
  // The event as one text message in this format; the view is valid until the next call.
  virtual std::string_view encode(const RoomEvent& event) = 0;

 protected:
  ~FrontEnd() = default;
};

class Dispatcher {
 public:
  Dispatcher(Host& host, AppOptions options, RandomSource random);
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  const AppOptions& options() const { return options_; }
  Host& host() { return host_; }
  void set_observer(DispatcherObserver* observer) { observer_ = observer; }
  // A second observer (the Pusher front end beside the JSON one), told after the first.
  void set_second_observer(DispatcherObserver* observer) { second_observer_ = observer; }
  // The encoder of clients whose Client::front_end is `tag` (< kFrontEndCount).
  void set_front_end(uint8_t tag, FrontEnd* front_end) { front_ends_[tag] = front_end; }
  void set_room_authorizer(RoomAuthorizer authorizer) { rooms_.set_authorizer(std::move(authorizer)); }

  // ---- connections ------------------------------------------------------------------------
  // A new client with a fresh unique id, recorded in peer.client. Joins no room: the front end
  // decides (after its greeting) whether to join the default room.
  Client& connect(Peer& peer, std::string_view remote_address);
  // Leaves every room (observer: LeaveCause::kDisconnect), stops listening, forgets the client
  // and clears peer.client. `client` is destroyed.
  void disconnect(Client& client);
  // A connected client by id; nullptr too for one still awaiting authentication, which may not
  // be addressed until it has proven who it is.
  Client* find_client(std::string_view client_id) const;
  size_t client_count() const { return clients_.size(); }
  template <typename Fn>
  void for_each_client(Fn&& fn) const {
    for (const auto& [id, client] : clients_) fn(*client);
  }
  // Counts one message received from `client` (the front end calls it for every message,
  // valid or not).
  void note_received(Client& client, size_t bytes);
  // Spends one message of `client`'s rate budget (AppOptions::rate_limit) now: kAllow, or kWarn
  // (answer `rate_limited`, do not process) or kClose (close it, CloseCause::kRateLimited).
  RateDecision check_rate(Client& client);

  // ---- rooms ------------------------------------------------------------------------------
  // Checks a room or signal name (names.hpp): kOk or kInvalidName.
  Status check_name(std::string_view name) const;
  // kOk (observer told), kAlready, kRoomsDisabled, kInvalidName, kTooManyRooms, kForbidden,
  // kRoomFull.
  Status join(Client& client, std::string_view room_name);
  // kOk (observer told), kRoomsDisabled, kInvalidName, kNotInRoom.
  Status leave(Client& client, std::string_view room_name);
  // The room `client` is a member of, for publishing into it: kOk with *room set, or
  // kRoomsDisabled, kInvalidName, kNotInRoom (also when the room does not exist).
  Status member_room(Client& client, std::string_view room_name, Room** room);
  Room* find_room(std::string_view name) const { return rooms_.find(name); }
  const RoomRegistry& rooms() const { return rooms_; }

  // ---- signals ----------------------------------------------------------------------------
  // kOk, kAlready, kInvalidName, kTooManySignals.
  Status listen(Client& client, std::string_view name);
  // kOk (also when the client was not listening: unlisten is idempotent), kInvalidName.
  Status unlisten(Client& client, std::string_view name);
  const SignalIndex& signals() const { return signals_; }

  // ---- delivery (text payloads in the front end's wire format) ------------------------------
  // Each returns the number of clients the payload was handed to. A client awaiting
  // authentication is in no room and listens to nothing, and broadcast passes it by: it gets
  // only what is sent to it by send().
  size_t send(Client& to, std::string_view payload);
  // To the members (clients, listeners) of front end `tag` only: the payload is in its format.
  size_t send_to_room(const Room& room, std::string_view payload, const Client* except,
                      uint8_t tag = kJsonFrontEnd);
  size_t broadcast(std::string_view payload, const Client* except, uint8_t tag = kJsonFrontEnd);
  // To every listener of `name`; only those in `within` when it is not null.
  size_t send_signal(std::string_view name, const Room* within, std::string_view payload,
                     const Client* except, uint8_t tag = kJsonFrontEnd);
  // To every member of event.room but `except`, each in its front end's format (members of a
  // front end with no encoder registered are passed by).
  size_t publish(const RoomEvent& event, const Client* except);

  // ---- counters ---------------------------------------------------------------------------
  const TrafficCounters& traffic() const { return traffic_; }
  // Everything but the per-event and per-error counts, which belong to the front end.
  StatsSnapshot snapshot() const;

 private:
  class Fanout;

  Host& host_;
  AppOptions options_;
  RandomSource random_;
  DispatcherObserver* observer_ = nullptr;
  DispatcherObserver* second_observer_ = nullptr;
  std::array<FrontEnd*, kFrontEndCount> front_ends_{};
  std::unordered_map<std::string_view, std::unique_ptr<Client>> clients_;  // key views Client::id
  RoomRegistry rooms_;
  SignalIndex signals_;
  TrafficCounters traffic_;
  uint64_t connections_total_ = 0;
  int64_t started_at_ms_;
};

}  // namespace wsrelay::app
