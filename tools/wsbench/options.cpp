#include "options.hpp"

#include <arpa/inet.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string_view>

namespace wsrelay::wsbench {
namespace {

constexpr const char* kUsage = R"(usage: wsbench MODE [options]

modes:
  echo       N connections each keep D messages in flight; the server echoes them back
             -> messages/s, MB/s, round-trip latency p50/p99/p99.9
  broadcast  S subscribers plus one publisher; every published message reaches every
             subscriber -> deliveries/s, publish-to-receive latency
  connect    open and upgrade K connections as fast as possible -> handshakes/s, then hold
             them idle and read the server's RSS -> bytes per idle connection
  soak       churn (connect, echo a few messages, close) for T seconds -> RSS start and end

options (defaults in brackets):
  --host ADDR         server address, must be in 127.0.0.0/8 [127.0.0.1]
  --port N            server port [9001]
  --path P            request target of the upgrade [/]
  --pid PID           server process: CPU time (user, system) and RSS from /proc/PID
  --label NAME        name printed in the summary [server]
  --conns N           echo: connections [100]; connect: K [10000]; soak: concurrent [50]
  --inflight D        echo: messages in flight per connection [1];
                      broadcast: published messages in flight [8]
  --size P            payload bytes [20]; at least 16 carry a send timestamp
  --binary            binary messages (default: text)
  --duration T        measured seconds [5]
  --warmup W          seconds of load before measuring [1]
  --subscribers S     broadcast subscribers [1000]
  --rate R            broadcast: publish R messages/s instead of as fast as delivery keeps up
  --protocol raw|json broadcast: raw fan-out (wsrelay echo --broadcast, peers) or the JSON
                      room protocol of `wsrelay serve` [raw]
  --room NAME         broadcast json: room name [bench]
  --hold H            connect: idle seconds before reading RSS [1]
  --concurrency C     connect/soak: handshakes in progress at once [100]
  --src-addrs N       bind to source addresses 127.0.0.1..127.0.0.N [one per 2,500 conns]
  --messages M        soak: messages echoed per connection before it closes [5]
  --timeout S         fail a phase that takes longer than S seconds [60]

Each mode prints one JSON summary line, then one line for people.
)";

bool parse_uint(std::string_view text, uint64_t max, uint64_t& out) {
  if (text.empty() || text.size() > 19) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > max) return false;
  out = value;
  return true;
}

// Parses a decimal integer in [min, max] into `field` (whatever its integer type).
template <typename Field>
bool take_uint(std::string_view text, uint64_t min, uint64_t max, Field& field) {
  uint64_t number = 0;
  if (!parse_uint(text, max, number) || number < min) return false;
  field = static_cast<Field>(number);
  return true;
}

bool parse_protocol(std::string_view name, BroadcastProtocol& out) {
  if (name == "raw")
    out = BroadcastProtocol::kRaw;
  else if (name == "json")
    out = BroadcastProtocol::kJson;
  else
    return false;
  return true;
}

bool parse_seconds(const char* text, double& out) {
  char* end = nullptr;
  double value = std::strtod(text, &end);
  if (end == text || *end != '\0' || !(value >= 0) || value > 24 * 3600) return false;
  out = value;
  return true;
}

// Load is only ever sent to this machine: the loopback network 127.0.0.0/8.
bool is_loopback(const std::string& host) {
  in_addr address{};
  if (inet_pton(AF_INET, host.c_str(), &address) != 1) return false;
  return (ntohl(address.s_addr) >> 24) == 127;
}

}  // namespace

bool parse_options(int argc, char** argv, Options& out, int& exit_code) {
  exit_code = 2;
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return false;
  }
  std::string_view mode = argv[1];
  if (mode == "-h" || mode == "--help") {
    std::fputs(kUsage, stdout);
    exit_code = 0;
    return false;
  }
  if (mode == "echo")
    out.mode = Mode::kEcho;
  else if (mode == "broadcast")
    out.mode = Mode::kBroadcast;
  else if (mode == "connect")
    out.mode = Mode::kConnect;
  else if (mode == "soak")
    out.mode = Mode::kSoak;
  else {
    std::fprintf(stderr, "wsbench: unknown mode '%s'\n\n%s", argv[1], kUsage);
    return false;
  }

  for (int i = 2; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (flag == "-h" || flag == "--help") {
      std::fputs(kUsage, stdout);
      exit_code = 0;
      return false;
    }
    if (flag == "--binary") {
      out.binary = true;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "wsbench: %s needs a value\n", argv[i]);
      return false;
    }
    const char* value = argv[++i];
    bool ok = true;
    if (flag == "--host")
      out.host = value;
    else if (flag == "--port")
      ok = take_uint(value, 1, 65535, out.port);
    else if (flag == "--path")
      ok = (out.path = value).starts_with("/");
    else if (flag == "--pid")
      ok = take_uint(value, 1, 1 << 30, out.pid);
    else if (flag == "--label")
      out.label = value;
    else if (flag == "--conns")
      ok = take_uint(value, 1, 1000000, out.conns);
    else if (flag == "--inflight")
      ok = take_uint(value, 1, 100000, out.inflight);
    else if (flag == "--size")
      ok = take_uint(value, 0, 16u << 20, out.size);
    else if (flag == "--duration")
      ok = parse_seconds(value, out.duration) && out.duration > 0;
    else if (flag == "--warmup")
      ok = parse_seconds(value, out.warmup);
    else if (flag == "--subscribers")
      ok = take_uint(value, 1, 1000000, out.subscribers);
    else if (flag == "--rate")
      ok = parse_seconds(value, out.rate);
    else if (flag == "--protocol")
      ok = parse_protocol(value, out.protocol);
    else if (flag == "--room")
      out.room = value;
    else if (flag == "--hold")
      ok = parse_seconds(value, out.hold);
    else if (flag == "--concurrency")
      ok = take_uint(value, 1, 100000, out.concurrency);
    else if (flag == "--src-addrs")
      ok = take_uint(value, 1, 250, out.src_addrs);
    else if (flag == "--messages")
      ok = take_uint(value, 0, 1000000, out.messages);
    else if (flag == "--timeout")
      ok = parse_seconds(value, out.timeout) && out.timeout > 0;
    else {
      std::fprintf(stderr, "wsbench: unknown option %s\n", argv[i - 1]);
      return false;
    }
    if (!ok) {
      std::fprintf(stderr, "wsbench: bad value for %s: '%s'\n", argv[i - 1], value);
      return false;
    }
  }

  if (!is_loopback(out.host)) {
    std::fprintf(stderr, "wsbench: --host must be an IPv4 address in 127.0.0.0/8, not '%s'\n",
                 out.host.c_str());
    return false;
  }
  if (out.conns == 0)
    out.conns = out.mode == Mode::kConnect ? 10000 : out.mode == Mode::kSoak ? 50 : 100;
  if (out.inflight == 0) out.inflight = out.mode == Mode::kBroadcast ? 8 : 1;
  exit_code = 0;
  return true;
}

}  // namespace wsrelay::wsbench
