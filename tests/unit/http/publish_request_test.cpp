// `wsrelay publish`, the pure parts: arguments to requests, URLs, and reading the answer.
#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "http/publish_client.hpp"

using namespace wsrelay::http;

namespace {

struct Parsed {
  bool ok;
  PublishCommand command;
  PublishSettings settings;
  std::string error;
};

Parsed parse(std::vector<std::string> args) {
  Parsed p{false, {}, {}, {}};
  p.ok = parse_publish_args(args, p.settings, p.command, p.error);
  return p;
}

rapidjson::Document body_of(const Parsed& p) {
  rapidjson::Document doc;
  doc.Parse(p.command.body.c_str());
  REQUIRE_MESSAGE(!doc.HasParseError(), p.command.body);
  return doc;
}

}  // namespace

TEST_CASE("publish args: --signal with optional JSON data and room") {
  Parsed p = parse({"--signal", "ReportIncome", "--data", R"({"total":5})", "--room", "sales"});
  REQUIRE_MESSAGE(p.ok, p.error);
  CHECK(p.command.method == "POST");
  CHECK(p.command.path == "/api/signal");
  rapidjson::Document body = body_of(p);
  CHECK(std::string(body["name"].GetString()) == "ReportIncome");
  CHECK(body["data"]["total"].GetInt() == 5);
  CHECK(std::string(body["room"].GetString()) == "sales");

  p = parse({"--signal=refresh"});
  REQUIRE(p.ok);
  CHECK(p.command.body == R"({"name":"refresh"})");
}

TEST_CASE("publish args: room messages, broadcasts, direct messages and room queries") {
  Parsed p = parse({"--room", "sales", "--message", "say \"hi\""});
  REQUIRE(p.ok);
  CHECK(p.command.path == "/api/publish");
  CHECK(p.command.body == R"({"room":"sales","message":"say \"hi\""})");

  p = parse({"--room", "sales", "--message-json", R"({"n":1})"});
  REQUIRE(p.ok);
  CHECK(p.command.body == R"({"room":"sales","message":{"n":1}})");

  p = parse({"--broadcast", "maintenance"});
  REQUIRE(p.ok);
  CHECK(p.command.path == "/api/broadcast");
  CHECK(p.command.body == R"({"message":"maintenance"})");

  p = parse({"--broadcast-json", "[1,2]"});
  REQUIRE(p.ok);
  CHECK(p.command.body == R"({"message":[1,2]})");

  p = parse({"--to", "abc", "--message", "hi"});
  REQUIRE(p.ok);
  CHECK(p.command.path == "/api/send");
  CHECK(p.command.body == R"({"client_id":"abc","message":"hi"})");

  p = parse({"--rooms"});
  REQUIRE(p.ok);
  CHECK(p.command.method == "GET");
  CHECK(p.command.path == "/api/rooms");
  CHECK(p.command.body.empty());

  p = parse({"--room", "sales team/1"});
  REQUIRE(p.ok);
  CHECK(p.command.method == "GET");
  CHECK(p.command.path == "/api/rooms/sales%20team%2F1");
}

TEST_CASE("publish args: connection settings") {
  Parsed p = parse({"--url", "http://10.0.0.5:9000", "--api-key", "k", "--timeout", "3", "--broadcast", "x"});
  REQUIRE(p.ok);
  CHECK(p.settings.url == "http://10.0.0.5:9000");
  CHECK(p.settings.api_key == "k");
  CHECK(p.settings.timeout_seconds == 3);
  p = parse({"--publish-url=http://h", "--broadcast", "x"});
  REQUIRE(p.ok);
  CHECK(p.settings.url == "http://h");
  CHECK(parse({"--help"}).command.help);
}

TEST_CASE("publish args: usage errors") {
  const std::vector<std::vector<std::string>> bad = {
      {},
      {"--message", "x"},
      {"--signal"},
      {"--signal", "a", "--signal", "b"},
      {"--signal", "a", "--data", "{bad"},
      {"--signal", "a", "--message", "x"},
      {"--data", "1"},
      {"--broadcast", "x", "--room", "r"},
      {"--broadcast", "x", "--signal", "s"},
      {"--to", "abc"},
      {"--rooms", "--room", "r"},
      {"--room", "r", "--message-json", "nope"},
      {"--timeout", "0", "--rooms"},
      {"--timeout", "soon", "--rooms"},
      {"--frobnicate"},
      {"--message", "a", "--message-json", "1", "--room", "r"},
  };
  for (const auto& args : bad) {
    Parsed p = parse(args);
    std::string joined;
    for (const auto& a : args) joined += a + " ";
    CHECK_MESSAGE(!p.ok, joined);
    CHECK_MESSAGE(!p.error.empty(), joined);
  }
  CHECK(parse({"--signal", "a", "--data", "{bad"}).error.find("--data is not valid JSON") != std::string::npos);
}

TEST_CASE("publish url: host, port, IPv6, base path, https; junk refused") {
  HttpUrl url;
  std::string error;
  REQUIRE(parse_http_url("http://127.0.0.1:8080", url, error));
  CHECK(url.host == "127.0.0.1");
  CHECK(url.port == 8080);
  CHECK(url.base_path.empty());
  CHECK(url.host_header == "127.0.0.1:8080");
  REQUIRE(parse_http_url("HTTP://ws.example.com/relay/", url, error));
  CHECK(url.host == "ws.example.com");
  CHECK(url.port == 80);
  CHECK(url.base_path == "/relay");
  REQUIRE(parse_http_url("http://[::1]:9000", url, error));
  CHECK(url.host == "::1");
  CHECK(url.port == 9000);
  CHECK(url.host_header == "[::1]:9000");
  for (std::string_view bad : {"https://", "ftp://x", "example.com:80", "http://", "http://:80",
                               "http://h:0", "http://h:70000", "http://h:", "http://h:8x",
                               "http://[::1", "http://u@h/", "http://h/?q=1"}) {
    error.clear();
    CHECK_MESSAGE(!parse_http_url(bad, url, error), std::string(bad));
    CHECK(!error.empty());
  }
  CHECK(error ==
        "publish_url http://h/?q=1 must be http(s)://host[:port][/path], without user, query or "
        "fragment");
  CHECK_FALSE(url.tls);
  REQUIRE(parse_http_url("HTTPS://relay.example.com/base", url, error));
  CHECK(url.tls);
  CHECK(url.host == "relay.example.com");
  CHECK(url.port == 443);
  CHECK(url.base_path == "/base");
  REQUIRE(parse_http_url("https://[::1]:8443", url, error));
  CHECK(url.tls);
  CHECK(url.port == 8443);
  CHECK(url.host_header == "[::1]:8443");
  CHECK_FALSE(parse_http_url("ftp://x", url, error));
  CHECK(error == "publish_url ftp://x is not an http:// or https:// URL");
}

TEST_CASE("publish args: --cacert and --insecure") {
  PublishSettings settings;
  PublishCommand command;
  std::string error;
  REQUIRE(parse_publish_args({"--rooms", "--cacert", "/ca.pem", "--insecure"}, settings, command,
                             error));
  CHECK(settings.ca_file == "/ca.pem");
  CHECK(settings.insecure);
  PublishSettings defaults;
  REQUIRE(parse_publish_args({"--rooms", "--cacert=/x.pem"}, defaults, command, error));
  CHECK(defaults.ca_file == "/x.pem");
  CHECK_FALSE(defaults.insecure);
  CHECK_FALSE(parse_publish_args({"--rooms", "--cacert"}, defaults, command, error));
  CHECK(error == "--cacert needs a value");
}

TEST_CASE("publish request: the bytes on the wire") {
  HttpUrl url;
  std::string error;
  REQUIRE(parse_http_url("http://localhost:8080/base", url, error));
  PublishCommand command{"POST", "/api/signal", R"({"name":"x"})", false};
  const std::string request = build_publish_request(url, command, "k3y");
  CHECK(request == "POST /base/api/signal HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wsrelay-publish\r\n"
                   "Accept: application/json\r\nConnection: close\r\nAuthorization: Bearer k3y\r\n"
                   "Content-Type: application/json\r\nContent-Length: 12\r\n\r\n{\"name\":\"x\"}");
  command = PublishCommand{"GET", "/api/rooms", "", false};
  const std::string get = build_publish_request(url, command, "k3y");
  CHECK(get.find("Content-Length") == std::string::npos);
  CHECK(get.rfind("GET /base/api/rooms HTTP/1.1\r\n", 0) == 0);
  CHECK(percent_encode("a b/ü~-._") == "a%20b%2F%C3%BC~-._");
}

TEST_CASE("publish answer: status and body, Content-Length respected") {
  HttpAnswer answer;
  REQUIRE(parse_http_answer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n"
                            "{\"delivered\":2}",
                            answer));
  CHECK(answer.status == 200);
  CHECK(answer.body == "{\"delivered\":2}");
  REQUIRE(parse_http_answer("HTTP/1.1 401 Unauthorized\r\ncontent-length: 2\r\n\r\n{}trailing", answer));
  CHECK(answer.status == 401);
  CHECK(answer.body == "{}");
  REQUIRE(parse_http_answer("HTTP/1.0 404 Not Found\r\n\r\nuntil the end", answer));
  CHECK(answer.body == "until the end");
  CHECK_FALSE(parse_http_answer("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort", answer));
  CHECK_FALSE(parse_http_answer("SSH-2.0-OpenSSH\r\n\r\n", answer));
  CHECK_FALSE(parse_http_answer("HTTP/1.1 2x0 OK\r\n\r\n", answer));
  CHECK_FALSE(parse_http_answer("HTTP/1.1 200 OK\r\n", answer));
  CHECK_FALSE(parse_http_answer("", answer));
}
