// Helpers for the http/ tests: a parsed request built from raw text (the views point into the
// Raw object, which must outlive them), a response parsed as JSON, and header lookup.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/http_service.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::http::testing {

// A request head parsed by the real parser. Keep the object alive while using `request`.
class Raw {
 public:
  Raw(std::string_view method, std::string_view target,
      std::vector<std::pair<std::string, std::string>> headers = {}) {
    text_ = std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: test\r\n";
    for (const auto& [name, value] : headers) text_ += name + ": " + value + "\r\n";
    text_ += "\r\n";
    const ws::HttpParseResult result = ws::parse_request(text_, request, 65536);
    REQUIRE_MESSAGE(result.status == ws::HttpParseStatus::kComplete, "test request did not parse: ", text_);
  }
  Raw(const Raw&) = delete;
  Raw& operator=(const Raw&) = delete;

  ws::HttpRequest request;

 private:
  std::string text_;
};

// The value of the first extra header called `name` (exact case), or "" with found=false.
inline std::string header_of(const server::HttpResponse& response, std::string_view name, bool* found = nullptr) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) {
      if (found) *found = true;
      return value;
    }
  }
  if (found) *found = false;
  return {};
}

inline bool has_header(const server::HttpResponse& response, std::string_view name) {
  bool found = false;
  header_of(response, name, &found);
  return found;
}

inline rapidjson::Document json_of(const server::HttpResponse& response) {
  rapidjson::Document document;
  document.Parse(response.body.data(), response.body.size());
  REQUIRE_MESSAGE(!document.HasParseError(), "response is not JSON: ", response.body);
  return document;
}

// The "code" of a JSON error response.
inline std::string error_code_of(const server::HttpResponse& response) {
  rapidjson::Document document = json_of(response);
  REQUIRE(document.IsObject());
  REQUIRE(document.HasMember("error"));
  REQUIRE(document["error"].IsObject());
  REQUIRE(document["error"]["code"].IsString());
  REQUIRE(document["error"]["message"].IsString());
  return document["error"]["code"].GetString();
}

}  // namespace wsrelay::http::testing
