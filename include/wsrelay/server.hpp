// wsrelay as a library: run the JSON relay inside your own C++ program and add your own events.
//
//   wsrelay::Server server({"port=9000", "default_room=lobby"});
//   server.on("connection", [&](wsrelay::Event& e) { server.send(e.client_id, R"({"event":"hello"})"); });
//   server.on("roll_dice", [&](wsrelay::Event& e) { server.send(e.client_id, R"({"event":"dice","value":4})"); });
//   std::string error;
//   if (!server.start(&error)) { std::cerr << error << "\n"; return 2; }
//   return server.run();   // until SIGINT/SIGTERM or stop()
//
// Settings are the documented configuration keys as "key=value" (docs/configuration.md); the
// process environment is NOT read, so an embedding program decides its own configuration.
// Everything runs on the thread that calls run(): handlers run there too, and the operations
// below may be called from handlers (or before run()), never from another thread.
//
// Events: "connection" (a client connected and was welcomed), "message" (any text message, as
// received, before the built-in handling), "close" (a client is leaving; it is still listed),
// and any other name: a custom event a client sends as {"event":"<name>", ...}. A custom name
// is dispatched to its handler instead of being refused as `unknown_event`; built-in names
// (message, broadcast, join_room, ...) cannot be replaced.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay {

struct Event {
  std::string_view name;       // "connection", "message", "close" or the custom event's name
  std::string_view client_id;  // the client it concerns
  std::string_view json;       // the client's message ("message" and custom events), else empty

  // Custom events only: refuse the request (the client gets an `error` event with this code
  // instead of the `ack` a request with an `id` otherwise gets).
  void fail(std::string_view code, std::string_view message) {
    error_code = code;
    error_message = message;
  }

  // Filled by fail(); read by the server after the handler returns.
  std::string error_code, error_message;
};

using Handler = std::function<void(Event&)>;

class Server {
 public:
  explicit Server(std::vector<std::string> settings = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Register before start(). A second handler for the same name replaces the first.
  void on(std::string_view event, Handler handler);

  // Validate the settings, bind the port. False with a reason in *error.
  bool start(std::string* error = nullptr);
  // Serve until a graceful shutdown completes (SIGINT/SIGTERM or stop()); the exit status.
  int run();
  // Begin a graceful shutdown: clients get Close 1001, run() returns when they are gone.
  void stop();
  uint16_t port() const;

  // ---- operations (JSON text is sent as given: it must be a valid JSON object) ------------
  bool send(std::string_view client_id, std::string_view json);
  size_t broadcast(std::string_view json, std::string_view except_client_id = {});
  size_t send_to_room(std::string_view room, std::string_view json, std::string_view except_client_id = {});
  // The room's other members get the usual user_joined / user_left notices.
  bool join_room(std::string_view client_id, std::string_view room);
  bool leave_room(std::string_view client_id, std::string_view room);
  size_t client_count() const;
  std::vector<std::string> clients() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace wsrelay
