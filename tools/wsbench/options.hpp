// wsbench command line: one mode word, then --flags. Every knob has a default that gives a
// short, bounded run, and the target address must be on this machine (127.0.0.0/8): wsbench is
// a load generator for a server we start ourselves, never a tool to point at someone else's.
#pragma once

#include <cstdint>
#include <string>

namespace wsrelay::wsbench {

enum class Mode : uint8_t { kEcho, kBroadcast, kConnect, kSoak };

// How broadcast messages reach the server: `raw` for `wsrelay echo --broadcast` and the peers
// (every message goes to every client), `json` for the room protocol of `wsrelay serve`.
enum class BroadcastProtocol : uint8_t { kRaw, kJson };

struct Options {
  Mode mode = Mode::kEcho;
  std::string host = "127.0.0.1";
  uint16_t port = 9001;
  std::string path = "/";
  int pid = 0;                   // server process: CPU time and RSS come from /proc/<pid>
  std::string label = "server";  // printed in the summary, so a table can tell servers apart

  uint32_t conns = 0;  // 0 means the mode's default (see options.cpp)
  uint32_t inflight = 0;
  uint32_t size = 20;
  bool binary = false;
  double duration = 5.0;
  double warmup = 1.0;

  uint32_t subscribers = 1000;
  double rate = 0;  // broadcast: messages/s; 0 = as fast as delivery keeps up
  BroadcastProtocol protocol = BroadcastProtocol::kRaw;
  std::string room = "bench";

  double hold = 1.0;           // connect: idle seconds before reading the server's RSS
  uint32_t concurrency = 100;  // connect/soak: handshakes in progress at once
  uint32_t src_addrs = 0;      // source addresses 127.0.0.1..N; 0 = one per 2,500 conns
  uint32_t messages = 5;       // soak: messages each connection echoes before closing
  double timeout = 60.0;       // any phase that takes longer than this fails the run
};

// Parses argv. On error or --help prints to stderr and returns false; `exit_code` says how
// to exit (0 for --help).
bool parse_options(int argc, char** argv, Options& out, int& exit_code);

}  // namespace wsrelay::wsbench
