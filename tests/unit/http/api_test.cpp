// The backend publish API with a fake Relay: authorization, content type, JSON validation, each
// operation's fields and answers, and the mapping of relay outcomes to HTTP statuses.
#include "http/api.hpp"

#include <doctest/doctest.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>
#include <vector>

#include "http_test_util.hpp"

using namespace wsrelay;
using namespace wsrelay::http;
using namespace wsrelay::http::testing;

namespace {

constexpr std::string_view kKey = "s3cret-key";

std::string serialize(const rapidjson::Value* value) {
  if (value == nullptr) return "<none>";
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value->Accept(writer);
  return buffer.GetString();
}

// Records each call as one line and answers with `next`.
class FakeRelay final : public Relay {
 public:
  Delivery signal(std::string_view name, const rapidjson::Value* data, std::string_view room) override {
    calls.push_back("signal " + std::string(name) + " " + serialize(data) + " room=" + std::string(room));
    return next;
  }
  Delivery publish(std::string_view room, const rapidjson::Value& message) override {
    calls.push_back("publish " + std::string(room) + " " + serialize(&message));
    return next;
  }
  Delivery broadcast(const rapidjson::Value& message) override {
    calls.push_back("broadcast " + serialize(&message));
    return next;
  }
  Delivery send(std::string_view client_id, const rapidjson::Value& message) override {
    calls.push_back("send " + std::string(client_id) + " " + serialize(&message));
    return next;
  }
  std::vector<app::RoomSnapshot> rooms() const override { return room_list; }
  bool room(std::string_view name, size_t member_limit, RoomDetail& out) const override {
    for (const app::RoomSnapshot& room : room_list) {
      if (room.name != name) continue;
      out.summary = room;
      for (size_t i = 0; i < room.members && i < member_limit; ++i) out.clients.push_back("c" + std::to_string(i));
      return true;
    }
    return false;
  }
  app::StatsSnapshot stats() const override { return {}; }

  Delivery next{app::Status::kOk, 3};
  std::vector<std::string> calls;
  std::vector<app::RoomSnapshot> room_list;
};

struct Fixture {
  explicit Fixture(std::string_view key = kKey, ApiLimits limits = {}) : api(relay, key, limits) {
    api.add_routes(router);
  }

  server::HttpResponse call(std::string_view method, std::string_view target, std::string_view body = {},
                            std::vector<std::pair<std::string, std::string>> headers = {}) {
    Raw raw(method, target, std::move(headers));
    server::HttpResponse response;
    router.handle(raw.request, body, response);
    return response;
  }
  // An authorized JSON POST.
  server::HttpResponse post(std::string_view path, std::string_view body) {
    return call("POST", path, body,
                {{"Authorization", "Bearer " + std::string(kKey)}, {"Content-Type", "application/json"}});
  }
  server::HttpResponse get(std::string_view path) {
    return call("GET", path, {}, {{"Authorization", "Bearer " + std::string(kKey)}});
  }

  FakeRelay relay;
  BackendApi api;
  Router router;
};

std::string field_of(const server::HttpResponse& response) {
  rapidjson::Document doc = json_of(response);
  return doc["error"].HasMember("field") ? doc["error"]["field"].GetString() : "";
}

}  // namespace

TEST_CASE("api key: Bearer scheme, case-insensitive scheme, exact key") {
  const ApiKey key("abc123");
  CHECK(key.enabled());
  CHECK(key.authorizes("Bearer abc123"));
  CHECK(key.authorizes("bearer abc123"));
  CHECK(key.authorizes("BEARER  abc123 "));
  CHECK_FALSE(key.authorizes("Bearer abc1234"));
  CHECK_FALSE(key.authorizes("Bearer abc12"));
  CHECK_FALSE(key.authorizes("Bearer ABC123"));
  CHECK_FALSE(key.authorizes("Bearer"));
  CHECK_FALSE(key.authorizes("Bearer "));
  CHECK_FALSE(key.authorizes("Basic abc123"));
  CHECK_FALSE(key.authorizes("Bearerabc123"));
  CHECK_FALSE(key.authorizes("abc123"));
  CHECK_FALSE(key.authorizes(""));
  const ApiKey off("");
  CHECK_FALSE(off.enabled());
  CHECK_FALSE(off.authorizes("Bearer "));
  CHECK_FALSE(off.authorizes(""));
}

TEST_CASE("api: without a key the API does not exist (404)") {
  Fixture f("");
  CHECK_FALSE(f.api.enabled());
  CHECK(f.post("/api/signal", R"({"name":"x"})").status == 404);
  CHECK(f.get("/api/rooms").status == 404);
  CHECK(f.call("GET", "/api/rooms/general").status == 404);
  CHECK(f.relay.calls.empty());
}

TEST_CASE("api: missing or wrong key is 401 with a Bearer challenge, before anything else") {
  Fixture f;
  server::HttpResponse response = f.call("POST", "/api/signal", R"({"name":"x"})", {{"Content-Type", "application/json"}});
  CHECK(response.status == 401);
  CHECK(error_code_of(response) == "unauthorized");
  CHECK(header_of(response, "WWW-Authenticate") == "Bearer realm=\"wsrelay\"");

  response = f.call("POST", "/api/signal", "not json", {{"Authorization", "Bearer wrong"}});
  CHECK(response.status == 401);  // not 415 or 400: the unauthenticated learn nothing more
  CHECK(header_of(response, "WWW-Authenticate") == "Bearer realm=\"wsrelay\", error=\"invalid_token\"");

  CHECK(f.call("GET", "/api/rooms").status == 401);
  CHECK(f.call("GET", "/api/rooms/general", {}, {{"Authorization", "Basic czNjcmV0LWtleQ=="}}).status == 401);
  CHECK(f.relay.calls.empty());
}

TEST_CASE("api: the key never appears in an answer") {
  Fixture f;
  for (const server::HttpResponse& response :
       {f.post("/api/signal", "{"), f.post("/api/publish", "{}"), f.get("/api/rooms/none"),
        f.call("POST", "/api/signal", "{}", {{"Authorization", "Bearer s3cret-kez"}})}) {
    CHECK(response.body.find(kKey) == std::string::npos);
  }
}

TEST_CASE("api: POST bodies must be declared application/json (415 otherwise)") {
  Fixture f;
  const std::string auth = "Bearer " + std::string(kKey);
  server::HttpResponse response =
      f.call("POST", "/api/signal", R"({"name":"x"})", {{"Authorization", auth}});  // no Content-Type
  CHECK(response.status == 415);
  CHECK(error_code_of(response) == "unsupported_media_type");
  CHECK(header_of(response, "Accept-Post") == "application/json");
  response = f.call("POST", "/api/signal", "name=x",
                    {{"Authorization", auth}, {"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(response.status == 415);
  CHECK(f.call("POST", "/api/signal", R"({"name":"x"})", {{"Authorization", auth}, {"Content-Type", "text/json"}}).status ==
        415);
  CHECK(f.relay.calls.empty());
  // Parameters and case do not matter.
  response = f.call("POST", "/api/signal", R"({"name":"x"})",
                    {{"Authorization", auth}, {"Content-Type", "Application/JSON; charset=utf-8"}});
  CHECK(response.status == 200);
}

TEST_CASE("api: bodies that are not one JSON object are 400") {
  Fixture f;
  struct Case {
    std::string body;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"", "invalid_json"},          {"{", "invalid_json"},         {"{\"name\":\"x\"} extra", "invalid_json"},
      {"[1,2]", "invalid_body"},     {"\"text\"", "invalid_body"},  {"null", "invalid_body"},
      {"{\"name\":\"\\ud800\"}", "invalid_json"},  // a lone surrogate is not a string
      {std::string(100, '[') + std::string(100, ']'), "json_too_deep"},
  };
  for (const Case& c : cases) {
    const server::HttpResponse response = f.post("/api/signal", c.body);
    CHECK_MESSAGE(response.status == 400, c.body);
    CHECK_MESSAGE(error_code_of(response) == c.code, c.body);
  }
  CHECK(f.relay.calls.empty());
}

TEST_CASE("api: /api/signal") {
  Fixture f;
  server::HttpResponse response = f.post("/api/signal", R"({"name":"ReportIncome","data":{"total":5}})");
  CHECK(response.status == 200);
  CHECK(response.content_type == "application/json");
  CHECK(header_of(response, "Cache-Control") == "no-store");
  CHECK(json_of(response)["delivered"].GetUint64() == 3);
  CHECK(f.post("/api/signal", R"({"name":"refresh"})").status == 200);
  CHECK(f.post("/api/signal", R"({"name":"refresh","room":"sales","data":[1]})").status == 200);
  CHECK(f.post("/api/signal", R"({"name":"refresh","room":null,"data":null})").status == 200);
  CHECK(f.relay.calls == std::vector<std::string>{
                             "signal ReportIncome {\"total\":5} room=",
                             "signal refresh <none> room=",
                             "signal refresh [1] room=sales",
                             "signal refresh null room=",
                         });
  f.relay.calls.clear();

  response = f.post("/api/signal", R"({"data":1})");
  CHECK(response.status == 400);
  CHECK(error_code_of(response) == "missing_field");
  CHECK(field_of(response) == "name");
  response = f.post("/api/signal", R"({"name":5})");
  CHECK(error_code_of(response) == "invalid_field");
  CHECK(field_of(response) == "name");
  response = f.post("/api/signal", R"({"name":"x","room":7})");
  CHECK(error_code_of(response) == "invalid_field");
  CHECK(field_of(response) == "room");
  response = f.post("/api/signal", R"({"name":""})");
  CHECK(error_code_of(response) == "invalid_name");
  response = f.post("/api/signal", R"({"name":"a\u0001b"})");
  CHECK(error_code_of(response) == "invalid_name");
  response = f.post("/api/signal", R"({"name":"x","room":""})");
  CHECK(error_code_of(response) == "invalid_name");
  CHECK(field_of(response) == "room");
  response = f.post("/api/signal", "{\"name\":\"" + std::string(129, 'n') + "\"}");
  CHECK(error_code_of(response) == "invalid_name");
  CHECK(f.relay.calls.empty());
  CHECK(f.post("/api/signal", "{\"name\":\"" + std::string(128, 'n') + "\"}").status == 200);
}

TEST_CASE("api: /api/publish, /api/broadcast, /api/send") {
  Fixture f;
  CHECK(f.post("/api/publish", R"({"room":"sales","message":"hello"})").status == 200);
  CHECK(f.post("/api/publish", R"({"room":"sales","message":{"id":7}})").status == 200);
  CHECK(f.post("/api/broadcast", R"({"message":"maintenance at 5"})").status == 200);
  CHECK(f.post("/api/send", R"({"client_id":"abc","message":"you have mail"})").status == 200);
  CHECK(f.relay.calls == std::vector<std::string>{
                             "publish sales \"hello\"",
                             "publish sales {\"id\":7}",
                             "broadcast \"maintenance at 5\"",
                             "send abc \"you have mail\"",
                         });
  f.relay.calls.clear();
  struct Case {
    std::string path, body, code, field;
  };
  const std::vector<Case> cases = {
      {"/api/publish", R"({"message":"x"})", "missing_field", "room"},
      {"/api/publish", R"({"room":"sales"})", "missing_field", "message"},
      {"/api/publish", R"({"room":["sales"],"message":"x"})", "invalid_field", "room"},
      {"/api/publish", R"({"room":"","message":"x"})", "invalid_name", "room"},
      {"/api/broadcast", R"({})", "missing_field", "message"},
      {"/api/broadcast", R"({"msg":"x"})", "missing_field", "message"},
      {"/api/send", R"({"message":"x"})", "missing_field", "client_id"},
      {"/api/send", R"({"client_id":1,"message":"x"})", "invalid_field", "client_id"},
      {"/api/send", R"({"client_id":"abc"})", "missing_field", "message"},
  };
  for (const Case& c : cases) {
    const server::HttpResponse response = f.post(c.path, c.body);
    CHECK_MESSAGE(response.status == 400, c.path, " ", c.body);
    CHECK_MESSAGE(error_code_of(response) == c.code, c.path, " ", c.body);
    CHECK_MESSAGE(field_of(response) == c.field, c.path, " ", c.body);
  }
  CHECK(f.relay.calls.empty());
}

TEST_CASE("api: relay outcomes become statuses") {
  Fixture f;
  f.relay.next = {app::Status::kOk, 0};
  server::HttpResponse response = f.post("/api/publish", R"({"room":"empty","message":"x"})");
  CHECK(response.status == 200);
  CHECK(json_of(response)["delivered"].GetUint64() == 0);
  f.relay.next = {app::Status::kUnknownClient, 0};
  response = f.post("/api/send", R"({"client_id":"nobody","message":"x"})");
  CHECK(response.status == 404);
  CHECK(error_code_of(response) == "unknown_client");
  f.relay.next = {app::Status::kRoomsDisabled, 0};
  response = f.post("/api/publish", R"({"room":"sales","message":"x"})");
  CHECK(response.status == 409);
  CHECK(error_code_of(response) == "rooms_disabled");
  f.relay.next = {app::Status::kInvalidName, 0};
  CHECK(f.post("/api/signal", R"({"name":"x"})").status == 400);
}

TEST_CASE("api: GET /api/rooms and /api/rooms/{room}") {
  ApiLimits limits;
  limits.room_member_limit = 2;
  Fixture f(kKey, limits);
  f.relay.room_list = {{"general", 3, 7, true, false}, {"sales team", 1, 0, false, false}};
  server::HttpResponse response = f.get("/api/rooms");
  REQUIRE(response.status == 200);
  rapidjson::Document doc = json_of(response);
  CHECK(doc["count"].GetUint64() == 2);
  REQUIRE(doc["rooms"].Size() == 2);
  CHECK(std::string(doc["rooms"][0]["name"].GetString()) == "general");
  CHECK(doc["rooms"][0]["members"].GetUint64() == 3);
  CHECK(doc["rooms"][0]["last_sequence"].GetUint64() == 7);
  CHECK(doc["rooms"][0]["declared"].GetBool());

  response = f.get("/api/rooms/general");
  REQUIRE(response.status == 200);
  doc = json_of(response);
  CHECK(std::string(doc["name"].GetString()) == "general");
  CHECK(doc["members"].GetUint64() == 3);
  CHECK(doc["clients"].Size() == 2);  // capped by room_member_limit
  CHECK(doc["clients_truncated"].GetBool());

  response = f.get("/api/rooms/sales%20team");  // URL-decoded
  REQUIRE(response.status == 200);
  doc = json_of(response);
  CHECK(std::string(doc["name"].GetString()) == "sales team");
  CHECK_FALSE(doc["clients_truncated"].GetBool());

  response = f.get("/api/rooms/nowhere");
  CHECK(response.status == 404);
  CHECK(error_code_of(response) == "room_not_found");
  CHECK(f.call("POST", "/api/rooms", "{}", {{"Authorization", "Bearer " + std::string(kKey)}}).status == 405);
}
