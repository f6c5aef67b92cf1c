// The webhook service: the Pusher webhook dispatcher (app/pusher/webhook_dispatcher.hpp, all
// the decisions) joined to the reactor — its clock and wake-ups on the loop's timer wheel, its
// POSTs through the non-blocking HTTP client (http/client/http_client.hpp), its warnings to the
// log. This is the WebhookEvents* that the Pusher front end is given.
//
// create() resolves the URL's host once, before the loop runs: an IP literal or localhost needs
// no DNS; any other name is looked up then (a blocking getaddrinfo, at start-up only — never on
// the loop) and that address is used until the process restarts. An unresolvable name, a
// malformed URL or an unloadable CA file is a configuration error.
//
// Every POST carries Content-Type: application/json, X-Pusher-Key, X-Pusher-Signature and a
// User-Agent. Single-threaded, like the loop.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "app/pusher/webhook_dispatcher.hpp"
#include "config/settings.hpp"
#include "http/client/http_client.hpp"
#include "net/event_loop.hpp"
#include "net/tls_client_context.hpp"

namespace wsrelay::runtime {

struct WebhookServiceOptions {
  std::string url;      // http(s)://host[:port]/path
  std::string ca_file;  // https: trust only these certificates (empty: the system's store)
  uint64_t connect_timeout_ms = 5000;
  uint64_t response_timeout_ms = 10000;
  bool keep_alive = true;
  app::pusher::WebhookOptions dispatch;
};

// The options the pusher_webhook_* settings describe, with the app's key and secret (from
// pusher_app_key / pusher_app_secret). The settings were validated by the loader.
WebhookServiceOptions webhook_service_options(const config::Settings& settings, std::string app_key,
                                              std::string app_secret);

class WebhookService final : public app::pusher::WebhookHost,
                             public http::client::HttpClientObserver,
                             private net::Timer {
 public:
  // Nullptr with `error` (naming the problem) when the options cannot work.
  static std::unique_ptr<WebhookService> create(net::EventLoop& loop, WebhookServiceOptions options,
                                                std::string& error);
  ~WebhookService() override;

  app::pusher::WebhookEvents& events() { return *dispatcher_; }
  app::pusher::WebhookDispatcher& dispatcher() { return *dispatcher_; }
  const http::client::HttpClientCounters& http_counters() const { return client_->counters(); }
  const std::string& url() const { return url_; }

  // WebhookHost
  uint64_t monotonic_ms() override;
  int64_t wall_clock_ms() override;
  void wake_at(uint64_t at) override;
  bool post(std::string_view body, std::string_view key, std::string_view signature) override;
  void log_warning(std::string_view text) override;

  // HttpClientObserver
  void on_http_response(const http::client::HttpClientResult& result) override;

 private:
  WebhookService(net::EventLoop& loop, std::string url) : loop_(loop), url_(std::move(url)) {}
  void on_timer() override;

  net::EventLoop& loop_;
  std::string url_;
  net::TlsClientContext tls_;
  std::unique_ptr<http::client::HttpClient> client_;
  std::unique_ptr<app::pusher::WebhookDispatcher> dispatcher_;
};

}  // namespace wsrelay::runtime
