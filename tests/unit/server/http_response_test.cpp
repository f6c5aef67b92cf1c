// render_http_response: Content-Length and content by status and method (RFC 9110 §8.6,
// §9.3.2, §15.4.5).
#include "server/http_service.hpp"

#include <doctest/doctest.h>

#include <string>

using wsrelay::server::HttpResponse;
using wsrelay::server::render_http_response;

namespace {
std::string head_of(const std::string& text) { return text.substr(0, text.find("\r\n\r\n") + 4); }
}  // namespace

TEST_CASE("http response: a 200 carries its body and its length") {
  HttpResponse response;
  response.body = "hello\n";
  const std::string text = render_http_response(response, true);
  CHECK(text.starts_with("HTTP/1.1 200 OK\r\n"));
  CHECK(head_of(text).find("\r\nContent-Length: 6\r\n") != std::string::npos);
  CHECK(head_of(text).find("\r\nConnection: keep-alive\r\n") != std::string::npos);
  CHECK(text.substr(head_of(text).size()) == "hello\n");
}

TEST_CASE("http response: HEAD gets the GET's Content-Length and no content") {
  HttpResponse response;
  response.body = "{\"status\":\"ok\"}";
  response.head_only = true;
  const std::string text = render_http_response(response, true);
  CHECK(head_of(text).find("\r\nContent-Length: 15\r\n") != std::string::npos);
  CHECK(text == head_of(text));
}

TEST_CASE("http response: 304 and 204 have neither Content-Length nor content") {
  for (const int status : {304, 204}) {
    CAPTURE(status);
    HttpResponse response;
    response.status = status;
    response.body = "ignored";
    response.headers.emplace_back("ETag", "\"abc\"");
    const std::string text = render_http_response(response, true);
    CHECK(text.find("Content-Length") == std::string::npos);
    CHECK(text.find("\r\nETag: \"abc\"\r\n") != std::string::npos);
    CHECK(text == head_of(text));
  }
}
