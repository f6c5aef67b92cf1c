#include "app/json_protocol.hpp"

#include <algorithm>
#include <vector>

#include "app/activity_log.hpp"
#include "app/json_errors.hpp"
#include "app/json_events.hpp"
#include "app/names.hpp"

namespace wsrelay::app {
namespace {

std::string_view view_of(const rapidjson::Value& string) {
  return {string.GetString(), string.GetStringLength()};
}

// The first member called `name` (JSON allows duplicates; like RapidJSON, the first one wins).
const rapidjson::Value* find_member(const rapidjson::Value& object, std::string_view name) {
  for (const auto& member : object.GetObject()) {
    if (view_of(member.name) == name) return &member.value;
  }
  return nullptr;
}

// An id comes back in the ack/error as the same value (a number as the same number, written the
// shortest way: 6.0e100 returns as 6e100), so it must be small and plain: a short string or a number.
bool is_valid_id(const rapidjson::Value& id) {
  if (id.IsNumber()) return true;
  return id.IsString() && id.GetStringLength() <= JsonProtocol::kMaxIdLength;
}

std::string quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace

const std::array<JsonProtocol::BuiltinEvent, JsonProtocol::kBuiltinCount> JsonProtocol::kBuiltinEvents = {{
    {"message", &JsonProtocol::handle_message},
    {"broadcast", &JsonProtocol::handle_broadcast},
    {"join_room", &JsonProtocol::handle_join},
    {"subscribe", &JsonProtocol::handle_join},
    {"leave_room", &JsonProtocol::handle_leave},
    {"unsubscribe", &JsonProtocol::handle_leave},
    {"room_message", &JsonProtocol::handle_room_message},
    {"publish", &JsonProtocol::handle_room_message},
    {"signal", &JsonProtocol::handle_signal},
    {"listen", &JsonProtocol::handle_listen},
    {"unlisten", &JsonProtocol::handle_unlisten},
    {"send", &JsonProtocol::handle_send},
    {"rooms", &JsonProtocol::handle_rooms},
    {"ping", &JsonProtocol::handle_ping},
    {"auth", &JsonProtocol::handle_auth},
}};

JsonProtocol::JsonProtocol(Host& host, AppOptions options, RandomSource random)
    : host_(host),
      dispatcher_(host, std::move(options), std::move(random)),
      authenticator_(dispatcher_.options().auth),
      parser_(dispatcher_.options().max_json_size, dispatcher_.options().max_json_depth),
      data_parser_(dispatcher_.options().max_json_size, dispatcher_.options().max_json_depth) {
  dispatcher_.set_observer(this);
  dispatcher_.set_front_end(kJsonFrontEnd, this);
  // Private rooms need a token's consent; without auth nobody has one, so they refuse everyone.
  dispatcher_.set_room_authorizer(&Authenticator::may_join);
  if (authenticator_.enabled()) host_.set_tick_listener(this);
}

JsonProtocol::~JsonProtocol() {
  if (authenticator_.enabled()) host_.set_tick_listener(nullptr);
}

// ---- Application ------------------------------------------------------------------------------
// on_open is in json_protocol_security.cpp, with authentication.

void JsonProtocol::on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) {
  Client* client = peer.client;
  if (client == nullptr || peer.is_closing()) return;  // not (or no longer) ours
  dispatcher_.note_received(*client, payload.size());
  // Every message spends its budget, whatever it holds: garbage must not be a free way to flood.
  if (!within_rate(*client)) return;
  if (kind == PayloadKind::kBinary) {
    send_error(*client, json_error::kBinaryNotSupported,
               "binary messages are not supported; send JSON text");
    return;
  }
  handle(*client, std::string_view(reinterpret_cast<const char*>(payload.data()), payload.size()));
}

void JsonProtocol::on_close(Peer& peer, uint16_t code, std::string_view reason) {
  (void)code;
  (void)reason;
  if (peer.client == nullptr) return;
  authenticator_.forget(*peer.client);
  dispatcher_.disconnect(*peer.client);
}

void JsonProtocol::on_protocol_error(Peer& peer, uint16_t code, std::string_view reason) {
  // A client that sent too much learns it in the protocol it speaks, not only from a close code
  // its library may hide: the limit and the setting name are in `message`.
  if (peer.client == nullptr || peer.is_closing() || code != kMessageTooBig) return;
  send_error(*peer.client, json_error::kMessageTooBig, reason);
}

// ---- requests ---------------------------------------------------------------------------------

void JsonProtocol::handle(Client& client, std::string_view text) {
  request_text_ = text;  // for the activity log (debug); valid until handle() returns
  switch (parser_.parse(text)) {
    case JsonProblem::kNone: break;
    case JsonProblem::kTooLarge:
      send_error(client, json_error::kJsonTooLarge,
                 "message over " + std::to_string(dispatcher_.options().max_json_size) + " bytes");
      return;
    case JsonProblem::kTooDeep:
      send_error(client, json_error::kJsonTooDeep,
                 "JSON nested deeper than " + std::to_string(dispatcher_.options().max_json_depth) +
                     " levels");
      return;
    case JsonProblem::kInvalid:
      send_error(client, json_error::kInvalidJson, "not valid JSON: " + parser_.error());
      return;
  }
  const rapidjson::Value& body = parser_.root();
  if (!body.IsObject()) {
    send_error(client, json_error::kInvalidMessage, "a request must be a JSON object");
    return;
  }
  const rapidjson::Value* id = find_member(body, "id");
  if (id != nullptr && !is_valid_id(*id)) {
    send_error(client, json_error::kInvalidField,
               "id must be a number or a string of at most " + std::to_string(kMaxIdLength) +
                   " bytes",
               nullptr, "id");
    return;
  }
  // `type` is accepted as an alias of `event` because existing clients send it.
  const rapidjson::Value* name = find_member(body, "event");
  std::string_view name_field = "event";
  if (name == nullptr) {
    name = find_member(body, "type");
    name_field = "type";
  }
  if (name == nullptr) {
    send_error(client, json_error::kMissingField, "missing field \"event\"", id, "event");
    return;
  }
  if (!name->IsString()) {
    send_error(client, json_error::kInvalidField, quoted(name_field) + " must be a string", id,
               name_field);
    return;
  }
  Request request{client, body, view_of(*name), id};
  Outcome outcome = dispatch(request);
  if (!outcome.code.empty()) send_error(client, outcome.code, outcome.message, id, outcome.field);
}

JsonProtocol::Outcome JsonProtocol::dispatch(const Request& request) {
  // Until it has authenticated, a client may do nothing but authenticate (docs/security.md).
  if (request.client.awaiting_auth && request.event != "auth") {
    return {json_error::kAuthRequired,
            "authenticate first: send {\"event\":\"auth\",\"token\":\"<token>\"}", {}};
  }
  Outcome outcome;
  auto builtin = std::find_if(kBuiltinEvents.begin(), kBuiltinEvents.end(),
                              [&](const BuiltinEvent& e) { return e.name == request.event; });
  if (builtin != kBuiltinEvents.end()) {
    builtin_counts_[static_cast<size_t>(builtin - kBuiltinEvents.begin())] += 1;
    outcome = (this->*builtin->handler)(request);
  } else if (auto custom = custom_events_.find(request.event); custom != custom_events_.end()) {
    outcome = run_custom(request, custom->second);
  } else {
    // Names are echoed only when short: the reply must stay small whatever was sent.
    std::string message = "unknown event";
    if (request.event.size() <= dispatcher_.options().max_name_length) {
      message += " " + quoted(request.event);
    }
    outcome = {json_error::kUnknownEvent, std::move(message), {}};
  }
  return outcome;
}

JsonProtocol::Outcome JsonProtocol::run_custom(const Request& request, CustomEntry& entry) {
  entry.count += 1;
  CustomEvent event{request.client, request.event, request.body, {}, {}};
  // The handler may use writer_ and send; the request's DOM stays valid (parser_ is untouched).
  entry.handler(event);
  if (!event.error_code.empty()) {
    // Sent here rather than returned: an Outcome's code must outlive `event`.
    send_error(request.client, event.error_code, event.error_message, request.id);
    return Outcome::ok();
  }
  if (begin_ack(request)) finish_ack(request);
  return Outcome::ok();
}

bool JsonProtocol::on_event(std::string_view name, EventHandler handler) {
  if (name.empty() || !handler) return false;
  for (const BuiltinEvent& builtin : kBuiltinEvents) {
    if (builtin.name == name) return false;
  }
  auto it = custom_events_.find(name);
  if (it == custom_events_.end()) {
    custom_events_.emplace(std::string(name), CustomEntry{std::move(handler), 0});
  } else {
    it->second.handler = std::move(handler);
  }
  return true;
}

// ---- built-in events --------------------------------------------------------------------------

// message {message} -> the sender gets echo {original_message, timestamp}.
JsonProtocol::Outcome JsonProtocol::handle_message(const Request& request) {
  const rapidjson::Value* message = nullptr;
  if (Outcome o = require_value(request, "message", {}, &message); !o.code.empty()) return o;
  writer_.begin("echo");
  writer_.field("original_message", *message);
  writer_.timestamp(now());
  dispatcher_.send(request.client, writer_.finish());
  if (begin_ack(request)) finish_ack(request);
  return Outcome::ok();
}

// broadcast {message} -> every other client gets broadcast {message, from, timestamp}.
JsonProtocol::Outcome JsonProtocol::handle_broadcast(const Request& request) {
  const rapidjson::Value* message = nullptr;
  if (Outcome o = require_value(request, "message", {}, &message); !o.code.empty()) return o;
  size_t recipients = dispatcher_.broadcast(
      json_events::broadcast(writer_, *message, request.client.id, now()), &request.client);
  activity::broadcast(request.client, logged_request(), recipients);
  if (begin_ack(request)) {
    writer_.field("recipients", recipients);
    finish_ack(request);
  }
  return Outcome::ok();
}

// join_room {room} / subscribe {channel}. The answers and notices are sent by on_joined.
JsonProtocol::Outcome JsonProtocol::handle_join(const Request& request) {
  if (!dispatcher_.options().rooms_enabled) return failure(Status::kRoomsDisabled, {});
  std::string_view room_name;
  if (Outcome o = require_name(request, "room", "channel", &room_name); !o.code.empty()) return o;
  Status status = dispatcher_.join(request.client, room_name);
  if (status != Status::kOk && status != Status::kAlready) return failure(status, room_name);
  Room& room = *dispatcher_.find_room(room_name);
  if (status == Status::kAlready) {
    // Joining twice changes nothing and tells nobody, but the client still gets its answer.
    writer_.begin("room_joined");
    write_room_summary(room, true);
    writer_.timestamp(now());
    dispatcher_.send(request.client, writer_.finish());
  }
  if (begin_ack(request)) {
    write_room_summary(room, true);
    finish_ack(request);
  }
  return Outcome::ok();
}

// leave_room {room} / unsubscribe {channel}. The answer and notices are sent by on_left.
JsonProtocol::Outcome JsonProtocol::handle_leave(const Request& request) {
  if (!dispatcher_.options().rooms_enabled) return failure(Status::kRoomsDisabled, {});
  std::string_view room_name;
  if (Outcome o = require_name(request, "room", "channel", &room_name); !o.code.empty()) return o;
  if (Status status = dispatcher_.leave(request.client, room_name); status != Status::kOk) {
    return failure(status, room_name);
  }
  if (begin_ack(request)) {
    writer_.field("room", room_name);  // a view into the request, still valid
    finish_ack(request);
  }
  return Outcome::ok();
}

// room_message {room, message} / publish {channel, data} -> the other members get
// room_message {room, message, from, seq, timestamp}.
JsonProtocol::Outcome JsonProtocol::handle_room_message(const Request& request) {
  if (!dispatcher_.options().rooms_enabled) return failure(Status::kRoomsDisabled, {});
  std::string_view room_name;
  if (Outcome o = require_name(request, "room", "channel", &room_name); !o.code.empty()) return o;
  const rapidjson::Value* message = nullptr;
  if (Outcome o = require_value(request, "message", "data", &message); !o.code.empty()) return o;
  Room* room = nullptr;
  if (Status status = dispatcher_.member_room(request.client, room_name, &room);
      status != Status::kOk) {
    return failure(status, room_name);
  }
  flush_notices(*room);  // members hear of a join before the newcomer's first message
  uint64_t seq = room->next_sequence();
  RoomEvent event{*room, {}, message, {}, request.client.id, seq, now(), &request.client};
  size_t recipients = dispatcher_.publish(event, &request.client);
  activity::room_message(request.client, *room, logged_request(), recipients);
  if (begin_ack(request)) {
    writer_.field("room", room->name());
    writer_.field("seq", seq);
    writer_.field("recipients", recipients);
    finish_ack(request);
  }
  return Outcome::ok();
}

// signal {name, data?, room?} -> every listener of `name` (within `room` when given), the
// sender included if it listens, gets signal {name, data, from, room?, timestamp}.
JsonProtocol::Outcome JsonProtocol::handle_signal(const Request& request) {
  std::string_view name;
  if (Outcome o = require_name(request, "name", {}, &name); !o.code.empty()) return o;
  const rapidjson::Value* data = find_member(request.body, "data");
  Room* room = nullptr;
  const rapidjson::Value* room_field = find_member(request.body, "room");
  if (room_field != nullptr && !room_field->IsNull()) {
    if (!dispatcher_.options().rooms_enabled) return failure(Status::kRoomsDisabled, {});
    std::string_view room_name;
    if (Outcome o = require_name(request, "room", {}, &room_name); !o.code.empty()) return o;
    // Only members may signal into a room, as only members may publish to it.
    if (Status status = dispatcher_.member_room(request.client, room_name, &room);
        status != Status::kOk) {
      return failure(status, room_name);
    }
  }
  size_t recipients = dispatcher_.send_signal(
      name, room, json_events::signal(writer_, name, data, request.client.id, room, now()), nullptr);
  activity::signal(request.client, name, room, logged_request(), recipients);
  if (begin_ack(request)) {
    writer_.field("recipients", recipients);
    finish_ack(request);
  }
  return Outcome::ok();
}

JsonProtocol::Outcome JsonProtocol::handle_listen(const Request& request) {
  std::string_view name;
  if (Outcome o = require_name(request, "name", {}, &name); !o.code.empty()) return o;
  Status status = dispatcher_.listen(request.client, name);
  if (status != Status::kOk && status != Status::kAlready) return failure(status, name);
  if (begin_ack(request)) {
    writer_.field("name", name);
    finish_ack(request);
  }
  return Outcome::ok();
}

JsonProtocol::Outcome JsonProtocol::handle_unlisten(const Request& request) {
  std::string_view name;
  if (Outcome o = require_name(request, "name", {}, &name); !o.code.empty()) return o;
  if (Status status = dispatcher_.unlisten(request.client, name); status != Status::kOk) {
    return failure(status, name);
  }
  if (begin_ack(request)) {
    writer_.field("name", name);
    finish_ack(request);
  }
  return Outcome::ok();
}

// send {to, message} -> the client `to` gets direct {message, from, timestamp}.
JsonProtocol::Outcome JsonProtocol::handle_send(const Request& request) {
  std::string_view to;
  if (Outcome o = require_string(request, "to", {}, &to); !o.code.empty()) return o;
  const rapidjson::Value* message = nullptr;
  if (Outcome o = require_value(request, "message", {}, &message); !o.code.empty()) return o;
  Client* target = dispatcher_.find_client(to);
  if (target == nullptr) return failure(Status::kUnknownClient, to);
  size_t recipients =
      dispatcher_.send(*target, json_events::direct(writer_, *message, request.client.id, now()));
  activity::direct(request.client, *target, logged_request(), recipients);
  if (begin_ack(request)) {
    writer_.field("recipients", recipients);
    finish_ack(request);
  }
  return Outcome::ok();
}

// rooms -> rooms {rooms: [...], timestamp}: the rooms this client is in, sorted by name.
JsonProtocol::Outcome JsonProtocol::handle_rooms(const Request& request) {
  if (!dispatcher_.options().rooms_enabled) return failure(Status::kRoomsDisabled, {});
  writer_.begin("rooms");
  write_room_names(request.client);
  writer_.timestamp(now());
  dispatcher_.send(request.client, writer_.finish());
  if (begin_ack(request)) {
    write_room_names(request.client);
    finish_ack(request);
  }
  return Outcome::ok();
}

// ping -> pong {timestamp}: an application-level keepalive for clients (browsers) that cannot
// send WebSocket pings.
JsonProtocol::Outcome JsonProtocol::handle_ping(const Request& request) {
  writer_.begin("pong");
  writer_.timestamp(now());
  dispatcher_.send(request.client, writer_.finish());
  if (begin_ack(request)) finish_ack(request);
  return Outcome::ok();
}

// ---- membership notices (DispatcherObserver) ----------------------------------------------------

void JsonProtocol::on_joined(Client& client, Room& room) {
  activity::joined(client, room);
  // Another front end's client gets its own answer; its room's JSON members still hear of it.
  if (client.front_end == kJsonFrontEnd) {
    writer_.begin("room_joined");
    write_room_summary(room, true);
    writer_.timestamp(now());
    dispatcher_.send(client, writer_.finish());
  }

  NoticeEntry entry{true, false, client.id, {}, {}};
  if (client.identity) {
    entry.user_id = client.identity->user_id;
    entry.user_info = client.identity->user_info;
  }
  add_notice(room, std::move(entry));
}

void JsonProtocol::on_left(Client& client, Room& room, LeaveCause cause) {
  activity::left(client, room, cause);
  if (cause == LeaveCause::kRequest && client.front_end == kJsonFrontEnd) {
    writer_.begin("room_left");
    write_room_summary(room, false);
    writer_.timestamp(now());
    dispatcher_.send(client, writer_.finish());
  }
  NoticeEntry entry{false, cause == LeaveCause::kDisconnect, client.id, {}, {}};
  if (client.identity) entry.user_id = client.identity->user_id;
  add_notice(room, std::move(entry));
}

// ---- room events from any front end (FrontEnd) -----------------------------------------------

// room_message {room, message, from, seq, timestamp, name?}. A Pusher event's string data that
// holds a JSON object or array (what every Pusher server SDK sends) arrives as that value; any
// other string arrives as a string. `name` is the Pusher event name, when there is one.
std::string_view JsonProtocol::encode(const RoomEvent& event) {
  EventWriter& w = room_event_writer_;
  w.begin("room_message");
  w.field("room", event.room.name());
  if (event.message != nullptr) {
    w.field("message", *event.message);
  } else {
    const bool structured = !event.text.empty() && (event.text.front() == '{' || event.text.front() == '[') &&
                            data_parser_.parse(event.text) == JsonProblem::kNone;
    if (structured) {
      w.field("message", data_parser_.root());
    } else {
      w.field("message", event.text);
    }
  }
  w.field("from", event.sender);
  w.field("seq", event.seq);
  if (!event.event.empty()) w.field("name", event.event);
  w.timestamp(event.timestamp_ms);
  return w.finish();
}

// ---- reading fields ---------------------------------------------------------------------------

// A required field of any JSON type, under `name` or else `alias`.
JsonProtocol::Outcome JsonProtocol::require_value(const Request& request, std::string_view name,
                                                  std::string_view alias,
                                                  const rapidjson::Value** out) {
  const rapidjson::Value* value = find_member(request.body, name);
  if (value == nullptr && !alias.empty()) value = find_member(request.body, alias);
  if (value == nullptr) return {json_error::kMissingField, "missing field " + quoted(name), name};
  *out = value;
  return Outcome::ok();
}

JsonProtocol::Outcome JsonProtocol::require_string(const Request& request, std::string_view name,
                                                   std::string_view alias, std::string_view* out) {
  const rapidjson::Value* value = nullptr;
  if (Outcome o = require_value(request, name, alias, &value); !o.code.empty()) return o;
  if (!value->IsString()) {
    return {json_error::kInvalidField, quoted(name) + " must be a string", name};
  }
  *out = view_of(*value);
  return Outcome::ok();
}

// A required room or signal name: a string that passes names.hpp.
JsonProtocol::Outcome JsonProtocol::require_name(const Request& request, std::string_view name,
                                                 std::string_view alias, std::string_view* out) {
  if (Outcome o = require_string(request, name, alias, out); !o.code.empty()) return o;
  size_t max_length = dispatcher_.options().max_name_length;
  NameProblem problem = check_name(*out, max_length);
  if (problem == NameProblem::kNone) return Outcome::ok();
  std::string message = quoted(name) + " " + std::string(describe(problem));
  if (problem == NameProblem::kTooLong) message += " (at most " + std::to_string(max_length) + " bytes)";
  return {json_error::kInvalidName, std::move(message), name};
}

JsonProtocol::Outcome JsonProtocol::failure(Status status, std::string_view subject) {
  switch (status) {
    case Status::kOk:
    case Status::kAlready: return Outcome::ok();
    case Status::kRoomsDisabled:
      return {json_error::kRoomsDisabled, "rooms are disabled on this server", {}};
    case Status::kInvalidName: return {json_error::kInvalidName, "invalid name", {}};
    case Status::kNotInRoom:
      return {json_error::kNotInRoom, "you are not in room " + quoted(subject), {}};
    case Status::kRoomFull: return {json_error::kRoomFull, "room " + quoted(subject) + " is full", {}};
    case Status::kForbidden:
      return {json_error::kForbidden, "you may not join room " + quoted(subject), {}};
    case Status::kTooManyRooms:
      return {json_error::kTooManyRooms,
              "already in " + std::to_string(dispatcher_.options().max_rooms_per_client) +
                  " rooms, the most one client may join",
              {}};
    case Status::kTooManySignals:
      return {json_error::kTooManySignals,
              "already listening to " + std::to_string(dispatcher_.options().max_signals_per_client) +
                  " signal names, the most one client may",
              {}};
    case Status::kUnknownClient:
      return {json_error::kUnknownClient, "no connected client has that id", "to"};
  }
  return {json_error::kInvalidMessage, "request failed", {}};
}

// ---- writing events ---------------------------------------------------------------------------

bool JsonProtocol::begin_ack(const Request& request) {
  if (request.id == nullptr) return false;
  writer_.begin("ack");
  writer_.field("id", *request.id);
  writer_.field("request", request.event);
  return true;
}

void JsonProtocol::finish_ack(const Request& request) {
  writer_.timestamp(now());
  dispatcher_.send(request.client, writer_.finish());
}

// room, member_count and, while the room is small enough, members (client ids).
void JsonProtocol::write_room_summary(const Room& room, bool with_members) {
  writer_.field("room", room.name());
  writer_.field("member_count", room.size());
  if (!with_members || room.size() > dispatcher_.options().member_list_limit) return;
  writer_.key("members");
  auto& json = writer_.writer();
  json.StartArray();
  for (const Client* member : room.members()) {
    json.String(member->id.data(), static_cast<rapidjson::SizeType>(member->id.size()));
  }
  json.EndArray();
}

void JsonProtocol::write_room_names(const Client& client) {
  std::vector<std::string_view> names;
  names.reserve(client.rooms.size());
  for (const Room* room : client.rooms) names.push_back(room->name());
  std::sort(names.begin(), names.end());
  writer_.key("rooms");
  auto& json = writer_.writer();
  json.StartArray();
  for (std::string_view name : names) {
    json.String(name.data(), static_cast<rapidjson::SizeType>(name.size()));
  }
  json.EndArray();
}

void JsonProtocol::send_error(Client& client, std::string_view code, std::string_view message,
                              const rapidjson::Value* id, std::string_view field) {
  count_error(code);
  activity::refused(client, code, message);
  writer_.begin("error");
  writer_.field("code", code);
  writer_.field("message", message);
  if (id != nullptr) writer_.field("id", *id);
  if (!field.empty()) writer_.field("field", field);
  writer_.timestamp(now());
  dispatcher_.send(client, writer_.finish());
}

activity::Message JsonProtocol::logged_request() const {
  return activity::Message{request_text_, dispatcher_.options().log_payloads};
}

void JsonProtocol::count_error(std::string_view code) {
  auto it = error_counts_.find(code);
  if (it == error_counts_.end()) it = error_counts_.emplace(std::string(code), 0).first;
  it->second += 1;
}

StatsSnapshot JsonProtocol::stats() const {
  StatsSnapshot stats = dispatcher_.snapshot();
  for (size_t i = 0; i < kBuiltinEvents.size(); ++i) {
    if (builtin_counts_[i] != 0) {
      stats.events.push_back({std::string(kBuiltinEvents[i].name), builtin_counts_[i]});
    }
  }
  for (const auto& [name, entry] : custom_events_) {
    if (entry.count != 0) stats.events.push_back({name, entry.count});
  }
  std::sort(stats.events.begin(), stats.events.end(),
            [](const NamedCount& a, const NamedCount& b) { return a.name < b.name; });
  for (const auto& [code, count] : error_counts_) stats.errors.push_back({code, count});
  for (size_t i = 0; i < close_counts_.size(); ++i) {
    stats.closes.push_back({std::string(kCloseDescriptions[i].stat_name), close_counts_[i]});
  }
  std::sort(stats.closes.begin(), stats.closes.end(),
            [](const NamedCount& a, const NamedCount& b) { return a.name < b.name; });
  return stats;
}

}  // namespace wsrelay::app
