// What the server does with a plain HTTP request (anything that is not a WebSocket upgrade):
// it hands the parsed request and its body to an HttpService and writes back the response.
// The http/ layer implements this with its route table (/health, /stats, static files, API).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ws/http_request.hpp"

namespace wsrelay::server {

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  bool close = false;  // close the connection after this response
  // A HEAD request: the head a GET would get, its Content-Length included, and no content
  // (RFC 9110 §9.3.2). `body` is the GET's, kept for its length.
  bool head_only = false;
};

class HttpService {
 public:
  virtual ~HttpService() = default;
  virtual void handle(const ws::HttpRequest& request, std::string_view body, HttpResponse& response) = 0;
};

// Serialise a response head + body ("HTTP/1.1 <status> <reason>", Content-Length, Date-less).
// 1xx, 204 and 304 get neither Content-Length nor content (RFC 9110 §8.6, §15.3.5, §15.4.5).
std::string render_http_response(const HttpResponse& response, bool keep_alive);
std::string_view http_status_text(int status);

}  // namespace wsrelay::server
