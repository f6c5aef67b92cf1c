#include "metrics.hpp"

#include <sched.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <bit>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace wsrelay::wsbench {

uint64_t now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// ---- latency histogram ----------------------------------------------------------------------

// Below 64 every value has its own bucket. From 2^e (e >= 6) on, the 2^e values of each power
// of two share 32 buckets: the value's top 6 bits (32..63) pick one, so a bucket is at most
// 1/32 of its value wide.
size_t LatencyHistogram::bucket_of(uint64_t value) {
  if (value < 64) return static_cast<size_t>(value);
  int exponent = 63 - std::countl_zero(value);
  int shift = exponent - 5;
  return static_cast<size_t>(shift) * 32 + static_cast<size_t>(value >> shift);
}

uint64_t LatencyHistogram::value_of(size_t bucket) {
  if (bucket < 64) return bucket;
  size_t shift = bucket / 32 - 1;
  uint64_t mantissa = bucket % 32 + 32;
  return (mantissa << shift) + ((uint64_t{1} << shift) >> 1);  // the bucket's middle
}

void LatencyHistogram::add(uint64_t nanoseconds) {
  ++counts_[bucket_of(nanoseconds)];
  ++count_;
  if (nanoseconds > max_) max_ = nanoseconds;
}

uint64_t LatencyHistogram::percentile(double q) const {
  if (count_ == 0) return 0;
  // The smallest value with at least q of the samples at or below it.
  auto rank = static_cast<uint64_t>(q * static_cast<double>(count_) + 0.5);
  if (rank < 1) rank = 1;
  if (rank > count_) rank = count_;
  uint64_t seen = 0;
  for (size_t i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= rank) return value_of(i) < max_ ? value_of(i) : max_;
  }
  return max_;
}

// ---- /proc sampling -------------------------------------------------------------------------

namespace {

double ticks_to_seconds(uint64_t ticks) {
  static const double kTicksPerSecond = static_cast<double>(sysconf(_SC_CLK_TCK));
  return static_cast<double>(ticks) / kTicksPerSecond;
}

// The fields of /proc/PID/stat after the command name (which may itself contain spaces and
// parentheses, hence the search for the last ')'). Field 3 of proc(5) is index 0 here.
bool read_stat_fields(int pid, std::string& line, std::istringstream& fields) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  if (!std::getline(file, line)) return false;
  size_t close = line.rfind(')');
  if (close == std::string::npos) return false;
  fields.str(line.substr(close + 2));
  return true;
}

}  // namespace

uint64_t read_rss_kib(int pid) {
  std::ifstream file("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(file, line)) {
    if (line.starts_with("VmRSS:")) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

ProcessSample sample_process(int pid) {
  ProcessSample sample;
  if (pid <= 0) return sample;
  std::string line;
  std::istringstream fields;
  if (!read_stat_fields(pid, line, fields)) return sample;
  std::string skip;
  for (int i = 0; i < 11; ++i) fields >> skip;  // proc(5) fields 3..13
  uint64_t utime = 0, stime = 0;                // fields 14 and 15, in clock ticks
  if (!(fields >> utime >> stime)) return sample;
  sample.user_s = ticks_to_seconds(utime);
  sample.system_s = ticks_to_seconds(stime);
  sample.rss_kib = read_rss_kib(pid);
  sample.ok = true;
  return sample;
}

CoreSample sample_core(int cpu) {
  CoreSample sample;
  if (cpu < 0) return sample;
  std::ifstream file("/proc/stat");
  std::string line;
  std::string name = "cpu" + std::to_string(cpu) + " ";
  while (std::getline(file, line)) {
    if (!line.starts_with(name)) continue;
    std::istringstream fields(line.substr(name.size()));
    uint64_t user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
    if (!(fields >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal)) break;
    sample.busy_s = ticks_to_seconds(user + nice + system + irq + softirq);
    sample.interrupt_s = ticks_to_seconds(irq + softirq);
    sample.steal_s = ticks_to_seconds(steal);
    sample.ok = true;
    break;
  }
  return sample;
}

int pinned_cpu(int pid) {
  if (pid <= 0) return -1;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(pid, sizeof(set), &set) != 0 || CPU_COUNT(&set) != 1) return -1;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) return cpu;
  }
  return -1;
}

SelfSample sample_self() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return SelfSample{seconds(usage.ru_utime), seconds(usage.ru_stime)};
}

Snapshot take_snapshot(int server_pid, int server_cpu) {
  Snapshot snapshot;
  snapshot.server = sample_process(server_pid);
  snapshot.core = sample_core(server_cpu);
  snapshot.self = sample_self();
  static const int self_cpu = pinned_cpu(getpid());
  snapshot.self_core = sample_core(self_cpu);
  snapshot.time_ns = now_ns();
  return snapshot;
}

// Saturation thresholds: a process at 90% of a core or more is the limit of the run.
constexpr double kSaturated = 0.90;

Usage usage_between(const Snapshot& start, const Snapshot& end) {
  Usage usage;
  usage.seconds = static_cast<double>(end.time_ns - start.time_ns) / 1e9;
  if (usage.seconds <= 0) return usage;
  usage.self_cpu = (end.self.user_s + end.self.system_s - start.self.user_s - start.self.system_s) /
                   usage.seconds;
  if (start.server.ok && end.server.ok) {
    usage.have_server = true;
    usage.server_user_s = end.server.user_s - start.server.user_s;
    usage.server_system_s = end.server.system_s - start.server.system_s;
    usage.server_cpu = (usage.server_user_s + usage.server_system_s) / usage.seconds;
  }
  if (start.core.ok && end.core.ok) {
    usage.have_core = true;
    usage.core_busy_s = end.core.busy_s - start.core.busy_s;
    usage.core_interrupt_s = end.core.interrupt_s - start.core.interrupt_s;
    usage.core_steal_s = end.core.steal_s - start.core.steal_s;
    double other =
        usage.core_busy_s - usage.core_interrupt_s - usage.server_user_s - usage.server_system_s;
    usage.core_other_s = other > 0 ? other : 0;
  }
  if (start.self_core.ok && end.self_core.ok) {
    usage.have_self_core = true;
    usage.self_core_busy = (end.self_core.busy_s - start.self_core.busy_s) / usage.seconds;
    usage.self_core_interrupt =
        (end.self_core.interrupt_s - start.self_core.interrupt_s) / usage.seconds;
    double other = (end.self_core.busy_s - start.self_core.busy_s) / usage.seconds -
                   usage.self_cpu - usage.self_core_interrupt;
    usage.self_core_other = other > 0 ? other : 0;
  }
  if (usage.have_server && usage.server_cpu >= kSaturated) usage.verdict = "server-bound";
  // The generator is the limit when it saturates its core, or when its core is full anyway
  // (the kernel's interrupt work for it, other processes on a shared machine).
  else if (usage.self_cpu >= kSaturated || usage.self_core_busy >= 0.95)
    usage.verdict = "generator-bound";
  else if (usage.have_server)
    usage.verdict = "unsaturated";
  else
    usage.verdict = "unknown";
  return usage;
}

// ---- output ---------------------------------------------------------------------------------

void JsonLine::key(std::string_view name) {
  if (text_.size() > 1) text_ += ',';
  text_ += '"';
  text_ += name;
  text_ += "\":";
}

JsonLine& JsonLine::add(std::string_view name, std::string_view value) {
  key(name);
  text_ += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') {
      text_ += '\\';
      text_ += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char escaped[8];
      std::snprintf(escaped, sizeof(escaped), "\\u%04x", static_cast<unsigned>(c));
      text_ += escaped;
    } else {
      text_ += c;
    }
  }
  text_ += '"';
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, double value, int decimals) {
  key(name);
  char number[64];
  std::snprintf(number, sizeof(number), "%.*f", decimals, value);
  text_ += number;
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, uint64_t value) {
  key(name);
  text_ += std::to_string(value);
  return *this;
}

JsonLine& JsonLine::add(std::string_view name, bool value) {
  key(name);
  text_ += value ? "true" : "false";
  return *this;
}

JsonLine& JsonLine::add_usage(const Usage& usage, double units) {
  double per = units > 0 ? 1e6 / units : 0;  // seconds per unit -> microseconds per unit
  add("seconds", usage.seconds);
  if (usage.have_server) {
    add("server_cpu_pct", usage.server_cpu * 100, 1);
    add("server_user_us", usage.server_user_s * per, 3);
    add("server_sys_us", usage.server_system_s * per, 3);
    add("server_cpu_us", (usage.server_user_s + usage.server_system_s) * per, 3);
  }
  if (usage.have_core) {
    add("core_us", usage.server_core_s() * per, 3);
    add("core_irq_us", usage.core_interrupt_s * per, 3);
    add("core_other_pct", usage.core_other_s / usage.seconds * 100, 1);
    add("core_steal_pct", usage.core_steal_s / usage.seconds * 100, 1);
  }
  add("wsbench_cpu_pct", usage.self_cpu * 100, 1);
  if (usage.have_self_core) {
    add("wsbench_core_busy_pct", usage.self_core_busy * 100, 1);
    add("wsbench_core_irq_pct", usage.self_core_interrupt * 100, 1);
    add("wsbench_core_other_pct", usage.self_core_other * 100, 1);
  }
  add("verdict", usage.verdict);
  return *this;
}

std::string describe_usage(const Usage& usage, double units, std::string_view unit_name) {
  char text[256];
  double per = units > 0 ? 1e6 / units : 0;
  std::string out;
  if (usage.have_server) {
    std::snprintf(text, sizeof(text), "server %.0f%% cpu, %.2f us user + %.2f us sys per %.*s",
                  usage.server_cpu * 100, usage.server_user_s * per, usage.server_system_s * per,
                  static_cast<int>(unit_name.size()), unit_name.data());
    out += text;
    if (usage.have_core) {
      std::snprintf(text, sizeof(text), " (core %.2f us with irq)", usage.server_core_s() * per);
      out += text;
    }
    out += "; ";
  }
  std::snprintf(text, sizeof(text), "wsbench %.0f%% cpu", usage.self_cpu * 100);
  out += text;
  if (usage.have_self_core && usage.self_core_busy - usage.self_cpu >= 0.05) {
    std::snprintf(text, sizeof(text), " (its core %.0f%% busy: irq, other processes)",
                  usage.self_core_busy * 100);
    out += text;
  }
  out += "; ";
  out += usage.verdict;
  return out;
}

void print_summary(const JsonLine& json, const std::string& human, const Usage& usage) {
  std::printf("%s\n%s\n", json.str().c_str(), human.c_str());
  std::fflush(stdout);
  if (usage.verdict == "generator-bound") {
    std::fprintf(stderr,
                 "wsbench: WARNING: the generator was the bottleneck (wsbench %.0f%% cpu, its core "
                 "%.0f%% busy; server %.0f%%): the server's throughput was not measured, only its "
                 "cost per message\n",
                 usage.self_cpu * 100, usage.self_core_busy * 100, usage.server_cpu * 100);
  } else if (usage.verdict == "unsaturated") {
    std::fprintf(stderr,
                 "wsbench: note: neither side saturated (server %.0f%%, wsbench %.0f%%): the run "
                 "was latency-bound; more connections or messages in flight would load it more\n",
                 usage.server_cpu * 100, usage.self_cpu * 100);
  }
  if (usage.have_core && usage.seconds > 0 && usage.core_other_s / usage.seconds > 0.10) {
    std::fprintf(stderr,
                 "wsbench: WARNING: %.0f%% of the server's core went to other processes: "
                 "figures are noisy\n",
                 usage.core_other_s / usage.seconds * 100);
  }
}

}  // namespace wsrelay::wsbench
