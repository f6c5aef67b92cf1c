#include "app/dispatcher.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "app/names.hpp"

namespace wsrelay::app {

// One message on its way to many clients: prepared on the first recipient of each front end,
// then shared. Built either from one front end's text payload (only that front end's clients
// receive it) or from a RoomEvent (each front end encodes it for its own clients).
class Dispatcher::Fanout {
 public:
  Fanout(Dispatcher& dispatcher, std::string_view payload, uint8_t tag)
      : dispatcher_(dispatcher), payload_(payload), tag_(tag) {}
  Fanout(Dispatcher& dispatcher, const RoomEvent& event) : dispatcher_(dispatcher), event_(&event) {}

  void deliver(Client& client) {
    if (client.peer->is_closing()) return;  // the server would drop it anyway; do not count it
    const uint8_t tag = client.front_end;
    if (tag >= kFrontEndCount) return;
    std::optional<PreparedMessage>& prepared = prepared_[tag];
    if (!prepared) {
      if (event_ == nullptr) {
        if (tag != tag_) return;
        prepared = dispatcher_.host_.prepare(PayloadKind::kText, payload_);
      } else {
        FrontEnd* front_end = dispatcher_.front_ends_[tag];
        if (front_end == nullptr) return;
        prepared = dispatcher_.host_.prepare(PayloadKind::kText, front_end->encode(*event_));
      }
    }
    client.peer->send_prepared(*prepared);
    client.counters.messages_out += 1;
    client.counters.bytes_out += prepared->payload_size;
    dispatcher_.traffic_.messages_out += 1;
    dispatcher_.traffic_.bytes_out += prepared->payload_size;
    ++recipients_;
  }
  size_t recipients() const { return recipients_; }

 private:
  Dispatcher& dispatcher_;
  std::string_view payload_;
  uint8_t tag_ = kJsonFrontEnd;
  const RoomEvent* event_ = nullptr;
  std::array<std::optional<PreparedMessage>, kFrontEndCount> prepared_;
  size_t recipients_ = 0;
};

Dispatcher::Dispatcher(Host& host, AppOptions options, RandomSource random)
    : host_(host),
      options_(std::move(options)),
      random_(std::move(random)),
      rooms_(options_.rooms, options_.max_rooms_per_client),
      signals_(options_.max_signals_per_client),
      started_at_ms_(host.wall_clock_ms()) {}

// ---- connections ------------------------------------------------------------------------------

Client& Dispatcher::connect(Peer& peer, std::string_view remote_address) {
  ++connections_total_;
  std::string id = make_client_id(random_);
  // 128 random bits do not collide in practice; a broken generator might. Retry a few times,
  // then make the id unique by construction (the serial number is never reused).
  for (int attempt = 0; clients_.count(id) != 0; ++attempt) {
    id = attempt < 8 ? make_client_id(random_) : id + "-" + std::to_string(connections_total_);
  }
  auto client = std::make_unique<Client>(std::move(id), peer);
  client->remote_address = std::string(remote_address);
  client->counters.connected_since_ms = host_.wall_clock_ms();
  // A full bucket: a new connection may send its burst at once.
  client->rate = RateLimiter(options_.rate_limit, host_.monotonic_ms());
  Client& record = *client;
  clients_.emplace(std::string_view(record.id), std::move(client));
  peer.client = &record;
  return record;
}

void Dispatcher::disconnect(Client& client) {
  // Leaving shrinks client.rooms: walk a copy.
  std::vector<Room*> rooms(client.rooms.begin(), client.rooms.end());
  for (Room* room : rooms) {
    rooms_.remove_member(client, *room);
    if (observer_ != nullptr) observer_->on_left(client, *room, LeaveCause::kDisconnect);
    if (second_observer_ != nullptr) second_observer_->on_left(client, *room, LeaveCause::kDisconnect);
    rooms_.remove_if_unused(*room);
  }
  signals_.unlisten_all(client);
  client.peer->client = nullptr;
  // Erase by iterator: the key is a view into the client about to be destroyed.
  auto it = clients_.find(std::string_view(client.id));
  if (it != clients_.end()) clients_.erase(it);
}

Client* Dispatcher::find_client(std::string_view client_id) const {
  auto it = clients_.find(client_id);
  if (it == clients_.end() || it->second->awaiting_auth) return nullptr;
  return it->second.get();
}

void Dispatcher::note_received(Client& client, size_t bytes) {
  client.counters.messages_in += 1;
  client.counters.bytes_in += bytes;
  traffic_.messages_in += 1;
  traffic_.bytes_in += bytes;
}

RateDecision Dispatcher::check_rate(Client& client) {
  return client.rate.on_message(options_.rate_limit, host_.monotonic_ms());
}

// ---- rooms ------------------------------------------------------------------------------------

Status Dispatcher::check_name(std::string_view name) const {
  return app::check_name(name, options_.max_name_length) == NameProblem::kNone ? Status::kOk
                                                                              : Status::kInvalidName;
}

Status Dispatcher::join(Client& client, std::string_view room_name) {
  if (!options_.rooms_enabled) return Status::kRoomsDisabled;
  if (Status status = check_name(room_name); status != Status::kOk) return status;
  Room* room = nullptr;
  Status status = rooms_.join(client, room_name, &room);
  if (status == Status::kOk && observer_ != nullptr) observer_->on_joined(client, *room);
  if (status == Status::kOk && second_observer_ != nullptr) second_observer_->on_joined(client, *room);
  return status;
}

Status Dispatcher::leave(Client& client, std::string_view room_name) {
  Room* room = nullptr;
  if (Status status = member_room(client, room_name, &room); status != Status::kOk) return status;
  rooms_.remove_member(client, *room);
  if (observer_ != nullptr) observer_->on_left(client, *room, LeaveCause::kRequest);
  if (second_observer_ != nullptr) second_observer_->on_left(client, *room, LeaveCause::kRequest);
  rooms_.remove_if_unused(*room);
  return Status::kOk;
}

Status Dispatcher::member_room(Client& client, std::string_view room_name, Room** room) {
  if (!options_.rooms_enabled) return Status::kRoomsDisabled;
  if (Status status = check_name(room_name); status != Status::kOk) return status;
  Room* found = rooms_.find(room_name);
  if (found == nullptr || !found->contains(client)) return Status::kNotInRoom;
  *room = found;
  return Status::kOk;
}

// ---- signals ----------------------------------------------------------------------------------

Status Dispatcher::listen(Client& client, std::string_view name) {
  if (Status status = check_name(name); status != Status::kOk) return status;
  return signals_.listen(client, name);
}

Status Dispatcher::unlisten(Client& client, std::string_view name) {
  if (Status status = check_name(name); status != Status::kOk) return status;
  signals_.unlisten(client, name);
  return Status::kOk;
}

// ---- delivery ---------------------------------------------------------------------------------

size_t Dispatcher::send(Client& to, std::string_view payload) {
  if (to.peer->is_closing()) return 0;
  // One recipient: the connection copies the payload into its own queue; nothing to share.
  to.peer->send(PayloadKind::kText, payload);
  to.counters.messages_out += 1;
  to.counters.bytes_out += payload.size();
  traffic_.messages_out += 1;
  traffic_.bytes_out += payload.size();
  return 1;
}

size_t Dispatcher::send_to_room(const Room& room, std::string_view payload, const Client* except,
                                uint8_t tag) {
  Fanout fanout(*this, payload, tag);
  for (Client* member : room.members()) {
    if (member != except) fanout.deliver(*member);
  }
  return fanout.recipients();
}

size_t Dispatcher::broadcast(std::string_view payload, const Client* except, uint8_t tag) {
  Fanout fanout(*this, payload, tag);
  for (const auto& [id, client] : clients_) {
    if (client.get() != except && !client->awaiting_auth) fanout.deliver(*client);
  }
  return fanout.recipients();
}

size_t Dispatcher::send_signal(std::string_view name, const Room* within, std::string_view payload,
                               const Client* except, uint8_t tag) {
  const SignalTopic* topic = signals_.find(name);
  if (topic == nullptr) return 0;
  Fanout fanout(*this, payload, tag);
  for (Client* listener : topic->listeners) {
    if (listener == except) continue;
    if (within != nullptr && !within->contains(*listener)) continue;
    fanout.deliver(*listener);
  }
  return fanout.recipients();
}

size_t Dispatcher::publish(const RoomEvent& event, const Client* except) {
  Fanout fanout(*this, event);
  for (Client* member : event.room.members()) {
    if (member != except) fanout.deliver(*member);
  }
  return fanout.recipients();
}

// ---- counters ---------------------------------------------------------------------------------

StatsSnapshot Dispatcher::snapshot() const {
  StatsSnapshot stats;
  stats.started_at_ms = started_at_ms_;
  stats.uptime_ms = host_.wall_clock_ms() - started_at_ms_;
  stats.clients = clients_.size();
  stats.connections_total = connections_total_;
  stats.traffic = traffic_;
  stats.rooms.reserve(rooms_.size());
  rooms_.for_each([&](const Room& room) {
    stats.rooms.push_back(RoomSnapshot{room.name(), room.size(), room.last_sequence(),
                                       room.declared() != nullptr, room.is_private()});
  });
  std::sort(stats.rooms.begin(), stats.rooms.end(),
            [](const RoomSnapshot& a, const RoomSnapshot& b) { return a.name < b.name; });
  stats.signal_names = signals_.size();
  return stats;
}

}  // namespace wsrelay::app
