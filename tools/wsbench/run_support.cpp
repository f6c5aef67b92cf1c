#include "run_support.hpp"

#include <sys/resource.h>

#include <cstdio>

#include "metrics.hpp"

namespace wsrelay::wsbench {

bool raise_fd_limit(uint64_t needed) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return false;
  if (limit.rlim_cur >= needed) return true;
  rlimit wanted = limit;
  wanted.rlim_cur = needed;
  if (wanted.rlim_max < needed) wanted.rlim_max = needed;  // root (CAP_SYS_RESOURCE) only
  if (setrlimit(RLIMIT_NOFILE, &wanted) == 0) return true;
  wanted.rlim_cur = limit.rlim_max;
  wanted.rlim_max = limit.rlim_max;
  setrlimit(RLIMIT_NOFILE, &wanted);
  std::fprintf(stderr,
               "wsbench: RLIMIT_NOFILE allows %llu open files but %llu are needed; run as root "
               "or raise the hard limit (ulimit -Hn)\n",
               static_cast<unsigned long long>(limit.rlim_max),
               static_cast<unsigned long long>(needed));
  return false;
}

void write_hex(uint8_t* out, uint64_t value, int digits) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<uint8_t>(kDigits[value & 0xF]);
    value >>= 4;
  }
}

bool parse_hex(std::span<const uint8_t> text, int digits, uint64_t& value) {
  if (text.size() < static_cast<size_t>(digits)) return false;
  uint64_t result = 0;
  for (int i = 0; i < digits; ++i) {
    uint8_t c = text[static_cast<size_t>(i)];
    uint64_t nibble = 0;
    if (c >= '0' && c <= '9')
      nibble = c - '0';
    else if (c >= 'a' && c <= 'f')
      nibble = c - 'a' + 10;
    else
      return false;
    result = result << 4 | nibble;
  }
  value = result;
  return true;
}

bool connect_all(Fleet& fleet, size_t count) {
  fleet.add_clients(count);
  uint64_t deadline = now_ns() + seconds_to_ns(fleet.options().timeout);
  bool finished = fleet.run_until(deadline, [&] { return fleet.pending() == 0; });
  if (finished && fleet.open_now() == fleet.size()) return true;
  std::fprintf(
      stderr, "wsbench: only %llu of %zu connections upgraded%s (%llu failed; first error: %s)\n",
      static_cast<unsigned long long>(fleet.open_now()), fleet.size(),
      finished ? "" : " before the timeout", static_cast<unsigned long long>(fleet.failures()),
      fleet.first_error().empty() ? "none" : fleet.first_error().c_str());
  return false;
}

Usage measure(Fleet& fleet, const Options& options, const std::function<void(bool)>& measuring) {
  int cpu = pinned_cpu(options.pid);
  fleet.run_until(now_ns() + seconds_to_ns(options.warmup));
  Snapshot start = take_snapshot(options.pid, cpu);
  measuring(true);
  fleet.run_until(start.time_ns + seconds_to_ns(options.duration));
  measuring(false);
  return usage_between(start, take_snapshot(options.pid, cpu));
}

}  // namespace wsrelay::wsbench
