#include "http/router.hpp"

#include "http/response.hpp"
#include "http/url.hpp"

namespace wsrelay::http {
namespace {

bool is_parameter(std::string_view segment) {
  return segment.size() >= 2 && segment.front() == '{' && segment.back() == '}';
}

// Adds `method` to a comma-separated Allow list unless already there.
void add_allowed(std::string& allow, std::string_view method) {
  size_t start = 0;
  while (start < allow.size()) {
    size_t end = allow.find(", ", start);
    if (end == std::string::npos) end = allow.size();
    if (std::string_view(allow).substr(start, end - start) == method) return;
    start = end + 2;
  }
  if (!allow.empty()) allow += ", ";
  allow += method;
}

}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  add_route(method, pattern, std::move(handler), false);
}

void Router::add_literal(std::string_view method, std::string_view path, Handler handler) {
  add_route(method, path, std::move(handler), true);
}

void Router::add_route(std::string_view method, std::string_view pattern, Handler handler, bool literal) {
  Route route;
  route.method = std::string(method);
  route.literal = literal;
  // Patterns are ours, not a client's: split them without decoding.
  pattern.remove_prefix(1);
  while (true) {
    const size_t slash = pattern.find('/');
    route.pattern.emplace_back(pattern.substr(0, slash));
    if (slash == std::string_view::npos) break;
    pattern.remove_prefix(slash + 1);
  }
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

bool Router::matches(const Route& route, const std::vector<std::string>& segments, std::string_view& param) {
  if (route.pattern.size() != segments.size()) return false;
  std::string_view found;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (!route.literal && is_parameter(route.pattern[i])) {
      if (segments[i].empty()) return false;
      found = segments[i];
    } else if (route.pattern[i] != segments[i]) {
      return false;
    }
  }
  param = found;
  return true;
}

void Router::handle(const ws::HttpRequest& request, std::string_view body, server::HttpResponse& response) const {
  std::vector<std::string> segments;
  const PathProblem problem = split_path(target_path(request.target), segments);
  if (problem != PathProblem::kNone) {
    set_error(response, 400, error_code::kBadPath, describe(problem));
    return;
  }
  const bool head = request.method == "HEAD";
  std::string allow;
  const Route* get_route = nullptr;
  std::string_view get_param;
  for (const Route& route : routes_) {
    std::string_view param;
    if (!matches(route, segments, param)) continue;
    if (route.method == request.method) {
      route.handler(Request{request, body, param, false}, response);
      return;
    }
    add_allowed(allow, route.method);
    if (route.method == "GET") {
      add_allowed(allow, "HEAD");
      if (get_route == nullptr) {
        get_route = &route;
        get_param = param;
      }
    }
  }
  if (head && get_route != nullptr) {
    get_route->handler(Request{request, body, get_param, true}, response);
    // RFC 9110 §9.3.2: the same header fields as GET (Content-Length too), but no content.
    response.head_only = true;
    return;
  }
  if (allow.empty()) {
    set_error(response, 404, error_code::kNotFound, "no such path");
    return;
  }
  set_error(response, 405, error_code::kMethodNotAllowed,
            std::string(request.method) + " is not allowed here; allowed: " + allow);
  response.headers.emplace_back("Allow", std::move(allow));
}

}  // namespace wsrelay::http
