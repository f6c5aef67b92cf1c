// Pieces every wsbench mode uses: the file-descriptor limit, the timestamp codec carried in
// payloads, and the connect-everyone phase.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

#include "client.hpp"
#include "metrics.hpp"
#include "options.hpp"

namespace wsrelay::wsbench {

int run_echo(const Options& options);
int run_broadcast(const Options& options);
int run_connect(const Options& options);
int run_soak(const Options& options);

// Raises RLIMIT_NOFILE (soft, and hard when we may) to at least `needed`. Prints what is
// missing and returns false when it cannot.
bool raise_fd_limit(uint64_t needed);

constexpr uint64_t seconds_to_ns(double seconds) {
  return static_cast<uint64_t>(seconds * 1e9);
}

// Fixed-width lowercase hex: text-safe (valid UTF-8) and cheap to find and parse.
void write_hex(uint8_t* out, uint64_t value, int digits);
bool parse_hex(std::span<const uint8_t> text, int digits, uint64_t& value);

// Queues `count` clients and runs the loop until every one is upgraded or has failed, within
// options.timeout. Prints what went wrong and returns false unless all of them are open.
bool connect_all(Fleet& fleet, size_t count);

// The measured part of a run: --warmup seconds of load, then --duration seconds bracketed by
// two snapshots of the server's and our own CPU time. `measuring(true)` is called just after
// the first snapshot and `measuring(false)` just before the second, so the mode counts exactly
// what the snapshots cover. Returns the interval's CPU accounting.
Usage measure(Fleet& fleet, const Options& options, const std::function<void(bool)>& measuring);

}  // namespace wsrelay::wsbench
