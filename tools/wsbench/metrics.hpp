// What wsbench measures and how it prints it.
//
//  - LatencyHistogram: log-linear buckets (32 per power of two, so any percentile is within
//    about 3% of the true value) over nanoseconds; fixed size, no allocation per sample.
//  - Samples of CPU time and memory, taken at the start and the end of a measured interval:
//    the server's utime/stime and RSS from /proc/PID/{stat,status}, the busy time of the core
//    it is pinned to from /proc/stat, and our own CPU time from getrusage(). The differences
//    give CPU per message and tell which side was the bottleneck.
//  - JsonLine: the one-line machine-readable summary each mode prints.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::wsbench {

// CLOCK_MONOTONIC in nanoseconds (a vDSO call: cheap enough to take per message).
uint64_t now_ns();

class LatencyHistogram {
 public:
  void add(uint64_t nanoseconds);
  uint64_t count() const { return count_; }
  // The value at quantile q (0..1), in nanoseconds; 0 when empty.
  uint64_t percentile(double q) const;
  uint64_t max() const { return max_; }

 private:
  static constexpr size_t kBuckets = 64 + 58 * 32;  // exact below 64 ns, then up to 2^63
  static size_t bucket_of(uint64_t value);
  static uint64_t value_of(size_t bucket);

  std::array<uint64_t, kBuckets> counts_{};
  uint64_t count_ = 0;
  uint64_t max_ = 0;
};

// One process's CPU time (whole thread group) and resident memory.
struct ProcessSample {
  bool ok = false;
  double user_s = 0;
  double system_s = 0;
  uint64_t rss_kib = 0;
};
ProcessSample sample_process(int pid);
// Resident memory only (reads /proc/PID/status; 0 if the process is gone).
uint64_t read_rss_kib(int pid);

// One CPU's time from /proc/stat: busy = user+nice+system+irq+softirq; interrupts = irq +
// softirq (on loopback, most of it is the kernel delivering the server's packets).
struct CoreSample {
  bool ok = false;
  double busy_s = 0;
  double interrupt_s = 0;
  double steal_s = 0;
};
CoreSample sample_core(int cpu);
// The CPU a process is pinned to (taskset), or -1 when it may run on several.
int pinned_cpu(int pid);

// Our own CPU time.
struct SelfSample {
  double user_s = 0;
  double system_s = 0;
};
SelfSample sample_self();

// Everything sampled at one instant; two of them bracket a measured interval.
struct Snapshot {
  uint64_t time_ns = 0;
  ProcessSample server;
  CoreSample core;
  SelfSample self;
  CoreSample self_core;  // the core wsbench is pinned to, if it is
};
Snapshot take_snapshot(int server_pid, int server_cpu);

// The CPU accounting of an interval, and who was the bottleneck.
struct Usage {
  double seconds = 0;
  bool have_server = false;
  double server_user_s = 0, server_system_s = 0;
  double server_cpu = 0;  // fraction of one core
  bool have_core = false;
  double core_busy_s = 0, core_interrupt_s = 0, core_steal_s = 0;
  double core_other_s = 0;  // task time on the core not charged to the server: other processes
  double self_cpu = 0;      // our own fraction of one core
  bool have_self_core = false;
  double self_core_busy = 0;       // fraction of our core busy with anything
  double self_core_interrupt = 0;  // fraction of our core in irq/softirq (our packets, mostly)
  // Fraction of our core that went to other processes, at least. Without
  // CONFIG_IRQ_TIME_ACCOUNTING, softirq work done in a task's own context is in both its
  // system time and the core's softirq column, so subtracting both undercounts "others".
  double self_core_other = 0;
  // The server's core time including the kernel's work for it: its user and system time
  // plus the interrupt time on its core (other processes on that core are left out). Without
  // CONFIG_IRQ_TIME_ACCOUNTING the softirq work done in the server's own context is counted
  // in both, so this is an upper bound; it is computed the same way for every server.
  double server_core_s() const { return server_user_s + server_system_s + core_interrupt_s; }
  std::string_view verdict;  // "server-bound", "generator-bound" or "unsaturated"
};
Usage usage_between(const Snapshot& start, const Snapshot& end);

// Builds {"key":value,...} in insertion order.
class JsonLine {
 public:
  JsonLine& add(std::string_view key, std::string_view value);  // quoted and escaped
  JsonLine& add(std::string_view key, const char* value) {
    return add(key, std::string_view(value));
  }
  JsonLine& add(std::string_view key, double value, int decimals = 3);
  JsonLine& add(std::string_view key, uint64_t value);
  JsonLine& add(std::string_view key, bool value);
  // CPU figures of `usage`, per `units` (messages, deliveries or handshakes) in microseconds.
  JsonLine& add_usage(const Usage& usage, double units);
  std::string str() const { return text_ + "}"; }

 private:
  void key(std::string_view name);
  std::string text_ = "{";
};

// Prints the JSON line to stdout, then the human line, and a warning on stderr when the
// generator rather than the server limited the run.
void print_summary(const JsonLine& json, const std::string& human, const Usage& usage);

// "  server 97% cpu (2.10 us user + 5.40 us sys per msg); wsbench 60% cpu"
std::string describe_usage(const Usage& usage, double units, std::string_view unit_name);

}  // namespace wsrelay::wsbench
