// wsbench broadcast: S subscribers and one publisher; every published message must reach
// every subscriber.
//
// Two server protocols:
//  - raw (`wsrelay echo --broadcast` and the peers): the server sends every message it
//    receives to every connected client, the publisher included;
//  - json (`wsrelay serve`): every client sends {"event":"join_room","room":R}, and the
//    publisher sends {"event":"room_message","room":R,"message":"..."} (docs/protocol.md);
//    the server's presence events (user_joined...) carry no marker and are only counted.
// Each message carries a marker "wsb:" + send time (16 hex digits) + sequence number (8 hex
// digits), found by searching the first bytes of whatever envelope the server wraps it in.
//
// Pacing: by default the publisher keeps --inflight messages outstanding, a message being
// done when every live subscriber has received it ("as fast as delivery keeps up"); with
// --rate it publishes on a clock instead, and stops adding more when too many are behind.
// Before measuring, probes go out until every subscriber has received one (in json mode this
// also proves every join was processed).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>

#include "metrics.hpp"
#include "run_support.hpp"

namespace wsrelay::wsbench {
namespace {

constexpr std::string_view kMarker = "wsb:";
constexpr int kStampDigits = 16;
constexpr int kSeqDigits = 8;
constexpr size_t kMarkedBytes = kMarker.size() + kStampDigits + kSeqDigits;
// Completion counts for messages in flight, indexed by sequence number modulo the ring.
constexpr uint32_t kRingSize = 4096;
constexpr uint32_t kMaxInflight = kRingSize / 2;
// With nothing completing for this long, in-flight messages are written off as lost.
constexpr uint64_t kStallNs = 2'000'000'000;

class BroadcastRun final : public ClientHost {
 public:
  explicit BroadcastRun(const Options& options) : options_(options) {
    window_ = std::min(options.inflight, kMaxInflight);
    body_.assign(std::max<size_t>(options.size, kMarkedBytes), 'x');
    std::memcpy(body_.data(), kMarker.data(), kMarker.size());
  }

  // The fleet is created with this run as its host, so it is attached afterwards.
  void attach(Fleet& fleet) { fleet_ = &fleet; }

  uint32_t publisher_index() const { return options_.subscribers; }
  bool is_publisher(const Client& client) const { return client.index() == publisher_index(); }

  void on_open(Client& client) override {
    if (!is_publisher(client)) ++live_subscribers_;
    // docs/protocol.md: only members may publish, so the publisher joins too (its join and
    // its publishes travel on one connection, so they are handled in that order).
    if (options_.protocol == BroadcastProtocol::kJson) {
      std::string join = R"({"event":"join_room","room":")" + options_.room + R"("})";
      client.send_message(true,
                          std::span(reinterpret_cast<const uint8_t*>(join.data()), join.size()));
    }
  }

  void on_message(Client& client, bool, std::span<const uint8_t> head, uint64_t) override {
    uint64_t now = now_ns();
    ++received_;
    if (measuring_) ++deliveries_;
    // Find our marker wherever the server's envelope put it.
    auto found = std::search(head.begin(), head.end(), kMarker.begin(), kMarker.end());
    uint64_t sent = 0, seq = 0;
    auto at = static_cast<size_t>(found - head.begin()) + kMarker.size();
    if (found == head.end() || !parse_hex(head.subspan(at), kStampDigits, sent) ||
        !parse_hex(head.subspan(at + kStampDigits), kSeqDigits, seq)) {
      ++unmarked_;  // e.g. a join acknowledgement
      return;
    }
    if (is_publisher(client)) return;  // raw mode echoes to the sender too; not a subscriber
    if (client.counter++ == 0) ++reached_;
    if (measuring_ && now >= sent) latency_.add(now - sent);
    if (seq < first_paced_seq_) return;  // a probe: it does not pace anything
    Slot& slot = ring_[seq % kRingSize];
    if (slot.seq != seq) slot = Slot{seq, 0, false};
    if (!slot.done && ++slot.count >= live_subscribers_) {
      slot.done = true;
      ++completed_;
      last_progress_ns_ = now;
      if (inflight_ > 0) --inflight_;
      if (options_.rate == 0 && publish(now)) ++inflight_;
    }
  }

  void on_closed(Client& client, bool was_open, std::string_view) override {
    if (was_open && !is_publisher(client) && live_subscribers_ > 0) --live_subscribers_;
  }

  void on_tick() override {
    uint64_t now = now_ns();
    if (phase_ == Phase::kProbing) {
      if (now >= next_due_ns_) {
        publish(now);
        next_due_ns_ = now + 10'000'000;  // 100 probes/s until every subscriber has one
      }
      return;
    }
    if (phase_ != Phase::kPaced) return;
    if (options_.rate > 0) {
      // Publish on the clock; never let more than kMaxInflight fall behind.
      uint64_t interval = static_cast<uint64_t>(1e9 / options_.rate);
      for (int burst = 0; now >= next_due_ns_ && burst < 1000; ++burst) {
        if (inflight_ >= kMaxInflight) {
          ++skipped_;
        } else if (publish(now)) {
          ++inflight_;
        }
        next_due_ns_ += interval;
      }
    } else if (inflight_ > 0 && now - last_progress_ns_ > kStallNs) {
      // Something was lost (a subscriber dropped between receiving some messages and not
      // others): write the window off and start a new one, and say so in the summary.
      ++stalls_;
      inflight_ = 0;
      last_progress_ns_ = now;
      first_paced_seq_ = next_seq_;
      fill_window(now);
    }
  }

  void start_probing() {
    phase_ = Phase::kProbing;
    next_due_ns_ = 0;
  }

  void start_pacing() {
    phase_ = Phase::kPaced;
    first_paced_seq_ = next_seq_;
    uint64_t now = now_ns();
    last_progress_ns_ = now;
    next_due_ns_ = now;
    if (options_.rate == 0) fill_window(now);
  }

  void set_measuring(bool on) {
    measuring_ = on;
    if (on)
      published_at_start_ = published_;
    else
      published_measured_ = published_ - published_at_start_;
  }

  uint64_t reached() const { return reached_; }
  uint64_t live_subscribers() const { return live_subscribers_; }
  uint64_t deliveries() const { return deliveries_; }
  uint64_t published_measured() const { return published_measured_; }
  uint64_t stalls() const { return stalls_; }
  uint64_t skipped() const { return skipped_; }
  const LatencyHistogram& latency() const { return latency_; }

 private:
  enum class Phase : uint8_t { kJoining, kProbing, kPaced };
  struct Slot {
    uint64_t seq = UINT64_MAX;
    uint64_t count = 0;
    bool done = false;
  };

  void fill_window(uint64_t now) {
    while (inflight_ < window_ && publish(now)) ++inflight_;
  }

  // Sends the next message; false when the publisher is gone.
  bool publish(uint64_t now) {
    Client& publisher = fleet_->client(publisher_index());
    if (!publisher.is_open()) return false;
    uint64_t seq = next_seq_++;
    write_hex(body_.data() + kMarker.size(), now, kStampDigits);
    write_hex(body_.data() + kMarker.size() + kStampDigits, seq, kSeqDigits);
    ++published_;
    if (options_.protocol == BroadcastProtocol::kRaw) {
      publisher.send_message(!options_.binary, body_);
      return true;
    }
    envelope_ = R"({"event":"room_message","room":")" + options_.room + R"(","message":")";
    envelope_.append(reinterpret_cast<const char*>(body_.data()), body_.size());
    envelope_ += "\"}";
    publisher.send_message(
        true, std::span(reinterpret_cast<const uint8_t*>(envelope_.data()), envelope_.size()));
    return true;
  }

  const Options& options_;
  Fleet* fleet_ = nullptr;
  uint32_t window_;
  std::vector<uint8_t> body_;
  std::string envelope_;
  Phase phase_ = Phase::kJoining;
  bool measuring_ = false;
  uint64_t live_subscribers_ = 0;
  uint64_t reached_ = 0;  // subscribers that have received at least one message
  uint64_t next_seq_ = 0;
  uint64_t first_paced_seq_ = UINT64_MAX;
  uint64_t inflight_ = 0;
  uint64_t completed_ = 0;
  uint64_t published_ = 0, published_at_start_ = 0, published_measured_ = 0;
  uint64_t received_ = 0, deliveries_ = 0, unmarked_ = 0;
  uint64_t stalls_ = 0, skipped_ = 0;
  uint64_t next_due_ns_ = 0, last_progress_ns_ = 0;
  Slot ring_[kRingSize];
  LatencyHistogram latency_;
};

}  // namespace

int run_broadcast(const Options& options) {
  if (!raise_fd_limit(options.subscribers + 64)) return 1;
  BroadcastRun run(options);
  Fleet fleet(options, run, options.subscribers + 1);
  run.attach(fleet);
  fleet.set_tick_ms(options.rate > 0 ? 1 : 10);
  // Subscribers first (indexes 0..S-1), then the publisher (index S).
  if (!connect_all(fleet, options.subscribers + size_t{1})) return 1;

  uint64_t deadline = now_ns() + seconds_to_ns(options.timeout);
  run.start_probing();
  if (!fleet.run_until(deadline, [&] { return run.reached() >= run.live_subscribers(); })) {
    std::fprintf(stderr, "wsbench: only %llu of %llu subscribers received a probe within %.0f s\n",
                 static_cast<unsigned long long>(run.reached()),
                 static_cast<unsigned long long>(run.live_subscribers()), options.timeout);
    return 1;
  }
  run.start_pacing();
  Usage usage = measure(fleet, options, [&](bool on) { run.set_measuring(on); });
  uint64_t drops = fleet.drops();
  fleet.close_all();

  auto deliveries = static_cast<double>(run.deliveries());
  double rate = usage.seconds > 0 ? deliveries / usage.seconds : 0;
  double publish_rate =
      usage.seconds > 0 ? static_cast<double>(run.published_measured()) / usage.seconds : 0;
  const LatencyHistogram& latency = run.latency();
  uint64_t errors = drops + run.stalls();

  JsonLine json;
  json.add("mode", "broadcast")
      .add("label", options.label)
      .add("protocol", options.protocol == BroadcastProtocol::kRaw ? "raw" : "json")
      .add("subscribers", uint64_t{options.subscribers})
      .add("size", uint64_t{options.size})
      .add("inflight", uint64_t{options.inflight})
      .add("rate", options.rate, 1)
      .add("published", run.published_measured())
      .add("publish_per_s", publish_rate, 1)
      .add("deliveries", run.deliveries())
      .add("deliveries_per_s", rate, 1)
      .add("lat_p50_us", static_cast<double>(latency.percentile(0.50)) / 1e3, 1)
      .add("lat_p99_us", static_cast<double>(latency.percentile(0.99)) / 1e3, 1)
      .add("lat_p999_us", static_cast<double>(latency.percentile(0.999)) / 1e3, 1)
      .add("skipped", run.skipped())
      .add("errors", errors);
  json.add_usage(usage, deliveries);

  char line[512];
  std::snprintf(line, sizeof(line),
                "broadcast %s (%s): %u subscribers, %.0f published/s -> %.0f deliveries/s, "
                "latency p50 %.1f us p99 %.1f us p99.9 %.1f us; ",
                options.label.c_str(), options.protocol == BroadcastProtocol::kRaw ? "raw" : "json",
                options.subscribers, publish_rate, rate,
                static_cast<double>(latency.percentile(0.50)) / 1e3,
                static_cast<double>(latency.percentile(0.99)) / 1e3,
                static_cast<double>(latency.percentile(0.999)) / 1e3);
  std::string human = line + describe_usage(usage, deliveries, "delivery");
  if (run.skipped() != 0)
    human += "; " + std::to_string(run.skipped()) + " publishes skipped (server behind)";
  if (errors != 0) {
    human += "; ERRORS: " + std::to_string(drops) + " dropped connections, " +
             std::to_string(run.stalls()) + " stalls";
    if (!fleet.first_error().empty()) human += " (" + fleet.first_error() + ")";
  }
  print_summary(json, human, usage);
  return errors == 0 ? 0 : 1;
}

}  // namespace wsrelay::wsbench
