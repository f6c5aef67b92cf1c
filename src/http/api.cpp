#include "http/api.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "app/names.hpp"
#include "http/json_text.hpp"
#include "http/response.hpp"
#include "http/url.hpp"
#include "log/logger.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::http {
namespace {

using Writer = JsonWriter;

// The API's bodies are capped by the server (max_http_body, 413); the parser's own size cap
// only has to be at least that.
constexpr size_t kParserSizeCap = size_t{1} << 30;

std::string quoted(std::string_view text) { return "'" + std::string(text) + "'"; }


// "application/json", optionally with parameters ("; charset=utf-8"); the media type is
// case-insensitive (RFC 9110 §8.3.1).
bool is_json_media_type(std::string_view content_type) {
  return ws::equals_ignore_case(trim_whitespace(content_type.substr(0, content_type.find(';'))), "application/json");
}

// The first member called `name` (JSON allows duplicates; the first wins, as in the protocol).
const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  for (const auto& item : object.GetObject()) {
    if (std::string_view(item.name.GetString(), item.name.GetStringLength()) == name) return &item.value;
  }
  return nullptr;
}

bool require_value(const rapidjson::Value& body, std::string_view name, const rapidjson::Value** out,
                   server::HttpResponse& response) {
  *out = member(body, name);
  if (*out != nullptr) return true;
  set_error(response, 400, error_code::kMissingField, quoted(name) + " is required", name);
  return false;
}

bool require_string(const rapidjson::Value& body, std::string_view name, std::string_view* out,
                    server::HttpResponse& response) {
  const rapidjson::Value* value = nullptr;
  if (!require_value(body, name, &value, response)) return false;
  if (!value->IsString()) {
    set_error(response, 400, error_code::kInvalidField, quoted(name) + " must be a string", name);
    return false;
  }
  *out = std::string_view(value->GetString(), value->GetStringLength());
  return true;
}

bool valid_name(std::string_view field, std::string_view name, size_t max_length, server::HttpResponse& response) {
  const app::NameProblem problem = app::check_name(name, max_length);
  if (problem == app::NameProblem::kNone) return true;
  std::string message = quoted(field) + ": " + std::string(app::describe(problem));
  if (problem == app::NameProblem::kTooLong) message += " (at most " + std::to_string(max_length) + " bytes)";
  set_error(response, 400, error_code::kInvalidName, message, field);
  return false;
}

}  // namespace

// ---- the key ------------------------------------------------------------------------------------

ApiKey::ApiKey(std::string_view key) : enabled_(!key.empty()), digest_(sha256(key)) {}

bool ApiKey::authorizes(std::string_view authorization) const {
  if (!enabled_) return false;
  authorization = trim_whitespace(authorization);
  // credentials = auth-scheme 1*SP token68 (RFC 9110 §11.4, RFC 6750 §2.1).
  constexpr std::string_view kScheme = "Bearer";
  if (authorization.size() <= kScheme.size() ||
      !ws::equals_ignore_case(authorization.substr(0, kScheme.size()), kScheme) ||
      authorization[kScheme.size()] != ' ') {
    return false;
  }
  const std::string_view presented = trim_whitespace(authorization.substr(kScheme.size()));
  // Digests of equal length are compared in constant time: how long the presented key is, and
  // how much of it is right, are both invisible to a timing attacker.
  return equal_constant_time(sha256(presented), digest_);
}

// ---- routes -------------------------------------------------------------------------------------

BackendApi::BackendApi(Relay& relay, std::string_view api_key, const ApiLimits& limits)
    : relay_(relay), key_(api_key), limits_(limits), parser_(kParserSizeCap, limits.max_json_depth) {}

void BackendApi::add_routes(Router& router) {
  if (!key_.enabled()) return;  // the API is off: /api/... is 404 like any unknown path
  auto post_route = [this](Operation operation) {
    return [this, operation](const Request& request, server::HttpResponse& response) {
      post(request, response, operation);
    };
  };
  router.add("POST", "/api/signal", post_route(&BackendApi::signal));
  router.add("POST", "/api/publish", post_route(&BackendApi::publish));
  router.add("POST", "/api/broadcast", post_route(&BackendApi::broadcast));
  router.add("POST", "/api/send", post_route(&BackendApi::send));
  router.add("GET", "/api/rooms", [this](const Request& request, server::HttpResponse& response) {
    if (authorized(request, response)) list_rooms(request, response);
  });
  router.add("GET", "/api/rooms/{room}", [this](const Request& request, server::HttpResponse& response) {
    if (authorized(request, response)) show_room(request, response);
  });
}

bool BackendApi::authorized(const Request& request, server::HttpResponse& response) {
  const std::string_view authorization = request.http.header("Authorization");
  if (key_.authorizes(authorization)) return true;
  const bool presented = authorization.data() != nullptr;
  // RFC 6750 §3: a request without credentials gets the bare challenge; one with a wrong
  // credential is told error="invalid_token". The log names the path, never the credential.
  log::info("api: 401 for ", request.http.method, ' ', target_path(request.http.target),
            presented ? " (wrong key)" : " (no Authorization header)");
  set_error(response, 401, error_code::kUnauthorized,
            presented ? "the API key is wrong" : "send Authorization: Bearer <api_key>");
  response.headers.emplace_back("WWW-Authenticate", presented ? "Bearer realm=\"wsrelay\", error=\"invalid_token\""
                                                              : "Bearer realm=\"wsrelay\"");
  return false;
}

void BackendApi::post(const Request& request, server::HttpResponse& response, Operation operation) {
  if (!authorized(request, response)) return;
  if (!is_json_media_type(request.http.header("Content-Type"))) {
    set_error(response, 415, error_code::kUnsupportedMediaType, "send the body as Content-Type: application/json");
    response.headers.emplace_back("Accept-Post", "application/json");  // RFC 9110 §15.5.16
    return;
  }
  switch (parser_.parse(request.body)) {
    case app::JsonProblem::kNone:
      break;
    case app::JsonProblem::kTooDeep:
      set_error(response, 400, error_code::kJsonTooDeep,
                "JSON nested deeper than " + std::to_string(limits_.max_json_depth) + " levels");
      return;
    case app::JsonProblem::kTooLarge:  // unreachable below the server's body cap; same answer
    case app::JsonProblem::kInvalid:
      set_error(response, 400, error_code::kInvalidJson,
                request.body.empty() ? std::string("the body is empty") : "the body is not JSON: " + parser_.error());
      return;
  }
  const rapidjson::Value& body = parser_.root();
  if (!body.IsObject()) {
    set_error(response, 400, error_code::kInvalidBody, "the body must be a JSON object");
    return;
  }
  (this->*operation)(body, response);
}

// ---- operations ---------------------------------------------------------------------------------

void BackendApi::signal(const rapidjson::Value& body, server::HttpResponse& response) {
  std::string_view name;
  if (!require_string(body, "name", &name, response) ||
      !valid_name("name", name, limits_.max_name_length, response)) {
    return;
  }
  std::string_view room;
  if (const rapidjson::Value* value = member(body, "room"); value != nullptr && !value->IsNull()) {
    if (!value->IsString()) {
      set_error(response, 400, error_code::kInvalidField, "'room' must be a string or null", "room");
      return;
    }
    room = std::string_view(value->GetString(), value->GetStringLength());
    if (!valid_name("room", room, limits_.max_name_length, response)) return;
  }
  answer(relay_.signal(name, member(body, "data"), room), response);
}

void BackendApi::publish(const rapidjson::Value& body, server::HttpResponse& response) {
  std::string_view room;
  const rapidjson::Value* message = nullptr;
  if (!require_string(body, "room", &room, response) || !valid_name("room", room, limits_.max_name_length, response) ||
      !require_value(body, "message", &message, response)) {
    return;
  }
  answer(relay_.publish(room, *message), response);
}

void BackendApi::broadcast(const rapidjson::Value& body, server::HttpResponse& response) {
  const rapidjson::Value* message = nullptr;
  if (!require_value(body, "message", &message, response)) return;
  answer(relay_.broadcast(*message), response);
}

void BackendApi::send(const rapidjson::Value& body, server::HttpResponse& response) {
  std::string_view client_id;
  const rapidjson::Value* message = nullptr;
  if (!require_string(body, "client_id", &client_id, response) || !require_value(body, "message", &message, response)) {
    return;
  }
  answer(relay_.send(client_id, *message), response);
}

void BackendApi::answer(const Delivery& delivery, server::HttpResponse& response) {
  switch (delivery.status) {
    case app::Status::kOk:
    case app::Status::kAlready: {
      rapidjson::StringBuffer buffer;
      Writer writer(buffer);
      writer.StartObject();
      write_key(writer, "delivered");
      writer.Uint64(delivery.delivered);
      writer.EndObject();
      set_json(response, 200, text_of(buffer));
      return;
    }
    case app::Status::kInvalidName:
      set_error(response, 400, error_code::kInvalidName, "invalid room or signal name");
      return;
    case app::Status::kRoomsDisabled:
      set_error(response, 409, error_code::kRoomsDisabled, "rooms are disabled on this server", "room");
      return;
    case app::Status::kUnknownClient:
      set_error(response, 404, error_code::kUnknownClient, "no connected client has that id", "client_id");
      return;
    case app::Status::kNotInRoom:
    case app::Status::kRoomFull:
    case app::Status::kForbidden:
    case app::Status::kTooManyRooms:
    case app::Status::kTooManySignals:
      break;  // membership answers; no delivery from the backend produces them
  }
  set_error(response, 500, error_code::kInternal, "the delivery failed");
}

void BackendApi::list_rooms(const Request&, server::HttpResponse& response) {
  const std::vector<app::RoomSnapshot> rooms = relay_.rooms();
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_key(writer, "rooms");
  writer.StartArray();
  for (const app::RoomSnapshot& room : rooms) {
    writer.StartObject();
    write_room_fields(writer, room);
    writer.EndObject();
  }
  writer.EndArray();
  write_key(writer, "count");
  writer.Uint64(rooms.size());
  writer.EndObject();
  set_json(response, 200, text_of(buffer));
}

void BackendApi::show_room(const Request& request, server::HttpResponse& response) {
  RoomDetail detail;
  if (!relay_.room(request.param, limits_.room_member_limit, detail)) {
    set_error(response, 404, error_code::kRoomNotFound, "no room " + quoted(request.param));
    return;
  }
  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  write_room_fields(writer, detail.summary);
  write_key(writer, "clients");
  writer.StartArray();
  for (const std::string& id : detail.clients) write_string(writer, id);
  writer.EndArray();
  write_key(writer, "clients_truncated");
  writer.Bool(detail.clients.size() < detail.summary.members);
  writer.EndObject();
  set_json(response, 200, text_of(buffer));
}

}  // namespace wsrelay::http
