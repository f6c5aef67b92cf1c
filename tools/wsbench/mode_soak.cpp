// wsbench soak: --conns slots churn for --duration seconds: each connects, echoes --messages
// messages one at a time, starts the closing handshake, and when it completes connects again.
// The server's RSS is read after the warm-up and at the end (and once a second in between):
// a server that leaks per connection grows here.
#include <algorithm>
#include <cstdio>
#include <string>

#include "metrics.hpp"
#include "run_support.hpp"
#include "ws/close_code.hpp"

namespace wsrelay::wsbench {
namespace {

class ChurnHost final : public ClientHost {
 public:
  ChurnHost(const Options& options, Fleet*& fleet)
      : options_(options), fleet_(fleet), payload_(std::max<uint32_t>(options.size, 1), 'x') {}

  void on_open(Client& client) override { next_or_close(client); }

  void on_message(Client& client, bool, std::span<const uint8_t>, uint64_t length) override {
    ++messages_;
    if (length != payload_.size()) ++mismatches_;
    ++client.counter;
    next_or_close(client);
  }

  void on_closed(Client& client, bool was_open, std::string_view why) override {
    if (why == "closed")
      ++cycles_;
    else if (!was_open)
      ++failed_;
    if (running_) fleet_->reconnect(client);
  }

  void on_tick() override {
    uint64_t now = now_ns();
    if (options_.pid <= 0 || now < next_sample_ns_) return;
    next_sample_ns_ = now + 1'000'000'000;
    uint64_t rss = read_rss_kib(options_.pid);
    if (sampling_) rss_max_ = std::max(rss_max_, rss);
  }

  void start_sampling() { sampling_ = true; }
  void stop() { running_ = false; }
  uint64_t cycles() const { return cycles_; }
  uint64_t messages() const { return messages_; }
  uint64_t failed() const { return failed_; }
  uint64_t mismatches() const { return mismatches_; }
  uint64_t rss_max() const { return rss_max_; }

 private:
  void next_or_close(Client& client) {
    if (client.counter < options_.messages)
      client.send_message(!options_.binary, payload_);
    else
      client.send_close(ws::close_code::kNormal);
  }

  const Options& options_;
  Fleet*& fleet_;
  std::vector<uint8_t> payload_;
  bool running_ = true;
  bool sampling_ = false;
  uint64_t cycles_ = 0, messages_ = 0, failed_ = 0, mismatches_ = 0;
  uint64_t next_sample_ns_ = 0, rss_max_ = 0;
};

}  // namespace

int run_soak(const Options& options) {
  if (!raise_fd_limit(options.conns + 64)) return 1;
  Fleet* fleet_ptr = nullptr;
  ChurnHost host(options, fleet_ptr);
  // Many short connections: spread them over several source addresses (eight at least) so
  // that TIME_WAIT sockets never crowd the ephemeral ports.
  Fleet fleet(options, host, std::max<size_t>(options.conns, 8 * Fleet::kConnsPerSourceAddress));
  fleet_ptr = &fleet;
  fleet.set_tick_ms(100);
  fleet.add_clients(options.conns);

  uint64_t rss_start = 0, rss_end = 0, cycles_before = 0, messages_before = 0;
  Usage usage = measure(fleet, options, [&](bool on) {
    if (on) {
      rss_start = options.pid > 0 ? read_rss_kib(options.pid) : 0;
      cycles_before = host.cycles();
      messages_before = host.messages();
      host.start_sampling();
    } else {
      host.stop();
      rss_end = options.pid > 0 ? read_rss_kib(options.pid) : 0;
    }
  });
  uint64_t drops = fleet.drops();
  fleet.close_all();

  auto cycles = static_cast<double>(host.cycles() - cycles_before);
  auto messages = static_cast<double>(host.messages() - messages_before);
  double growth =
      rss_start > 0 ? (static_cast<double>(rss_end) / static_cast<double>(rss_start) - 1) * 100 : 0;
  uint64_t errors = host.failed() + drops + host.mismatches();

  JsonLine json;
  json.add("mode", "soak")
      .add("label", options.label)
      .add("conns", uint64_t{options.conns})
      .add("messages_per_conn", uint64_t{options.messages})
      .add("cycles", static_cast<uint64_t>(cycles))
      .add("cycles_per_s", cycles / usage.seconds, 1)
      .add("msgs_per_s", messages / usage.seconds, 1);
  if (options.pid > 0) {
    json.add("rss_start_kib", rss_start)
        .add("rss_end_kib", rss_end)
        .add("rss_max_kib", std::max(host.rss_max(), rss_end))
        .add("rss_growth_pct", growth, 2);
  }
  json.add("errors", errors);
  json.add_usage(usage, cycles);

  char line[512];
  std::snprintf(line, sizeof(line), "soak %s: %u slots, %.0f connections/s, %.0f msg/s over %.0f s",
                options.label.c_str(), options.conns, cycles / usage.seconds,
                messages / usage.seconds, usage.seconds);
  std::string human = line;
  if (options.pid > 0) {
    std::snprintf(line, sizeof(line), "; server RSS %llu -> %llu KiB (%+.2f%%, max %llu)",
                  static_cast<unsigned long long>(rss_start),
                  static_cast<unsigned long long>(rss_end), growth,
                  static_cast<unsigned long long>(std::max(host.rss_max(), rss_end)));
    human += line;
  }
  human += "; " + describe_usage(usage, cycles, "connection");
  if (errors != 0) {
    human += "; ERRORS: " + std::to_string(host.failed()) + " failed connects, " +
             std::to_string(drops) + " dropped, " + std::to_string(host.mismatches()) +
             " wrong echoes";
    if (!fleet.first_error().empty()) human += " (" + fleet.first_error() + ")";
  }
  print_summary(json, human, usage);
  return errors == 0 ? 0 : 1;
}

}  // namespace wsrelay::wsbench
