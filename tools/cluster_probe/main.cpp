// cluster_probe: one cluster node without a WebSocket server, driven line by line on stdin.
// The integration tests (tests/integration/cluster) run two or three of these through a real
// redis-server to test the library's cluster layer end to end, and bench/cluster.sh uses it to
// measure the bus. Not installed.
//
//   cluster_probe --redis-url URL [--prefix P] [--node-id ID] [--heartbeat-ms N] [--ttl-ms N]
//                 [--connect-timeout-ms N] [--reply-timeout-ms N] [--keepalive-ms N]
//
// stdin:  sub CH | unsub CH | subn PREFIX K | pub CH TEXT | burst CH N SIZE |
//         burstn PREFIX K N SIZE | stats | latency | leave | quit
//         (subn subscribes PREFIX0..PREFIX{K-1}; burstn spreads N messages over those K channels)
// stdout: ready | link up | link down KIND DETAIL | msg CH ORIGIN SEQ MISSED TEXT |
//         node up ID | node down ID owner|peer WHY | self restored | pub ok|refused |
//         burst PUBLISHED REFUSED | stats k=v ... | latency COUNT P50_US P99_US | bye
// Messages whose text starts with "b:" are burst messages: counted and timed, not printed.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cluster/cluster.hpp"
#include "cluster/redis_url.hpp"
#include "log/logger.hpp"
#include "net/client_socket.hpp"
#include "net/event_loop.hpp"
#include "net/signal_watcher.hpp"

using namespace wsrelay;

namespace {

uint64_t steady_ns() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

void say(const std::string& line) {
  std::string out = line + "\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
}

struct Probe final : net::IoHandler, cluster::NodeObserver, cluster::LinkObserver, net::Timer {
  net::EventLoop loop;
  std::unique_ptr<cluster::Cluster> node;
  std::string input;
  uint64_t burst_received = 0;
  uint64_t burst_missed = 0;
  std::vector<uint32_t> latencies_us;
  bool exiting = false;

  void on_io(uint32_t) override {
    char buffer[65536];
    const ssize_t n = ::read(0, buffer, sizeof buffer);
    if (n <= 0) {
      loop.unwatch(0);
      loop.stop();
      return;
    }
    input.append(buffer, static_cast<size_t>(n));
    size_t newline;
    while ((newline = input.find('\n')) != std::string::npos) {
      const std::string line = input.substr(0, newline);
      input.erase(0, newline + 1);
      run(line);
    }
  }

  void on_timer() override { loop.stop(); }  // after "leave": time for the commands to go out

  void handle(const cluster::BusMessage& m) {
    if (m.payload.substr(0, 2) == "b:") {
      ++burst_received;
      burst_missed += m.missed;
      const std::string_view rest = m.payload.substr(2);
      uint64_t sent = 0;
      for (char c : rest.substr(0, rest.find(':')))
        sent = sent * 10 + static_cast<uint64_t>(c - '0');
      const uint64_t now = steady_ns();
      if (now >= sent)
        latencies_us.push_back(
            static_cast<uint32_t>(std::min<uint64_t>((now - sent) / 1000, UINT32_MAX)));
      return;
    }
    say("msg " + std::string(m.channel) + " " + std::string(m.origin) + " " +
        std::to_string(m.seq) + " " + std::to_string(m.missed) + " " + std::string(m.payload));
  }

  void run(const std::string& line) {
    const size_t space = line.find(' ');
    const std::string verb = line.substr(0, space);
    const std::string rest = space == std::string::npos ? "" : line.substr(space + 1);
    if (verb == "sub") {
      node->bus().subscribe(rest, [this](const cluster::BusMessage& m) { handle(m); });
      say("sub " + rest);
    } else if (verb == "subn") {
      char channel[200] = {};
      unsigned long count = 0;
      if (std::sscanf(rest.c_str(), "%199s %lu", channel, &count) != 2) return say("error subn");
      for (unsigned long i = 0; i < count; ++i) {
        node->bus().subscribe(std::string(channel) + std::to_string(i),
                              [this](const cluster::BusMessage& m) { handle(m); });
      }
      say("subn " + std::to_string(count));
    } else if (verb == "burstn") {
      char channel[200] = {};
      unsigned long channels = 0, count = 0, size = 0;
      if (std::sscanf(rest.c_str(), "%199s %lu %lu %lu", channel, &channels, &count, &size) != 4 ||
          channels == 0) {
        return say("error burstn");
      }
      uint64_t published = 0, refused = 0;
      std::string payload;
      for (unsigned long i = 0; i < count; ++i) {
        payload = "b:" + std::to_string(steady_ns()) + ":";
        if (payload.size() < size) payload.append(size - payload.size(), 'x');
        (node->bus().publish(std::string(channel) + std::to_string(i % channels), payload)
             ? published
             : refused)++;
      }
      say("burst " + std::to_string(published) + " " + std::to_string(refused));
    } else if (verb == "unsub") {
      node->bus().unsubscribe(rest);
      say("unsub " + rest);
    } else if (verb == "pub") {
      const size_t sp = rest.find(' ');
      const bool ok = node->bus().publish(rest.substr(0, sp),
                                          sp == std::string::npos ? "" : rest.substr(sp + 1));
      say(ok ? "pub ok" : "pub refused");
    } else if (verb == "burst") {
      char channel[256] = {};
      unsigned long count = 0, size = 0;
      if (std::sscanf(rest.c_str(), "%255s %lu %lu", channel, &count, &size) != 3)
        return say("error burst");
      uint64_t published = 0, refused = 0;
      std::string payload;
      for (unsigned long i = 0; i < count; ++i) {
        payload = "b:" + std::to_string(steady_ns()) + ":";
        if (payload.size() < size) payload.append(size - payload.size(), 'x');
        (node->bus().publish(channel, payload) ? published : refused)++;
      }
      say("burst " + std::to_string(published) + " " + std::to_string(refused));
    } else if (verb == "stats") {
      const cluster::ClusterStatus s = node->status();
      say("stats state=" + std::string(cluster::name_of(s.link.state)) + " connects=" +
          std::to_string(s.link.connects) + " disconnects=" + std::to_string(s.link.disconnects) +
          " failed=" + std::to_string(s.link.failed_attempts) + " published=" +
          std::to_string(s.bus.published) + " refused=" + std::to_string(s.bus.publish_refused) +
          " received=" + std::to_string(s.bus.received) +
          " own=" + std::to_string(s.bus.own_dropped) + " missed=" + std::to_string(s.bus.missed) +
          " peers=" + std::to_string(s.peers) +
          " heartbeats=" + std::to_string(s.registry.heartbeats) + " burst_received=" +
          std::to_string(burst_received) + " burst_missed=" + std::to_string(burst_missed) +
          " last_error=" + std::string(cluster::name_of(s.link.last_error)));
    } else if (verb == "latency") {
      std::vector<uint32_t> sorted = latencies_us;
      std::sort(sorted.begin(), sorted.end());
      const auto at = [&](double q) {
        return sorted.empty() ? 0u : sorted[static_cast<size_t>(q * (sorted.size() - 1))];
      };
      say("latency " + std::to_string(sorted.size()) + " " + std::to_string(at(0.5)) + " " +
          std::to_string(at(0.99)));
      latencies_us.clear();
      burst_received = 0;
    } else if (verb == "leave") {
      node->leave();
      say("bye");
      loop.timers().schedule_in(*this, 300);
    } else if (verb == "quit") {
      say("bye");
      loop.stop();
    } else {
      say("error unknown command " + verb);
    }
  }

  void on_node_up(std::string_view id) override { say("node up " + std::string(id)); }
  void on_node_down(std::string_view id, bool owner, std::string_view why) override {
    say("node down " + std::string(id) + (owner ? " owner " : " peer ") + std::string(why));
  }
  void on_self_restored() override { say("self restored"); }
  void on_link_up() override { say("link up"); }
  void on_link_down(cluster::LinkError e, std::string_view detail) override {
    say("link down " + std::string(cluster::name_of(e)) + " " + std::string(detail));
  }
  void on_link_message(std::string_view, std::string_view) override {}
};

}  // namespace

int main(int argc, char** argv) {
  std::string url, prefix = "wsrelay", node_id = "probe-" + std::to_string(::getpid());
  cluster::ClusterOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--redis-url")
      url = value;
    else if (flag == "--prefix")
      prefix = value;
    else if (flag == "--node-id")
      node_id = value;
    else if (flag == "--heartbeat-ms")
      options.registry.heartbeat_ms = std::stoull(value);
    else if (flag == "--ttl-ms")
      options.registry.ttl_ms = std::stoull(value);
    else if (flag == "--connect-timeout-ms")
      options.link.connect_timeout_ms = std::stoull(value);
    else if (flag == "--reply-timeout-ms")
      options.link.reply_timeout_ms = std::stoull(value);
    else if (flag == "--keepalive-ms")
      options.link.keepalive_ms = std::stoull(value);
    else {
      std::fprintf(stderr, "cluster_probe: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  std::string problem;
  if (!cluster::parse_redis_url(url, options.link.endpoint, problem)) {
    std::fprintf(stderr, "cluster_probe: redis url %s\n", problem.c_str());
    return 2;
  }
  if (!options.link.endpoint.is_unix() &&
      !net::resolve_host(options.link.endpoint.host, options.link.endpoint.host, problem)) {
    std::fprintf(stderr, "cluster_probe: %s\n", problem.c_str());
    return 2;
  }
  std::random_device random;
  options.epoch = (static_cast<uint64_t>(random()) << 32) | random();
  options.link.seed = options.epoch;
  options.url_for_logs = cluster::redact_redis_url(url);
  options.prefix = prefix;
  options.node_id = node_id;
  if (!options.link.endpoint.password.empty())
    log::logger().add_secret(options.link.endpoint.password);
  net::ignore_sigpipe();

  Probe probe;
  probe.node = std::make_unique<cluster::Cluster>(probe.loop, options);
  probe.node->set_node_observer(&probe);
  probe.node->set_link_observer(&probe);
  probe.loop.watch(0, &probe, true, false);
  probe.node->start();
  say("ready");
  probe.loop.run();
  probe.node.reset();
  return 0;
}
