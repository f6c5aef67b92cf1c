// The pusher_webhook_* keys: an empty URL turns webhooks off, a bad one is refused; the event
// list is Pusher's vocabulary; the options the runtime builds follow the settings.
#include <doctest/doctest.h>

#include "config/keys.hpp"
#include "config/values.hpp"
#include "runtime/webhook_service.hpp"

using namespace wsrelay;
using namespace wsrelay::config;

namespace {
bool parses(std::string_view key, std::string_view text, std::string* problem = nullptr) {
  const KeyInfo* info = find_key(key);
  REQUIRE(info != nullptr);
  Value value;
  std::string why;
  const bool ok = parse_value(*info, text, value, why);
  if (problem != nullptr) *problem = why;
  return ok;
}
}  // namespace

TEST_CASE("pusher_webhook_url: empty is off; http(s) URLs only") {
  CHECK(parses("pusher_webhook_url", ""));
  CHECK(parses("pusher_webhook_url", "  "));
  CHECK(parses("pusher_webhook_url", "https://app.example.com/pusher/webhook"));
  CHECK(parses("pusher_webhook_url", "http://127.0.0.1:8000/hook"));
  std::string problem;
  CHECK_FALSE(parses("pusher_webhook_url", "ftp://x/", &problem));
  CHECK(problem.find("http://") != std::string::npos);
  CHECK_FALSE(parses("pusher_webhook_url", "http://a b/"));
}

TEST_CASE("pusher_webhook_events: Pusher's names, all, and refusals that name the word") {
  CHECK(parses("pusher_webhook_events", "all"));
  CHECK(parses("pusher_webhook_events", "channel_occupied, client_event"));
  std::string problem;
  CHECK_FALSE(parses("pusher_webhook_events", "channel_occupied,channel_vaccated", &problem));
  CHECK(problem.find("'channel_vaccated'") != std::string::npos);
  CHECK_FALSE(parses("pusher_webhook_events", ""));
}

TEST_CASE("webhook service options follow the settings") {
  Settings s;
  s.pusher_webhook_url = "http://127.0.0.1:9/hook";
  s.pusher_webhook_events = "member_added,member_removed";
  s.pusher_webhook_batch_ms = 40;
  s.pusher_webhook_max_batch = 7;
  s.pusher_webhook_delay = std::chrono::seconds(2);
  s.pusher_webhook_max_attempts = 3;
  s.pusher_webhook_queue = 99;
  s.pusher_webhook_timeout = std::chrono::seconds(4);
  s.pusher_webhook_ca_file = "/ca.pem";
  const runtime::WebhookServiceOptions o = runtime::webhook_service_options(s, "key", "secret");
  CHECK(o.url == s.pusher_webhook_url);
  CHECK(o.ca_file == "/ca.pem");
  CHECK(o.response_timeout_ms == 4000);
  CHECK(o.connect_timeout_ms == 4000);
  CHECK(o.dispatch.app_key == "key");
  CHECK(o.dispatch.app_secret == "secret");
  CHECK(o.dispatch.kinds == (app::pusher::kind_bit(app::pusher::WebhookKind::kMemberAdded) |
                             app::pusher::kind_bit(app::pusher::WebhookKind::kMemberRemoved)));
  CHECK(o.dispatch.batch_ms == 40);
  CHECK(o.dispatch.max_batch_events == 7);
  CHECK(o.dispatch.delay_ms == 2000);
  CHECK(o.dispatch.max_attempts == 3);
  CHECK(o.dispatch.max_queue == 99);
  const Settings defaults;
  const runtime::WebhookServiceOptions d = runtime::webhook_service_options(defaults, "k", "s");
  CHECK(d.dispatch.kinds == app::pusher::WebhookOptions{}.kinds);
  CHECK(d.dispatch.delay_ms == 3000);
}
