// The webhook dispatcher with a fake clock and a fake sender: Pusher's format and signature,
// the event filter, batching (window and size), the vacated/member_removed delay and its
// cancellation, one POST in flight, exponential backoff and its bound, 4xx refusals, the queue
// bound with its counted and logged drops, and drain().
#include "app/pusher/webhook_dispatcher.hpp"

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <string>
#include <vector>

#include "app/auth/hmac_sha256.hpp"

using namespace wsrelay::app::pusher;

namespace {

struct Post {
  std::string body, key, signature;
};

class FakeHost final : public WebhookHost {
 public:
  uint64_t now = 1000;
  int64_t wall = 1700000000000;
  uint64_t wake = kNever;
  bool refuse = false;
  std::vector<Post> posts;
  std::vector<std::string> warnings;

  uint64_t monotonic_ms() override { return now; }
  int64_t wall_clock_ms() override { return wall; }
  void wake_at(uint64_t at) override { wake = at; }
  bool post(std::string_view body, std::string_view key, std::string_view signature) override {
    if (refuse) return false;
    posts.push_back({std::string(body), std::string(key), std::string(signature)});
    return true;
  }
  void log_warning(std::string_view text) override { warnings.emplace_back(text); }
};

// Moves the clock to `to`, firing the dispatcher's wake-ups on the way as the loop would.
void run_until(FakeHost& host, WebhookDispatcher& d, uint64_t to) {
  while (host.wake != WebhookHost::kNever && host.wake <= to) {
    host.now = std::max(host.now, host.wake);
    host.wake = WebhookHost::kNever;
    d.on_wake();
  }
  host.now = to;
}

WebhookPostResult answered(int status) {
  WebhookPostResult r;
  r.kind = WebhookPostResult::kAnswered;
  r.status = status;
  r.detail = "HTTP " + std::to_string(status);
  return r;
}

WebhookOptions options() {
  WebhookOptions o;
  o.app_key = "app-key";
  o.app_secret = "app-secret";
  o.kinds = kAllWebhookKinds;
  o.batch_ms = 100;
  o.delay_ms = 3000;
  o.max_attempts = 3;
  o.retry_initial_ms = 1000;
  o.retry_max_ms = 1500;
  return o;
}

// [name, channel, user_id?] of each event in a body.
std::vector<std::string> names(const std::string& body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  REQUIRE_FALSE(doc.HasParseError());
  std::vector<std::string> out;
  for (const auto& e : doc["events"].GetArray()) {
    std::string line = std::string(e["name"].GetString()) + " " + e["channel"].GetString();
    if (e.HasMember("user_id")) line += std::string(" ") + e["user_id"].GetString();
    out.push_back(line);
  }
  return out;
}

}  // namespace

TEST_CASE("webhook body: Pusher's format, every kind, escaping") {
  std::vector<WebhookEvent> events(5);
  events[0].kind = WebhookKind::kChannelOccupied;
  events[0].channel = "orders";
  events[1].kind = WebhookKind::kChannelVacated;
  events[1].channel = "or\"ders";
  events[2].kind = WebhookKind::kMemberAdded;
  events[2].channel = "presence-room";
  events[2].user_id = "42";
  events[3].kind = WebhookKind::kMemberRemoved;
  events[3].channel = "presence-room";
  events[3].user_id = "42";
  events[4].kind = WebhookKind::kClientEvent;
  events[4].channel = "private-chat";
  events[4].event = "client-typing";
  events[4].data = "{\"on\":true}";
  events[4].socket_id = "1.2";
  CHECK(format_webhook_body(1327078148132, events) ==
        "{\"time_ms\":1327078148132,\"events\":["
        "{\"name\":\"channel_occupied\",\"channel\":\"orders\"},"
        "{\"name\":\"channel_vacated\",\"channel\":\"or\\\"ders\"},"
        "{\"name\":\"member_added\",\"channel\":\"presence-room\",\"user_id\":\"42\"},"
        "{\"name\":\"member_removed\",\"channel\":\"presence-room\",\"user_id\":\"42\"},"
        "{\"name\":\"client_event\",\"channel\":\"private-chat\",\"event\":\"client-typing\","
        "\"data\":\"{\\\"on\\\":true}\",\"socket_id\":\"1.2\"}]}");
  events[4].user_id = "7";
  CHECK(format_webhook_body(1, std::span(events).subspan(4)).find(",\"user_id\":\"7\"}") != std::string::npos);
  CHECK(format_webhook_body(5, {}) == "{\"time_ms\":5,\"events\":[]}");
}

TEST_CASE("webhook signature: hex HMAC-SHA256 of the body under the secret") {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  CHECK(webhook_signature("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("webhook event list: names, all, errors") {
  WebhookKindSet set = 0;
  std::string error;
  REQUIRE(parse_webhook_kinds(" channel_occupied , member_added", set, error));
  CHECK(set == (kind_bit(WebhookKind::kChannelOccupied) | kind_bit(WebhookKind::kMemberAdded)));
  REQUIRE(parse_webhook_kinds("all", set, error));
  CHECK(set == kAllWebhookKinds);
  REQUIRE(parse_webhook_kinds("*", set, error));
  CHECK(set == kAllWebhookKinds);
  CHECK_FALSE(parse_webhook_kinds("channel_occupied,bogus", set, error));
  CHECK(error.find("'bogus'") != std::string::npos);
  CHECK_FALSE(parse_webhook_kinds("", set, error));
  CHECK_FALSE(parse_webhook_kinds("member_added,,client_event", set, error));
  CHECK_FALSE(parse_webhook_kinds("client_event,client_event", set, error));
  CHECK(error.find("twice") != std::string::npos);
  CHECK_FALSE(parse_webhook_kinds("Channel_Occupied", set, error));
}

TEST_CASE("webhooks: events within the window go in one signed POST") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.channel_occupied("a");
  CHECK(host.wake == 1100);  // the window counts from the first event
  host.now = 1050;
  d.member_added("presence-b", "u1");
  d.client_event("private-c", "client-x", "{}", "1.1", "");
  CHECK(host.posts.empty());  // never from inside a WebhookEvents call
  run_until(host, d, 1099);
  CHECK(host.posts.empty());
  run_until(host, d, 1100);
  REQUIRE(host.posts.size() == 1);
  const Post& p = host.posts[0];
  CHECK(p.key == "app-key");
  CHECK(p.signature == webhook_signature("app-secret", p.body));
  CHECK(p.body.rfind("{\"time_ms\":1700000000000,", 0) == 0);
  CHECK(names(p.body) == std::vector<std::string>{"channel_occupied a", "member_added presence-b u1",
                                                   "client_event private-c"});
  CHECK(d.stats().in_flight == 3);
  d.on_post_done(answered(200));
  const WebhookStats s = d.stats();
  CHECK(s.events_delivered == 3);
  CHECK(s.batches_delivered == 1);
  CHECK(s.in_flight == 0);
  CHECK(d.idle());
  CHECK(host.wake == WebhookHost::kNever);
}

TEST_CASE("webhooks: a full batch leaves at once; the rest waits for the answer") {
  FakeHost host;
  WebhookOptions o = options();
  o.max_batch_events = 2;
  WebhookDispatcher d(o, host);
  for (int i = 0; i < 5; ++i) d.channel_occupied("ch" + std::to_string(i));
  CHECK(host.wake == host.now);
  run_until(host, d, host.now);
  REQUIRE(host.posts.size() == 1);
  CHECK(names(host.posts[0].body) == std::vector<std::string>{"channel_occupied ch0", "channel_occupied ch1"});
  run_until(host, d, host.now + 1000);
  CHECK(host.posts.size() == 1);  // one POST in flight at a time: order is kept
  d.on_post_done(answered(204));
  run_until(host, d, host.now);
  REQUIRE(host.posts.size() == 2);
  CHECK(names(host.posts[1].body) == std::vector<std::string>{"channel_occupied ch2", "channel_occupied ch3"});
  d.on_post_done(answered(200));
  run_until(host, d, host.now + 100);  // ch4 alone waits for its window (already past)
  REQUIRE(host.posts.size() == 3);
  CHECK(names(host.posts[2].body) == std::vector<std::string>{"channel_occupied ch4"});
}

TEST_CASE("webhooks: channel_vacated waits, and a re-occupation within the delay cancels both") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.channel_vacated("reload");
  CHECK(host.wake == 4000);
  run_until(host, d, 2500);
  d.channel_occupied("reload");  // the page came back: nothing at all is sent
  CHECK(d.stats().flaps_suppressed == 1);
  CHECK(d.idle());
  run_until(host, d, 10000);
  CHECK(host.posts.empty());

  d.channel_vacated("gone");
  d.channel_vacated("gone");  // a repeat keeps the first deadline
  run_until(host, d, 10000 + 2999);
  CHECK(host.posts.empty());
  run_until(host, d, 10000 + 3000 + 100);
  REQUIRE(host.posts.size() == 1);
  CHECK(names(host.posts[0].body) == std::vector<std::string>{"channel_vacated gone"});
  d.on_post_done(answered(200));
  d.channel_occupied("gone");  // after the delay: a real new occupation
  run_until(host, d, host.now + 100);
  REQUIRE(host.posts.size() == 2);
  CHECK(names(host.posts[1].body) == std::vector<std::string>{"channel_occupied gone"});
}

TEST_CASE("webhooks: member_removed waits and is cancelled per user and channel") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.member_removed("presence-a", "u1");
  d.member_removed("presence-a", "u2");
  d.member_removed("presence-b", "u1");
  host.now += 1000;
  d.member_added("presence-a", "u1");  // u1 reloaded in presence-a only
  run_until(host, d, 1000 + 3000 + 100);
  REQUIRE(host.posts.size() == 1);
  CHECK(names(host.posts[0].body) ==
        std::vector<std::string>{"member_removed presence-a u2", "member_removed presence-b u1"});
  CHECK(d.stats().flaps_suppressed == 1);
}

TEST_CASE("webhooks: only the chosen kinds are sent; the delay logic still applies") {
  FakeHost host;
  WebhookOptions o = options();
  o.kinds = kind_bit(WebhookKind::kChannelOccupied);
  WebhookDispatcher d(o, host);
  d.channel_occupied("a");
  d.member_added("presence-a", "u");
  d.client_event("private-a", "client-e", "x", "1.1", "");
  d.channel_vacated("a");
  d.channel_occupied("a");  // cancelled against the (unsent) vacated: still one occupation
  run_until(host, d, 10000);
  REQUIRE(host.posts.size() == 1);
  CHECK(names(host.posts[0].body) == std::vector<std::string>{"channel_occupied a"});
  d.on_post_done(answered(200));
  d.channel_vacated("a");
  run_until(host, d, 20000);
  CHECK(host.posts.size() == 1);  // vacated is not wanted
  CHECK(d.idle());
}

TEST_CASE("webhooks: 5xx and network errors are retried with backoff, same body") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.channel_occupied("a");
  run_until(host, d, 1100);
  REQUIRE(host.posts.size() == 1);
  d.on_post_done(answered(500));
  CHECK(host.wake == 1100 + 1000);
  CHECK_FALSE(host.warnings.empty());
  d.channel_occupied("b");  // waits behind the batch being retried
  run_until(host, d, 2099);
  CHECK(host.posts.size() == 1);
  run_until(host, d, 2100);
  REQUIRE(host.posts.size() == 2);
  CHECK(host.posts[1].body == host.posts[0].body);
  CHECK(host.posts[1].signature == host.posts[0].signature);
  WebhookPostResult timeout;
  timeout.kind = WebhookPostResult::kTimeout;
  timeout.detail = "no answer";
  d.on_post_done(timeout);
  CHECK(host.wake == 2100 + 1500);  // 2000 capped at retry_max_ms
  run_until(host, d, 3600);
  REQUIRE(host.posts.size() == 3);
  d.on_post_done(answered(200));
  CHECK(d.stats().retries == 2);
  CHECK(d.stats().posts_failed == 2);
  CHECK(d.stats().events_delivered == 1);
  run_until(host, d, 3700);
  REQUIRE(host.posts.size() == 4);
  CHECK(names(host.posts[3].body) == std::vector<std::string>{"channel_occupied b"});
}

TEST_CASE("webhooks: attempts are bounded; a refusal (4xx) is not retried; both are counted") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.channel_occupied("a");
  d.channel_occupied("b");
  run_until(host, d, 1100);
  for (int i = 0; i < 3; ++i) {
    REQUIRE(host.posts.size() == static_cast<size_t>(i + 1));
    d.on_post_done(answered(503));
    run_until(host, d, host.now + 2000);
  }
  CHECK(host.posts.size() == 3);
  CHECK(d.stats().dropped_failed == 2);
  CHECK(host.warnings.back().find("giving up") != std::string::npos);
  CHECK(d.idle());

  d.channel_occupied("c");
  run_until(host, d, host.now + 100);
  REQUIRE(host.posts.size() == 4);
  d.on_post_done(answered(401));
  CHECK(d.stats().dropped_rejected == 1);
  CHECK(d.idle());
  run_until(host, d, host.now + 10000);
  CHECK(host.posts.size() == 4);

  // 429 asks us to come back: retried.
  d.channel_occupied("d");
  run_until(host, d, host.now + 100);
  d.on_post_done(answered(429));
  run_until(host, d, host.now + 1000);
  CHECK(host.posts.size() == 6);
}

TEST_CASE("webhooks: a post that cannot start counts as a failed attempt") {
  FakeHost host;
  host.refuse = true;
  WebhookDispatcher d(options(), host);
  d.channel_occupied("a");
  run_until(host, d, 1100);
  CHECK(d.stats().posts_failed == 1);
  host.refuse = false;
  run_until(host, d, 2100);
  CHECK(host.posts.size() == 1);
}

TEST_CASE("webhooks: the queue is bounded; drops are counted and logged, at most once a second") {
  FakeHost host;
  WebhookOptions o = options();
  o.max_queue = 3;
  WebhookDispatcher d(o, host);
  d.channel_occupied("a");
  d.channel_vacated("b");  // a delayed event takes room too
  d.member_added("presence-c", "u");
  for (int i = 0; i < 5; ++i) d.channel_occupied("x" + std::to_string(i));
  d.channel_vacated("y");
  WebhookStats s = d.stats();
  CHECK(s.dropped_queue_full == 6);
  CHECK(s.queued == 3);
  REQUIRE(host.warnings.size() == 1);  // one line for the burst so far
  CHECK(host.warnings[0].find("queue full") != std::string::npos);
  // The rest of the burst is reported a second later.
  run_until(host, d, 1000 + 1000);
  REQUIRE(host.warnings.size() == 2);
  CHECK(host.warnings[1].find("dropped 5 event(s), 6 in all") != std::string::npos);
  // A cancellation needs no room.
  d.channel_occupied("b");
  CHECK(d.stats().flaps_suppressed == 1);
}

TEST_CASE("webhooks: drain() sends delayed events now") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.channel_vacated("a");
  d.member_removed("presence-a", "u");
  d.drain();
  run_until(host, d, host.now);
  REQUIRE(host.posts.size() == 1);
  CHECK(names(host.posts[0].body) == std::vector<std::string>{"channel_vacated a", "member_removed presence-a u"});
  CHECK_FALSE(d.idle());
  d.on_post_done(answered(200));
  CHECK(d.idle());
}

TEST_CASE("webhooks: a stray completion is ignored") {
  FakeHost host;
  WebhookDispatcher d(options(), host);
  d.on_post_done(answered(200));
  CHECK(d.stats().batches_delivered == 0);
  CHECK(d.idle());
}
