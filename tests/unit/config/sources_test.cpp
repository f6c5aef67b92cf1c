// Sources: the config file format, the flag syntax and the environment scan, on plain strings.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "config/keys.hpp"
#include "config/sources.hpp"

using namespace wsrelay::config;

namespace {

std::string errors_text(const std::vector<LoadError>& errors) {
  std::string out;
  for (const LoadError& e : errors) out += e.source + " | " + e.key + " | " + e.message + "\n";
  return out;
}

}  // namespace

TEST_CASE("config file: key = value lines, comments, blanks, quotes, CRLF, BOM") {
  const std::string text =
      "\xEF\xBB\xBF# wsrelay\n"
      "\n"
      "   # indented comment\n"
      "port = 9000\r\n"
      "host=0.0.0.0\n"
      "  log_path   =   /var/log/ws/   \n"
      "auth_secret = \"  spaced secret  \"\n"
      "api_key = 'single'\n"
      "default_room =\n"
      "web_root = /srv/#not-a-comment\n"
      "cors_origins = \"https://a.example\n"  // unmatched quote: kept as is
      "rooms = a=b\n";                        // only the first '=' separates
  const FileParse parsed = parse_config_text(text, "/etc/ws.conf");
  INFO(errors_text(parsed.errors));
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.assignments.size() == 9);
  const auto& a = parsed.assignments;
  CHECK(a[0].key == "port");
  CHECK(a[0].value == "9000");
  CHECK(a[0].origin.kind == Origin::Kind::kFile);
  CHECK(a[0].origin.describe() == "/etc/ws.conf:4");
  CHECK(a[1].value == "0.0.0.0");
  CHECK(a[1].origin.describe() == "/etc/ws.conf:5");
  CHECK(a[2].value == "/var/log/ws/");
  CHECK(a[3].value == "  spaced secret  ");
  CHECK(a[4].value == "single");
  CHECK(a[5].key == "default_room");
  CHECK(a[5].value == "");
  CHECK(a[6].value == "/srv/#not-a-comment");
  CHECK(a[7].value == "\"https://a.example");
  CHECK(a[8].value == "a=b");
  CHECK(a[8].origin.describe() == "/etc/ws.conf:12");
}

TEST_CASE("config file: every syntax error names file:line and the key") {
  const std::string text =
      "port 9000\n"             // 1: no '='
      "= 5\n"                   // 2: no key
      "prot = 1\n"              // 3: typo
      "WEBSOCKET_PORT = 1\n"    // 4: env name in a file
      "max-clients = 1\n"       // 5: dashes
      "config = /other.conf\n"  // 6: nested config
      "timeout = 1\n"           // 7: fine
      "timeout = 2\n"           // 8: repeated
      "last = 1";               // 9: no trailing newline, unknown
  const FileParse parsed = parse_config_text(text, "f.conf");
  CHECK(errors_text(parsed.errors) ==
        "f.conf:1 | port | expected 'key = value' (a comment line starts with #)\n"
        "f.conf:2 |  | no key before '='\n"
        "f.conf:3 | prot | unknown setting (did you mean port?); every key is listed in "
        "docs/configuration.md\n"
        "f.conf:4 | WEBSOCKET_PORT | unknown setting (did you mean port?); every key is listed "
        "in docs/configuration.md\n"
        "f.conf:5 | max-clients | unknown setting (did you mean max_clients?); every key is "
        "listed in docs/configuration.md\n"
        "f.conf:6 | config | a config file cannot name another one; use --config PATH or "
        "WEBSOCKET_CONFIG\n"
        "f.conf:8 | timeout | is set twice in this file (first at line 7); keep one\n"
        "f.conf:9 | last | unknown setting; every key is listed in docs/configuration.md\n");
  REQUIRE(parsed.assignments.size() == 1);
  CHECK(parsed.assignments[0].value == "1");
}

TEST_CASE("config file: empty text and comment-only text give nothing") {
  CHECK(parse_config_text("", "x").assignments.empty());
  CHECK(parse_config_text("# only\n\n   \n", "x").errors.empty());
}

TEST_CASE("flags: --key value, --key=value, booleans alone, last one wins") {
  const std::vector<std::string> args = {"--port",
                                         "9000",
                                         "--host=::1",
                                         "--debug",
                                         "--rooms-enabled",
                                         "false",
                                         "--ssl-enabled=no",
                                         "--auth-enabled",
                                         "--log-path",
                                         "",
                                         "--port=9001",
                                         "--default-room=",
                                         "--max-message-size",
                                         "-1"};
  const FlagParse parsed = parse_flags(args, {});
  INFO(errors_text(parsed.errors));
  REQUIRE(parsed.errors.empty());
  std::vector<std::pair<std::string, std::string>> got;
  for (const Assignment& a : parsed.assignments) got.emplace_back(a.key, a.value);
  CHECK(got == std::vector<std::pair<std::string, std::string>>{
                   {"port", "9000"},
                   {"host", "::1"},
                   {"debug", "true"},
                   {"rooms_enabled", "false"},
                   {"ssl_enabled", "no"},
                   {"auth_enabled", "true"},
                   {"log_path", ""},
                   {"port", "9001"},  // applied later, so it wins
                   {"default_room", ""},
                   {"max_message_size", "-1"},  // a value, refused later as out of range
               });
  CHECK(parsed.assignments[0].origin.describe() == "flag --port");
  CHECK(parsed.assignments[3].origin.describe() == "flag --rooms-enabled");
}

TEST_CASE("flags: a boolean takes the next argument only when it is a boolean word") {
  const FlagParse parsed = parse_flags({"--debug", "--port", "1"}, {});
  REQUIRE(parsed.errors.empty());
  CHECK(parsed.assignments[0].value == "true");
  const FlagParse stray = parse_flags({"--debug", "verbose"}, {});
  CHECK(errors_text(stray.errors) ==
        "argument 2 |  | unexpected 'verbose'; settings are given as flags such as --port 8080\n");
}

TEST_CASE("flags: errors name the flag") {
  const FlagParse parsed = parse_flags(
      {"--prot", "80", "--max_clients=5", "--PORT", "1", "--port", "--timeout", "-x", "--", "--="},
      {});
  CHECK(errors_text(parsed.errors) ==
        "flag --prot | prot | unknown setting (did you mean --port?); every key is listed in "
        "docs/configuration.md\n"
        "flag --max_clients | max_clients | unknown setting (did you mean --max-clients?); every "
        "key is listed in docs/configuration.md\n"
        "flag --PORT | PORT | unknown setting (did you mean --port?); every key is listed in "
        "docs/configuration.md\n"
        "flag --port | port | needs a value (allowed: 1..65535)\n"
        "argument 9 |  | unexpected '--'; settings are given as flags such as --port 8080\n"
        "flag -- |  | unknown setting; every key is listed in docs/configuration.md\n");
  // "-x" does not start with "--", so it is --timeout's value (refused later as a number).
  REQUIRE(parsed.assignments.size() == 1);
  CHECK(parsed.assignments[0].key == "timeout");
  CHECK(parsed.assignments[0].value == "-x");
}

TEST_CASE("flags: --config and command flags") {
  const CommandFlag publish_flags[] = {{"signal", true}, {"dry-run", false}};
  const FlagParse parsed = parse_flags({"--config", "/etc/a.conf", "--signal", "refresh",
                                        "--dry-run", "--config=/etc/b.conf", "--api-key", "k"},
                                       publish_flags);
  REQUIRE(parsed.errors.empty());
  REQUIRE(parsed.config_path.has_value());
  CHECK(parsed.config_path->value == "/etc/b.conf");
  CHECK(parsed.config_path->origin.describe() == "flag --config");
  CHECK(parsed.command_values == std::vector<std::pair<std::string, std::string>>{
                                     {"signal", "refresh"}, {"dry-run", "true"}});
  REQUIRE(parsed.assignments.size() == 1);
  CHECK(parsed.assignments[0].key == "api_key");
  // Without the command's table, its flags are unknown.
  CHECK(parse_flags({"--signal", "x"}, {}).errors.size() == 1);
  CHECK(errors_text(parse_flags({"--config"}, {}).errors) ==
        "flag --config | config | needs a value (a file path)\n");
}

TEST_CASE("environment: WEBSOCKET_<KEY>, WEBSOCKET_CONFIG, unknown names, first wins") {
  const std::vector<std::string> env = {"PATH=/usr/bin",
                                        "WEBSOCKET_PORT=9000",
                                        "WEBSOCKET_CONFIG=/etc/ws.conf",
                                        "WEBSOCKET_PROT=1",
                                        "WEBSOCKET_port=2",
                                        "WEBSOCKET_PORT=9999",
                                        "WEBSOCKET_HOST=",
                                        "WEBSOCKET_URL=wss://x",
                                        "NOT_WEBSOCKET_PORT=1",
                                        "WEBSOCKET_MAX_CLIENTS_PER_IP=4",
                                        "malformed"};
  const EnvScan scan = scan_environment(env);
  REQUIRE(scan.assignments.size() == 3);
  CHECK(scan.assignments[0].key == "port");
  CHECK(scan.assignments[0].value == "9000");
  CHECK(scan.assignments[0].origin.describe() == "env WEBSOCKET_PORT");
  CHECK(scan.assignments[1].key == "host");
  CHECK(scan.assignments[1].value == "");  // set but empty is still set
  CHECK(scan.assignments[2].key == "max_clients_per_ip");
  REQUIRE(scan.config_path.has_value());
  CHECK(scan.config_path->value == "/etc/ws.conf");
  CHECK(scan.config_path->origin.describe() == "env WEBSOCKET_CONFIG");
  REQUIRE(scan.unknown.size() == 3);
  CHECK(scan.unknown[0].key == "WEBSOCKET_PROT");
  CHECK(scan.unknown[1].key == "WEBSOCKET_port");  // lower case is not the naming rule
  CHECK(scan.unknown[2].key == "WEBSOCKET_URL");
}

TEST_CASE("environment_list copies environ") {
  const char* envp[] = {"A=1", "WEBSOCKET_PORT=2", nullptr};
  CHECK(environment_list(envp) == std::vector<std::string>{"A=1", "WEBSOCKET_PORT=2"});
  CHECK(environment_list(nullptr).empty());
}

TEST_CASE("read_config_file: contents, missing file, folder, size cap") {
  char dir_template[] = "/tmp/wsrelay-config-test-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template;
  const std::string path = dir + "/ws.conf";
  std::ofstream(path) << "port = 1\n";
  std::string text;
  std::string error;
  CHECK(read_config_file(path, text, error));
  CHECK(text == "port = 1\n");

  CHECK_FALSE(read_config_file(dir + "/missing.conf", text, error));
  CHECK(error == "cannot read config file " + dir + "/missing.conf: No such file or directory");
  CHECK_FALSE(read_config_file(dir, text, error));
  CHECK(error == "config file " + dir + " is not a regular file");

  const std::string big = dir + "/big.conf";
  std::ofstream(big) << std::string(kMaxConfigFileBytes + 1, '#');
  CHECK_FALSE(read_config_file(big, text, error));
  CHECK(error.find("is larger than") != std::string::npos);

  ::unlink(path.c_str());
  ::unlink(big.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("random text: the parsers never crash and every error says where") {
  // A cheap in-tree fuzz pass (the parsers are pure, so ASan/UBSan builds check them too):
  // fragments that matter to the syntax, glued at random.
  const char* const fragments[] = {"port",
                                   "host",
                                   "rooms",
                                   "=",
                                   " = ",
                                   "#",
                                   "\n",
                                   "\r\n",
                                   "\"",
                                   "'",
                                   ",",
                                   ":",
                                   "--",
                                   "-",
                                   "9000",
                                   "-1",
                                   "::1",
                                   "x",
                                   "\xEF\xBB\xBF",
                                   "\xff",
                                   "true",
                                   "private",
                                   "max_clients=",
                                   "WEBSOCKET_",
                                   "config",
                                   " ",
                                   "\t",
                                   "\0",
                                   "16M",
                                   "10.0.0.0/8",
                                   "https://a"};
  std::mt19937 random(12345);  // fixed seed: a failure reproduces
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    const size_t pieces = random() % 40;
    for (size_t i = 0; i < pieces; ++i) {
      const char* fragment = fragments[random() % std::size(fragments)];
      text += fragment[0] == '\0' ? std::string(1, '\0') : std::string(fragment);
    }
    const FileParse parsed = parse_config_text(text, "r.conf");
    for (const LoadError& error : parsed.errors) {
      CHECK(error.source.rfind("r.conf:", 0) == 0);
      CHECK_FALSE(error.message.empty());
    }
    for (const Assignment& assignment : parsed.assignments) {
      CHECK(find_key(assignment.key) != nullptr);
    }
    // The same text as arguments (split on spaces).
    std::vector<std::string> args;
    for (size_t start = 0; start <= text.size();) {
      const size_t space = text.find(' ', start);
      args.push_back(text.substr(start, space - start));
      if (space == std::string::npos) break;
      start = space + 1;
    }
    const FlagParse flags = parse_flags(args, {});
    for (const LoadError& error : flags.errors) CHECK_FALSE(error.source.empty());
    for (const Assignment& assignment : flags.assignments) {
      CHECK(find_key(assignment.key) != nullptr);
    }
  }
}
