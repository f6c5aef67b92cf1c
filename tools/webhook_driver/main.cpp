// webhook_driver: the real webhook service (runtime/webhook_service.hpp — dispatcher, timer
// wheel, non-blocking HTTP client) on a real EventLoop, fed Pusher front-end events from stdin,
// so that tests/integration/webhooks can drive it against a Node HTTP(S) server before the
// Pusher front end calls it from inside wsrelay.
//
//   webhook_driver --url URL --key KEY --secret SECRET [--events LIST] [--batch-ms N]
//                  [--delay-ms N] [--max-batch N] [--max-attempts N] [--retry-ms N]
//                  [--retry-max-ms N] [--queue N] [--timeout-ms N] [--ca-file PEM]
//                  [--no-keep-alive]
//
// stdin, one command a line, fields separated by TABs (so data may hold spaces):
//   occupied CH | vacated CH | added CH USER | removed CH USER
//   client CH EVENT DATA SOCKET_ID [USER]
//   stats          print one line "stats {...}" (webhook_stats_json plus the HTTP counters)
//   drain          send what is delayed now, then exit once everything was answered
// End of input means drain. Prints "ready" once the loop runs; warnings go to stderr (the log).
// Exit status 0, or 2 for a usage or configuration error.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "app/pusher/webhook_format.hpp"
#include "http/webhook_stats.hpp"
#include "net/event_loop.hpp"
#include "net/signal_watcher.hpp"
#include "runtime/webhook_service.hpp"

using namespace wsrelay;

namespace {

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> fields;
  size_t start = 0;
  while (true) {
    const size_t tab = line.find('\t', start);
    fields.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) break;
    start = tab + 1;
  }
  return fields;
}

class Driver final : public net::IoHandler, private net::Timer {
 public:
  Driver(net::EventLoop& loop, runtime::WebhookService& service) : loop_(loop), service_(service) {}

  void start() {
    fcntl(0, F_SETFL, fcntl(0, F_GETFL) | O_NONBLOCK);
    loop_.watch(0, this, true, false);
    std::printf("ready\n");
    std::fflush(stdout);
  }

  void on_io(uint32_t) override {
    char buffer[4096];
    for (;;) {
      const ssize_t n = ::read(0, buffer, sizeof(buffer));
      if (n > 0) {
        pending_.append(buffer, static_cast<size_t>(n));
        size_t newline;
        while ((newline = pending_.find('\n')) != std::string::npos) {
          const std::string line = pending_.substr(0, newline);
          pending_.erase(0, newline + 1);
          command(line);
        }
        continue;
      }
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      loop_.unwatch(0);  // end of input
      drain();
      return;
    }
  }

 private:
  void command(const std::string& line) {
    const std::vector<std::string> f = split_tabs(line);
    app::pusher::WebhookEvents& events = service_.events();
    const std::string& verb = f[0];
    if (verb == "occupied" && f.size() == 2) {
      events.channel_occupied(f[1]);
    } else if (verb == "vacated" && f.size() == 2) {
      events.channel_vacated(f[1]);
    } else if (verb == "added" && f.size() == 3) {
      events.member_added(f[1], f[2]);
    } else if (verb == "removed" && f.size() == 3) {
      events.member_removed(f[1], f[2]);
    } else if (verb == "client" && (f.size() == 5 || f.size() == 6)) {
      events.client_event(f[1], f[2], f[3], f[4], f.size() == 6 ? f[5] : std::string());
    } else if (verb == "stats") {
      print_stats();
    } else if (verb == "drain") {
      drain();
    } else if (!line.empty()) {
      std::fprintf(stderr, "webhook_driver: unknown command: %s\n", line.c_str());
    }
  }

  void print_stats() {
    const http::client::HttpClientCounters& c = service_.http_counters();
    std::printf("stats {\"webhooks\":%s,\"http\":{\"requests\":%llu,\"connections_opened\":%llu,"
                "\"connections_reused\":%llu}}\n",
                http::webhook_stats_json(service_.dispatcher().stats()).c_str(),
                static_cast<unsigned long long>(c.requests), static_cast<unsigned long long>(c.connections_opened),
                static_cast<unsigned long long>(c.connections_reused));
    std::fflush(stdout);
  }

  void drain() {
    if (draining_) return;
    draining_ = true;
    service_.dispatcher().drain();
    loop_.timers().schedule_in(*this, net::TimerWheel::kTickMs);
  }

  void on_timer() override {
    if (!service_.dispatcher().idle()) {
      loop_.timers().schedule_in(*this, net::TimerWheel::kTickMs);
      return;
    }
    print_stats();
    loop_.stop();
  }

  net::EventLoop& loop_;
  runtime::WebhookService& service_;
  std::string pending_;
  bool draining_ = false;
};

bool number(const char* text, uint64_t& out) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (errno != 0 || end == text || *end != '\0') return false;
  out = value;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  runtime::WebhookServiceOptions options;
  options.dispatch.kinds = app::pusher::kAllWebhookKinds;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--no-keep-alive") {
      options.keep_alive = false;
      continue;
    }
    if (i + 1 >= argc) {
      std::fprintf(stderr, "webhook_driver: %s needs a value\n", arg.c_str());
      return 2;
    }
    const char* value = argv[++i];
    uint64_t n = 0;
    const bool is_number = number(value, n);
    std::string error;
    if (arg == "--url") options.url = value;
    else if (arg == "--key") options.dispatch.app_key = value;
    else if (arg == "--secret") options.dispatch.app_secret = value;
    else if (arg == "--ca-file") options.ca_file = value;
    else if (arg == "--events") {
      if (!app::pusher::parse_webhook_kinds(value, options.dispatch.kinds, error)) {
        std::fprintf(stderr, "webhook_driver: --events: %s\n", error.c_str());
        return 2;
      }
    } else if (!is_number) {
      std::fprintf(stderr, "webhook_driver: unknown option or bad number: %s %s\n", arg.c_str(), value);
      return 2;
    } else if (arg == "--batch-ms") options.dispatch.batch_ms = n;
    else if (arg == "--delay-ms") options.dispatch.delay_ms = n;
    else if (arg == "--max-batch") options.dispatch.max_batch_events = n;
    else if (arg == "--max-attempts") options.dispatch.max_attempts = static_cast<uint32_t>(n);
    else if (arg == "--retry-ms") options.dispatch.retry_initial_ms = n;
    else if (arg == "--retry-max-ms") options.dispatch.retry_max_ms = n;
    else if (arg == "--queue") options.dispatch.max_queue = n;
    else if (arg == "--timeout-ms") options.response_timeout_ms = options.connect_timeout_ms = n;
    else {
      std::fprintf(stderr, "webhook_driver: unknown option %s\n", arg.c_str());
      return 2;
    }
  }
  net::ignore_sigpipe();  // as the server does: OpenSSL writes to sockets the receiver may close
  net::EventLoop loop;
  std::string error;
  auto service = runtime::WebhookService::create(loop, options, error);
  if (!service) {
    std::fprintf(stderr, "webhook_driver: %s\n", error.c_str());
    return 2;
  }
  Driver driver(loop, *service);
  driver.start();
  return loop.run() ? 0 : 1;
}
