// Router: matching, parameters, 404, 405 with Allow, HEAD through GET routes, bad paths.
#include "http/router.hpp"

#include <doctest/doctest.h>

#include <string>

#include "http_test_util.hpp"

using namespace wsrelay;
using namespace wsrelay::http;
using namespace wsrelay::http::testing;

namespace {

// A router whose handlers write which route ran (and the parameter) into the body.
Router make_router() {
  Router router;
  auto tag = [](std::string name) {
    return [name](const Request& request, server::HttpResponse& response) {
      response.status = 200;
      response.body = name + (request.param.empty() ? "" : ":" + std::string(request.param)) +
                      (request.head ? " (head)" : "");
      response.headers.emplace_back("X-Route", name);
    };
  };
  router.add("GET", "/health", tag("health"));
  router.add("GET", "/api/rooms", tag("rooms"));
  router.add("GET", "/api/rooms/{room}", tag("room"));
  router.add("POST", "/api/signal", tag("signal"));
  router.add("GET", "/", tag("index"));
  router.add("PUT", "/both", tag("put"));
  router.add("GET", "/both", tag("get"));
  router.add_literal("GET", "/{literal}", tag("literal"));
  return router;
}

server::HttpResponse run(const Router& router, std::string_view method, std::string_view target) {
  Raw raw(method, target);
  server::HttpResponse response;
  router.handle(raw.request, "", response);
  return response;
}

}  // namespace

TEST_CASE("router: exact paths and the root") {
  const Router router = make_router();
  CHECK(run(router, "GET", "/health").body == "health");
  CHECK(run(router, "GET", "/health?verbose=1").body == "health");
  CHECK(run(router, "GET", "/").body == "index");
  CHECK(run(router, "GET", "http://example.com/health").body == "health");
  CHECK(run(router, "POST", "/api/signal").body == "signal");
}

TEST_CASE("router: a {param} segment is decoded and must not be empty") {
  const Router router = make_router();
  CHECK(run(router, "GET", "/api/rooms/lobby").body == "room:lobby");
  CHECK(run(router, "GET", "/api/rooms/sales%20team").body == "room:sales team");
  CHECK(run(router, "GET", "/api/rooms/a%2Fb").body == "room:a/b");
  CHECK(run(router, "GET", "/api/rooms").body == "rooms");
  CHECK(run(router, "GET", "/api/rooms/").status == 404);     // empty parameter
  CHECK(run(router, "GET", "/api/rooms/a/b").status == 404);  // two segments
}

TEST_CASE("router: literal routes do not treat braces as parameters") {
  const Router router = make_router();
  CHECK(run(router, "GET", "/%7Bliteral%7D").body == "literal");
  CHECK(run(router, "GET", "/other").status == 404);
}

TEST_CASE("router: unknown paths are 404 with a JSON error") {
  const Router router = make_router();
  for (std::string_view target : {"/nope", "/health/", "/HEALTH", "/api", "/api/signal/x"}) {
    const server::HttpResponse response = run(router, "GET", target);
    CHECK_MESSAGE(response.status == 404, std::string(target));
    CHECK(response.content_type == "application/json");
    CHECK(error_code_of(response) == "not_found");
    CHECK_FALSE(has_header(response, "Allow"));
  }
  // Only paths count: an unknown method on an unknown path is still 404.
  CHECK(run(router, "DELETE", "/nope").status == 404);
}

TEST_CASE("router: a known path with another method is 405 with Allow") {
  const Router router = make_router();
  server::HttpResponse response = run(router, "POST", "/health");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "GET, HEAD");
  CHECK(error_code_of(response) == "method_not_allowed");
  CHECK_FALSE(has_header(response, "X-Route"));

  response = run(router, "GET", "/api/signal");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "POST");

  response = run(router, "DELETE", "/both");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "PUT, GET, HEAD");

  response = run(router, "PATCH", "/api/rooms/x");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "GET, HEAD");

  // Methods are case-sensitive (RFC 9110 §9.1): "get" is not GET.
  CHECK(run(router, "get", "/health").status == 405);
}

TEST_CASE("router: HEAD runs the GET route and drops the body, headers kept") {
  const Router router = make_router();
  server::HttpResponse response = run(router, "HEAD", "/health");
  CHECK(response.status == 200);
  CHECK(response.head_only);  // the body stays, for Content-Length; it is not sent
  CHECK(response.body == "health (head)");  // handlers are told, and the body stays for Content-Length
  CHECK_FALSE(run(router, "GET", "/health").head_only);
  CHECK(header_of(response, "X-Route") == "health");
  response = run(router, "HEAD", "/api/rooms/x");
  CHECK(header_of(response, "X-Route") == "room");
  // No GET route: HEAD is as unknown as any other method.
  response = run(router, "HEAD", "/api/signal");
  CHECK(response.status == 405);
  CHECK(header_of(response, "Allow") == "POST");
  CHECK(run(router, "HEAD", "/nope").status == 404);
}

TEST_CASE("router: unsafe paths are 400 before any route is tried") {
  const Router router = make_router();
  for (std::string_view target : {"/../health", "/%2e%2e/health", "/api/rooms/..", "/api/rooms/%2E%2E",
                                  "/api/rooms/a%00b", "/a%5c..", "/%zz", "/%FF"}) {
    const server::HttpResponse response = run(router, "GET", target);
    CHECK_MESSAGE(response.status == 400, std::string(target));
    CHECK(error_code_of(response) == "bad_path");
  }
  CHECK(run(router, "OPTIONS", "*").status == 400);
}
