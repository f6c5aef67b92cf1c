#include "runtime/webhook_service.hpp"

#include "log/logger.hpp"
#include "net/tcp_connect.hpp"

namespace wsrelay::runtime {

namespace {
constexpr std::string_view kUserAgent = "wsrelay-webhooks/1";
}  // namespace

WebhookServiceOptions webhook_service_options(const config::Settings& s, std::string app_key,
                                              std::string app_secret) {
  WebhookServiceOptions o;
  o.url = s.pusher_webhook_url;
  o.ca_file = s.pusher_webhook_ca_file;
  o.response_timeout_ms = static_cast<uint64_t>(s.pusher_webhook_timeout.count()) * 1000;
  o.connect_timeout_ms = o.response_timeout_ms;
  o.dispatch.app_key = std::move(app_key);
  o.dispatch.app_secret = std::move(app_secret);
  std::string ignored;  // validated by the loader (Kind::kWebhookEvents)
  app::pusher::parse_webhook_kinds(s.pusher_webhook_events, o.dispatch.kinds, ignored);
  o.dispatch.batch_ms = s.pusher_webhook_batch_ms;
  o.dispatch.max_batch_events = s.pusher_webhook_max_batch;
  o.dispatch.delay_ms = static_cast<uint64_t>(s.pusher_webhook_delay.count()) * 1000;
  o.dispatch.max_attempts = static_cast<uint32_t>(s.pusher_webhook_max_attempts);
  o.dispatch.max_queue = s.pusher_webhook_queue;
  return o;
}

std::unique_ptr<WebhookService> WebhookService::create(net::EventLoop& loop, WebhookServiceOptions options,
                                                       std::string& error) {
  http::client::HttpClientOptions client;
  std::string why;
  if (!http::client::parse_client_url(options.url, client.url, why)) {
    error = "pusher_webhook_url " + options.url + ": " + why;
    return nullptr;
  }
  if (!net::resolve_address(client.url.host, client.url.port, client.address, why)) {
    error = "pusher_webhook_url " + options.url + ": " + why;
    return nullptr;
  }
  std::unique_ptr<WebhookService> service(new WebhookService(loop, options.url));
  if (client.url.tls) {
    if (!service->tls_.load(options.ca_file, why)) {
      error = "pusher_webhook_url " + options.url + ": " + why;
      return nullptr;
    }
    client.tls = service->tls_.get();
  }
  client.connect_timeout_ms = options.connect_timeout_ms;
  client.response_timeout_ms = options.response_timeout_ms;
  client.keep_alive = options.keep_alive;
  service->client_ = std::make_unique<http::client::HttpClient>(loop, std::move(client), *service);
  service->dispatcher_ = std::make_unique<app::pusher::WebhookDispatcher>(std::move(options.dispatch), *service);
  return service;
}

WebhookService::~WebhookService() = default;

uint64_t WebhookService::monotonic_ms() { return loop_.now_ms(); }

int64_t WebhookService::wall_clock_ms() { return net::EventLoop::wall_clock_ms(); }

void WebhookService::wake_at(uint64_t at) {
  if (at == kNever) {
    if (scheduled()) loop_.timers().cancel(*this);
    return;
  }
  loop_.timers().schedule_at(*this, at);
}

void WebhookService::on_timer() { dispatcher_->on_wake(); }

bool WebhookService::post(std::string_view body, std::string_view key, std::string_view signature) {
  const http::client::RequestHeader headers[] = {
      {"Content-Type", "application/json"},
      {"User-Agent", kUserAgent},
      {"X-Pusher-Key", key},
      {"X-Pusher-Signature", signature},
  };
  return client_->send("POST", headers, body);
}

void WebhookService::on_http_response(const http::client::HttpClientResult& result) {
  app::pusher::WebhookPostResult outcome;
  switch (result.kind) {
    case http::client::HttpClientResult::kResponse:
      outcome.kind = app::pusher::WebhookPostResult::kAnswered;
      break;
    case http::client::HttpClientResult::kTimeout:
      outcome.kind = app::pusher::WebhookPostResult::kTimeout;
      break;
    default:
      outcome.kind = app::pusher::WebhookPostResult::kNetworkError;
      break;
  }
  outcome.status = result.status;
  outcome.detail = result.detail;
  dispatcher_->on_post_done(outcome);
}

void WebhookService::log_warning(std::string_view text) { log::warn(text, " (", url_, ")"); }

}  // namespace wsrelay::runtime
