// The composition root: builds every layer from validated Settings and runs them.
//
//   config::Settings ──▶ net::EventLoop ─▶ server::Server ─▶ app::JsonProtocol | app::EchoApplication
//                                           │  ├─ http::Endpoints (health, stats, metrics, web/, API)
//                                           │  ├─ gates: allow/deny addresses, Origin, token (401)
//                                           │  └─ transports: TCP, or TLS with a reloadable context
//                        log::Logger ◀── the server's observer (open/close/reject lines, stats)
//
// It also owns the process-level behaviour: SIGINT/SIGTERM start a graceful shutdown (a second
// one stops at once), SIGHUP reopens the log file and reloads the TLS certificate and the web
// files. main.cpp and the embeddable wsrelay::Server both drive a Runtime; nothing else does
// this wiring. Single-threaded, like everything it builds.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "config/settings.hpp"

namespace wsrelay::app {
class JsonProtocol;
class Application;
}  // namespace wsrelay::app

namespace wsrelay::server {
class Server;
}

namespace wsrelay::net {
class EventLoop;
}

namespace wsrelay::cluster {
class Cluster;
}

namespace wsrelay::runtime {

class Runtime {
 public:
  // `broadcast_echo`: in echo mode, send every message to every client (`echo --broadcast`).
  Runtime(const config::Settings& settings, config::Mode mode, bool broadcast_echo = false);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // Open the log, load TLS files and web files, bind the port. False with `error` naming what
  // failed (the caller exits 2 for configuration problems, 1 otherwise).
  bool start(std::string& error);
  // Run until a graceful shutdown completes. Returns the process exit status.
  int run();
  // Begin a graceful shutdown (as SIGTERM does).
  void stop();

  uint16_t port() const;
  net::EventLoop& loop();
  server::Server& server();
  // The JSON dispatcher front end (null in echo mode).
  app::JsonProtocol* protocol();
  // The cluster membership (null without redis_url, and in echo mode).
  cluster::Cluster* cluster();
  // An application that sees every open, message and close too (the embeddable API's hooks).
  void set_observer(app::Application* observer);

 private:
  struct Parts;
  std::unique_ptr<Parts> parts_;
};

}  // namespace wsrelay::runtime
