// wsrelay command line (interim: minimal flags until the configuration module lands).
#include <signal.h>

#include <cstdio>
#include <memory>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include <sys/random.h>

#include "app/echo_application.hpp"
#include "app/json_protocol.hpp"
#include "app/peer.hpp"
#include "net/event_loop.hpp"
#include "net/signal_watcher.hpp"
#include "server/server.hpp"

namespace {

using namespace wsrelay;

// Forwarding so the Server (which implements Host) can exist before the application.
class LateApp final : public app::Application {
 public:
  app::Application* target = nullptr;
  void on_open(app::Peer& peer, const app::ConnectInfo& info) override { target->on_open(peer, info); }
  void on_message(app::Peer& peer, app::PayloadKind kind, std::span<const uint8_t> payload) override {
    target->on_message(peer, kind, payload);
  }
  void on_close(app::Peer& peer, uint16_t code, std::string_view reason) override {
    target->on_close(peer, code, reason);
  }
};

void os_random(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    const ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n > 0) done += static_cast<size_t>(n);
  }
}

class Signals final : public net::SignalHandler {
 public:
  explicit Signals(server::Server& server) : server_(server) {}
  void on_signal(int number) override {
    if (number == SIGINT || number == SIGTERM) server_.shutdown();
  }

 private:
  server::Server& server_;
};

}  // namespace

int main(int argc, char** argv) {
  std::string_view command = argc > 1 && argv[1][0] != '-' ? argv[1] : "serve";
  server::ServerOptions options;
  bool broadcast = false;
  if (command == "echo") options.max_message_size = 16u << 20;
  for (int i = command == "serve" && (argc < 2 || argv[1][0] == '-') ? 1 : 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "wsrelay: %s needs a value\n", argv[i]);
        std::exit(2);
      }
      return argv[++i];
    };
    if (flag == "--host") options.host = value();
    else if (flag == "--port") options.port = static_cast<uint16_t>(std::atoi(value().c_str()));
    else if (flag == "--max-message-size") options.max_message_size = std::strtoull(value().c_str(), nullptr, 10);
    else if (flag == "--ping-interval") options.ping_interval_ms = std::strtoull(value().c_str(), nullptr, 10) * 1000;
    else if (flag == "--ping-timeout") options.ping_timeout_ms = std::strtoull(value().c_str(), nullptr, 10) * 1000;
    else if (flag == "--handshake-timeout") options.handshake_timeout_ms = std::strtoull(value().c_str(), nullptr, 10) * 1000;
    else if (flag == "--broadcast") broadcast = true;
    else if (flag == "--max-pending-output") options.max_pending_output = std::strtoull(value().c_str(), nullptr, 10);
    else {
      std::fprintf(stderr, "wsrelay: unknown flag %s\n", argv[i]);
      return 2;
    }
  }

  net::ignore_sigpipe();
  net::EventLoop loop;
  LateApp late;
  server::Server server(loop, options, late);
  std::unique_ptr<app::Application> application;
  if (command == "echo") {
    application = std::make_unique<app::EchoApplication>(
        server, broadcast ? app::EchoApplication::Mode::kBroadcast : app::EchoApplication::Mode::kEcho);
  } else {
    application = std::make_unique<app::JsonProtocol>(server, app::AppOptions{}, os_random);
  }
  late.target = application.get();
  std::string error;
  if (!server.listen(error)) {
    std::fprintf(stderr, "wsrelay: %s\n", error.c_str());
    return 1;
  }
  std::fprintf(stderr, "wsrelay %.*s listening on %s:%u\n", static_cast<int>(command.size()), command.data(),
               options.host.c_str(), server.port());
  Signals handler(server);
  net::SignalWatcher signals(loop, handler, {SIGINT, SIGTERM, SIGHUP});
  return loop.run() ? 0 : 1;
}
