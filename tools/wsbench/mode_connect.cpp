// wsbench connect: open and upgrade K connections as fast as the server accepts them
// (--concurrency handshakes in progress at once), then hold them idle and read the server's
// resident memory. The RSS delta divided by K is the user-space cost of one idle upgraded
// connection (kernel socket buffers are not in RSS, and are not the server's doing).
// The Fleet binds to 127.0.0.1, 127.0.0.2, ... (one per 2,500 connections): one address has
// about 28,000 ephemeral ports, and finding a free one gets slow long before they run out.
// Messages the server sends meanwhile (welcomes, presence in `wsrelay serve`) are counted and
// reported, not treated as errors.
#include <cstdio>
#include <string>

#include "metrics.hpp"
#include "run_support.hpp"

namespace wsrelay::wsbench {
namespace {

class IdleHost final : public ClientHost {
 public:
  void on_open(Client&) override {}
  void on_message(Client&, bool, std::span<const uint8_t>, uint64_t) override { ++messages_; }
  void on_closed(Client&, bool, std::string_view) override {}
  uint64_t messages() const { return messages_; }

 private:
  uint64_t messages_ = 0;
};

}  // namespace

int run_connect(const Options& options) {
  if (!raise_fd_limit(options.conns + 64)) return 1;
  IdleHost host;
  Fleet fleet(options, host, options.conns);
  int cpu = pinned_cpu(options.pid);
  uint64_t rss_before = options.pid > 0 ? read_rss_kib(options.pid) : 0;

  Snapshot start = take_snapshot(options.pid, cpu);
  bool all_open = connect_all(fleet, options.conns);
  Snapshot end = take_snapshot(options.pid, cpu);
  uint64_t opened = fleet.open_now();

  // Hold them idle, still answering pings, so that whatever the server allocated only for
  // the handshake has been released before we read its memory.
  fleet.run_until(now_ns() + seconds_to_ns(options.hold));
  uint64_t rss_after = options.pid > 0 ? read_rss_kib(options.pid) : 0;
  uint64_t held = fleet.open_now();
  uint64_t drops = fleet.drops();
  fleet.close_all();

  Usage usage = usage_between(start, end);
  auto handshakes = static_cast<double>(fleet.handshakes());
  double rate = usage.seconds > 0 ? handshakes / usage.seconds : 0;
  double delta_kib = static_cast<double>(rss_after) - static_cast<double>(rss_before);
  double per_conn_kib = held > 0 ? delta_kib / static_cast<double>(held) : 0;
  uint64_t errors = fleet.failures() + drops;

  JsonLine json;
  json.add("mode", "connect")
      .add("label", options.label)
      .add("conns", uint64_t{options.conns})
      .add("opened", opened)
      .add("held", held)
      .add("handshakes_per_s", rate, 1);
  if (options.pid > 0) {
    json.add("rss_before_kib", rss_before)
        .add("rss_after_kib", rss_after)
        .add("rss_per_conn_kib", per_conn_kib, 3);
  }
  json.add("messages_received", host.messages()).add("errors", errors);
  json.add_usage(usage, handshakes);

  char line[512];
  std::snprintf(line, sizeof(line), "connect %s: %llu of %u upgraded, %.0f handshakes/s",
                options.label.c_str(), static_cast<unsigned long long>(opened), options.conns,
                rate);
  std::string human = line;
  if (options.pid > 0) {
    std::snprintf(line, sizeof(line),
                  "; server RSS %llu -> %llu KiB = %.3f KiB per idle connection",
                  static_cast<unsigned long long>(rss_before),
                  static_cast<unsigned long long>(rss_after), per_conn_kib);
    human += line;
  }
  if (host.messages() != 0) human += "; received " + std::to_string(host.messages()) + " messages";
  human += "; " + describe_usage(usage, handshakes, "handshake");
  if (errors != 0) {
    human += "; ERRORS: " + std::to_string(fleet.failures()) + " failed, " + std::to_string(drops) +
             " dropped while idle";
    if (!fleet.first_error().empty()) human += " (" + fleet.first_error() + ")";
  }
  print_summary(json, human, usage);
  return all_open && errors == 0 ? 0 : 1;
}

}  // namespace wsrelay::wsbench
