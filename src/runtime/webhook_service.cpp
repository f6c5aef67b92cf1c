#include "runtime/webhook_service.hpp"

#include "log/logger.hpp"
#include "net/tcp_connect.hpp"

namespace wsrelay::runtime {

namespace {
constexpr std::string_view kUserAgent = "wsrelay-webhooks/1";
}  // namespace

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
