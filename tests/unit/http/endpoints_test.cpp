// Endpoints: the whole route table as the server sees it — health, stats, metrics, static files
// at / and by name, HEAD, 404/405, and the API present only with a relay and a key.
#include "http/endpoints.hpp"

#include <doctest/doctest.h>

#include <string>

#include "http_test_util.hpp"
#include "prometheus_parser.hpp"

using namespace wsrelay;
using namespace wsrelay::http;
using namespace wsrelay::http::testing;

namespace {

class StubRelay final : public Relay {
 public:
  Delivery signal(std::string_view, const rapidjson::Value*, std::string_view) override { return {app::Status::kOk, 4}; }
  Delivery publish(std::string_view, const rapidjson::Value&) override { return {}; }
  Delivery broadcast(const rapidjson::Value&) override { return {}; }
  Delivery send(std::string_view, const rapidjson::Value&) override { return {}; }
  std::vector<app::RoomSnapshot> rooms() const override { return {}; }
  bool room(std::string_view, size_t, RoomDetail&) const override { return false; }
  app::StatsSnapshot stats() const override {
    app::StatsSnapshot stats;
    stats.clients = 2;
    stats.rooms = {{"general", 2, 0, true, false}};
    return stats;
  }
};

ServerCountersSource fixed_counters() {
  return [] {
    ServerCounters counters;
    counters.uptime_ms = 42'000;
    counters.connections = 3;
    counters.websockets = 2;
    counters.stats.http_requests = 5;
    return counters;
  };
}

server::HttpResponse call(Endpoints& endpoints, std::string_view method, std::string_view target,
                          std::vector<std::pair<std::string, std::string>> headers = {}, std::string_view body = {}) {
  Raw raw(method, target, std::move(headers));
  server::HttpResponse response;
  endpoints.handle(raw.request, body, response);
  return response;
}

std::unique_ptr<Endpoints> make_endpoints(Relay* relay, std::string api_key = "key") {
  HttpOptions options;
  options.api_key = std::move(api_key);
  auto endpoints = std::make_unique<Endpoints>(options, fixed_counters(), relay);
  std::vector<StaticFile> files;
  files.push_back(make_static_file("index.html", "<!doctype html><title>wsrelay</title>", 1'700'000'000));
  files.push_back(make_static_file("wsrelay.js", "window.WsRelay = {};", 1'700'000'000));
  files.push_back(make_static_file("docs/index.html", "<p>docs</p>", 1'700'000'000));
  endpoints->set_static_files(std::move(files));
  return endpoints;
}

}  // namespace

TEST_CASE("endpoints: /health") {
  StubRelay relay;
  const auto endpoints_owner = make_endpoints(&relay);
  Endpoints& endpoints = *endpoints_owner;
  const server::HttpResponse response = call(endpoints, "GET", "/health");
  CHECK(response.status == 200);
  CHECK(response.content_type == "application/json");
  CHECK(response.body == R"({"status":"ok","uptime":42})");
  CHECK(call(endpoints, "POST", "/health").status == 405);
}

TEST_CASE("endpoints: /stats and /metrics combine server and application counters") {
  StubRelay relay;
  const auto endpoints_owner = make_endpoints(&relay);
  Endpoints& endpoints = *endpoints_owner;
  server::HttpResponse response = call(endpoints, "GET", "/stats");
  CHECK(response.status == 200);
  rapidjson::Document stats = json_of(response);
  CHECK(stats["clients"].GetUint64() == 2);
  CHECK(stats["connections"]["open"].GetUint64() == 3);
  CHECK(stats["http_requests"].GetUint64() == 5);
  CHECK(stats["rooms"].Size() == 1);

  response = call(endpoints, "GET", "/metrics");
  CHECK(response.status == 200);
  CHECK(response.content_type == "text/plain; version=0.0.4; charset=utf-8");
  const PromDocument doc = parse_prometheus(response.body);
  REQUIRE_MESSAGE(doc.ok(), doc.error);
  CHECK(doc.value("wsrelay_room_members", {{"room", "general"}}) == 2);
  CHECK(doc.value("wsrelay_uptime_seconds") == 42);
}

TEST_CASE("endpoints: static files at / and by name, with HEAD") {
  StubRelay relay;
  const auto endpoints_owner = make_endpoints(&relay);
  Endpoints& endpoints = *endpoints_owner;
  server::HttpResponse response = call(endpoints, "GET", "/");
  CHECK(response.status == 200);
  CHECK(response.content_type == "text/html; charset=utf-8");
  CHECK(response.body.find("<title>wsrelay</title>") != std::string::npos);
  const std::string etag = header_of(response, "ETag");
  CHECK(!etag.empty());
  CHECK(call(endpoints, "GET", "/index.html").body == response.body);
  CHECK(call(endpoints, "GET", "/", {{"If-None-Match", etag}}).status == 304);

  response = call(endpoints, "GET", "/wsrelay.js");
  CHECK(response.status == 200);
  CHECK(response.content_type == "text/javascript; charset=utf-8");
  CHECK(header_of(response, "Cache-Control") == "no-cache");
  CHECK(call(endpoints, "GET", "/wsrelay%2Ejs").body == response.body);

  CHECK(call(endpoints, "GET", "/docs/").body == "<p>docs</p>");
  CHECK(call(endpoints, "GET", "/docs/index.html").body == "<p>docs</p>");
  // Not a served file: every such path is a WebSocket endpoint, so a plain GET learns it needs
  // an upgrade (426 + Upgrade: websocket) rather than "not found".
  response = call(endpoints, "GET", "/docs");
  CHECK(response.status == 426);
  CHECK(header_of(response, "Upgrade") == "websocket");
  CHECK(error_code_of(response) == "upgrade_required");
  CHECK(call(endpoints, "GET", "/ws?token=x").status == 426);
  CHECK(call(endpoints, "HEAD", "/ws").head_only);
  CHECK(call(endpoints, "POST", "/ws").status == 404);
  CHECK(call(endpoints, "GET", "/favicon.ico").status == 404);
  CHECK(call(endpoints, "GET", "/api/nope").status == 404);
  CHECK(call(endpoints, "GET", "/apps/1/x").status == 404);

  response = call(endpoints, "HEAD", "/wsrelay.js");
  CHECK(response.status == 200);
  CHECK(response.head_only);
  CHECK(response.body == call(endpoints, "GET", "/wsrelay.js").body);  // for Content-Length
  CHECK(response.content_type == "text/javascript; charset=utf-8");
  CHECK(header_of(response, "ETag") == header_of(call(endpoints, "GET", "/wsrelay.js"), "ETag"));

  response = call(endpoints, "POST", "/wsrelay.js");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "GET, HEAD");
  CHECK(call(endpoints, "GET", "/missing.js").status == 404);
  CHECK(call(endpoints, "GET", "/../wsrelay.js").status == 400);
  CHECK(call(endpoints, "GET", "/%2e%2e/%2e%2e/etc/passwd").status == 400);
  CHECK(call(endpoints, "GET", "/index.html%00").status == 400);
}

TEST_CASE("endpoints: the API exists only with a relay and a key") {
  StubRelay relay;
  const auto with_key_owner = make_endpoints(&relay, "key");
  Endpoints& with_key = *with_key_owner;
  const server::HttpResponse ok = call(with_key, "POST", "/api/signal",
                                       {{"Authorization", "Bearer key"}, {"Content-Type", "application/json"}},
                                       R"({"name":"x"})");
  CHECK(ok.status == 200);
  CHECK(ok.body == R"({"delivered":4})");
  CHECK(call(with_key, "GET", "/api/signal").status == 405);

  const auto without_key_owner = make_endpoints(&relay, "");
  Endpoints& without_key = *without_key_owner;
  CHECK(call(without_key, "POST", "/api/signal", {{"Authorization", "Bearer "}}, "{}").status == 404);

  const auto echo_mode_owner = make_endpoints(nullptr, "key");
  Endpoints& echo_mode = *echo_mode_owner;
  CHECK(call(echo_mode, "POST", "/api/signal", {{"Authorization", "Bearer key"}}, "{}").status == 404);
  const rapidjson::Document stats = json_of(call(echo_mode, "GET", "/stats"));
  CHECK(stats["clients"].GetUint64() == 2);  // the server's websocket count
  CHECK(stats["rooms"].Size() == 0);
}
