// Fuzz property check for the JSON protocol front end and the dispatcher behind it
// (src/app/json_protocol.hpp), driven with fake connections. See fuzz_support.hpp for the
// check-function convention.
//
// Input: records separated by '\n'. A record's first byte says what happens, the rest is the
// message payload:
//   'A'..'D'  client 0..3 sends the rest as a text message
//   'a'..'d'  client 0..3 sends the rest as a binary message
//   '0'..'3'  client 0..3 disconnects and a new client takes its place
//   '+'       time passes: 1 s per byte of the record, with the Host's ticks
//   other     client (byte & 3) sends the rest as a text message
// A client the application has closed is replaced by a new one before its next message (the
// server delivers nothing from a closing connection).
// Every record also advances the monotonic clock by 100 ms, so the per-connection rate limit
// (burst 20, then 100 per minute) is reachable both ways.
// Four clients are connected before the first record. Client ids come from a counting random
// source, so they are predictable: 000102...0f, 101112...1f, ... (the dictionary holds them,
// so `send` can reach a real client).
//
// The application runs with small limits (4 rooms and 4 signals per client, 16-byte names,
// depth 8, 2 KiB requests, member lists up to 3) and two declared rooms ("lobby" holds at most
// 2 clients, "vip" is private), so refusals are as reachable as successes.
//
// Properties:
//  - every message any client receives is text, valid UTF-8 (naive reference), and one JSON
//    object with a string `event` and a string `timestamp` — so nothing malformed ever reaches
//    another client, whatever the sender wrote;
//  - what one request makes the server send is bounded (no amplification beyond fan-out);
//  - the sender gets at most one `ack`/`error`; other clients never get an `ack`, `error`,
//    `echo`, `pong` or `room_joined`/`room_left` because of someone else's request;
//  - a request that RapidJSON's strict parser reads as an object within the limits, without
//    \u escapes, is not refused as invalid/too deep/too large; when it has a valid `id` (a
//    number or a string of at most 128 bytes) it gets exactly one ack/error carrying that id,
//    and it is the last thing the sender receives for that request (docs/protocol.md);
//  - nothing is sent to a client after it disconnected;
//  - when everybody has left, no client and no signal listener remains, and only the declared
//    rooms exist.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/json_protocol.hpp"
#include "app/peer.hpp"
#include "fuzz_support.hpp"
#include "reference_utf8.hpp"

namespace wsrelay::fuzz {

namespace json_check {

struct Received {
  app::PayloadKind kind;
  std::string payload;
};

// A connection as the application sees it: records what it is sent.
class FakePeer final : public app::Peer {
 public:
  explicit FakePeer(std::string address) : address_(std::move(address)) {}
  // Like server::Connection, a closing peer drops what it is sent.
  void send(app::PayloadKind kind, std::string_view payload) override {
    if (gone) ++sends_after_gone;
    if (!closing) received.push_back({kind, std::string(payload)});
  }
  void send_prepared(const app::PreparedMessage& message) override {
    if (gone) ++sends_after_gone;
    if (message.bytes.view().size() != message.payload_size) ++bad_prepared;
    if (!closing) received.push_back({app::PayloadKind::kText, std::string(message.bytes.view())});
  }
  void close(uint16_t code, std::string_view reason) override {
    closing = true;
    close_code = code;
    close_reason = std::string(reason);
  }
  bool is_closing() const override { return closing || gone; }
  std::string_view remote_address() const override { return address_; }

  std::vector<Received> received;
  bool closing = false;
  bool gone = false;  // on_close was delivered: the application must forget this peer
  uint16_t close_code = 0;
  std::string close_reason;
  size_t sends_after_gone = 0;
  size_t bad_prepared = 0;

 private:
  std::string address_;
};

// The host prepares a message as its payload alone (no framing); its clocks move only when
// the harness says so, and it ticks the listener once per simulated second.
class FakeHost final : public app::Host {
 public:
  app::PreparedMessage prepare(app::PayloadKind kind, std::string_view payload) override {
    (void)kind;
    app::PreparedMessage message;
    message.bytes = common::SharedBytesRef::copy_of(payload);
    message.payload_size = payload.size();
    return message;
  }
  int64_t wall_clock_ms() const override { return 1714566896789 + elapsed_ms_; }
  int64_t monotonic_ms() const override { return 1'000'000 + elapsed_ms_; }
  void set_tick_listener(app::TickListener* listener) override { listener_ = listener; }

  void advance(int64_t ms) {
    for (int64_t left = ms; left > 0; left -= 1000) {
      const int64_t step = left < 1000 ? left : 1000;
      elapsed_ms_ += step;
      if (step == 1000 && listener_ != nullptr) listener_->on_tick(monotonic_ms());
    }
  }

 private:
  int64_t elapsed_ms_ = 0;
  app::TickListener* listener_ = nullptr;
};

inline app::AppOptions fuzz_options() {
  app::AppOptions options;
  options.max_rooms_per_client = 4;
  options.max_signals_per_client = 4;
  options.max_name_length = 16;
  options.max_json_depth = 8;
  options.max_json_size = 2048;
  options.member_list_limit = 3;
  options.rooms.push_back({"lobby", false, 2});
  options.rooms.push_back({"vip", true, 0});
  return options;
}

inline constexpr size_t kClients = 4;

// Nesting depth of a parsed value: a scalar is 0, [] or {} is 1.
inline size_t depth_of(const rapidjson::Value& v) {
  size_t deepest = 0;
  if (v.IsArray()) {
    for (const auto& item : v.GetArray()) {
      const size_t d = depth_of(item);
      if (d > deepest) deepest = d;
    }
    return deepest + 1;
  }
  if (v.IsObject()) {
    for (const auto& member : v.GetObject()) {
      const size_t d = depth_of(member.value);
      if (d > deepest) deepest = d;
    }
    return deepest + 1;
  }
  return 0;
}

// The first member called `name`, or null. (A loop rather than FindMember(): comparing
// RapidJSON's member iterators is ambiguous under C++20's reversed operators.)
inline const rapidjson::Value* member(const rapidjson::Value& object, std::string_view name) {
  if (!object.IsObject()) return nullptr;
  for (const auto& m : object.GetObject()) {
    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == name) return &m.value;
  }
  return nullptr;
}

inline std::string_view string_member(const rapidjson::Value& object, std::string_view name) {
  const rapidjson::Value* value = member(object, name);
  if (value == nullptr || !value->IsString()) return {};
  return {value->GetString(), value->GetStringLength()};
}

// Forwards a reader's events to a Document, reading numbers the way a client does: the nearest
// double (glibc's strtod rounds correctly; the harness never changes the C locale), integers
// exact while 64 bits hold them. RapidJSON's default reading can be a few units in the last
// place off, so two spellings of one number ("6e100", "6.0e100") could compare unequal.
struct ExactNumbers {
  rapidjson::Document& d;
  bool Null() { return d.Null(); }
  bool Bool(bool b) { return d.Bool(b); }
  bool Int(int i) { return d.Int(i); }
  bool Uint(unsigned u) { return d.Uint(u); }
  bool Int64(int64_t i) { return d.Int64(i); }
  bool Uint64(uint64_t u) { return d.Uint64(u); }
  bool Double(double x) { return d.Double(x); }
  bool RawNumber(const char* text, rapidjson::SizeType length, bool) {
    const std::string number(text, length);  // NUL-terminated for the C functions
    char* end = nullptr;
    if (number.find_first_of(".eE") == std::string::npos) {
      errno = 0;
      if (number[0] == '-') {
        const long long i = std::strtoll(number.c_str(), &end, 10);
        if (errno == 0) return d.Int64(i);
      } else {
        const unsigned long long u = std::strtoull(number.c_str(), &end, 10);
        if (errno == 0) return d.Uint64(u);
      }
    }
    errno = 0;
    const double x = std::strtod(number.c_str(), &end);
    if (errno == ERANGE && (x > 1 || x < -1)) return false;  // no double that large: invalid
    return d.Double(x);
  }
  bool String(const char* t, rapidjson::SizeType n, bool c) { return d.String(t, n, c); }
  bool StartObject() { return d.StartObject(); }
  bool Key(const char* t, rapidjson::SizeType n, bool c) { return d.Key(t, n, c); }
  bool EndObject(rapidjson::SizeType n) { return d.EndObject(n); }
  bool StartArray() { return d.StartArray(); }
  bool EndArray(rapidjson::SizeType n) { return d.EndArray(n); }
};

// document.Parse<kFlags>(text), numbers read by ExactNumbers; returns RapidJSON's verdict.
template <unsigned kFlags>
rapidjson::ParseResult parse_exact(rapidjson::Document& document, std::string_view text) {
  rapidjson::MemoryStream memory(text.data(), text.size());
  rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> input(memory);
  ExactNumbers handler{document};
  rapidjson::ParseResult result;
  auto generate = [&](rapidjson::Document&) {
    rapidjson::Reader reader;
    result = reader.Parse<kFlags | rapidjson::kParseNumbersAsStringsFlag>(input, handler);
    return !result.IsError();
  };
  document.Populate(generate);
  if (result.IsError()) document.SetNull();
  return result;
}

// Checks one received payload; fills `document` when it parses.
inline std::string check_payload(const Received& r, rapidjson::Document& document) {
  if (r.kind != app::PayloadKind::kText) return "a binary message was sent";
  if (!naive_utf8(as_bytes(r.payload)).complete) return "a message is not UTF-8: " + hex(r.payload);
  const rapidjson::ParseResult parsed = parse_exact<rapidjson::kParseValidateEncodingFlag>(document, r.payload);
  if (parsed.IsError()) {
    return std::string("a message is not JSON (") + rapidjson::GetParseError_En(parsed.Code()) +
           "): " + r.payload.substr(0, 200);
  }
  if (!document.IsObject()) return "a message is not a JSON object: " + r.payload.substr(0, 200);
  if (string_member(document, "event").empty()) return "a message has no string event";
  if (string_member(document, "timestamp").empty()) return "a message has no timestamp";
  return {};
}

// What a strict reading of the request says (RapidJSON's default grammar, UTF-8 validated).
struct Oracle {
  bool readable = false;  // one JSON object within the limits, no \u escapes
  bool has_valid_id = false;
  rapidjson::Document document;
  const rapidjson::Value* id = nullptr;
};

inline void read_request(std::string_view text, const app::AppOptions& options, Oracle& out) {
  // RapidJSON reads a NUL byte as the end of its input, so "{}\0junk" would pass as one value;
  // JSON has no raw NUL anywhere. Such texts are left to the real parser alone.
  if (text.size() > options.max_json_size || text.find("\\u") != std::string_view::npos ||
      text.find('\0') != std::string_view::npos) {
    return;
  }
  const rapidjson::ParseResult parsed =
      parse_exact<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(out.document, text);
  if (parsed.IsError() || !out.document.IsObject()) return;
  if (depth_of(out.document) >= options.max_json_depth) return;
  out.readable = true;
  const rapidjson::Value* found = member(out.document, "id");  // the first of that name
  if (found == nullptr) return;
  const rapidjson::Value& id = *found;
  if (id.IsNumber() || (id.IsString() && id.GetStringLength() <= app::JsonProtocol::kMaxIdLength)) {
    out.has_valid_id = true;
    out.id = &id;
  }
}

inline bool is_answer(std::string_view event) {
  return event == "ack" || event == "error";
}

// Events that only ever answer the client that asked.
inline bool is_private_answer(std::string_view event) {
  return event == "ack" || event == "error" || event == "echo" || event == "pong" ||
         event == "room_joined" || event == "room_left" || event == "rooms" || event == "welcome";
}

class Harness {
 public:
  Harness()
      : options_(fuzz_options()), protocol_(host_, options_, [this](std::span<uint8_t> out) {
          // Counting bytes: client k's id is 16k, 16k+1, ... in hex (predictable, so the
          // dictionary can name clients); every 16 clients the first byte is flipped by how
          // many times the counter wrapped, so ids never repeat.
          for (uint8_t& b : out) b = static_cast<uint8_t>(next_random_++);
          if (!out.empty()) out[0] ^= static_cast<uint8_t>(next_random_ >> 8);
        }) {
    for (size_t i = 0; i < kClients; ++i) slots_[i] = connect();
  }

  std::string run(std::string_view input) {
    // The greetings: welcome and the default room.
    if (std::string f = collect(nullptr, 0, nullptr); !f.empty()) return "on connect: " + f;
    size_t start = 0;
    while (start <= input.size()) {
      size_t end = input.find('\n', start);
      if (end == std::string_view::npos) end = input.size();
      const std::string_view record = input.substr(start, end - start);
      start = end + 1;
      if (record.empty()) continue;
      if (std::string f = step(record); !f.empty()) return f;
    }
    // Everybody leaves.
    for (size_t i = 0; i < kClients; ++i) disconnect(i);
    if (std::string f = collect(nullptr, 0, nullptr); !f.empty()) return "on disconnect: " + f;
    const app::Dispatcher& d = protocol_.dispatcher();
    if (d.client_count() != 0) return std::to_string(d.client_count()) + " clients left over";
    if (d.signals().size() != 0) return "signal listeners left over";
    if (d.rooms().size() != options_.rooms.size()) {
      return std::to_string(d.rooms().size()) + " rooms left over (only declared rooms may stay)";
    }
    (void)protocol_.stats();
    return {};
  }

 private:
  FakePeer* connect() {
    peers_.push_back(
        std::make_unique<FakePeer>("192.0.2.1:" + std::to_string(40000 + peers_.size())));
    FakePeer* peer = peers_.back().get();
    protocol_.on_open(*peer, app::ConnectInfo{"/ws", "", "", peer->remote_address()});
    return peer;
  }

  void disconnect(size_t slot) {
    FakePeer* peer = slots_[slot];
    peer->closing = true;
    protocol_.on_close(*peer, 1000, "");
    peer->gone = true;
  }

  std::string step(std::string_view record) {
    const uint8_t op = static_cast<uint8_t>(record[0]);
    const std::string_view payload = record.substr(1);
    host_.advance(100);
    if (op == '+') {
      host_.advance(1000 * static_cast<int64_t>(record.size()));
      return collect(nullptr, 0, nullptr);
    }
    if (op >= '0' && op <= '3') {
      disconnect(op - '0');
      slots_[op - '0'] = connect();
      return collect(nullptr, 0, nullptr);
    }
    const bool binary = op >= 'a' && op <= 'd';
    const size_t slot = binary ? op - 'a' : (op >= 'A' && op <= 'D') ? op - 'A' : op & 3;
    if (slots_[slot]->closing) {
      // The application closed this client (e.g. over the rate limit). The server would deliver
      // nothing more from it and end the connection; a new client takes its place.
      disconnect(slot);
      slots_[slot] = connect();
      if (std::string f = collect(nullptr, 0, nullptr); !f.empty()) return "on reconnect: " + f;
    }
    FakePeer* sender = slots_[slot];
    Oracle oracle;
    if (!binary) read_request(payload, options_, oracle);
    for (auto& peer : peers_) peer->received.clear();
    protocol_.on_message(*sender, binary ? app::PayloadKind::kBinary : app::PayloadKind::kText,
                         as_bytes(payload));
    if (std::string f = collect(sender, payload.size(), &oracle); !f.empty()) {
      return "after " + std::string(binary ? "binary " : "text ") + "message " + hex(payload, 120) +
             " from client " + std::to_string(slot) + ": " + f;
    }
    // A binary frame is always refused, once — unless it was the one that broke the rate limit,
    // which closes the connection instead of answering.
    if (binary && !sender->closing && answers_ != 1) {
      return "a binary message was not answered with exactly one error";
    }
    return {};
  }

  // Checks everything sent since the last call; `sender` is null for connects/disconnects.
  std::string collect(FakePeer* sender, size_t request_size, const Oracle* oracle) {
    size_t total = 0;
    answers_ = 0;
    for (auto& peer : peers_) {
      if (peer->sends_after_gone != 0) return "a client was sent a message after it disconnected";
      if (peer->bad_prepared != 0) return "a prepared message's payload_size is wrong";
      for (size_t i = 0; i < peer->received.size(); ++i) {
        const Received& r = peer->received[i];
        total += r.payload.size();
        rapidjson::Document document;
        if (std::string f = check_payload(r, document); !f.empty()) return f;
        const std::string_view event = string_member(document, "event");
        if (peer.get() != sender) {
          if (sender != nullptr && is_private_answer(event)) {
            return "another client received '" + std::string(event) + "'";
          }
          continue;
        }
        if (!is_answer(event)) continue;
        ++answers_;
        if (answers_ > 1) return "the sender got more than one ack/error";
        if (oracle == nullptr || !oracle->readable) continue;
        const std::string_view code = string_member(document, "code");
        // Refused before it was read: over the rate limit. No id can be known then.
        if (event == "error" && code == "rate_limited") continue;
        if (event == "error" && (code == "invalid_json" || code == "json_too_deep" ||
                                 code == "json_too_large" || code == "invalid_message")) {
          return "a strictly valid JSON object was refused with " + std::string(code);
        }
        if (!oracle->has_valid_id) continue;
        const rapidjson::Value* id = member(document, "id");
        if (id == nullptr || !(*id == *oracle->id)) {
          return "the " + std::string(event) + " does not carry the request's id";
        }
        if (i + 1 != peer->received.size()) return "the ack/error is not the last answer";
      }
    }
    if (sender != nullptr && oracle != nullptr && oracle->has_valid_id && !sender->closing &&
        answers_ != 1) {
      return "a request with an id got " + std::to_string(answers_) + " ack/error answers";
    }
    // Fan-out to 4 clients of a re-serialized request, plus bounded notices.
    const size_t bound = 32 * request_size + 16 * 1024;
    if (total > bound) {
      return "one request made the server send " + std::to_string(total) + " bytes";
    }
    for (auto& peer : peers_) peer->received.clear();
    return {};
  }

  FakeHost host_;
  app::AppOptions options_;
  uint64_t next_random_ = 0;
  app::JsonProtocol protocol_;
  std::deque<std::unique_ptr<FakePeer>> peers_;  // every peer ever connected (kept alive)
  FakePeer* slots_[kClients] = {};
  size_t answers_ = 0;
};

}  // namespace json_check

inline std::string check_json(std::span<const uint8_t> input) {
  json_check::Harness harness;
  return harness.run(as_text(input));
}

}  // namespace wsrelay::fuzz
