// JsonProtocol, security: authentication by URL token and by `auth` event, the auth_timeout on
// host ticks, what an unauthenticated client may (not) do and receive, private rooms by the
// token's `rooms` claim, and the per-connection rate limit — all with fake peers and clocks.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "app/auth/jwt.hpp"
#include "fakes.hpp"

using namespace wsrelay::app;
using namespace wsrelay::app::testing;

namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef-test-secret";

std::vector<std::string> event_names(const std::vector<rapidjson::Document>& messages) {
  std::vector<std::string> names;
  for (const auto& message : messages) names.push_back(text_of(message, "event"));
  return names;
}

AppOptions auth_options() {
  AppOptions options;
  options.auth.enabled = true;
  options.auth.secret = std::string(kSecret);
  options.auth.timeout_ms = 10000;
  options.auth.clock_skew_s = 30;
  return options;
}

// The fake wall clock's time, in the seconds JWTs count in.
int64_t now_s(const JsonHarness& h) { return h.host.now_ms / 1000; }

std::string token_for(const JsonHarness& h, const std::string& sub, std::vector<std::string> rooms = {},
                      std::string name = {}) {
  auth::TokenClaims claims;
  claims.sub = sub;
  claims.exp = now_s(h) + 300;
  claims.rooms = std::move(rooms);
  claims.name = std::move(name);
  return auth::mint_token(claims, kSecret);
}

uint64_t closes_of(const JsonProtocol& protocol, std::string_view name) {
  for (const NamedCount& c : protocol.stats().closes) {
    if (c.name == name) return c.count;
  }
  FAIL("no close counter named ", std::string(name));
  return 0;
}

uint64_t errors_of(const JsonProtocol& protocol, std::string_view code) {
  for (const NamedCount& c : protocol.stats().errors) {
    if (c.name == code) return c.count;
  }
  return 0;
}

void check_closed(const FakePeer& peer, std::string_view reason) {
  CHECK(peer.closing);
  CHECK(peer.close_code == 1008);
  CHECK(peer.close_reason == reason);
}

}  // namespace

// ---- authentication by URL token ----------------------------------------------------------------

TEST_CASE("auth: a valid URL token identifies the client at once; the welcome says so") {
  JsonHarness h(auth_options());
  FakePeer& first = h.connect("token=" + token_for(h, "user-1"));
  h.drain(first);
  FakePeer& peer = h.connect("room=x&token=" + token_for(h, "user-42", {}, "Ann"));
  auto messages = h.drain(peer);
  REQUIRE(event_names(messages) == std::vector<std::string>{"welcome", "room_joined"});
  CHECK(messages[0]["auth_pending"].IsFalse());
  CHECK(text_of(messages[0], "user_id") == "user-42");
  CHECK_FALSE(has(messages[0], "auth_timeout"));
  CHECK_FALSE(peer.closing);
  REQUIRE(peer.client->identity);
  CHECK(peer.client->identity->user_id == "user-42");
  CHECK_FALSE(peer.client->awaiting_auth);
  // Presence carries who it is: user_id and the token's user_info.
  auto notice = h.only(first);
  CHECK(text_of(notice, "event") == "user_joined");
  CHECK(text_of(notice, "user_id") == "user-42");
  CHECK(text_of(notice["user_info"], "name") == "Ann");
  h.disconnect(peer);
  auto left = h.only(first);
  CHECK(text_of(left, "event") == "user_left");
  CHECK(text_of(left, "user_id") == "user-42");
}

TEST_CASE("auth: the URL token is percent-decoded") {
  JsonHarness h(auth_options());
  std::string encoded;
  for (char c : token_for(h, "u")) {
    if (c == '.') encoded += "%2E";
    else encoded += c;
  }
  FakePeer& peer = h.connect("token=" + encoded);
  CHECK_FALSE(peer.closing);
  CHECK(peer.client->identity->user_id == "u");
}

TEST_CASE("auth: a bad URL token closes 1008 \"Invalid authentication\" before any welcome") {
  JsonHarness h(auth_options());
  auth::TokenClaims expired;
  expired.sub = "u";
  expired.exp = now_s(h) - 31;  // past the 30 s skew
  auth::TokenClaims not_yet;
  not_yet.sub = "u";
  not_yet.exp = now_s(h) + 600;
  not_yet.nbf = now_s(h) + 31;
  const std::vector<std::string> queries = {
      "token=" + auth::mint_token(expired, kSecret),
      "token=" + auth::mint_token(not_yet, kSecret),
      "token=" + token_for(h, "u").substr(0, 40),                  // cut short
      "token=" + auth::mint_token(not_yet, "another secret of 32 bytes or more!"),
      "token=" + auth::mint_token_raw(R"({"alg":"none"})", R"({"sub":"u","exp":9999999999})", kSecret),
      "token=",         // present but empty
      "token=%zz",      // not even decodable
  };
  uint64_t closed = 0;
  for (const std::string& query : queries) {
    CAPTURE(query);
    FakePeer& peer = h.connect(query);
    check_closed(peer, "Invalid authentication");
    CHECK(peer.sent.empty());  // no welcome, nothing
    CHECK(closes_of(h.protocol, "invalid_auth") == ++closed);
    h.disconnect(peer);  // the server tells the application once the close is done
    CHECK(h.protocol.dispatcher().client_count() == 0);
  }
  CHECK(h.protocol.authenticator().awaiting_count() == 0);
}

// ---- authentication by `auth` event -------------------------------------------------------------

TEST_CASE("auth: without a URL token the client is pending: welcome says so, no room yet") {
  JsonHarness h(auth_options());
  FakePeer& other = h.connect("token=" + token_for(h, "user-1"));
  h.drain(other);
  FakePeer& peer = h.connect();
  auto welcome = h.only(peer);  // no room_joined: it may not do anything yet
  CHECK(text_of(welcome, "event") == "welcome");
  CHECK(welcome["auth_pending"].IsTrue());
  CHECK(welcome["auth_timeout"].GetUint64() == 10);
  CHECK_FALSE(has(welcome, "user_id"));
  CHECK(peer.client->awaiting_auth);
  CHECK(peer.client->rooms.empty());
  CHECK(other.sent.empty());  // nobody heard of it
  CHECK(h.protocol.authenticator().awaiting_count() == 1);
}

TEST_CASE("auth: a pending client gets auth_required for everything else, nothing is processed") {
  JsonHarness h(auth_options());
  FakePeer& other = h.connect("token=" + token_for(h, "user-1"));
  FakePeer& peer = h.connect();
  const std::string pending_id = h.id_of(peer);
  h.drain(other);
  h.drain(peer);
  const std::vector<std::string> requests = {
      R"({"event":"message","message":"hi","id":1})",
      R"({"event":"broadcast","message":"spam","id":2})",
      R"({"event":"join_room","room":"general","id":3})",
      R"({"event":"listen","name":"x","id":4})",
      R"({"event":"send","to":")" + h.id_of(other) + R"(","message":"hi","id":5})",
      R"({"event":"ping","id":6})",
      R"({"event":"no_such_event","id":7})",
  };
  int n = 0;
  for (const std::string& request : requests) {
    CAPTURE(request);
    h.send(peer, request);
    auto error = h.only(peer);
    CHECK(text_of(error, "event") == "error");
    CHECK(text_of(error, "code") == "auth_required");
    CHECK(error["id"].GetInt() == ++n);
  }
  CHECK(errors_of(h.protocol, "auth_required") == requests.size());
  CHECK(other.sent.empty());       // the broadcast and the direct message went nowhere
  CHECK(peer.client->rooms.empty());
  CHECK(peer.client->signals.empty());
  CHECK_FALSE(peer.closing);       // refused, not disconnected

  // And nothing reaches it: not broadcasts, not direct messages (its id is not addressable).
  h.send(other, R"({"event":"broadcast","message":"all","id":1})");
  CHECK(h.only(other)["recipients"].GetUint64() == 0);
  h.send(other, R"({"event":"send","to":")" + pending_id + R"(","message":"psst"})");
  CHECK(text_of(h.only(other), "code") == "unknown_client");
  CHECK(peer.sent.empty());
  // Malformed messages are still answered for what they are.
  h.send(peer, "{not json");
  CHECK(text_of(h.only(peer), "code") == "invalid_json");
}

TEST_CASE("auth: a good auth event authenticates: authenticated, the default room, the ack") {
  JsonHarness h(auth_options());
  FakePeer& other = h.connect("token=" + token_for(h, "user-1"));
  FakePeer& peer = h.connect();
  h.drain(other);
  h.drain(peer);
  h.send(peer, R"({"event":"auth","token":")" + token_for(h, "user-7", {}, "Bo") + R"(","id":"a1"})");
  auto messages = h.drain(peer);
  REQUIRE(event_names(messages) == std::vector<std::string>{"authenticated", "room_joined", "ack"});
  CHECK(text_of(messages[0], "user_id") == "user-7");
  CHECK(text_of(messages[1], "room") == "general");
  CHECK(text_of(messages[2], "id") == "a1");
  CHECK(text_of(messages[2], "request") == "auth");
  CHECK(text_of(messages[2], "user_id") == "user-7");
  CHECK_FALSE(peer.client->awaiting_auth);
  CHECK(h.protocol.authenticator().awaiting_count() == 0);
  auto notice = h.only(other);
  CHECK(text_of(notice, "event") == "user_joined");
  CHECK(text_of(notice, "user_id") == "user-7");

  // Now it may do everything, and a second auth is refused without consequence.
  h.send(peer, R"({"event":"message","message":"hi"})");
  CHECK(text_of(h.only(peer), "event") == "echo");
  h.send(peer, R"({"event":"auth","token":")" + token_for(h, "user-8") + R"("})");
  CHECK(text_of(h.only(peer), "code") == "already_authenticated");
  CHECK(peer.client->identity->user_id == "user-7");
  CHECK_FALSE(peer.closing);
  // The timeout no longer concerns it.
  h.host.advance(60000);
  CHECK_FALSE(peer.closing);
}

TEST_CASE("auth: a bad, missing or non-string token in the auth event closes 1008") {
  JsonHarness h(auth_options());
  auth::TokenClaims expired;
  expired.sub = "u";
  expired.exp = now_s(h) - 60;
  const std::vector<std::string> requests = {
      R"({"event":"auth","token":")" + auth::mint_token(expired, kSecret) + R"("})",
      R"({"event":"auth","token":")" + token_for(h, "u") + R"(x"})",
      R"({"event":"auth","token":""})",
      R"({"event":"auth"})",
      R"({"event":"auth","token":42})",
      R"({"type":"auth","token":"a.b.c","id":3})",
  };
  uint64_t closed = 0;
  for (const std::string& request : requests) {
    CAPTURE(request);
    FakePeer& peer = h.connect();
    h.drain(peer);
    h.send(peer, request);
    check_closed(peer, "Invalid authentication");
    CHECK(peer.sent.empty());  // no error event, no ack: just the close
    CHECK_FALSE(peer.client->identity);
    CHECK(closes_of(h.protocol, "invalid_auth") == ++closed);
    // Messages racing the close are not processed.
    h.send(peer, R"({"event":"auth","token":")" + token_for(h, "u") + R"("})");
    CHECK(peer.sent.empty());
    h.disconnect(peer);
  }
  CHECK(h.protocol.authenticator().awaiting_count() == 0);
}

TEST_CASE("auth: auth_timeout closes a pending client 1008 \"Authentication timeout\" on a tick") {
  JsonHarness h(auth_options());
  REQUIRE(h.host.tick_listener != nullptr);  // the protocol asked for ticks
  FakePeer& slow = h.connect();
  h.host.advance(4000);
  FakePeer& later = h.connect();               // its deadline is 4 s after slow's
  FakePeer& authed = h.connect("token=" + token_for(h, "u"));
  h.host.advance(5999);                        // 9.999 s after slow connected
  CHECK_FALSE(slow.closing);
  h.host.advance(1);                           // exactly auth_timeout: due
  check_closed(slow, "Authentication timeout");
  CHECK_FALSE(later.closing);
  CHECK(closes_of(h.protocol, "auth_timeout") == 1);
  // Still closing (the server has not reported it gone): not closed or counted twice.
  h.host.advance(1000);
  CHECK(closes_of(h.protocol, "auth_timeout") == 1);
  h.disconnect(slow);
  h.host.advance(3000);
  check_closed(later, "Authentication timeout");
  CHECK_FALSE(authed.closing);
  CHECK(closes_of(h.protocol, "auth_timeout") == 2);
}

TEST_CASE("auth: ticks are asked for only with auth enabled, and given back on destruction") {
  FakeHost host;
  {
    JsonProtocol off(host, AppOptions{}, counting_random());
    CHECK(host.tick_listener == nullptr);
  }
  {
    JsonProtocol on(host, auth_options(), counting_random());
    CHECK(host.tick_listener != nullptr);
  }
  CHECK(host.tick_listener == nullptr);
}

TEST_CASE("auth: with auth disabled, `auth` is not an event and clients are never pending") {
  JsonHarness h;
  FakePeer& peer = h.connect("token=whatever");
  auto messages = h.drain(peer);
  REQUIRE_FALSE(messages.empty());
  CHECK_FALSE(has(messages.front(), "auth_pending"));
  CHECK_FALSE(peer.client->awaiting_auth);
  h.send(peer, R"({"event":"auth","token":"x"})");
  CHECK(text_of(h.only(peer), "code") == "unknown_event");
  CHECK_FALSE(peer.closing);
  // "auth" is reserved: an embedding program cannot take it over.
  CHECK_FALSE(h.protocol.on_event("auth", [](CustomEvent&) {}));
}

// ---- private rooms ----------------------------------------------------------------------------

TEST_CASE("private rooms: the token's rooms claim opens declared and private-* rooms") {
  AppOptions options = auth_options();
  options.rooms.push_back({"vip", true, 0});
  options.rooms.push_back({"lounge", false, 0});
  JsonHarness h(options);
  FakePeer& member = h.connect("token=" + token_for(h, "m", {"vip", "private-team-7-*"}));
  FakePeer& plain = h.connect("token=" + token_for(h, "p"));
  h.drain(member);
  h.drain(plain);
  for (const char* room : {"vip", "private-team-7-", "private-team-7-sales", "lounge", "open"}) {
    CAPTURE(room);
    h.send(member, std::string(R"({"event":"join_room","id":1,"room":")") + room + R"("})");
    CHECK(text_of(h.drain(member).back(), "event") == "ack");
  }
  for (const char* room : {"vip", "private-team-7-sales", "private-team-8", "private-x"}) {
    CAPTURE(room);
    h.send(plain, std::string(R"({"event":"join_room","id":1,"room":")") + room + R"("})");
    auto error = h.only(plain);
    CHECK(text_of(error, "code") == "forbidden");
    const Room* found = h.protocol.dispatcher().find_room(room);
    CHECK((found == nullptr || !found->contains(*plain.client)));
  }
  // Undeclared private rooms nobody may enter are not even created.
  CHECK(h.protocol.dispatcher().find_room("private-team-8") == nullptr);
  h.send(member, R"({"event":"join_room","id":1,"room":"private-team-70"})");
  CHECK(text_of(h.only(member), "code") == "forbidden");  // "team-7-*" is a prefix, not a number
}

TEST_CASE("private rooms: without authentication nobody enters one; a private default room waits") {
  SUBCASE("auth disabled") {
    JsonHarness h;
    FakePeer& peer = h.connect_quiet();
    h.send(peer, R"({"event":"join_room","room":"private-chat"})");
    CHECK(text_of(h.only(peer), "code") == "forbidden");
  }
  SUBCASE("a private default room is joined once the auth event allows it") {
    AppOptions options = auth_options();
    options.default_room = "private-lobby";
    JsonHarness h(options);
    FakePeer& denied = h.connect();
    FakePeer& allowed = h.connect();
    h.drain(denied);
    h.drain(allowed);
    h.send(denied, R"({"event":"auth","token":")" + token_for(h, "d") + R"("})");
    CHECK(event_names(h.drain(denied)) == std::vector<std::string>{"authenticated"});
    h.send(allowed, R"({"event":"auth","token":")" + token_for(h, "a", {"private-*"}) + R"("})");
    CHECK(event_names(h.drain(allowed)) == std::vector<std::string>{"authenticated", "room_joined"});
  }
}

// ---- rate limiting ----------------------------------------------------------------------------

namespace {

AppOptions rate_options(uint32_t per_minute, uint16_t burst, uint16_t warnings) {
  AppOptions options;
  options.default_room = "";
  options.rate_limit.messages_per_minute = per_minute;
  options.rate_limit.burst = burst;
  options.rate_limit.max_warnings = warnings;
  return options;
}

}  // namespace

TEST_CASE("rate limit: over the bucket a message is answered rate_limited and not processed") {
  JsonHarness h(rate_options(60, 3, 2), true);
  FakePeer& peer = h.connect_quiet();
  FakePeer& other = h.connect_quiet();
  for (int i = 0; i < 3; ++i) {
    h.send(peer, R"({"event":"message","message":"ok"})");
    CHECK(text_of(h.only(peer), "event") == "echo");
  }
  h.send(peer, R"({"event":"broadcast","message":"over","id":9})");
  auto error = h.only(peer);
  CHECK(text_of(error, "code") == "rate_limited");
  CHECK_FALSE(has(error, "id"));  // refused before it was read
  CHECK(other.sent.empty());      // not processed
  // 60 a minute is one a second: after a second, one more goes through.
  h.host.advance(1000);
  h.send(peer, R"({"event":"message","message":"ok"})");
  CHECK(text_of(h.only(peer), "event") == "echo");
  CHECK_FALSE(peer.closing);
}

TEST_CASE("rate limit: after rate_limit_warnings warnings the next excess closes 1008") {
  JsonHarness h(rate_options(60, 2, 2), true);
  FakePeer& peer = h.connect_quiet();
  FakePeer& calm = h.connect_quiet();
  // Everything counts, not only valid requests: garbage and binary frames spend budget too.
  h.send(peer, "garbage");
  h.send_binary(peer, "\x01\x02");
  h.drain(peer);
  h.send(peer, R"({"event":"ping"})");
  CHECK(text_of(h.only(peer), "code") == "rate_limited");
  h.send(peer, R"({"event":"ping"})");
  CHECK(text_of(h.only(peer), "code") == "rate_limited");
  CHECK_FALSE(peer.closing);
  h.send(peer, R"({"event":"ping"})");
  check_closed(peer, "rate limit exceeded");
  CHECK(peer.sent.empty());
  CHECK(closes_of(h.protocol, "rate_limited") == 1);
  CHECK(h.protocol.closes(CloseCause::kRateLimited) == 1);
  CHECK(errors_of(h.protocol, "rate_limited") == 2);
  // The budget is per connection: the calm client is untouched.
  h.send(calm, R"({"event":"ping"})");
  CHECK(text_of(h.only(calm), "event") == "pong");
}

TEST_CASE("rate limit: applies before authentication too") {
  AppOptions options = auth_options();
  options.rate_limit = {60, 1, 0};
  JsonHarness h(options, true);
  FakePeer& peer = h.connect();
  h.drain(peer);
  h.send(peer, R"({"event":"ping"})");
  CHECK(text_of(h.only(peer), "code") == "auth_required");
  h.send(peer, R"({"event":"ping"})");  // no warnings allowed: closed at once
  check_closed(peer, "rate limit exceeded");
}

TEST_CASE("rate limit: 0 turns it off") {
  JsonHarness h(rate_options(0, 1, 0), true);
  FakePeer& peer = h.connect_quiet();
  for (int i = 0; i < 500; ++i) h.send(peer, R"({"event":"ping"})");
  auto messages = h.drain(peer);
  CHECK(messages.size() == 500);
  CHECK(text_of(messages.back(), "event") == "pong");
}

TEST_CASE("stats: every close cause is listed, sorted, zero when it never happened") {
  JsonHarness h;
  std::vector<std::string> names;
  for (const NamedCount& c : h.protocol.stats().closes) {
    names.push_back(c.name);
    CHECK(c.count == 0);
  }
  CHECK(names == std::vector<std::string>{"auth_timeout", "invalid_auth", "rate_limited"});
}
