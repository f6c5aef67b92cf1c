// An embedding example: the full wsrelay JSON relay plus one event of our own.
//
// A client sends {"event":"roll_dice","sides":6} and every member of its rooms sees
// {"event":"dice","client_id":...,"sides":6,"value":N}. Everything built in (echo, broadcast,
// rooms, signals, the HTTP API) keeps working.
//
//   build/examples/dice_server port=9000
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include <rapidjson/document.h>

#include "wsrelay/server.hpp"

int main(int argc, char** argv) {
  // Settings come as key=value arguments, e.g. "port=9000".
  wsrelay::Server server(std::vector<std::string>(argv + 1, argv + argc));
  std::mt19937 random(std::random_device{}());

  server.on("connection", [&](wsrelay::Event& event) {
    std::string hello = R"({"event":"dice_ready","client_id":")" + std::string(event.client_id) + R"("})";
    server.send(event.client_id, hello);
  });

  server.on("roll_dice", [&](wsrelay::Event& event) {
    rapidjson::Document request;
    request.Parse(event.json.data(), event.json.size());
    int sides = 6;
    if (request.IsObject() && request.HasMember("sides")) {
      const rapidjson::Value& value = request["sides"];
      if (!value.IsInt() || value.GetInt() < 2 || value.GetInt() > 1000) {
        event.fail("invalid_field", "sides must be an integer from 2 to 1000");
        return;
      }
      sides = value.GetInt();
    }
    const int result = std::uniform_int_distribution<int>(1, sides)(random);
    const std::string message = R"({"event":"dice","client_id":")" + std::string(event.client_id) +
                                R"(","sides":)" + std::to_string(sides) + R"(,"value":)" +
                                std::to_string(result) + "}";
    // To everyone, the roller included.
    server.broadcast(message);
  });

  std::string error;
  if (!server.start(&error)) {
    std::fprintf(stderr, "dice_server: %s\n", error.c_str());
    return 2;
  }
  std::fprintf(stderr, "dice_server listening on port %u\n", server.port());
  return server.run();
}
