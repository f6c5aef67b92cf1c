// Fake connections for the application-layer tests: a Peer that records what it is sent and a
// Host whose "prepared" message is the payload itself (no framing), counting prepare() calls,
// with clocks the test moves (advance() also ticks the registered TickListener).
// Also a deterministic RandomSource and a JsonHarness that drives a JsonProtocol like the
// server would and parses what each peer received.
#pragma once

#include <doctest/doctest.h>
#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/json_protocol.hpp"
#include "app/peer.hpp"

namespace wsrelay::app::testing {

struct Sent {
  PayloadKind kind = PayloadKind::kText;
  std::string payload;
  const common::SharedBytes* shared = nullptr;  // set for send_prepared: which shared block
};

class FakePeer final : public Peer {
 public:
  explicit FakePeer(std::string address = "127.0.0.1:50000") : address_(std::move(address)) {}

  void send(PayloadKind kind, std::string_view payload) override {
    sent.push_back({kind, std::string(payload), nullptr});
  }
  void send_prepared(const PreparedMessage& message) override {
    held.push_back(message);  // like a connection's queue: keeps the shared bytes alive
    sent.push_back({PayloadKind::kText, std::string(message.bytes.view()), message.bytes.get()});
  }
  void close(uint16_t code, std::string_view reason) override {
    closing = true;
    close_code = code;
    close_reason = std::string(reason);
  }
  bool is_closing() const override { return closing; }
  std::string_view remote_address() const override { return address_; }

  std::vector<Sent> sent;
  std::vector<PreparedMessage> held;
  bool closing = false;
  uint16_t close_code = 0;
  std::string close_reason;

 private:
  std::string address_;
};

class FakeHost final : public Host {
 public:
  PreparedMessage prepare(PayloadKind kind, std::string_view payload) override {
    ++prepare_calls;
    last_kind = kind;
    PreparedMessage message;
    message.bytes = common::SharedBytesRef::copy_of(payload);
    message.payload_size = payload.size();
    return message;
  }
  int64_t wall_clock_ms() const override { return now_ms; }
  int64_t monotonic_ms() const override { return monotonic_now_ms; }
  void set_tick_listener(TickListener* listener) override { tick_listener = listener; }

  // Moves both clocks forward by `ms`, then ticks the listener once, as the server's once-a-
  // second timer would.
  void advance(int64_t ms) {
    now_ms += ms;
    monotonic_now_ms += ms;
    if (tick_listener != nullptr) tick_listener->on_tick(monotonic_now_ms);
  }

  int prepare_calls = 0;
  PayloadKind last_kind = PayloadKind::kText;
  int64_t now_ms = 1714566896789;  // 2024-05-01T12:34:56.789Z
  int64_t monotonic_now_ms = 5000000;  // an arbitrary origin, as on a real monotonic clock
  TickListener* tick_listener = nullptr;
};

// Bytes 00 01 02 ... continuing across calls: distinct, predictable ids.
inline RandomSource counting_random() {
  auto next = std::make_shared<uint8_t>(0);
  return [next](std::span<uint8_t> out) {
    for (uint8_t& byte : out) byte = (*next)++;
  };
}

inline std::string text_of(const rapidjson::Value& value, const char* key) {
  REQUIRE(value.IsObject());
  auto it = value.FindMember(key);
  REQUIRE_MESSAGE(it != value.MemberEnd(), "missing key ", key);
  REQUIRE(it->value.IsString());
  return {it->value.GetString(), it->value.GetStringLength()};
}

inline bool has(const rapidjson::Value& value, const char* key) {
  return value.IsObject() && value.HasMember(key);
}

inline rapidjson::Document parse_json(std::string_view text) {
  rapidjson::Document document;
  document.Parse(text.data(), text.size());
  REQUIRE_MESSAGE(!document.HasParseError(), "server sent invalid JSON: ", std::string(text));
  return document;
}

// A JsonProtocol with fake peers, driven the way the server drives it.
class JsonHarness {
 public:
  // The fake clocks stand still unless a test moves them, so the documented rate limit (a
  // burst of 20) would cut every longer test short: it is off unless `keep_rate_limit`.
  explicit JsonHarness(AppOptions options = {}, bool keep_rate_limit = false)
      : protocol(host, without_rate_limit(std::move(options), keep_rate_limit), counting_random()) {}

  // `query` is the upgrade URL's query string ("token=..."), empty for none.
  FakePeer& connect(std::string_view query = {}) {
    peers.push_back(std::make_unique<FakePeer>("127.0.0.1:" + std::to_string(50000 + peers.size())));
    FakePeer& peer = *peers.back();
    protocol.on_open(peer, ConnectInfo{"/ws", query, "", peer.remote_address()});
    return peer;
  }
  // Connects and discards the greeting (welcome, room_joined) and returns the peer.
  FakePeer& connect_quiet() {
    FakePeer& peer = connect();
    peer.sent.clear();
    return peer;
  }
  void send(FakePeer& peer, std::string_view text) {
    protocol.on_message(peer, PayloadKind::kText,
                        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  }
  void send_binary(FakePeer& peer, std::string_view bytes) {
    protocol.on_message(peer, PayloadKind::kBinary,
                        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()));
  }
  void disconnect(FakePeer& peer) {
    peer.closing = true;
    protocol.on_close(peer, 1000, "");
  }
  // Everything `peer` received since the last drain, parsed.
  std::vector<rapidjson::Document> drain(FakePeer& peer) {
    std::vector<rapidjson::Document> out;
    for (const Sent& sent : peer.sent) {
      CHECK(sent.kind == PayloadKind::kText);
      out.push_back(parse_json(sent.payload));
    }
    peer.sent.clear();
    return out;
  }
  // The one message `peer` received since the last drain (fails if not exactly one).
  rapidjson::Document only(FakePeer& peer) {
    auto all = drain(peer);
    REQUIRE_MESSAGE(all.size() == 1, "expected exactly one message, got ", all.size());
    return std::move(all.front());
  }
  std::string id_of(FakePeer& peer) { return peer.client->id; }

  FakeHost host;
  JsonProtocol protocol;
  std::deque<std::unique_ptr<FakePeer>> peers;

 private:
  static AppOptions without_rate_limit(AppOptions options, bool keep) {
    if (!keep) options.rate_limit.messages_per_minute = 0;
    return options;
  }
};

}  // namespace wsrelay::app::testing
