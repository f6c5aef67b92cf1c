// wsbench echo: N connections, each keeping D messages in flight; the server echoes each one.
//
// Every payload starts with its send time (16 hex digits of CLOCK_MONOTONIC nanoseconds), so a
// reply carries its own round-trip latency and the generator keeps no per-message state. A
// reply immediately sends the next message on the same connection, keeping D in flight.
// The measured interval follows a warm-up; server CPU per message over that interval is the
// primary figure, since on two cores the generator may be the limit of messages/s.
#include <cstdio>
#include <string>

#include "metrics.hpp"
#include "run_support.hpp"

namespace wsrelay::wsbench {
namespace {

constexpr int kStampDigits = 16;

class EchoRun final : public ClientHost {
 public:
  explicit EchoRun(const Options& options) : options_(options), payload_(options.size, 'x') {}

  void on_open(Client& client) override {
    uint64_t now = now_ns();
    for (uint32_t i = 0; i < options_.inflight; ++i) send_one(client, now);
  }

  void on_message(Client& client, bool text, std::span<const uint8_t> head,
                  uint64_t length) override {
    uint64_t now = now_ns();
    // An echo must come back as it went: same type, same length, our timestamp at the front.
    uint64_t sent = 0;
    bool stamped = options_.size < kStampDigits || parse_hex(head, kStampDigits, sent);
    if (length != options_.size || text == options_.binary || !stamped) ++mismatches_;
    if (measuring_) {
      ++messages_;
      if (options_.size >= kStampDigits && stamped && now >= sent) latency_.add(now - sent);
    }
    send_one(client, now);
  }

  void on_closed(Client&, bool, std::string_view) override {}

  void set_measuring(bool on) { measuring_ = on; }
  uint64_t messages() const { return messages_; }
  uint64_t mismatches() const { return mismatches_; }
  const LatencyHistogram& latency() const { return latency_; }

 private:
  void send_one(Client& client, uint64_t now) {
    if (options_.size >= kStampDigits) write_hex(payload_.data(), now, kStampDigits);
    client.send_message(!options_.binary, payload_);
  }

  const Options& options_;
  std::vector<uint8_t> payload_;
  bool measuring_ = false;
  uint64_t messages_ = 0;
  uint64_t mismatches_ = 0;
  LatencyHistogram latency_;
};

}  // namespace

int run_echo(const Options& options) {
  if (!raise_fd_limit(options.conns + 64)) return 1;
  EchoRun run(options);
  Fleet fleet(options, run, options.conns);
  if (!connect_all(fleet, options.conns)) return 1;

  Usage usage = measure(fleet, options, [&](bool on) { run.set_measuring(on); });
  uint64_t drops = fleet.drops();
  fleet.close_all();

  auto messages = static_cast<double>(run.messages());
  double rate = usage.seconds > 0 ? messages / usage.seconds : 0;
  double megabytes = rate * options.size / 1e6;
  const LatencyHistogram& latency = run.latency();
  uint64_t errors = drops + run.mismatches();

  JsonLine json;
  json.add("mode", "echo")
      .add("label", options.label)
      .add("conns", uint64_t{options.conns})
      .add("inflight", uint64_t{options.inflight})
      .add("size", uint64_t{options.size})
      .add("binary", options.binary)
      .add("messages", run.messages())
      .add("msgs_per_s", rate, 1)
      .add("mb_per_s", megabytes, 3)
      .add("lat_p50_us", static_cast<double>(latency.percentile(0.50)) / 1e3, 1)
      .add("lat_p99_us", static_cast<double>(latency.percentile(0.99)) / 1e3, 1)
      .add("lat_p999_us", static_cast<double>(latency.percentile(0.999)) / 1e3, 1)
      .add("errors", errors);
  json.add_usage(usage, messages);

  char line[512];
  std::snprintf(line, sizeof(line),
                "echo %s: %u conns x %u in flight, %u B %s: %.0f msg/s, %.2f MB/s, latency p50 "
                "%.1f us p99 %.1f us p99.9 %.1f us; ",
                options.label.c_str(), options.conns, options.inflight, options.size,
                options.binary ? "binary" : "text", rate, megabytes,
                static_cast<double>(latency.percentile(0.50)) / 1e3,
                static_cast<double>(latency.percentile(0.99)) / 1e3,
                static_cast<double>(latency.percentile(0.999)) / 1e3);
  std::string human = line + describe_usage(usage, messages, "msg");
  if (errors != 0) {
    human += "; ERRORS: " + std::to_string(drops) + " dropped connections, " +
             std::to_string(run.mismatches()) + " wrong echoes";
    if (!fleet.first_error().empty()) human += " (" + fleet.first_error() + ")";
  }
  print_summary(json, human, usage);
  return errors == 0 ? 0 : 1;
}

}  // namespace wsrelay::wsbench
