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
};

class HttpService {
 public:
  virtual ~HttpService() = default;
  virtual void handle(const ws::HttpRequest& request, std::string_view body, HttpResponse& response) = 0;
};

// Serialise a response head + body ("HTTP/1.1 <status> <reason>", Content-Length, Date-less).
std::string render_http_response(const HttpResponse& response, bool keep_alive);
std::string_view http_status_text(int status);

}  // namespace wsrelay::server
