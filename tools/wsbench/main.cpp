// wsbench: the project's WebSocket load generator (see `wsbench --help` and
// docs/benchmarks.md). One process, one thread, one epoll loop; it only ever connects to
// 127.0.0.0/8 and every phase is bounded by --duration or --timeout.
#include <csignal>
#include <cstdio>

#include "metrics.hpp"
#include "options.hpp"
#include "run_support.hpp"

int main(int argc, char** argv) {
  wsrelay::wsbench::Options options;
  int exit_code = 0;
  if (!wsrelay::wsbench::parse_options(argc, argv, options, exit_code)) return exit_code;
  if (options.pid > 0 && !wsrelay::wsbench::sample_process(options.pid).ok) {
    std::fprintf(stderr, "wsbench: no process %d to measure (--pid)\n", options.pid);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a server that goes away is reported, not fatal
  switch (options.mode) {
    case wsrelay::wsbench::Mode::kEcho:
      return wsrelay::wsbench::run_echo(options);
    case wsrelay::wsbench::Mode::kBroadcast:
      return wsrelay::wsbench::run_broadcast(options);
    case wsrelay::wsbench::Mode::kConnect:
      return wsrelay::wsbench::run_connect(options);
    case wsrelay::wsbench::Mode::kSoak:
      return wsrelay::wsbench::run_soak(options);
  }
  return 2;
}
