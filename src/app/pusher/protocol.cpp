// PusherProtocol: connections, subscriptions, presence, client events; see protocol.hpp.
#include "app/pusher/protocol.hpp"

#include <charconv>
#include <vector>

#include "app/authenticator.hpp"
#include "app/pusher/signatures.hpp"
#include "app/query.hpp"

namespace wsrelay::app::pusher {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string_view view_of(const rapidjson::Value& string) {
  return {string.GetString(), string.GetStringLength()};
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (const auto& m : object.GetObject()) {
    if (view_of(m.name) == name) return &m.value;
  }
  return nullptr;
}

// The string member `name`, or an empty view with data() == nullptr.
std::string_view string_member(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* value = member(object, name);
  return value != nullptr && value->IsString() ? view_of(*value) : std::string_view();
}

void put(Writer& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

bool is_presence(std::string_view channel) {
  return channel.starts_with("presence-");
}
bool is_private(std::string_view channel) {
  return channel.starts_with("private-");
}
bool needs_auth(std::string_view channel) {
  return is_private(channel) || is_presence(channel);
}
bool is_cache(std::string_view channel) {
  return channel.starts_with("cache-") || channel.starts_with("private-cache-") ||
         channel.starts_with("private-encrypted-cache-") || channel.starts_with("presence-cache-");
}

// A presence user_id: Laravel sends the model's key, often a number; Pusher ids are strings.
bool user_id_text(const rapidjson::Value& value, std::string& out) {
  if (value.IsString()) {
    out.assign(value.GetString(), value.GetStringLength());
  } else if (value.IsInt64()) {
    out = std::to_string(value.GetInt64());
  } else if (value.IsUint64()) {
    out = std::to_string(value.GetUint64());
  } else {
    return false;
  }
  return !out.empty() && out.size() <= 128;
}

}  // namespace

PusherProtocol::PusherProtocol(Host& host, Dispatcher& dispatcher, PusherOptions options,
                               RandomSource random)
    : host_(host),
      dispatcher_(dispatcher),
      options_(std::move(options)),
      random_(std::move(random)),
      parser_(dispatcher.options().max_json_size, dispatcher.options().max_json_depth),
      data_parser_(dispatcher.options().max_json_size, dispatcher.options().max_json_depth),
      inner_parser_(dispatcher.options().max_json_size, dispatcher.options().max_json_depth) {
  client_event_policy_.messages_per_minute = options_.client_event_rate * 60;
  client_event_policy_.burst =
      static_cast<uint16_t>(std::min<uint32_t>(options_.client_event_rate, UINT16_MAX));
  client_event_policy_.max_warnings = UINT16_MAX;  // over the rate: dropped and told, never closed
  dispatcher_.set_second_observer(this);
  dispatcher_.set_front_end(kPusherFrontEnd, this);
  // A Pusher client reaches Dispatcher::join for a private room only after its channel
  // signature was checked (handle_subscribe); a JSON client still needs its token's consent.
  dispatcher_.set_room_authorizer([](const Client& client, std::string_view room) {
    return client.front_end == kPusherFrontEnd || Authenticator::may_join(client, room);
  });
  host_.set_tick_listener(this);
}

PusherProtocol::~PusherProtocol() {
  host_.set_tick_listener(nullptr);
  dispatcher_.set_second_observer(nullptr);
  dispatcher_.set_front_end(kPusherFrontEnd, nullptr);
}

bool PusherProtocol::valid_channel_name(std::string_view name) const {
  if (name.empty() || name.size() > options_.max_channel_name) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '_' || c == '-' || c == '=' || c == '@' || c == ',' || c == '.' ||
                    c == ';';
    if (!ok) return false;
  }
  return true;
}

bool PusherProtocol::valid_socket_id(std::string_view socket_id) {
  const size_t dot = socket_id.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == socket_id.size() ||
      socket_id.size() > 41)
    return false;
  for (size_t i = 0; i < socket_id.size(); ++i) {
    if (i != dot && (socket_id[i] < '0' || socket_id[i] > '9')) return false;
  }
  return true;
}

PusherProtocol::Connection* PusherProtocol::connection_of(const Client& client) {
  auto it = connections_.find(&client);
  return it == connections_.end() ? nullptr : it->second.get();
}

// ---- Application ------------------------------------------------------------------------------

void PusherProtocol::on_open(Peer& peer, const ConnectInfo& info) {
  Client& client = dispatcher_.connect(peer, info.remote_address);
  client.front_end = kPusherFrontEnd;
  auto connection = std::make_unique<Connection>();
  connection->client = &client;
  connection->last_seen_ms = host_.monotonic_ms();
  connection->client_event_rate = RateLimiter(client_event_policy_, host_.monotonic_ms());
  // socket_id: two random 32-bit numbers, "\d+\.\d+" as pusher-js and the server SDKs expect.
  do {
    uint8_t bytes[8];
    random_(bytes);
    uint32_t a = 0;
    uint32_t b = 0;
    for (int i = 0; i < 4; ++i) {
      a = (a << 8) | bytes[i];
      b = (b << 8) | bytes[4 + i];
    }
    connection->socket_id = std::to_string(a) + "." + std::to_string(b);
  } while (by_socket_id_.count(connection->socket_id) != 0);
  Connection& conn = *connection;
  by_socket_id_.emplace(conn.socket_id, &client);
  connections_.emplace(&client, std::move(connection));
  stats_.connections = connections_.size();
  stats_.connections_total += 1;

  std::string_view key = info.path.substr(std::string_view("/app/").size());
  if (!key.empty() && key.back() == '/') key.remove_suffix(1);
  if (key != options_.key) {
    close_with(conn, code::kUnknownAppKey,
               "App key not in this cluster. Did you forget to specify the cluster?");
    return;
  }
  std::string protocol;
  int version = 0;
  if (query_parameter(info.query, "protocol", protocol) == QueryValue::kFound) {
    std::from_chars(protocol.data(), protocol.data() + protocol.size(), version);
  }
  if (version < 5 || version > 7) {
    close_with(conn, code::kUnsupportedProtocol,
               "Unsupported protocol version (this server speaks 5 to 7)");
    return;
  }
  if (options_.max_connections != 0 && connections_.size() > options_.max_connections) {
    close_with(conn, code::kOverCapacity,
               "Over capacity: too many Pusher connections on this server");
    return;
  }
  inner_buffer_.Clear();
  Writer w(inner_buffer_);
  w.StartObject();
  w.Key("socket_id");
  put(w, conn.socket_id);
  w.Key("activity_timeout");
  w.Int64(options_.activity_timeout_s);
  w.EndObject();
  send_event(conn, "pusher:connection_established", {},
             std::string_view(inner_buffer_.GetString(), inner_buffer_.GetSize()));
}

void PusherProtocol::on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) {
  if (peer.client == nullptr || peer.is_closing()) return;
  Connection* connection = connection_of(*peer.client);
  if (connection == nullptr) return;
  dispatcher_.note_received(*peer.client, payload.size());
  // Anything the client sends proves it is alive, as a pong would.
  connection->last_seen_ms = host_.monotonic_ms();
  connection->ping_sent_ms = 0;
  switch (dispatcher_.check_rate(*peer.client)) {
    case RateDecision::kAllow:
      break;
    case RateDecision::kWarn:
      send_error(*connection, -1, "too many messages: this one was not processed");
      return;
    case RateDecision::kClose:
      close_with(*connection, code::kClientEventRateLimit, "too many messages");
      return;
  }
  if (kind == PayloadKind::kBinary) {
    send_error(*connection, -1,
               "binary messages are not part of the Pusher protocol; send JSON text");
    return;
  }
  handle(*connection,
         std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

void PusherProtocol::on_close(Peer& peer, uint16_t, std::string_view) {
  Client* client = peer.client;
  if (client == nullptr) return;
  auto it = connections_.find(client);
  if (it == connections_.end()) return;
  // Leaving every room runs on_left (presence departures, webhooks) while the state exists.
  dispatcher_.disconnect(*client);
  by_socket_id_.erase(it->second->socket_id);
  connections_.erase(it);
  stats_.connections = connections_.size();
}

void PusherProtocol::shutdown() {
  for (auto& [client, connection] : connections_) {
    if (!client->peer->is_closing())
      close_with(*connection, code::kReconnectNow, "Server shutting down: reconnect");
  }
}

// ---- requests ---------------------------------------------------------------------------------

void PusherProtocol::handle(Connection& connection, std::string_view text) {
  if (parser_.parse(text) != JsonProblem::kNone) {
    send_error(connection, -1, "message is not valid JSON (or too large or too deep)");
    return;
  }
  const rapidjson::Value& message = parser_.root();
  const std::string_view event = string_member(message, "event");
  if (event.data() == nullptr) {
    send_error(connection, -1, "a message must be a JSON object with a string \"event\"");
    return;
  }
  // `data` may come as an object or as a JSON-encoded string (older clients): accept both.
  const rapidjson::Value* data = member(message, "data");
  if (data != nullptr && data->IsString() && !event.starts_with("client-") &&
      data->GetStringLength() > 0 && data_parser_.parse(view_of(*data)) == JsonProblem::kNone) {
    data = &data_parser_.root();
  }
  if (event == "pusher:ping") {
    send_event(connection, "pusher:pong", {}, "{}");
  } else if (event == "pusher:pong") {
    // Activity was noted on arrival.
  } else if (event == "pusher:subscribe" || event == "pusher:unsubscribe" ||
             event == "pusher:signin") {
    if (data == nullptr || !data->IsObject()) {
      send_error(connection, -1, "\"data\" must be an object");
      return;
    }
    if (event == "pusher:subscribe")
      handle_subscribe(connection, *data);
    else if (event == "pusher:unsubscribe")
      handle_unsubscribe(connection, *data);
    else
      handle_signin(connection, *data);
  } else if (event.starts_with("client-")) {
    const std::string_view channel = string_member(message, "channel");
    handle_client_event(connection, event, channel, data);
  } else {
    send_error(
        connection, -1,
        event.size() <= 64 ? "unknown event \"" + std::string(event) + "\"" : "unknown event");
  }
}

void PusherProtocol::refuse_subscription(Connection& connection, std::string_view channel,
                                         std::string_view type, int status,
                                         std::string_view message) {
  stats_.subscription_errors += 1;
  inner_buffer_.Clear();
  Writer w(inner_buffer_);
  w.StartObject();
  w.Key("type");
  put(w, type);
  w.Key("error");
  put(w, message);
  w.Key("status");
  w.Int(status);
  w.EndObject();
  const std::string data(inner_buffer_.GetString(), inner_buffer_.GetSize());
  // The channel name is echoed only when it is one (never arbitrary client text).
  send_event(connection, "pusher:subscription_error",
             valid_channel_name(channel) ? channel : std::string_view(), data);
}

void PusherProtocol::handle_subscribe(Connection& connection, const rapidjson::Value& data) {
  Client& client = *connection.client;
  const std::string_view channel = string_member(data, "channel");
  if (!valid_channel_name(channel)) {
    refuse_subscription(connection, channel, "InvalidChannel", 400,
                        "channel must be 1 to " + std::to_string(options_.max_channel_name) +
                            " characters of A-Z a-z 0-9 _ - = @ , . ;");
    return;
  }
  if (Room* room = dispatcher_.find_room(channel); room != nullptr && room->contains(client)) {
    // Subscribing twice changes nothing; the client still gets its answer.
    if (is_presence(channel))
      send_presence_succeeded(connection, *room);
    else
      send_event(connection, "pusher_internal:subscription_succeeded", channel, "{}");
    return;
  }
  std::string user_id;
  std::string user_info;
  if (needs_auth(channel)) {
    const std::string_view auth = string_member(data, "auth");
    const std::string_view channel_data = string_member(data, "channel_data");
    if (auth.data() == nullptr || (is_presence(channel) && channel_data.data() == nullptr) ||
        !verify_auth(auth, options_.key, options_.secret,
                     channel_string_to_sign(connection.socket_id, channel, channel_data))) {
      refuse_subscription(connection, channel, "AuthError", 401,
                          "Invalid signature for this socket and channel");
      send_error(connection, code::kUnauthorized,
                 "Invalid signature: subscription to the channel refused");
      return;
    }
    if (is_presence(channel)) {
      const rapidjson::Value* user = nullptr;
      if (inner_parser_.parse(channel_data) == JsonProblem::kNone &&
          inner_parser_.root().IsObject()) {
        user = member(inner_parser_.root(), "user_id");
      }
      if (user == nullptr || !user_id_text(*user, user_id)) {
        refuse_subscription(
            connection, channel, "InvalidChannelData", 400,
            "channel_data must be a JSON object with a user_id (a string or a number)");
        return;
      }
      if (const rapidjson::Value* info = member(inner_parser_.root(), "user_info");
          info != nullptr) {
        user_info = serialize(*info);
      }
      if (user_info.size() > options_.max_user_info) {
        refuse_subscription(connection, channel, "LimitReached", 413,
                            "user_info over " + std::to_string(options_.max_user_info) + " bytes");
        return;
      }
      const PresenceChannel* present = presence_.find(channel);
      if (present != nullptr && !present->contains(user_id) && options_.max_presence_members != 0 &&
          present->user_count() >= options_.max_presence_members) {
        refuse_subscription(connection, channel, "LimitReached", 403,
                            "presence channel is full (" +
                                std::to_string(options_.max_presence_members) + " members)");
        return;
      }
    }
  }
  const Status status = dispatcher_.join(client, channel);
  if (status != Status::kOk) {
    const bool limit = status == Status::kRoomFull || status == Status::kTooManyRooms;
    refuse_subscription(
        connection, channel, limit ? "LimitReached" : "SubscriptionRefused", limit ? 403 : 400,
        status == Status::kRoomFull        ? "the channel is full"
        : status == Status::kTooManyRooms  ? "subscribed to the most channels one connection may"
        : status == Status::kRoomsDisabled ? "rooms are disabled on this server"
                                           : "the channel cannot be subscribed");
    return;
  }
  stats_.subscriptions += 1;
  Room& room = *dispatcher_.find_room(channel);
  if (!is_presence(channel)) {
    send_event(connection, "pusher_internal:subscription_succeeded", channel, "{}");
  } else {
    PresenceChannel& present = presence_.channel(channel);
    const bool first = present.add(user_id, user_info);
    connection.presence_user[std::string(channel)] = user_id;
    send_presence_succeeded(connection, room);
    if (first) {
      inner_buffer_.Clear();
      Writer w(inner_buffer_);
      w.StartObject();
      w.Key("user_id");
      put(w, user_id);
      w.Key("user_info");
      if (user_info.empty())
        w.Null();
      else
        w.RawValue(user_info.data(), user_info.size(), rapidjson::kObjectType);
      w.EndObject();
      const std::string_view added =
          write_event("pusher_internal:member_added", channel,
                      std::string_view(inner_buffer_.GetString(), inner_buffer_.GetSize()));
      dispatcher_.send_to_room(room, added, &client, kPusherFrontEnd);
      if (webhooks_ != nullptr) webhooks_->member_added(channel, user_id);
    }
  }
  if (is_cache(channel)) replay_cache(connection, channel);
}

void PusherProtocol::send_presence_succeeded(Connection& connection, const Room& room) {
  const PresenceChannel& present = presence_.channel(room.name());
  inner_buffer_.Clear();
  Writer w(inner_buffer_);
  w.StartObject();
  w.Key("presence");
  w.StartObject();
  w.Key("count");
  w.Uint64(present.user_count());
  w.Key("ids");
  w.StartArray();
  for (const auto& [id, m] : present.members()) put(w, id);
  w.EndArray();
  w.Key("hash");
  w.StartObject();
  for (const auto& [id, m] : present.members()) {
    w.Key(id.data(), static_cast<rapidjson::SizeType>(id.size()));
    if (m.user_info.empty())
      w.Null();
    else
      w.RawValue(m.user_info.data(), m.user_info.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  w.EndObject();
  w.EndObject();
  send_event(connection, "pusher_internal:subscription_succeeded", room.name(),
             std::string_view(inner_buffer_.GetString(), inner_buffer_.GetSize()));
}

void PusherProtocol::replay_cache(Connection& connection, std::string_view channel) {
  auto it = cache_.find(std::string(channel));
  if (it == cache_.end()) {
    send_event(connection, "pusher:cache_miss", channel, "{}");
  } else {
    send_event(connection, it->second.event, channel, it->second.data);
  }
}

void PusherProtocol::handle_unsubscribe(Connection& connection, const rapidjson::Value& data) {
  const std::string_view channel = string_member(data, "channel");
  if (channel.data() == nullptr) {
    send_error(connection, -1, "pusher:unsubscribe needs data.channel");
    return;
  }
  // Unsubscribing from a channel one is not in is a no-op, as with Pusher.
  if (valid_channel_name(channel)) dispatcher_.leave(*connection.client, channel);
}

void PusherProtocol::handle_client_event(Connection& connection, std::string_view event,
                                         std::string_view channel, const rapidjson::Value* data) {
  if (!options_.client_events) {
    send_error(connection, -1, "client events are disabled on this server");
    return;
  }
  if (!needs_auth(channel)) {
    send_error(connection, -1, "client events are only supported on private and presence channels");
    return;
  }
  Room* room = dispatcher_.find_room(channel);
  if (room == nullptr || !room->contains(*connection.client)) {
    send_error(connection, -1, "subscribe to the channel before sending client events on it");
    return;
  }
  if (event.size() > options_.max_channel_name) {
    send_error(connection, -1, "event name too long");
    return;
  }
  if (options_.client_event_rate != 0) {
    const RateDecision decision =
        connection.client_event_rate.on_message(client_event_policy_, host_.monotonic_ms());
    if (decision != RateDecision::kAllow) {
      send_error(connection, code::kClientEventRateLimit,
                 "Client event rate limit exceeded (at most " +
                     std::to_string(options_.client_event_rate) +
                     " a second): the event was not sent");
      return;
    }
  }
  std::string text;
  if (data != nullptr) text = data->IsString() ? std::string(view_of(*data)) : serialize(*data);
  if (text.size() > options_.max_event_data) {
    send_error(connection, -1,
               "event data over " + std::to_string(options_.max_event_data) + " bytes");
    return;
  }
  stats_.client_events += 1;
  const RoomEvent room_event{*room,
                             event,
                             nullptr,
                             text,
                             connection.socket_id,
                             room->next_sequence(),
                             host_.wall_clock_ms(),
                             connection.client};
  dispatcher_.publish(room_event, connection.client);
  if (webhooks_ != nullptr) {
    auto user = connection.presence_user.find(std::string(channel));
    webhooks_->client_event(
        channel, event, text, connection.socket_id,
        user == connection.presence_user.end() ? std::string_view() : user->second);
  }
}

void PusherProtocol::handle_signin(Connection& connection, const rapidjson::Value& data) {
  const std::string_view auth = string_member(data, "auth");
  const std::string_view user_data = string_member(data, "user_data");
  if (auth.data() == nullptr || user_data.data() == nullptr ||
      !verify_auth(auth, options_.key, options_.secret,
                   std::string(connection.socket_id) + "::user::" + std::string(user_data))) {
    close_with(connection, code::kUnauthorized, "Invalid signature for pusher:signin");
    return;
  }
  std::string id;
  const rapidjson::Value* id_value = nullptr;
  if (inner_parser_.parse(user_data) == JsonProblem::kNone && inner_parser_.root().IsObject()) {
    id_value = member(inner_parser_.root(), "id");
  }
  if (id_value == nullptr || !user_id_text(*id_value, id)) {
    close_with(connection, code::kUnauthorized, "user_data must be a JSON object with an id");
    return;
  }
  connection.signed_in_user = id;
  inner_buffer_.Clear();
  Writer w(inner_buffer_);
  w.StartObject();
  w.Key("user_data");
  put(w, user_data);
  w.EndObject();
  send_event(connection, "pusher:signin_success", {},
             std::string_view(inner_buffer_.GetString(), inner_buffer_.GetSize()));
}

size_t PusherProtocol::terminate_user(std::string_view user_id) {
  size_t closed = 0;
  for (auto& [client, connection] : connections_) {
    if (client->peer->is_closing()) continue;
    bool match = connection->signed_in_user == user_id;
    for (const auto& [channel, user] : connection->presence_user) match |= user == user_id;
    if (!match) continue;
    close_with(*connection, code::kUnauthorized, "Connection terminated by the server");
    ++closed;
  }
  return closed;
}

size_t PusherProtocol::trigger(std::string_view channel, std::string_view name,
                               std::string_view data, std::string_view except_socket_id) {
  stats_.api_events += 1;
  if (is_cache(channel))
    cache_[std::string(channel)] = CachedEvent{std::string(name), std::string(data)};
  Room* room = dispatcher_.find_room(channel);
  if (room == nullptr) return 0;
  const Client* except = nullptr;
  if (!except_socket_id.empty()) {
    auto it = by_socket_id_.find(std::string(except_socket_id));
    if (it != by_socket_id_.end()) except = it->second;
  }
  const RoomEvent event{
      *room, name, nullptr, data, "server", room->next_sequence(), host_.wall_clock_ms(), nullptr};
  return dispatcher_.publish(event, except);
}

// ---- dispatcher callbacks ---------------------------------------------------------------------

void PusherProtocol::on_joined(Client&, Room& room) {
  if (room.size() == 1 && webhooks_ != nullptr) webhooks_->channel_occupied(room.name());
}

void PusherProtocol::on_left(Client& client, Room& room, LeaveCause) {
  if (client.front_end == kPusherFrontEnd) {
    if (Connection* connection = connection_of(client); connection != nullptr) {
      auto it = connection->presence_user.find(room.name());
      if (it != connection->presence_user.end()) {
        const std::string user_id = std::move(it->second);
        connection->presence_user.erase(it);
        if (presence_.channel(room.name()).remove(user_id)) {
          inner_buffer_.Clear();
          Writer w(inner_buffer_);
          w.StartObject();
          w.Key("user_id");
          put(w, user_id);
          w.EndObject();
          dispatcher_.send_to_room(
              room,
              write_event("pusher_internal:member_removed", room.name(),
                          std::string_view(inner_buffer_.GetString(), inner_buffer_.GetSize())),
              &client, kPusherFrontEnd);
          if (webhooks_ != nullptr) webhooks_->member_removed(room.name(), user_id);
        }
        presence_.remove_if_empty(room.name());
      }
    }
  }
  if (room.size() == 0 && webhooks_ != nullptr) webhooks_->channel_vacated(room.name());
}

void PusherProtocol::on_tick(int64_t now_ms) {
  const int64_t activity_ms = options_.activity_timeout_s * 1000;
  const int64_t pong_ms = options_.pong_timeout_s * 1000;
  for (auto& [client, connection] : connections_) {
    if (client->peer->is_closing()) continue;
    if (connection->ping_sent_ms == 0) {
      if (now_ms - connection->last_seen_ms >= activity_ms) {
        connection->ping_sent_ms = now_ms;
        send_event(*connection, "pusher:ping", {}, "{}");
      }
    } else if (now_ms - connection->ping_sent_ms >= pong_ms) {
      close_with(*connection, code::kPongNotReceived,
                 "Pong reply not received: closing inactive connection");
    }
  }
}

std::string_view PusherProtocol::encode(const RoomEvent& event) {
  std::string serialized;
  std::string_view data = event.text;
  if (event.message != nullptr) {
    // A JSON value from the JSON protocol or /api/publish: a string travels as its contents,
    // anything else as its JSON text (what a Pusher server SDK would have sent).
    if (event.message->IsString()) {
      data = view_of(*event.message);
    } else {
      serialized = serialize(*event.message);
      data = serialized;
    }
  }
  const std::string_view name =
      event.event.empty() ? std::string_view("room_message") : event.event;
  if (is_cache(event.room.name()) && event.origin != nullptr) {
    cache_[event.room.name()] = CachedEvent{std::string(name), std::string(data)};
  }
  std::string_view user_id;
  if (event.origin != nullptr && event.origin->front_end == kPusherFrontEnd &&
      is_presence(event.room.name())) {
    if (Connection* origin = connection_of(*event.origin); origin != nullptr) {
      auto it = origin->presence_user.find(event.room.name());
      if (it != origin->presence_user.end()) user_id = it->second;
    }
  }
  return write_event(name, event.room.name(), data, user_id);
}

// ---- writing ----------------------------------------------------------------------------------

std::string_view PusherProtocol::write_event(std::string_view event, std::string_view channel,
                                             std::string_view data, std::string_view user_id) {
  buffer_.Clear();
  Writer w(buffer_);
  w.StartObject();
  w.Key("event");
  put(w, event);
  if (!channel.empty()) {
    w.Key("channel");
    put(w, channel);
  }
  // Pusher's framing: `data` is itself JSON, sent as a string.
  w.Key("data");
  put(w, data);
  if (!user_id.empty()) {
    w.Key("user_id");
    put(w, user_id);
  }
  w.EndObject();
  return {buffer_.GetString(), buffer_.GetSize()};
}

void PusherProtocol::send_event(Connection& connection, std::string_view event,
                                std::string_view channel, std::string_view data) {
  dispatcher_.send(*connection.client, write_event(event, channel, data));
}

void PusherProtocol::send_error(Connection& connection, int error_code, std::string_view message) {
  stats_.errors += 1;
  // pusher:error's data is an object, not a string (pusher-js reads data.code).
  buffer_.Clear();
  Writer w(buffer_);
  w.StartObject();
  w.Key("event");
  w.String("pusher:error");
  w.Key("data");
  w.StartObject();
  w.Key("code");
  if (error_code < 0)
    w.Null();
  else
    w.Int(error_code);
  w.Key("message");
  put(w, message);
  w.EndObject();
  w.EndObject();
  dispatcher_.send(*connection.client, std::string_view(buffer_.GetString(), buffer_.GetSize()));
}

void PusherProtocol::close_with(Connection& connection, uint16_t close_code,
                                std::string_view message) {
  send_error(connection, close_code, message);
  // A close reason is at most 123 bytes (RFC 6455 §5.5); ours are short, cut to be sure.
  connection.client->peer->close(close_code, message.substr(0, 120));
}

std::string PusherProtocol::serialize(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  value.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace wsrelay::app::pusher
