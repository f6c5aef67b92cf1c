// Pusher's REST API; see pusher_api.hpp.
#include "http/pusher_api.hpp"

#include <algorithm>
#include <vector>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/pusher/signatures.hpp"
#include "common/percent_decode.hpp"
#include "http/response.hpp"

namespace wsrelay::http {
namespace {

namespace pusher = app::pusher;
using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

constexpr size_t kMaxChannels = 100;   // channels of one POST events
constexpr size_t kMaxBatch = 10;       // events of one POST batch_events
constexpr size_t kMaxEventName = 200;  // bytes of an event name
constexpr std::string_view kBadRequest = "bad_request";
constexpr std::string_view kTooLarge = "payload_too_large";

std::string_view view_of(const rapidjson::Value& string) {
  return {string.GetString(), string.GetStringLength()};
}

const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  for (const auto& m : object.GetObject()) {
    if (view_of(m.name) == name) return &m.value;
  }
  return nullptr;
}

void put(Writer& w, std::string_view text) {
  w.String(text.data(), static_cast<rapidjson::SizeType>(text.size()));
}

std::string finish(rapidjson::StringBuffer& buffer) {
  return std::string(buffer.GetString(), buffer.GetSize());
}

// One event to publish, validated.
struct EventRequest {
  std::vector<std::string_view> channels;
  std::string_view name;
  std::string_view data;
  std::string_view socket_id;
  std::string_view info;
};

}  // namespace

PusherApi::PusherApi(pusher::PusherProtocol& protocol, std::function<int64_t()> wall_clock_s,
                     size_t max_body, size_t max_json_depth)
    : pusher_(protocol),
      wall_clock_s_(std::move(wall_clock_s)),
      parser_(max_body, max_json_depth) {}

void PusherApi::handle(const ws::HttpRequest& request, std::string_view body,
                       server::HttpResponse& response) {
  const std::string_view path = request.path();
  std::string_view rest = path.substr(std::string_view("/apps/").size());
  const size_t slash = rest.find('/');
  const std::string_view app_id = rest.substr(0, slash);
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  const pusher::PusherOptions& options = pusher_.options();
  if (options.app_id.empty() || app_id != options.app_id) {
    set_error(response, 404, error_code::kNotFound, "unknown app id");
    return;
  }
  const pusher::RestAuthProblem problem = pusher::verify_rest_request(
      request.method, path, request.query(), body, options.key, options.secret, wall_clock_s_());
  if (problem != pusher::RestAuthProblem::kNone) {
    set_error(response, 401, error_code::kUnauthorized, pusher::describe(problem));
    return;
  }
  std::vector<std::string> segments;
  while (!rest.empty()) {
    const size_t next = rest.find('/');
    std::string segment;
    if (!common::percent_decode(rest.substr(0, next), segment)) {
      set_error(response, 400, error_code::kBadPath, "bad percent-encoding in the path");
      return;
    }
    segments.push_back(std::move(segment));
    rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
  }
  const std::string_view method = request.method;
  std::string query;
  {
    // info / filter_by_prefix as decoded values (the signature check already parsed them).
    std::vector<std::pair<std::string, std::string>> params;
    pusher::parse_query(request.query(), params);
    for (const auto& [key, value] : params) {
      if (key == "info") query = value;
    }
  }
  auto wrong_method = [&](std::string_view allowed) {
    response.headers.emplace_back("Allow", std::string(allowed));
    set_error(response, 405, error_code::kMethodNotAllowed, "use " + std::string(allowed));
  };
  const size_t n = segments.size();
  if (n == 1 && segments[0] == "events") {
    if (method != "POST") return wrong_method("POST");
    trigger(body, response);
  } else if (n == 1 && segments[0] == "batch_events") {
    if (method != "POST") return wrong_method("POST");
    batch(body, response);
  } else if (n == 1 && segments[0] == "channels") {
    if (method != "GET") return wrong_method("GET");
    channels(std::string(request.query()), response);
  } else if (n == 2 && segments[0] == "channels") {
    if (method != "GET") return wrong_method("GET");
    channel(segments[1], query, response);
  } else if (n == 3 && segments[0] == "channels" && segments[2] == "users") {
    if (method != "GET") return wrong_method("GET");
    users(segments[1], response);
  } else if (n == 3 && segments[0] == "users" && segments[2] == "terminate_connections") {
    if (method != "POST") return wrong_method("POST");
    terminate(segments[1], response);
  } else {
    set_error(response, 404, error_code::kNotFound, "no such Pusher API endpoint");
  }
}

bool PusherApi::parse_body(std::string_view body, server::HttpResponse& response) {
  if (parser_.parse(body) != app::JsonProblem::kNone) {
    set_error(response, 400, error_code::kInvalidJson, "the body is not valid JSON");
    return false;
  }
  if (!parser_.root().IsObject()) {
    set_error(response, 400, error_code::kInvalidBody, "the body must be a JSON object");
    return false;
  }
  return true;
}

bool PusherApi::parse_info(std::string_view text, Info& out) {
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string_view item = text.substr(0, comma);
    text.remove_prefix(comma == std::string_view::npos ? text.size() : comma + 1);
    if (item == "subscription_count")
      out.subscription_count = true;
    else if (item == "user_count")
      out.user_count = true;
    else if (!item.empty())
      return false;
  }
  return true;
}

// The counts `info` asks for, as members of the object `w` is writing (channels and channel
// answer with the same two fields).
template <typename JsonWriter>
void PusherApi::write_counts(JsonWriter& w, std::string_view name, const Info& info) const {
  if (info.subscription_count) {
    const app::Room* room = pusher_.dispatcher().find_room(name);
    w.Key("subscription_count");
    w.Uint64(room == nullptr ? 0 : room->size());
  }
  if (info.user_count) {
    const pusher::PresenceChannel* present = pusher_.presence(name);
    w.Key("user_count");
    w.Uint64(present == nullptr ? 0 : present->user_count());
  }
}

std::string PusherApi::channel_info(std::string_view name, const Info& info) const {
  if (!info.subscription_count && !info.user_count) return {};
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  write_counts(w, name, info);
  w.EndObject();
  return finish(buffer);
}

// Validates one event object (`events` body or a batch item) into `out`; false with the answer set.
static bool read_event(const rapidjson::Value& body, const app::pusher::PusherProtocol& protocol,
                       bool batch_item, EventRequest& out, server::HttpResponse& response) {
  const rapidjson::Value* name = member(body, "name");
  if (name == nullptr || !name->IsString() || name->GetStringLength() == 0 ||
      name->GetStringLength() > kMaxEventName) {
    set_error(response, 400, error_code::kInvalidField, "name must be a string of 1 to 200 bytes",
              "name");
    return false;
  }
  out.name = view_of(*name);
  const rapidjson::Value* data = member(body, "data");
  if (data == nullptr || !data->IsString()) {
    set_error(response, 400, error_code::kInvalidField,
              "data must be a string (JSON-encode objects)", "data");
    return false;
  }
  out.data = view_of(*data);
  if (out.data.size() > protocol.options().max_event_data) {
    set_error(response, 413, kTooLarge,
              "data over " + std::to_string(protocol.options().max_event_data) + " bytes", "data");
    return false;
  }
  out.channels.clear();
  if (const rapidjson::Value* channel = member(body, "channel"); channel != nullptr) {
    if (!channel->IsString()) {
      set_error(response, 400, error_code::kInvalidField, "channel must be a string", "channel");
      return false;
    }
    out.channels.push_back(view_of(*channel));
  }
  if (const rapidjson::Value* channels = member(body, "channels");
      channels != nullptr && !batch_item) {
    if (!channels->IsArray()) {
      set_error(response, 400, error_code::kInvalidField, "channels must be an array of strings",
                "channels");
      return false;
    }
    for (const auto& item : channels->GetArray()) {
      if (!item.IsString()) {
        set_error(response, 400, error_code::kInvalidField, "channels must be an array of strings",
                  "channels");
        return false;
      }
      out.channels.push_back(view_of(item));
    }
  }
  if (out.channels.empty() || out.channels.size() > kMaxChannels) {
    set_error(response, 400, kBadRequest, "an event goes to 1 to 100 channels", "channels");
    return false;
  }
  for (std::string_view channel : out.channels) {
    if (!protocol.valid_channel_name(channel)) {
      set_error(response, 400, error_code::kInvalidName, "invalid channel name", "channels");
      return false;
    }
  }
  out.socket_id = {};
  if (const rapidjson::Value* socket_id = member(body, "socket_id");
      socket_id != nullptr && !socket_id->IsNull()) {
    if (!socket_id->IsString() ||
        !app::pusher::PusherProtocol::valid_socket_id(view_of(*socket_id))) {
      set_error(response, 400, error_code::kInvalidField, "socket_id must look like 1234.5678",
                "socket_id");
      return false;
    }
    out.socket_id = view_of(*socket_id);
  }
  out.info = {};
  if (const rapidjson::Value* info = member(body, "info"); info != nullptr && !info->IsNull()) {
    if (!info->IsString()) {
      set_error(response, 400, error_code::kInvalidField, "info must be a string", "info");
      return false;
    }
    out.info = view_of(*info);
  }
  return true;
}

void PusherApi::trigger(std::string_view body, server::HttpResponse& response) {
  if (!parse_body(body, response)) return;
  EventRequest event;
  if (!read_event(parser_.root(), pusher_, false, event, response)) return;
  Info info;
  if (!parse_info(event.info, info)) {
    set_error(response, 400, error_code::kInvalidField,
              "info may list subscription_count and user_count", "info");
    return;
  }
  if (info.user_count) {
    for (std::string_view channel : event.channels) {
      if (!channel.starts_with("presence-")) {
        set_error(response, 400, kBadRequest, "user_count is only available for presence channels",
                  "info");
        return;
      }
    }
  }
  for (std::string_view channel : event.channels)
    pusher_.trigger(channel, event.name, event.data, event.socket_id);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (info.subscription_count || info.user_count) {
    w.Key("channels");
    w.StartObject();
    for (std::string_view channel : event.channels) {
      const std::string detail = channel_info(channel, info);
      w.Key(channel.data(), static_cast<rapidjson::SizeType>(channel.size()));
      w.RawValue(detail.data(), detail.size(), rapidjson::kObjectType);
    }
    w.EndObject();
  }
  w.EndObject();
  set_json(response, 200, finish(buffer));
}

void PusherApi::batch(std::string_view body, server::HttpResponse& response) {
  if (!parse_body(body, response)) return;
  const rapidjson::Value* items = member(parser_.root(), "batch");
  if (items == nullptr || !items->IsArray()) {
    set_error(response, 400, error_code::kInvalidField, "batch must be an array of events",
              "batch");
    return;
  }
  if (items->Size() == 0 || items->Size() > kMaxBatch) {
    set_error(response, 400, kBadRequest, "a batch holds 1 to 10 events", "batch");
    return;
  }
  // Validate everything first: a batch is published whole or not at all.
  std::vector<EventRequest> events(items->Size());
  std::vector<Info> infos(items->Size());
  bool any_info = false;
  for (rapidjson::SizeType i = 0; i < items->Size(); ++i) {
    const rapidjson::Value& item = (*items)[i];
    if (!item.IsObject()) {
      set_error(response, 400, error_code::kInvalidField, "each batch item must be an object",
                "batch");
      return;
    }
    if (!read_event(item, pusher_, true, events[i], response)) return;
    if (!parse_info(events[i].info, infos[i]) ||
        (infos[i].user_count && !events[i].channels[0].starts_with("presence-"))) {
      set_error(response, 400, error_code::kInvalidField, "bad info for this channel", "info");
      return;
    }
    any_info |= infos[i].subscription_count || infos[i].user_count;
  }
  for (const EventRequest& event : events) {
    pusher_.trigger(event.channels[0], event.name, event.data, event.socket_id);
  }
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  if (any_info) {
    w.Key("batch");
    w.StartArray();
    for (size_t i = 0; i < events.size(); ++i) {
      std::string detail = channel_info(events[i].channels[0], infos[i]);
      if (detail.empty()) detail = "{}";
      w.RawValue(detail.data(), detail.size(), rapidjson::kObjectType);
    }
    w.EndArray();
  }
  w.EndObject();
  set_json(response, 200, finish(buffer));
}

void PusherApi::channels(const std::string& raw_query, server::HttpResponse& response) {
  std::vector<std::pair<std::string, std::string>> params;
  pusher::parse_query(raw_query, params);
  const std::string* prefix_param = pusher::find_param(params, "filter_by_prefix");
  const std::string* info_param = pusher::find_param(params, "info");
  const std::string prefix = prefix_param != nullptr ? *prefix_param : std::string();
  Info info;
  if (info_param != nullptr && !parse_info(*info_param, info)) {
    set_error(response, 400, error_code::kInvalidField,
              "info may list subscription_count and user_count", "info");
    return;
  }
  if (info.user_count && !prefix.starts_with("presence-")) {
    set_error(response, 400, kBadRequest, "info=user_count needs filter_by_prefix=presence-",
              "info");
    return;
  }
  std::vector<std::string_view> names;
  pusher_.dispatcher().rooms().for_each([&](const app::Room& room) {
    if (room.size() > 0 && std::string_view(room.name()).starts_with(prefix))
      names.push_back(room.name());
  });
  std::sort(names.begin(), names.end());
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("channels");
  w.StartObject();
  for (std::string_view name : names) {
    w.Key(name.data(), static_cast<rapidjson::SizeType>(name.size()));
    std::string detail = channel_info(name, info);
    if (detail.empty()) detail = "{}";
    w.RawValue(detail.data(), detail.size(), rapidjson::kObjectType);
  }
  w.EndObject();
  w.EndObject();
  set_json(response, 200, finish(buffer));
}

void PusherApi::channel(std::string_view name, const std::string& query,
                        server::HttpResponse& response) {
  if (!pusher_.valid_channel_name(name)) {
    set_error(response, 400, error_code::kInvalidName, "invalid channel name");
    return;
  }
  Info info;
  if (!parse_info(query, info)) {
    set_error(response, 400, error_code::kInvalidField,
              "info may list subscription_count and user_count", "info");
    return;
  }
  if (info.user_count && !name.starts_with("presence-")) {
    set_error(response, 400, kBadRequest, "user_count is only available for presence channels",
              "info");
    return;
  }
  const app::Room* room = pusher_.dispatcher().find_room(name);
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("occupied");
  w.Bool(room != nullptr && room->size() > 0);
  write_counts(w, name, info);
  w.EndObject();
  set_json(response, 200, finish(buffer));
}

void PusherApi::users(std::string_view name, server::HttpResponse& response) {
  if (!pusher_.valid_channel_name(name) || !name.starts_with("presence-")) {
    set_error(response, 400, kBadRequest, "users are listed for presence channels only");
    return;
  }
  rapidjson::StringBuffer buffer;
  Writer w(buffer);
  w.StartObject();
  w.Key("users");
  w.StartArray();
  if (const pusher::PresenceChannel* present = pusher_.presence(name); present != nullptr) {
    for (const auto& [id, m] : present->members()) {
      w.StartObject();
      w.Key("id");
      put(w, id);
      w.EndObject();
    }
  }
  w.EndArray();
  w.EndObject();
  set_json(response, 200, finish(buffer));
}

void PusherApi::terminate(std::string_view user_id, server::HttpResponse& response) {
  if (user_id.empty()) {
    set_error(response, 400, kBadRequest, "empty user id");
    return;
  }
  pusher_.terminate_user(user_id);
  set_json(response, 200, "{}");
}

}  // namespace wsrelay::http
