// The loader: precedence of every source, provenance, errors naming key and source, and the
// rules about unknown environment variables.
#include <doctest/doctest.h>

#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/report.hpp"
#include "config/values.hpp"

using namespace wsrelay::config;
using wsrelay::log::Level;

namespace {

// One load with in-memory sources: no process environment, no file system.
struct Setup {
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::map<std::string, std::string> files;
  LoadOptions options;

  LoadResult load() const {
    const FileReader reader = [this](const std::string& path, std::string& text,
                                     std::string& error) {
      const auto it = files.find(path);
      if (it == files.end()) {
        error = "cannot read config file " + path + ": No such file or directory";
        return false;
      }
      text = it->second;
      return true;
    };
    return resolve_settings(args, env, reader, options);
  }
};

std::string all_errors(const std::vector<LoadError>& errors) {
  std::string out;
  for (const LoadError& e : errors) out += format_error(e) + "\n";
  return out;
}

}  // namespace

TEST_CASE("defaults with no sources at all") {
  const LoadResult result = Setup{}.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.warnings.empty());
  CHECK(result.settings.port == 8080);
  CHECK(result.settings.host == "127.0.0.1");
  CHECK(result.settings.max_message_size == 65536);
  CHECK(result.settings.cors_origins == std::vector<std::string>{"*"});
  CHECK(result.config_file.empty());
  for (const Origin& origin : result.origins) CHECK(origin.describe() == "default");
}

TEST_CASE("precedence: flag > env > file > default, with the origin of each value") {
  Setup setup;
  setup.files["/c.conf"] =
      "port = 1001\n"
      "host = 10.0.0.1\n"
      "max_clients = 7\n"
      "debug = false\n"
      "cors_origins = https://file.example\n";
  setup.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_PORT=1002", "WEBSOCKET_HOST=10.0.0.2",
               "WEBSOCKET_DEBUG=yes", "WEBSOCKET_CORS_ORIGINS=https://env.example"};
  setup.args = {"--port", "1003", "--cors-origins=https://flag.example"};
  const LoadResult result = setup.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  const Settings& s = result.settings;
  CHECK(s.port == 1003);  // all three: the flag wins
  CHECK(result.origin_of("port").describe() == "flag --port");
  CHECK(s.cors_origins == std::vector<std::string>{"https://flag.example"});
  CHECK(result.origin_of("cors_origins").describe() == "flag --cors-origins");
  CHECK(s.host == "10.0.0.2");  // env and file: env wins
  CHECK(result.origin_of("host").describe() == "env WEBSOCKET_HOST");
  CHECK(s.debug);
  CHECK(result.origin_of("debug").describe() == "env WEBSOCKET_DEBUG");
  CHECK(s.max_clients == 7);  // file only
  CHECK(result.origin_of("max_clients").describe() == "/c.conf:3");
  CHECK(s.timeout == std::chrono::seconds(300));  // nothing: default
  CHECK(result.origin_of("timeout").describe() == "default");
  CHECK(result.config_file == "/c.conf");
  CHECK(result.config_origin.describe() == "env WEBSOCKET_CONFIG");
}

TEST_CASE("precedence: flag over file without env, env over default without file") {
  Setup setup;
  setup.files["/c.conf"] = "timeout = 11\nping_interval = 12\n";
  setup.args = {"--config", "/c.conf", "--timeout=13"};
  setup.env = {"WEBSOCKET_STATS_INTERVAL=14"};
  const LoadResult result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.settings.timeout.count() == 13);
  CHECK(result.origin_of("timeout").describe() == "flag --timeout");
  CHECK(result.settings.ping_interval.count() == 12);
  CHECK(result.origin_of("ping_interval").describe() == "/c.conf:2");
  CHECK(result.settings.stats_interval.count() == 14);
  CHECK(result.origin_of("stats_interval").describe() == "env WEBSOCKET_STATS_INTERVAL");
  CHECK(result.config_origin.describe() == "flag --config");
}

TEST_CASE("--config wins over WEBSOCKET_CONFIG; the other file is not read") {
  Setup setup;
  setup.files["/flag.conf"] = "port = 1\n";
  setup.files["/env.conf"] = "port = 2\nbroken line\n";
  setup.env = {"WEBSOCKET_CONFIG=/env.conf"};
  setup.args = {"--config=/flag.conf"};
  const LoadResult result = setup.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.settings.port == 1);
  CHECK(result.config_file == "/flag.conf");
}

TEST_CASE("a repeated flag: the last one wins") {
  Setup setup;
  setup.args = {"--port", "1", "--port=2", "--debug", "--debug=false"};
  const LoadResult result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.settings.port == 2);
  CHECK_FALSE(result.settings.debug);
}

TEST_CASE("an empty environment variable is a value, not an absence") {
  Setup setup;
  setup.files["/c.conf"] = "log_path = /var/log/ws/\n";
  setup.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_LOG_PATH="};
  const LoadResult result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.settings.log_path.empty());
  CHECK(result.origin_of("log_path").describe() == "env WEBSOCKET_LOG_PATH");
  // For a typed key, empty is refused rather than silently meaning the default.
  Setup typed;
  typed.env = {"WEBSOCKET_PORT="};
  CHECK(all_errors(typed.load().errors) ==
        "env WEBSOCKET_PORT: port: is empty (allowed: 1..65535)\n");
}

TEST_CASE("every kind of invalid value is refused from every source, naming key and source") {
  struct Case {
    const char* key;
    const char* bad;
  };
  const Case cases[] = {
      {"debug", "maybe"},                      // boolean
      {"max_clients", "-1"},                   // count
      {"max_message_size", "2G"},              // bytes, above range
      {"timeout", "abc"},                      // seconds
      {"port", "70000"},                       // port
      {"host", "example.com"},                 // IP literal (or localhost)
      {"log_level", "loud"},                   // enum
      {"log_path", "/a\x01"},                  // path with a control character
      {"auth_secret", "x\x02y"},               // secret with a control character
      {"allow_ips", "10.0.0.0/33"},            // CIDR
      {"cors_origins", "https://x.example/"},  // origin with a path
      {"rooms", "a:privat"},                   // room spec
      {"default_room", "a\x03"},               // room name
      {"ignore_env", "URL"},                   // env-name list
      {"publish_url", "ftp://x"},              // http URL
      {"redis_url", "redis://x"},              // redis URL without port
      {"node_id", "a b"},                      // node id
  };
  for (const Case& c : cases) {
    const KeyInfo& key = *find_key(c.key);
    Value ignored;
    std::string expected;
    REQUIRE_FALSE(parse_value(key, c.bad, ignored, expected));
    const std::string env = env_name(c.key);
    const std::string flag = flag_name(c.key);

    Setup from_file;
    from_file.files["/bad.conf"] = "# line 1\n" + std::string(c.key) + " = " + c.bad + "\n";
    from_file.args = {"--config", "/bad.conf"};
    Setup from_env;
    from_env.env = {env + "=" + c.bad};
    Setup from_flag;
    from_flag.args = {flag + "=" + c.bad};

    const std::pair<const Setup*, std::string> sources[] = {
        {&from_file, "/bad.conf:2"}, {&from_env, "env " + env}, {&from_flag, "flag " + flag}};
    for (const auto& entry : sources) {
      // (not a structured binding: clang 14 cannot capture one in doctest's INFO lambda)
      const std::string& source = entry.second;
      const LoadResult result = entry.first->load();
      INFO("key " << c.key << " from " << source << ": " << all_errors(result.errors));
      REQUIRE(result.errors.size() == 1);
      CHECK_FALSE(result.ok());
      CHECK(result.errors[0].key == c.key);
      CHECK(result.errors[0].source == source);
      CHECK(result.errors[0].message == expected);
      // The refused value is not used: the key keeps its default.
      CHECK(result.origin_of(c.key).describe() != source);
    }
  }
}

TEST_CASE("exact messages as printed, one per source") {
  Setup setup;
  setup.files["/etc/wsrelay/wsrelay.conf"] = "\n\n\n\n\n\n\n\n\n\n\nport = 70000\n";
  setup.env = {"WEBSOCKET_CONFIG=/etc/wsrelay/wsrelay.conf", "WEBSOCKET_MAX_CLIENTS=lots"};
  setup.args = {"--log-level", "verbose", "--port", "0"};
  const LoadResult result = setup.load();
  CHECK(all_errors(result.errors) ==
        "/etc/wsrelay/wsrelay.conf:12: port: '70000' is out of range (allowed: 1..65535)\n"
        "env WEBSOCKET_MAX_CLIENTS: max_clients: 'lots' is not a whole number (allowed: "
        "0..10000000)\n"
        "flag --log-level: log_level: 'verbose' is not a log level (allowed: debug, info, warn "
        "or error)\n"
        "flag --port: '0' is out of range (allowed: 1..65535)\n");
}

TEST_CASE("an overridden bad value is still an error") {
  // The broken file line would bite the day the env override is removed: report it now.
  Setup setup;
  setup.files["/c.conf"] = "port = eighty\n";
  setup.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_PORT=80"};
  const LoadResult result = setup.load();
  CHECK(all_errors(result.errors) ==
        "/c.conf:1: port: 'eighty' is not a whole number (allowed: 1..65535)\n");
  CHECK(result.settings.port == 80);
}

TEST_CASE("all errors are collected, not just the first") {
  Setup setup;
  setup.files["/c.conf"] = "prot = 1\nhost = nowhere\n";
  setup.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_DEBGU=1"};
  setup.args = {"--timeout", "x", "--auth-enabled"};
  const LoadResult result = setup.load();
  CHECK(result.errors.size() == 5);  // prot, host, timeout, WEBSOCKET_DEBGU, auth_secret
}

TEST_CASE("config file problems: missing, empty path") {
  Setup missing;
  missing.args = {"--config", "/nope.conf"};
  CHECK(all_errors(missing.load().errors) ==
        "flag --config: cannot read config file /nope.conf: No such file or directory\n");
  Setup empty;
  empty.env = {"WEBSOCKET_CONFIG="};
  CHECK(all_errors(empty.load().errors) ==
        "env WEBSOCKET_CONFIG: config: is empty (allowed: a file path)\n");
}

TEST_CASE("unknown WEBSOCKET_* variables are errors unless ignore_env lists them") {
  Setup typo;
  typo.env = {"WEBSOCKET_PROT=9000", "HOME=/root"};
  CHECK(all_errors(typo.load().errors) ==
        "environment: unknown settings: WEBSOCKET_PROT (env; did you mean WEBSOCKET_PORT?). "
        "Correct a typo; names that belong to another program go in ignore_env, e.g. this line "
        "in the environment or .env file: WEBSOCKET_IGNORE_ENV=WEBSOCKET_PROT\n");

  // Listed by name (from any source): silently ignored; other unknown names still refused,
  // and the line to paste keeps what ignore_env already lists.
  Setup listed;
  listed.files["/c.conf"] = "ignore_env = WEBSOCKET_URL, WEBSOCKET_APP_KEY\n";
  listed.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_URL=wss://x", "WEBSOCKET_APP_KEY=1",
                "WEBSOCKET_PROT=1"};
  const LoadResult listed_result = listed.load();
  REQUIRE(listed_result.errors.size() == 1);
  CHECK(listed_result.errors[0].message.find("WEBSOCKET_URL (") == std::string::npos);
  CHECK(listed_result.errors[0].message.ends_with(
      ": WEBSOCKET_IGNORE_ENV=WEBSOCKET_URL,WEBSOCKET_APP_KEY,WEBSOCKET_PROT"));
  CHECK(listed_result.warnings.empty());

  Setup by_flag;
  by_flag.env = {"WEBSOCKET_URL=wss://x"};
  by_flag.args = {"--ignore-env", "WEBSOCKET_URL"};
  CHECK(by_flag.load().ok());

  // ignore_env=* : every unknown variable becomes (one) warning.
  Setup all;
  all.env = {"WEBSOCKET_IGNORE_ENV=*", "WEBSOCKET_URL=wss://x", "WEBSOCKET_PROT=1"};
  const LoadResult all_result = all.load();
  CHECK(all_result.ok());
  CHECK(all_errors(all_result.warnings) ==
        "environment: unknown settings ignored because ignore_env=*: WEBSOCKET_URL (env), "
        "WEBSOCKET_PROT (env; did you mean WEBSOCKET_PORT?)\n");
}

TEST_CASE("all unknown names, from the environment and the env file, make ONE error") {
  Setup setup;
  setup.env = {"WEBSOCKET_PROT=1", "WEBSOCKET_HOTS=x", "WEBSOCKET_ENV_FILE=/app/.env"};
  setup.files["/app/.env"] =
      "APP_NAME=Laravel\nWEBSOCKET_MAX_CLIENT=5\nWEBSOCKET_PROT=2\nWEBSOCKET_FRONTEND_URL=x\n";
  const LoadResult result = setup.load();
  CHECK(all_errors(result.errors) ==
        "environment: unknown settings: WEBSOCKET_PROT (env; did you mean WEBSOCKET_PORT?), "
        "WEBSOCKET_HOTS (env; did you mean WEBSOCKET_HOST?), WEBSOCKET_MAX_CLIENT (/app/.env:2; "
        "did you mean WEBSOCKET_MAX_CLIENTS?), WEBSOCKET_FRONTEND_URL (/app/.env:4). Correct a "
        "typo; names that belong to another program go in ignore_env, e.g. this line in the "
        "environment or .env file: "
        "WEBSOCKET_IGNORE_ENV=WEBSOCKET_PROT,WEBSOCKET_HOTS,WEBSOCKET_MAX_CLIENT,"
        "WEBSOCKET_FRONTEND_URL\n");
  // The pasted line works, from the env file itself too.
  setup.files["/app/.env"] +=
      "WEBSOCKET_IGNORE_ENV=WEBSOCKET_PROT,WEBSOCKET_HOTS,WEBSOCKET_MAX_CLIENT,"
      "WEBSOCKET_FRONTEND_URL\n";
  const LoadResult fixed = setup.load();
  INFO(all_errors(fixed.errors));
  CHECK(fixed.ok());
}

TEST_CASE("other packages' names: aliases set the setting, meaningless ones get one warning") {
  Setup setup;
  setup.env = {"WEBSOCKET_SSL=true",
               "WEBSOCKET_SSL_CERT=/tls/cert.pem",
               "WEBSOCKET_SSL_KEY=/tls/key.pem",
               "WEBSOCKET_ENABLED=true",
               "WEBSOCKET_LOG_CHANNEL=stack",
               "WEBSOCKET_ERROR_LOG=/var/log/ws.log"};
  const LoadResult result = setup.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.settings.ssl_enabled);
  CHECK(result.settings.ssl_cert_path == "/tls/cert.pem");
  CHECK(result.settings.ssl_key_path == "/tls/key.pem");
  CHECK(result.origin_of("ssl_cert_path").describe() == "env WEBSOCKET_SSL_CERT (alias)");
  CHECK(result.origin_of("ssl_enabled").describe() == "env WEBSOCKET_SSL (alias)");
  CHECK(all_errors(result.warnings) ==
        "environment: ignored, as they belong to other WebSocket packages and mean nothing to "
        "wsrelay: WEBSOCKET_ENABLED (env), WEBSOCKET_LOG_CHANNEL (env), WEBSOCKET_ERROR_LOG "
        "(env)\n");

  // The canonical name wins over its alias, whatever the order in the environment.
  Setup both;
  both.env = {"WEBSOCKET_SSL_CERT_PATH=/a.pem", "WEBSOCKET_SSL_CERT=/b.pem"};
  const LoadResult both_result = both.load();
  CHECK(both_result.settings.ssl_cert_path == "/a.pem");
  CHECK(both_result.origin_of("ssl_cert_path").describe() == "env WEBSOCKET_SSL_CERT_PATH");

  // An alias's bad value is reported under its own name.
  Setup bad;
  bad.env = {"WEBSOCKET_SSL=maybe"};
  CHECK(all_errors(bad.load().errors).starts_with("env WEBSOCKET_SSL (alias): ssl_enabled: "));

  // ignore_env silences the warning for a name it lists.
  Setup quiet;
  quiet.env = {"WEBSOCKET_ENABLED=true", "WEBSOCKET_IGNORE_ENV=WEBSOCKET_ENABLED"};
  CHECK(quiet.load().warnings.empty());
}

TEST_CASE("echo mode changes the max_message_size default, and only that") {
  Setup echo;
  echo.options.mode = Mode::kEcho;
  const LoadResult result = echo.load();
  REQUIRE(result.ok());
  CHECK(result.settings.max_message_size == kEchoMaxMessageSize);
  CHECK(result.origin_of("max_message_size").describe() == "default (echo mode)");
  CHECK(result.settings.max_clients == Settings{}.max_clients);
  echo.env = {"WEBSOCKET_MAX_MESSAGE_SIZE=1M"};
  const LoadResult overridden = echo.load();
  CHECK(overridden.settings.max_message_size == 1024 * 1024);
  CHECK(overridden.origin_of("max_message_size").describe() == "env WEBSOCKET_MAX_MESSAGE_SIZE");
  CHECK(Setup{}.load().settings.max_message_size == 65536);
}

TEST_CASE("command flags come back to the caller") {
  Setup setup;
  setup.options.command_flags = {{"signal", true}, {"room", true}};
  setup.args = {"--signal", "refresh", "--api-key", "k", "--room=lobby"};
  const LoadResult result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.command_values ==
        std::vector<std::pair<std::string, std::string>>{{"signal", "refresh"}, {"room", "lobby"}});
  CHECK(result.settings.api_key == "k");
}

TEST_CASE("debug=true wins over log_level") {
  Setup setup;
  setup.files["/c.conf"] = "log_level = error\n";
  setup.env = {"WEBSOCKET_CONFIG=/c.conf", "WEBSOCKET_DEBUG=1"};
  const LoadResult result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.settings.log_level == Level::kDebug);
  CHECK(result.origin_of("log_level").describe() == "derived from debug=true, env WEBSOCKET_DEBUG");
  CHECK(all_errors(result.warnings) ==
        "/c.conf:1: log_level: log_level=error is overridden by debug=true (env "
        "WEBSOCKET_DEBUG)\n");
  Setup plain;
  plain.args = {"--debug"};
  const LoadResult plain_result = plain.load();
  CHECK(plain_result.settings.log_level == Level::kDebug);
  CHECK(plain_result.warnings.empty());
  Setup level_only;
  level_only.args = {"--log-level", "warn"};
  CHECK(level_only.load().settings.log_level == Level::kWarn);
}

TEST_CASE("publish_url follows host, port and ssl_enabled unless set") {
  auto url_for = [](std::vector<std::string> args) {
    Setup setup;
    setup.args = std::move(args);
    const LoadResult result = setup.load();
    INFO(all_errors(result.errors));
    REQUIRE(result.ok());
    return result.settings.publish_url + " | " + result.origin_of("publish_url").describe();
  };
  CHECK(url_for({}) == "http://127.0.0.1:8080 | default");
  CHECK(url_for({"--port", "9000"}) ==
        "http://127.0.0.1:9000 | derived from host, port and ssl_enabled");
  CHECK(url_for({"--host", "0.0.0.0", "--port", "81"}) ==
        "http://127.0.0.1:81 | derived from host, port and ssl_enabled");
  CHECK(url_for({"--host", "::"}) == "http://[::1]:8080 | derived from host, port and ssl_enabled");
  CHECK(url_for({"--host", "2001:db8::1"}) ==
        "http://[2001:db8::1]:8080 | derived from host, port and ssl_enabled");
  CHECK(url_for({"--ssl-enabled", "--ssl-cert-path", "c", "--ssl-key-path", "k"}) ==
        "https://127.0.0.1:8080 | derived from host, port and ssl_enabled");
  CHECK(url_for({"--port", "9000", "--publish-url", "http://ws.internal:80"}) ==
        "http://ws.internal:80 | flag --publish-url");
}

TEST_CASE("cross-field: authentication") {
  Setup missing;
  missing.env = {"WEBSOCKET_AUTH_ENABLED=true"};
  CHECK(all_errors(missing.load().errors) ==
        "env WEBSOCKET_AUTH_ENABLED: auth_secret: is empty but auth_enabled is true; set "
        "auth_secret in the file, WEBSOCKET_AUTH_SECRET or --auth-secret\n");

  Setup short_secret;
  short_secret.env = {"WEBSOCKET_AUTH_ENABLED=true", "WEBSOCKET_AUTH_SECRET=0123456789"};
  const LoadResult short_result = short_secret.load();
  CHECK(short_result.ok());  // a warning, by decision: see checks.cpp
  CHECK(all_errors(short_result.warnings) ==
        "env WEBSOCKET_AUTH_SECRET: auth_secret: is 10 bytes; HS256 wants at least 32 (RFC 7518 "
        "§3.2), a short secret can be guessed offline from one token\n");
  // The warning never shows the secret itself.
  CHECK(all_errors(short_result.warnings).find("0123456789") == std::string::npos);

  Setup good;
  good.env = {"WEBSOCKET_AUTH_ENABLED=true", "WEBSOCKET_AUTH_SECRET=" + std::string(32, 'k')};
  const LoadResult good_result = good.load();
  CHECK(good_result.ok());
  CHECK(good_result.warnings.empty());

  Setup unused;
  unused.args = {"--auth-secret", std::string(40, 's')};
  CHECK(all_errors(unused.load().warnings) ==
        "flag --auth-secret: auth_secret: is set but auth_enabled is false: clients are not "
        "authenticated\n");

  Setup spaced;
  spaced.env = {"WEBSOCKET_API_KEY=" + std::string(40, 'a') + " "};
  CHECK(all_errors(spaced.load().warnings) ==
        "env WEBSOCKET_API_KEY: api_key: starts or ends with whitespace, which is part of the "
        "secret (a stray space in a .env file?)\n");

  Setup short_key;
  short_key.args = {"--api-key=abc"};
  CHECK(all_errors(short_key.load().warnings) ==
        "flag --api-key: api_key: is only 3 bytes; use 32 or more random characters\n");
}

TEST_CASE("cross-field: TLS") {
  Setup neither;
  neither.args = {"--ssl-enabled"};
  CHECK(all_errors(neither.load().errors) ==
        "flag --ssl-enabled: ssl_cert_path: is empty but ssl_enabled is true\n"
        "flag --ssl-enabled: ssl_key_path: is empty but ssl_enabled is true\n");
  Setup no_key;
  no_key.env = {"WEBSOCKET_SSL_ENABLED=on", "WEBSOCKET_SSL_CERT_PATH=/c.pem"};
  CHECK(all_errors(no_key.load().errors) ==
        "env WEBSOCKET_SSL_ENABLED: ssl_key_path: is empty but ssl_enabled is true\n");
  Setup both;
  both.env = {"WEBSOCKET_SSL_ENABLED=on", "WEBSOCKET_SSL_CERT_PATH=/c.pem",
              "WEBSOCKET_SSL_KEY_PATH=/k.pem"};
  CHECK(both.load().ok());
  Setup emptied;  // set, but empty: nothing to warn about
  emptied.env = {"WEBSOCKET_SSL_CERT_PATH=", "WEBSOCKET_SSL_CHAIN_PATH="};
  CHECK(emptied.load().warnings.empty());
  // Paths without ssl_enabled: an error saying what to add (the deploy recipe used to fall
  // into this, serving ws:// to wss:// clients).
  Setup forgotten;
  forgotten.env = {"WEBSOCKET_SSL_CERT_PATH=/c.pem", "WEBSOCKET_SSL_KEY_PATH=/k.pem"};
  CHECK(all_errors(forgotten.load().errors) ==
        "env WEBSOCKET_SSL_CERT_PATH: ssl_cert_path: is set but ssl_enabled is not: add "
        "ssl_enabled = true (WEBSOCKET_SSL_ENABLED=true, --ssl-enabled) to serve wss:// and "
        "https://, or remove the ssl_*_path settings to serve plain ws://\n");
  Setup chain_only;
  chain_only.files["/w.conf"] = "ssl_chain_path = /chain.pem\n";
  chain_only.args = {"--config", "/w.conf"};
  CHECK(all_errors(chain_only.load().errors).starts_with("/w.conf:1: ssl_chain_path: is set but"));
  // TLS switched off on purpose keeps the paths, with a warning that names the switch.
  Setup unused;
  unused.env = {"WEBSOCKET_SSL_CERT_PATH=/c.pem", "WEBSOCKET_SSL_ENABLED=false"};
  const LoadResult unused_result = unused.load();
  CHECK(unused_result.ok());
  CHECK(all_errors(unused_result.warnings) ==
        "env WEBSOCKET_SSL_CERT_PATH: ssl_cert_path: is set but ssl_enabled is false (env "
        "WEBSOCKET_SSL_ENABLED): serving plain ws:// and http://\n");
}

TEST_CASE("cross-field: ping_timeout < ping_interval when both > 0") {
  Setup equal;
  equal.args = {"--ping-timeout", "30"};
  CHECK(all_errors(equal.load().errors) ==
        "flag --ping-timeout: ping_timeout: is 30 but must be less than ping_interval (30, "
        "default) when both are above 0 (a Pong must be due before the next Ping)\n");
  Setup interval_set;  // the user changed ping_interval: point at that
  interval_set.env = {"WEBSOCKET_PING_INTERVAL=5"};
  CHECK(all_errors(interval_set.load().errors) ==
        "env WEBSOCKET_PING_INTERVAL: ping_interval: is 5 but must be greater than ping_timeout "
        "(10, default) when both are above 0 (a Pong must be due before the next Ping)\n");
  for (const char* ok : {"--ping-interval=0", "--ping-timeout=0", "--ping-timeout=29"}) {
    Setup setup;
    setup.args = {ok};
    CHECK_MESSAGE(setup.load().ok(), ok);
  }
}

TEST_CASE("cross-field: rooms and names") {
  Setup long_room;
  long_room.files["/c.conf"] = "max_name_length = 7\nrooms = general,abcdefgh\n";
  long_room.args = {"--config", "/c.conf"};
  CHECK(all_errors(long_room.load().errors) ==
        "/c.conf:2: rooms: room 'abcdefgh' is 8 bytes, longer than max_name_length (7, "
        "/c.conf:1)\n");
  Setup long_default;
  long_default.args = {"--max-name-length", "3"};
  CHECK(all_errors(long_default.load().errors) ==
        "flag --max-name-length: max_name_length: default_room 'general' is 7 bytes, longer "
        "than max_name_length (3, flag --max-name-length)\n");
  Setup private_default;
  private_default.args = {"--rooms", "general:private"};
  CHECK(all_errors(private_default.load().warnings) ==
        "flag --rooms: default_room 'general' is a private room: clients that may not join it "
        "will fail the automatic join\n");
  Setup disabled;
  disabled.args = {"--rooms-enabled=false", "--rooms", "a"};
  CHECK(all_errors(disabled.load().warnings) ==
        "flag --rooms: declares rooms but rooms_enabled is false\n");
}

TEST_CASE("cross-field: limits, networks, reserved keys") {
  Setup per_ip;
  per_ip.args = {"--max-clients", "10", "--max-clients-per-ip", "11"};
  CHECK(all_errors(per_ip.load().warnings) ==
        "flag --max-clients-per-ip: max_clients_per_ip: is above max_clients (10), so it never "
        "applies\n");
  Setup unlimited;  // max_clients=0 means unlimited: nothing to compare with
  unlimited.args = {"--max-clients", "0", "--max-clients-per-ip", "11"};
  CHECK(unlimited.load().warnings.empty());

  Setup host_bits;
  host_bits.env = {"WEBSOCKET_DENY_IPS=10.1.2.3/8,192.168.0.0/16"};
  CHECK(all_errors(host_bits.load().warnings) ==
        "env WEBSOCKET_DENY_IPS: deny_ips: '10.1.2.3/8' has bits set after the prefix; it "
        "matches the whole network\n");

  Setup cluster;
  cluster.env = {"WEBSOCKET_REDIS_URL=redis://r:6379", "WEBSOCKET_NODE_ID=a"};
  CHECK(cluster.load().warnings.empty());
  Setup lonely;
  lonely.env = {"WEBSOCKET_NODE_ID=a", "WEBSOCKET_CLUSTER_PREFIX=app1"};
  CHECK(all_errors(lonely.load().warnings) ==
        "env WEBSOCKET_NODE_ID: node_id: has no effect without redis_url\n"
        "env WEBSOCKET_CLUSTER_PREFIX: cluster_prefix: has no effect without redis_url\n");
}

TEST_CASE("load_settings reads a real file and the real environ layout") {
  char dir_template[] = "/tmp/wsrelay-loader-test-XXXXXX";
  REQUIRE(::mkdtemp(dir_template) != nullptr);
  const std::string path = std::string(dir_template) + "/ws.conf";
  std::ofstream(path) << "port = 7000\nrooms = vip:private:max_clients=10\n";
  const std::string config_env = "WEBSOCKET_CONFIG=" + path;
  const char* envp[] = {"PATH=/bin", config_env.c_str(), "WEBSOCKET_TIMEOUT=0", nullptr};
  const LoadResult result = load_settings({"--max-clients", "5"}, envp, Mode::kServe);
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.settings.port == 7000);
  CHECK(result.origin_of("port").describe() == path + ":1");
  CHECK(result.settings.rooms == std::vector<RoomSpec>{{"vip", true, 10}});
  CHECK(result.settings.timeout.count() == 0);
  CHECK(result.settings.max_clients == 5);
  const LoadResult echo = load_settings({}, nullptr, Mode::kEcho);
  CHECK(echo.settings.max_message_size == kEchoMaxMessageSize);
  ::unlink(path.c_str());
  ::rmdir(dir_template);
}

TEST_CASE("PUSHER_* / REVERB_* fill pusher_app_* below every other source, with their origin") {
  Setup setup;
  setup.env = {"PUSHER_APP_KEY=pusherkey", "REVERB_APP_KEY=reverbkey", "REVERB_APP_SECRET=reverbsecret",
               "PUSHER_APP_ID=", "REVERB_APP_ID=77"};
  LoadResult result = setup.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.settings.pusher_app_key == "pusherkey");  // PUSHER_ wins over REVERB_
  CHECK(result.settings.pusher_app_secret == "reverbsecret");
  CHECK(result.settings.pusher_app_id == "77");  // an empty PUSHER_APP_ID is absent
  CHECK(result.origins[key_index(*find_key("pusher_app_key"))].describe() == "env PUSHER_APP_KEY");
  CHECK(result.origins[key_index(*find_key("pusher_app_id"))].describe() == "env REVERB_APP_ID");

  // Any wsrelay source beats them: the file, WEBSOCKET_*, a flag.
  setup.files["/c.conf"] = "pusher_app_key = filekey\npusher_app_id = 5\n";
  setup.env.push_back("WEBSOCKET_CONFIG=/c.conf");
  setup.env.push_back("WEBSOCKET_PUSHER_APP_SECRET=envsecret");
  setup.args = {"--pusher-app-id", "6"};
  result = setup.load();
  REQUIRE(result.ok());
  CHECK(result.settings.pusher_app_key == "filekey");
  CHECK(result.settings.pusher_app_secret == "envsecret");
  CHECK(result.settings.pusher_app_id == "6");
}

TEST_CASE("a Laravel .env's PUSHER_* lines are fallbacks too, below the real environment's") {
  Setup setup;
  setup.env = {"WEBSOCKET_ENV_FILE=/app/.env", "PUSHER_APP_SECRET=realsecret"};
  setup.files["/app/.env"] =
      "APP_NAME=Laravel\nBROADCAST_CONNECTION=pusher\nPUSHER_APP_ID=101\nPUSHER_APP_KEY=filekey\n"
      "PUSHER_APP_SECRET=filesecret\n";
  const LoadResult result = setup.load();
  INFO(all_errors(result.errors));
  REQUIRE(result.ok());
  CHECK(result.settings.pusher_app_id == "101");
  CHECK(result.settings.pusher_app_key == "filekey");
  CHECK(result.settings.pusher_app_secret == "realsecret");  // the real environment wins
  CHECK(result.origins[key_index(*find_key("pusher_app_key"))].describe() == "/app/.env:4 PUSHER_APP_KEY");
  CHECK(result.origins[key_index(*find_key("pusher_app_secret"))].describe() == "env PUSHER_APP_SECRET");
}
