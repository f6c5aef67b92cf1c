// Reports: error lines and the check-config listing (origins shown, secrets hidden).
#include <doctest/doctest.h>

#include <string>

#include "config/loader.hpp"
#include "config/report.hpp"

using namespace wsrelay::config;

namespace {

LoadResult load(std::vector<std::string> args, std::vector<std::string> env,
                std::string file_text = "", Mode mode = Mode::kServe) {
  LoadOptions options;
  options.mode = mode;
  const FileReader reader = [&](const std::string&, std::string& text, std::string&) {
    text = file_text;
    return true;
  };
  return resolve_settings(args, env, reader, options);
}

// The listing line for `key`, or "" when absent.
std::string line_of(const std::string& report, const std::string& key) {
  const std::string start = "\n" + key + " ";
  const size_t at = report.find(start);
  if (at == std::string::npos) return "";
  const size_t end = report.find('\n', at + 1);
  return report.substr(at + 1, end - at - 1);
}

}  // namespace

TEST_CASE("format_error: source, key, message; key omitted when the source spells it") {
  CHECK(format_error({"port", "/etc/ws.conf:3", "'x' is not a whole number"}) ==
        "/etc/ws.conf:3: port: 'x' is not a whole number");
  CHECK(format_error({"port", "env WEBSOCKET_PORT", "is empty"}) ==
        "env WEBSOCKET_PORT: port: is empty");
  CHECK(format_error({"port", "flag --port", "is empty"}) == "flag --port: is empty");
  CHECK(format_error({"max_clients", "flag --max-clients", "is empty"}) ==
        "flag --max-clients: max_clients: is empty");
  CHECK(format_error({"WEBSOCKET_X", "env WEBSOCKET_X", "unknown setting"}) ==
        "env WEBSOCKET_X: unknown setting");
  CHECK(format_error({"", "argument 2", "unexpected 'x'"}) == "argument 2: unexpected 'x'");
  // A hostile file name or key cannot move the cursor or start a new line.
  CHECK(format_error({"k\x1b[2J", "a\nb:1", "m\r"}) == "a\\x0ab:1: k\\x1b[2J: m\\x0d");
}

TEST_CASE("render_effective: every key with its value and origin") {
  const LoadResult result =
      load({"--port", "9000", "--config", "/etc/wsrelay.conf"}, {"WEBSOCKET_DEBUG=1"},
           "max_clients = 42\nrooms = vip:private:max_clients=10\n");
  REQUIRE(result.ok());
  const std::string report = render_effective(result);
  CHECK(report.rfind("wsrelay configuration (mode: serve)\n"
                     "config file: /etc/wsrelay.conf (named by flag --config)\n",
                     0) == 0);
  for (const KeyInfo& key : all_keys()) {
    CHECK_MESSAGE(line_of(report, std::string(key.name)) != "", key.name);
  }
  CHECK(line_of(report, "port") ==
        "port                 = 9000                       # flag --port");
  CHECK(line_of(report, "max_clients") ==
        "max_clients          = 42                         # /etc/wsrelay.conf:1");
  CHECK(line_of(report, "debug") ==
        "debug                = true                       # env WEBSOCKET_DEBUG");
  CHECK(line_of(report, "log_level") ==
        "log_level            = debug                      # derived from debug=true, env "
        "WEBSOCKET_DEBUG");
  CHECK(line_of(report, "log_path") ==
        "log_path             = (empty)                    # default");
  CHECK(line_of(report, "rooms") ==
        "rooms                = vip:private:max_clients=10  # /etc/wsrelay.conf:2");
  CHECK(line_of(report, "publish_url") ==
        "publish_url          = http://127.0.0.1:9000      # derived from host, port and "
        "ssl_enabled");
  CHECK(report.find("warnings:") == std::string::npos);
}

TEST_CASE("render_effective: secrets are never shown") {
  const std::string secret(40, 'Q');
  const LoadResult result =
      load({"--auth-enabled"}, {"WEBSOCKET_AUTH_SECRET=" + secret, "WEBSOCKET_API_KEY="});
  REQUIRE(result.ok());
  const std::string report = render_effective(result);
  CHECK(report.find(secret) == std::string::npos);
  CHECK(line_of(report, "auth_secret") ==
        "auth_secret          = (set, hidden)              # env WEBSOCKET_AUTH_SECRET");
  CHECK(line_of(report, "api_key") ==
        "api_key              = (not set)                  # env WEBSOCKET_API_KEY");
}

TEST_CASE("render_effective: the Redis password is masked") {
  const LoadResult result = load({"--redis-url", "redis://:hunter2@cache:6379/1"}, {});
  REQUIRE(result.ok());
  const std::string report = render_effective(result);
  CHECK(report.find("hunter2") == std::string::npos);
  CHECK(line_of(report, "redis_url") ==
        "redis_url            = redis://:***@cache:6379/1  # flag --redis-url");
  CHECK(line_of(render_effective(load({}, {})), "redis_url").find("(empty: a single node)") != std::string::npos);
}

TEST_CASE("render_effective: echo mode, no file, warnings listed") {
  const LoadResult result = load({"--auth-secret", std::string(40, 'x')}, {}, "", Mode::kEcho);
  const std::string report = render_effective(result);
  CHECK(report.rfind("wsrelay configuration (mode: echo)\nconfig file: none\n", 0) == 0);
  CHECK(line_of(report, "max_message_size") ==
        "max_message_size     = 16777216                   # default (echo mode)");
  CHECK(report.find("\nwarnings:\n  flag --auth-secret: auth_secret: is set but auth_enabled is "
                    "false: clients are not authenticated\n") != std::string::npos);
}

TEST_CASE("render_flag_summary: every flag with its whole meaning, wrapped, never cut") {
  const std::string summary = render_flag_summary();
  for (const KeyInfo& key : all_keys()) {
    CHECK_MESSAGE(summary.find("\n  " + flag_name(key.name) + " ") != std::string::npos, key.name);
  }
  CHECK(summary.rfind("Listening:\n  --host ADDRESS", 0) == 0);
  CHECK(summary.find("\n  --port PORT                      TCP port for WebSocket connections and "
                     "the HTTP endpoints. [8080]\n") != std::string::npos);
  CHECK(summary.find("\n  --debug [BOOL]") != std::string::npos);
  // Secrets have no default to show, and the summary never includes a value from anywhere else.
  CHECK(summary.find("\n  --auth-secret SECRET             HS256 secret shared with the backend "
                     "that issues tokens.") != std::string::npos);
  // No line is wider than the width, and, joined again, every key's help is there whole.
  std::string joined;
  size_t start = 0;
  while (start < summary.size()) {
    const size_t end = summary.find('\n', start);
    const std::string_view line(summary.data() + start, end - start);
    CHECK_MESSAGE(line.size() <= 100, line);
    std::string_view content = line;
    while (!content.empty() && content.front() == ' ') content.remove_prefix(1);
    joined += std::string(content) + " ";
    start = end + 1;
  }
  std::string squeezed;
  for (char c : joined) {
    if (!(c == ' ' && !squeezed.empty() && squeezed.back() == ' ')) squeezed += c;
  }
  for (const KeyInfo& key : all_keys()) {
    CHECK_MESSAGE(squeezed.find(std::string(key.help)) != std::string::npos, key.name);
  }
  CHECK(squeezed.find("0.0.0.0 or :: listens on every interface") != std::string::npos);
}

TEST_CASE("wrap_text: hanging indent, long words kept whole") {
  CHECK(wrap_text("aa bb cc dd", 2, 0, 5) == "aa bb\n  cc\n  dd");
  CHECK(wrap_text("averyveryverylongword x", 2, 0, 5) == "averyveryverylongword\n  x");
  CHECK(wrap_text("  spaced   out  ", 0, 0, 80) == "spaced out");
  CHECK(wrap_text("", 4, 0, 80) == "");
}
