// The .env parser: both frameworks' sample files, quoting, comments, expansion, errors with
// file and line, and the env file's place among the sources.
#include "config/dotenv.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "config/report.hpp"

using namespace wsrelay::config;

namespace {

std::map<std::string, std::string> values_of(const DotenvParse& parse) {
  std::map<std::string, std::string> out;
  for (const DotenvEntry& entry : parse.entries) out[entry.name] = entry.value;
  return out;
}

std::string all_errors(const std::vector<LoadError>& errors) {
  std::string out;
  for (const LoadError& e : errors) out += format_error(e) + "\n";
  return out;
}

DotenvParse parse(std::string_view text, std::vector<std::string> env = {}) {
  return parse_dotenv(text, ".env", env);
}

// Lines of Laravel 11's .env.example.
constexpr std::string_view kLaravel =
    "APP_NAME=Laravel\n"
    "APP_ENV=local\n"
    "APP_KEY=\n"
    "APP_DEBUG=true\n"
    "APP_URL=http://localhost\n"
    "\n"
    "APP_MAINTENANCE_DRIVER=file\n"
    "# APP_MAINTENANCE_STORE=database\n"
    "\n"
    "DB_CONNECTION=sqlite\n"
    "# DB_HOST=127.0.0.1\n"
    "SESSION_PATH=/\n"
    "SESSION_DOMAIN=null\n"
    "CACHE_PREFIX=\n"
    "MAIL_FROM_ADDRESS=\"hello@example.com\"\n"
    "MAIL_FROM_NAME=\"${APP_NAME}\"\n"
    "VITE_APP_NAME=\"${APP_NAME}\"\n";

// Lines of CodeIgniter 4's `env` file, some uncommented.
constexpr std::string_view kCodeIgniter =
    "#--------------------------------------------------------------------\n"
    "# ENVIRONMENT\n"
    "#--------------------------------------------------------------------\n"
    "\n"
    "CI_ENVIRONMENT = development\n"
    "\n"
    "app.baseURL = 'http://localhost:8080/'\n"
    "# If you have trouble with `.`, you could also use `_`.\n"
    "# app_baseURL = ''\n"
    "app.forceGlobalSecureRequests = false\n"
    "database.default.hostname = localhost\n"
    "database.default.DBPrefix =\n"
    "database.default.port = 3306\n";

}  // namespace

TEST_CASE("dotenv: Laravel 11's .env.example") {
  const DotenvParse result = parse(kLaravel);
  INFO(all_errors(result.errors));
  REQUIRE(result.errors.empty());
  const auto values = values_of(result);
  CHECK(values.at("APP_NAME") == "Laravel");
  CHECK(values.at("APP_KEY") == "");
  CHECK(values.at("APP_URL") == "http://localhost");
  CHECK(values.at("MAIL_FROM_ADDRESS") == "hello@example.com");
  CHECK(values.at("MAIL_FROM_NAME") == "Laravel");  // ${APP_NAME} expanded
  CHECK(values.at("VITE_APP_NAME") == "Laravel");
  CHECK(values.count("APP_MAINTENANCE_STORE") == 0);  // commented out
  CHECK(values.count("DB_HOST") == 0);
  CHECK(result.entries.size() == 13);
  CHECK(result.entries[2].line == 3);
}

TEST_CASE("dotenv: CodeIgniter 4's env file: spaces around '=', dotted names skipped") {
  const DotenvParse result = parse(kCodeIgniter);
  INFO(all_errors(result.errors));
  REQUIRE(result.errors.empty());
  CHECK(result.warnings.empty());
  const auto values = values_of(result);
  CHECK(values == std::map<std::string, std::string>{{"CI_ENVIRONMENT", "development"}});
  CHECK(result.entries[0].line == 5);
}

TEST_CASE("dotenv: quoting, escapes and comments") {
  const DotenvParse result = parse(
      "A=plain value   \n"
      "B=value # a comment\n"
      "C=a#b\n"
      "D=\"quoted # not a comment\" # a comment\n"
      "E='single \\n $X ${A}'\n"
      "F=\"tab\\there\\nnew \\\"q\\\" back\\\\slash \\$HOME \\x\"\n"
      "export G=exported\n"
      "  H  =  spaced  \n"
      "I=\"two\n"
      "lines\"\n"
      "J=# only a comment\n"
      "K=\n"
      "L=crlf\r\n"
      "M=''\n");
  INFO(all_errors(result.errors));
  REQUIRE(result.errors.empty());
  const auto v = values_of(result);
  CHECK(v.at("A") == "plain value");
  CHECK(v.at("B") == "value");
  CHECK(v.at("C") == "a#b");
  CHECK(v.at("D") == "quoted # not a comment");
  CHECK(v.at("E") == "single \\n $X ${A}");  // single quotes: literal
  CHECK(v.at("F") == "tab\there\nnew \"q\" back\\slash $HOME \\x");
  CHECK(v.at("G") == "exported");
  CHECK(v.at("H") == "spaced");
  CHECK(v.at("I") == "two\nlines");
  CHECK(v.at("J") == "");
  CHECK(v.at("K") == "");
  CHECK(v.at("L") == "crlf");
  CHECK(v.at("M") == "");
  // Line numbers count the lines inside a multi-line value.
  CHECK(result.entries.back().line == 14);
}

TEST_CASE("dotenv: ${NAME} expansion: real environment first, then earlier lines, else empty") {
  const DotenvParse result = parse(
      "HOST=file-host\n"
      "A=${HOST}:${PORT}\n"
      "B=\"${HOST}/${MISSING}/\\${HOST}\"\n"
      "C=${not valid}$ ${\n"
      "D=${LATER}\n"
      "LATER=x\n",
      {"PORT=9000", "HOST_X=no"});
  REQUIRE(result.errors.empty());
  const auto v = values_of(result);
  CHECK(v.at("A") == "file-host:9000");
  CHECK(v.at("B") == "file-host//${HOST}");
  CHECK(v.at("C") == "${not valid}$ ${");
  CHECK(v.at("D") == "");  // defined only later in the file

  const DotenvParse real_wins = parse("HOST=file\nA=${HOST}\n", {"HOST=real"});
  CHECK(values_of(real_wins).at("A") == "real");
}

TEST_CASE("dotenv: the first definition of a name is used, a WEBSOCKET_* repeat warned about") {
  const DotenvParse result = parse("WEBSOCKET_PORT=1\nAPP=a\nWEBSOCKET_PORT=2\nAPP=b\n");
  REQUIRE(result.errors.empty());
  CHECK(values_of(result).at("WEBSOCKET_PORT") == "1");
  CHECK(values_of(result).at("APP") == "a");
  CHECK(all_errors(result.warnings) ==
        ".env:3: WEBSOCKET_PORT: is defined again; the first definition (line 1) is used, as "
        "Laravel and CodeIgniter do\n");
}

TEST_CASE("dotenv: errors name the file and line, and the rest of the file is still read") {
  const DotenvParse result = parse(
      "GOOD=1\n"
      "no equals sign here\n"
      "=value\n"
      "BAD NAME=x\n"
      "1ST=x\n"
      "Q=\"closed\" trailing\n"
      "AFTER=2\n"
      "U='never closed\n"
      "NOT_READ=3\n");
  CHECK(all_errors(result.errors) ==
        ".env:2: no: expected NAME=value (a comment line starts with #)\n"
        ".env:3: no name before '='\n"
        ".env:4: BAD NAME: 'BAD NAME' is not a variable name (letters, digits and _)\n"
        ".env:5: 1ST: '1ST' is not a variable name (letters, digits and _)\n"
        ".env:6: Q: unexpected 'trailing' after the closing quote (a comment starts with #)\n"
        ".env:8: U: the single quote opened here is never closed\n");
  const auto v = values_of(result);
  CHECK(v.at("GOOD") == "1");
  CHECK(v.at("AFTER") == "2");
  CHECK(v.count("NOT_READ") == 0);
  CHECK(v.count("Q") == 0);
}

TEST_CASE("dotenv: every split of a sample parses (no read past the end)") {
  // Truncating the text at every byte must never crash or read out of bounds (ASan build).
  const std::string text = std::string(kLaravel) + "X=\"a\\" + "\nY='b";
  for (size_t n = 0; n <= text.size(); ++n) {
    const DotenvParse result = parse(std::string_view(text).substr(0, n));
    CHECK(result.entries.size() <= 16);
  }
}

// ---- the env file among the sources -----------------------------------------------------------

namespace {

LoadResult load_with(std::vector<std::string> args, std::vector<std::string> env,
                     std::map<std::string, std::string> files) {
  const FileReader reader = [files](const std::string& path, std::string& text,
                                    std::string& error) {
    const auto it = files.find(path);
    if (it == files.end()) {
      error = "cannot read config file " + path + ": No such file or directory";
      return false;
    }
    text = it->second;
    return true;
  };
  return resolve_settings(args, env, reader, LoadOptions{});
}

}  // namespace

TEST_CASE("env file: named by flag, environment or config file; ranks just below the environment") {
  const std::string dotenv = std::string(kLaravel) +
                             "WEBSOCKET_PORT=9001\n"
                             "WEBSOCKET_HOST=localhost\n"
                             "WEBSOCKET_MAX_CLIENTS=77\n"
                             "WEBSOCKET_DEFAULT_ROOM=\"${APP_NAME} lobby\"\n"
                             "WEBSOCKET_SSL_CERT=/tls/cert.pem\n"
                             "WEBSOCKET_SSL_KEY=/tls/key.pem\n"
                             "WEBSOCKET_SSL=on\n";
  const std::map<std::string, std::string> files = {
      {"/app/.env", dotenv}, {"/etc/ws.conf", "env_file = /app/.env\nmax_clients = 5\nport = 1\n"}};

  for (const auto& [args, env] :
       std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{"--env-file", "/app/.env"}, {}},
           {{}, {"WEBSOCKET_ENV_FILE=/app/.env"}},
           {{"--config", "/etc/ws.conf"}, {}}}) {
    const LoadResult result = load_with(args, env, files);
    INFO(all_errors(result.errors));
    REQUIRE(result.ok());
    CHECK(result.settings.port == 9001);  // env file over config file
    CHECK(result.settings.host == "127.0.0.1");
    CHECK(result.settings.max_clients == 77);
    CHECK(result.settings.default_room == "Laravel lobby");
    CHECK(result.settings.ssl_cert_path == "/tls/cert.pem");
    CHECK(result.origin_of("port").describe() == "/app/.env:18 WEBSOCKET_PORT");
    CHECK(result.origin_of("ssl_cert_path").describe() ==
          "/app/.env:22 WEBSOCKET_SSL_CERT (alias)");
    CHECK(result.settings.env_file == "/app/.env");
  }

  // The real environment wins per setting; flags win over both.
  const LoadResult ranked =
      load_with({"--env-file", "/app/.env", "--max-clients", "3"},
                {"WEBSOCKET_PORT=9500", "WEBSOCKET_SSL_CERT_PATH=/real.pem"}, files);
  REQUIRE(ranked.ok());
  CHECK(ranked.settings.port == 9500);
  CHECK(ranked.origin_of("port").describe() == "env WEBSOCKET_PORT");
  CHECK(ranked.settings.ssl_cert_path == "/real.pem");
  CHECK(ranked.settings.max_clients == 3);
  CHECK(ranked.settings.host == "127.0.0.1");
}

TEST_CASE("env file: bad values, unreadable files and self-references are errors with file:line") {
  const LoadResult bad = load_with({"--env-file", "/app/.env"}, {},
                                   {{"/app/.env", "APP_NAME=x\nWEBSOCKET_PORT=http\n"}});
  CHECK(all_errors(bad.errors) ==
        "/app/.env:2 WEBSOCKET_PORT: port: 'http' is not a whole number (allowed: 1..65535)\n");

  const LoadResult missing = load_with({"--env-file", "/nope/.env"}, {}, {});
  CHECK(all_errors(missing.errors) ==
        "flag --env-file: env_file: cannot read env file /nope/.env: No such file or "
        "directory\n");

  const LoadResult loops =
      load_with({"--env-file", "/app/.env"}, {},
                {{"/app/.env", "WEBSOCKET_ENV_FILE=/other\nWEBSOCKET_CONFIG=/etc/x.conf\n"}});
  CHECK(all_errors(loops.errors) ==
        "/app/.env:2 WEBSOCKET_CONFIG: config: an env file cannot name the config file; use "
        "--config PATH or the real environment's WEBSOCKET_CONFIG\n"
        "/app/.env:1 WEBSOCKET_ENV_FILE: env_file: an env file cannot name another one; use "
        "--env-file PATH\n");
  CHECK(loops.settings.env_file == "/app/.env");

  const LoadResult syntax =
      load_with({"--env-file", "/app/.env"}, {}, {{"/app/.env", "WEBSOCKET_PORT\n"}});
  CHECK(all_errors(syntax.errors) ==
        "/app/.env:1: WEBSOCKET_PORT: expected NAME=value (a comment line starts with #)\n");
}
