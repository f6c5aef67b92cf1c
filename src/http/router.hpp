// Router: the route table of the HTTP endpoints — method + path to a handler.
//
// Contract:
// - Paths are matched segment by segment on DECODED segments (url.hpp), so an encoded slash
//   inside a room name never splits it. A pattern segment "{name}" matches any one non-empty
//   segment, handed to the handler as Request::param (decoded). A path with a dot-segment,
//   NUL, backslash, bad escape or non-UTF-8 bytes is refused with 400 before any matching.
// - No route for the path: 404. A route for the path but not for the method: 405 with an
//   Allow header listing the methods that are (RFC 9110 §15.5.6).
// - HEAD is served by the GET route of the path (RFC 9110 §9.3.2) with Request::head set; the
//   router marks the response head_only, so the server sends the GET's Content-Length and no
//   content.
// - Routes are tried in the order they were added; the first whose pattern matches wins.
// Not thread-safe; built once at start-up, then only read.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_service.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::http {

struct Request {
  const ws::HttpRequest& http;
  std::string_view body;
  std::string_view param;  // the decoded "{...}" segment, empty when the route has none
  bool head = false;       // a HEAD request served by a GET route
};

using Handler = std::function<void(const Request&, server::HttpResponse&)>;

class Router {
 public:
  // `method` is an exact, case-sensitive method name (RFC 9110 §9.1). `pattern` starts with '/'.
  void add(std::string_view method, std::string_view pattern, Handler handler);
  // Like add, but every segment of `path` is literal ("{x}" is a file name, not a parameter).
  void add_literal(std::string_view method, std::string_view path, Handler handler);

  // Answers `request` (a route's handler, or 400/404/405).
  void handle(const ws::HttpRequest& request, std::string_view body, server::HttpResponse& response) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> pattern;  // segments; "{...}" is a parameter unless `literal`
    bool literal = false;
    Handler handler;
  };
  // True when `route` matches `segments`; sets `param` to the parameter segment.
  void add_route(std::string_view method, std::string_view pattern, Handler handler, bool literal);
  static bool matches(const Route& route, const std::vector<std::string>& segments, std::string_view& param);

  std::vector<Route> routes_;
};

}  // namespace wsrelay::http
