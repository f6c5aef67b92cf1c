// The wsrelay command line.
//
//   wsrelay [serve] [--key value ...]   the JSON relay (rooms, signals, API, web page)
//   wsrelay echo [--broadcast] [...]    a pure echo server (conformance suites, benchmarks)
//   wsrelay check-config [...]          print the effective configuration and where each value came from
//   wsrelay publish ...                 call the backend API (see `wsrelay publish --help`)
//   wsrelay --help | --version
//
// Exit status: 0 success, 1 runtime failure (port in use, ...), 2 configuration or usage error.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "config/keys.hpp"
#include "config/loader.hpp"
#include "config/report.hpp"
#include "http/publish_client.hpp"
#include "log/logger.hpp"
#include "net/tls_context.hpp"
#include "runtime/runtime.hpp"

extern char** environ;

namespace {

using namespace wsrelay;

constexpr std::string_view kVersion = "0.1.0";

void print_help() {
  std::printf(
      "wsrelay %.*s — a WebSocket server for real-time push (RFC 6455)\n\n"
      "Usage:\n"
      "  wsrelay [serve] [flags]          JSON relay: echo, broadcast, rooms, signals, HTTP API, "
      "web page\n"
      "  wsrelay echo [--broadcast] [flags]  pure echo server (16 MiB messages; --broadcast: to "
      "everyone)\n"
      "  wsrelay check-config [flags]     print the effective configuration and each value's "
      "source\n"
      "  wsrelay publish --signal NAME [--data JSON] [--room R] | --room R --message M | ...\n"
      "  wsrelay --help | --version\n\n"
      "Configuration (highest first): flags, environment WEBSOCKET_<KEY>, the application's .env\n"
      "(--env-file PATH), file (--config PATH), defaults. Key foo_bar is env WEBSOCKET_FOO_BAR\n"
      "and flag --foo-bar. check-config --table also lists the configuration when it has errors.\n"
      "Keys:\n\n%s\n"
      "Full reference: docs/configuration.md\n",
      static_cast<int>(kVersion.size()), kVersion.data(), config::render_flag_summary().c_str());
}

// What to do about a failed bind, in the words of the settings (the reactor that reports it
// knows no setting names): "" when the error is something else.
std::string bind_advice(const std::string& error, const config::Settings& settings) {
  const std::string port = std::to_string(settings.port);
  if (error.find("bind") == std::string::npos) return "";
  if (error.find(std::strerror(EADDRINUSE)) != std::string::npos) {
    return "; another process listens on " + port +
           ": choose another with --port or WEBSOCKET_PORT (`ss -ltnp 'sport = :" + port +
           "'` shows which process)";
  }
  if (error.find(std::strerror(EACCES)) != std::string::npos) {
    return "; ports below 1024 need privilege: use --port 1024 or above (the default is 8080, "
           "behind a proxy on 443), or grant CAP_NET_BIND_SERVICE (see deploy/wsrelay.service)";
  }
  if (error.find(std::strerror(EADDRNOTAVAIL)) != std::string::npos) {
    return "; " + settings.host +
           " is not an address of this machine: use --host 127.0.0.1 (this machine only) or "
           "0.0.0.0 (every interface)";
  }
  return "";
}

// What a person who just ran `make run` wants to know next: where the test page is, and
// whether the backend API is on (it is off until api_key is set, and a 404 says nothing).
void log_where_to_start(const config::Settings& s) {
  std::string host = s.host;
  if (host == "0.0.0.0") host = "127.0.0.1";  // every interface includes loopback
  if (host == "::") host = "::1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string base = std::string(s.ssl_enabled ? "https" : "http") + "://" + host + ":" + std::to_string(s.port);
  log::info("test page: ", base, "/");
  if (s.api_key.empty()) {
    log::info("backend API: off; to turn it on, set api_key with --api-key or the variable WEBSOCKET_API_KEY "
              "(make a key with: openssl rand -hex 32), see docs/backend.md");
  } else {
    log::info("backend API: on at ", base, "/api/ (Authorization: Bearer <api_key>)");
  }
}

// The nearest command to a mistyped one ("serv" -> "serve"), or "".
std::string_view suggest_command(std::string_view typed) {
  constexpr std::string_view kCommands[] = {"serve", "echo", "check-config", "publish", "help"};
  std::string_view best;
  size_t best_distance = typed.size() >= 4 ? 2 : 1;
  for (std::string_view command : kCommands) {
    // A prefix ("check") is as good as one edit.
    const size_t distance =
        typed.size() >= 3 && command.starts_with(typed) ? 1 : config::edit_distance(typed, command);
    if (distance <= best_distance && (best.empty() || distance < best_distance)) {
      best = command;
      best_distance = distance;
    }
  }
  return best;
}

// Errors go to stderr (the log is not open yet); warnings are logged by serve() once it is.
bool report(const config::LoadResult& result, bool print_warnings = true) {
  if (print_warnings) {
    for (const config::LoadError& warning : result.warnings) {
      std::fprintf(stderr, "wsrelay: warning: %s\n", config::format_error(warning).c_str());
    }
  }
  for (const config::LoadError& error : result.errors) {
    std::fprintf(stderr, "wsrelay: %s\n", config::format_error(error).c_str());
  }
  return result.ok();
}

int serve(const std::vector<std::string>& args, config::Mode mode) {
  config::LoadOptions options;
  options.mode = mode;
  if (mode == config::Mode::kEcho) options.command_flags.push_back({"broadcast", false});
  const config::LoadResult loaded = config::load_settings(args, environ, options);
  if (!report(loaded, false)) return 2;
  bool broadcast = false;
  for (const auto& [name, value] : loaded.command_values) {
    if (name == "broadcast") broadcast = value.empty() || value == "true" || value == "1";
  }
  runtime::Runtime runtime(loaded.settings, mode, broadcast);
  std::string error;
  const bool started = runtime.start(error);
  // After start() the log goes where log_path says, so configuration warnings land there too.
  for (const config::LoadError& warning : loaded.warnings) log::warn("config: ", config::format_error(warning));
  if (!started) {
    log::error("cannot start: ", error, bind_advice(error, loaded.settings));
    return error.find("bind") != std::string::npos ? 1 : 2;
  }
  if (mode == config::Mode::kServe) log_where_to_start(loaded.settings);
  return runtime.run();
}

// check-config: errors (and warnings) on stderr first; the table on stdout when the
// configuration is valid, or on request (--table) when it is not, since a table of values that
// will never run mostly buries the errors. With TLS on, the certificate and key are loaded
// exactly as serve would (exist, readable, PEM, matching pair).
int check_config(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.command_flags.push_back({"mode", true});
  options.command_flags.push_back({"table", false});
  config::LoadResult loaded = config::load_settings(args, environ, options);
  bool table = false;
  for (const auto& [name, value] : loaded.command_values) {
    if (name == "table") table = value == "true";
    if (name != "mode") continue;
    if (value == "echo") {
      options.mode = config::Mode::kEcho;
      loaded = config::load_settings(args, environ, options);
    } else if (value != "serve") {
      std::fprintf(stderr, "wsrelay: check-config --mode: '%s' is not serve or echo\n", value.c_str());
      return 2;
    }
  }
  std::string tls_line;
  if (loaded.ok() && loaded.settings.ssl_enabled) {
    const config::Settings& s = loaded.settings;
    net::TlsContext tls;
    std::string error;
    if (!tls.load({s.ssl_cert_path, s.ssl_key_path, s.ssl_chain_path}, error)) {
      loaded.errors.push_back({"", "TLS", error});
    } else {
      tls_line = "\nTLS: certificate and key load: " + tls.description() + "\n";
      if (tls.expired()) {
        loaded.warnings.push_back({"ssl_cert_path", loaded.origin_of("ssl_cert_path").describe(),
                                   "the certificate has expired: clients will refuse it"});
      }
    }
  }
  const bool ok = report(loaded);
  if (ok || table) {
    std::printf("%s%s", config::render_effective(loaded).c_str(), tls_line.c_str());
  } else {
    std::fprintf(
        stderr,
        "wsrelay: check-config: %zu error(s); the table is not shown (add --table to see it)\n",
        loaded.errors.size());
  }
  return ok ? 0 : 2;
}

int publish(std::vector<std::string> args) {
  // The URL and key default to the same configuration (file and environment) the server reads.
  std::vector<std::string> config_args;
  for (size_t i = 0; i < args.size();) {
    if ((args[i] == "--config" || args[i] == "--env-file") && i + 1 < args.size()) {
      config_args.insert(config_args.end(), {args[i], args[i + 1]});
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      continue;
    }
    ++i;
  }
  const config::LoadResult loaded = config::load_settings(config_args, environ, config::Mode::kServe);
  if (!report(loaded)) return 2;
  http::PublishSettings settings;
  settings.url = loaded.settings.publish_url;
  settings.api_key = loaded.settings.api_key;
  return http::run_publish(args, settings);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string command = "serve";
  if (!args.empty() && !args[0].starts_with("-")) {
    command = args[0];
    args.erase(args.begin());
  }
  for (const std::string& arg : args) {
    if (command == "publish") break;
    if (arg == "--help" || arg == "-h") {
      print_help();
      return 0;
    }
    if (arg == "--version") {
      std::printf("wsrelay %.*s\n", static_cast<int>(kVersion.size()), kVersion.data());
      return 0;
    }
  }
  if (command == "serve") return serve(args, config::Mode::kServe);
  if (command == "echo") return serve(args, config::Mode::kEcho);
  if (command == "check-config") return check_config(args);
  if (command == "publish") return publish(args);
  if (command == "help") {
    print_help();
    return 0;
  }
  if (const std::string_view near = suggest_command(command); !near.empty()) {
    std::fprintf(stderr, "wsrelay: unknown command '%s': did you mean %.*s? (try --help)\n",
                 command.c_str(), static_cast<int>(near.size()), near.data());
    return 2;
  }
  std::fprintf(stderr, "wsrelay: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
