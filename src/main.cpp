// The wsrelay command line.
//
//   wsrelay [serve] [--key value ...]   the JSON relay (rooms, signals, API, web page)
//   wsrelay echo [--broadcast] [...]    a pure echo server (conformance suites, benchmarks)
//   wsrelay check-config [...]          print the effective configuration and where each value came from
//   wsrelay publish ...                 call the backend API (see `wsrelay publish --help`)
//   wsrelay --help | --version
//
// Exit status: 0 success, 1 runtime failure (port in use, ...), 2 configuration or usage error.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "config/loader.hpp"
#include "config/report.hpp"
#include "http/publish_client.hpp"
#include "log/logger.hpp"
#include "runtime/runtime.hpp"

extern char** environ;

namespace {

using namespace wsrelay;

constexpr std::string_view kVersion = "0.1.0";

void print_help() {
  std::printf(
      "wsrelay %.*s — a WebSocket server for real-time push (RFC 6455)\n\n"
      "Usage:\n"
      "  wsrelay [serve] [flags]          JSON relay: echo, broadcast, rooms, signals, HTTP API, web page\n"
      "  wsrelay echo [--broadcast] [flags]  pure echo server (16 MiB messages; --broadcast: to everyone)\n"
      "  wsrelay check-config [flags]     print the effective configuration and each value's source\n"
      "  wsrelay publish --signal NAME [--data JSON] [--room R] | --room R --message M | ...\n"
      "  wsrelay --help | --version\n\n"
      "Configuration (highest first): flags, environment WEBSOCKET_<KEY>, file (--config PATH),\n"
      "defaults. Key foo_bar is env WEBSOCKET_FOO_BAR and flag --foo-bar. Keys:\n\n%s\n"
      "Full reference: docs/configuration.md\n",
      static_cast<int>(kVersion.size()), kVersion.data(), config::render_flag_summary().c_str());
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
    log::error("cannot start: ", error);
    return error.find("bind") != std::string::npos ? 1 : 2;
  }
  return runtime.run();
}

int check_config(const std::vector<std::string>& args) {
  config::LoadOptions options;
  options.command_flags.push_back({"mode", true});
  config::LoadResult loaded = config::load_settings(args, environ, options);
  for (const auto& [name, value] : loaded.command_values) {
    if (name != "mode") continue;
    if (value == "echo") {
      options.mode = config::Mode::kEcho;
      loaded = config::load_settings(args, environ, options);
    } else if (value != "serve") {
      std::fprintf(stderr, "wsrelay: check-config --mode: '%s' is not serve or echo\n", value.c_str());
      return 2;
    }
  }
  const bool ok = report(loaded);
  std::printf("%s", config::render_effective(loaded).c_str());
  return ok ? 0 : 2;
}

int publish(std::vector<std::string> args) {
  // The URL and key default to the same configuration (file and environment) the server reads.
  std::vector<std::string> config_args;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config" && i + 1 < args.size()) {
      config_args = {args[i], args[i + 1]};
      args.erase(args.begin() + static_cast<std::ptrdiff_t>(i), args.begin() + static_cast<std::ptrdiff_t>(i) + 2);
      break;
    }
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
  std::fprintf(stderr, "wsrelay: unknown command '%s' (try --help)\n", command.c_str());
  return 2;
}
