// Fuzz property check for the Pusher front end (src/app/pusher/protocol.hpp) beside the JSON
// protocol on one dispatcher, driven with fake connections. See fuzz_support.hpp for the
// check-function convention.
//
// Input: records separated by '\n'. A record's first byte says what happens:
//   'A'..'D'  Pusher client 0..3 sends the rest as a text message (the message parser)
//   'a'..'d'  Pusher client 0..3 sends the rest as a binary message
//   '0'..'3'  Pusher client 0..3 disconnects and a new one takes its place
//   'S'       client (next byte & 3) subscribes to the channel named by the rest, with a VALID
//             signature computed here (so private and presence paths are reachable; the user id
//             of a presence subscription is "u" + the client number, so two clients may share one)
//   'T'       the REST API triggers event "e" with data "{}" on the channel named by the rest
//   'J'       the JSON-protocol client sends the rest (it joins rooms of the same namespace)
//   '+'       time passes: 1 s per byte of the record, with the Host's ticks
//   other     Pusher client (byte & 3) sends the rest as a text message
// A client the application closed is replaced before its next message.
//
// Properties:
//  - every message a Pusher client receives is one JSON object with a string `event`; `channel`
//    and `user_id`, when present, are strings; `data` is a string (Pusher's framing), except in
//    pusher:error where it is an object with `code` (number or null) and a string `message`;
//  - the JSON client only ever receives JSON-protocol events (objects with string `event` and
//    `timestamp`), never Pusher framing;
//  - nothing is sent to a connection after it is gone;
//  - when everybody has left, the dispatcher has no client and no room, the Pusher front end
//    no connection, and no presence channel it was asked about remains.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <deque>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/json_protocol.hpp"
#include "app/pusher/protocol.hpp"
#include "app/pusher/signatures.hpp"
#include "fuzz_support.hpp"
#include "json_check.hpp"

namespace wsrelay::fuzz {

namespace pusher_check {

using json_check::FakeHost;
using json_check::FakePeer;

// The member `key` of `object`, or nullptr (a loop: RapidJSON's iterator comparisons are
// ambiguous for clang in C++20).
inline const rapidjson::Value* member(const rapidjson::Value& object, std::string_view key) {
  for (const auto& m : object.GetObject()) {
    if (std::string_view(m.name.GetString(), m.name.GetStringLength()) == key) return &m.value;
  }
  return nullptr;
}

inline std::string check_pusher_message(const std::string& payload) {
  rapidjson::Document d;
  d.Parse(payload.data(), payload.size());
  if (d.HasParseError() || !d.IsObject()) return "not a JSON object: " + payload;
  const rapidjson::Value* event = member(d, "event");
  if (event == nullptr || !event->IsString()) return "no string event: " + payload;
  for (const char* key : {"channel", "user_id"}) {
    const rapidjson::Value* value = member(d, key);
    if (value != nullptr && !value->IsString()) return std::string(key) + " not a string: " + payload;
  }
  const rapidjson::Value* data = member(d, "data");
  if (std::string_view(event->GetString()) == "pusher:error") {
    if (data == nullptr || !data->IsObject()) return "pusher:error without object data: " + payload;
    const rapidjson::Value* code = member(*data, "code");
    const rapidjson::Value* message = member(*data, "message");
    if (code == nullptr || !(code->IsNull() || code->IsInt())) return "bad code: " + payload;
    if (message == nullptr || !message->IsString()) return "bad message: " + payload;
  } else if (data != nullptr && !data->IsString()) {
    return "data not a string: " + payload;
  }
  return {};
}

inline std::string check_json_message(const std::string& payload) {
  rapidjson::Document d;
  d.Parse(payload.data(), payload.size());
  if (d.HasParseError() || !d.IsObject()) return "JSON client got a non-object: " + payload;
  const rapidjson::Value* event = member(d, "event");
  const rapidjson::Value* timestamp = member(d, "timestamp");
  if (event == nullptr || !event->IsString() || timestamp == nullptr || !timestamp->IsString()) {
    return "JSON client got a non-JSON-protocol message: " + payload;
  }
  return {};
}

}  // namespace pusher_check

inline std::string check_pusher(std::span<const uint8_t> input) {
  using namespace pusher_check;
  FakeHost host;
  app::AppOptions options;
  options.default_room = "";
  options.max_json_size = 2048;
  options.max_json_depth = 8;
  options.max_rooms_per_client = 8;
  options.rate_limit.messages_per_minute = 0;
  app::JsonProtocol json(host, options, [n = uint8_t{0}](std::span<uint8_t> out) mutable {
    for (uint8_t& b : out) b = n++;
  });
  app::pusher::PusherOptions po;
  po.app_id = "1";
  po.key = "key";
  po.secret = "secret";
  po.activity_timeout_s = 2;
  po.pong_timeout_s = 2;
  po.max_presence_members = 2;
  po.max_user_info = 64;
  po.client_event_rate = 3;
  app::pusher::PusherProtocol pusher(host, json.dispatcher(), po, [n = uint8_t{7}](std::span<uint8_t> out) mutable {
    for (uint8_t& b : out) b = static_cast<uint8_t>(n++ * 31);
  });

  std::deque<std::unique_ptr<FakePeer>> all;  // every peer ever made (kept for the after-gone check)
  FakePeer* clients[4] = {};
  std::set<std::string> channels;
  auto open = [&](int i) {
    all.push_back(std::make_unique<FakePeer>("127.0.0.1:" + std::to_string(40000 + all.size())));
    clients[i] = all.back().get();
    pusher.on_open(*clients[i], app::ConnectInfo{"/app/key", "protocol=7", "", clients[i]->remote_address()});
  };
  auto close = [&](FakePeer* peer) {
    if (peer == nullptr || peer->gone) return;
    peer->closing = true;
    pusher.on_close(*peer, 1000, "");
    peer->gone = true;
  };
  for (int i = 0; i < 4; ++i) open(i);
  all.push_back(std::make_unique<FakePeer>("127.0.0.1:39999"));
  FakePeer* json_peer = all.back().get();
  json.on_open(*json_peer, app::ConnectInfo{"/ws", "", "", json_peer->remote_address()});

  auto socket_id = [](FakePeer& peer) -> std::string {
    if (peer.received.empty()) return {};
    rapidjson::Document d;
    d.Parse(peer.received.front().payload.c_str());
    if (!d.IsObject() || !d.HasMember("data") || !d["data"].IsString()) return {};
    rapidjson::Document inner;
    inner.Parse(d["data"].GetString());
    return inner.IsObject() && inner.HasMember("socket_id") ? inner["socket_id"].GetString() : "";
  };
  auto send = [&](int i, std::string_view text, app::PayloadKind kind) {
    if (clients[i]->closing) {
      close(clients[i]);
      open(i);
    }
    pusher.on_message(*clients[i], kind, {reinterpret_cast<const uint8_t*>(text.data()), text.size()});
  };

  std::string_view rest(reinterpret_cast<const char*>(input.data()), input.size());
  while (!rest.empty()) {
    const size_t newline = rest.find('\n');
    const std::string_view record = rest.substr(0, newline);
    rest.remove_prefix(newline == std::string_view::npos ? rest.size() : newline + 1);
    if (record.empty()) continue;
    const char kind = record[0];
    const std::string_view body = record.substr(1);
    if (kind >= 'A' && kind <= 'D') {
      send(kind - 'A', body, app::PayloadKind::kText);
    } else if (kind >= 'a' && kind <= 'd') {
      send(kind - 'a', body, app::PayloadKind::kBinary);
    } else if (kind >= '0' && kind <= '3') {
      close(clients[kind - '0']);
      open(kind - '0');
    } else if (kind == 'S' && !body.empty()) {
      const int i = body[0] & 3;
      if (clients[i]->closing) {
        close(clients[i]);
        open(i);
      }
      const std::string channel(body.substr(1));
      channels.insert(channel);
      const bool presence = channel.rfind("presence-", 0) == 0;
      const std::string data = presence ? "{\"user_id\":\"u" + std::to_string(i) + "\"}" : "";
      rapidjson::StringBuffer b;
      rapidjson::Writer<rapidjson::StringBuffer> w(b);
      w.StartObject();
      w.Key("event");
      w.String("pusher:subscribe");
      w.Key("data");
      w.StartObject();
      w.Key("channel");
      w.String(channel.data(), static_cast<rapidjson::SizeType>(channel.size()));
      w.Key("auth");
      const std::string auth =
          app::pusher::sign_auth("key", "secret", app::pusher::channel_string_to_sign(socket_id(*clients[i]), channel, data));
      w.String(auth.c_str());
      if (presence) {
        w.Key("channel_data");
        w.String(data.c_str());
      }
      w.EndObject();
      w.EndObject();
      send(i, std::string_view(b.GetString(), b.GetSize()), app::PayloadKind::kText);
    } else if (kind == 'T') {
      if (pusher.valid_channel_name(body)) pusher.trigger(body, "e", "{}", "");
    } else if (kind == 'J') {
      if (!json_peer->closing) {
        json.on_message(*json_peer, app::PayloadKind::kText, {reinterpret_cast<const uint8_t*>(body.data()), body.size()});
      }
    } else if (kind == '+') {
      host.advance(static_cast<int64_t>(record.size()) * 1000);
    } else {
      send(static_cast<uint8_t>(kind) & 3, body, app::PayloadKind::kText);
    }
  }

  for (FakePeer* peer : clients) close(peer);
  json_peer->closing = true;
  json.on_close(*json_peer, 1000, "");
  json_peer->gone = true;

  for (const auto& peer : all) {
    if (peer->sends_after_gone != 0) return "sent to a connection after it was gone";
    if (peer->bad_prepared != 0) return "a prepared message's payload_size is wrong";
    for (const json_check::Received& r : peer->received) {
      if (r.kind != app::PayloadKind::kText) return "a binary message was sent";
      const std::string problem = peer.get() == json_peer ? check_json_message(r.payload) : check_pusher_message(r.payload);
      if (!problem.empty()) return problem;
    }
  }
  if (json.dispatcher().client_count() != 0) return "clients remain after everybody left";
  if (json.dispatcher().rooms().size() != 0) return "rooms remain after everybody left";
  if (pusher.stats().connections != 0) return "Pusher connections remain after everybody left";
  for (const std::string& channel : channels) {
    if (pusher.presence(channel) != nullptr) return "presence channel " + channel + " remains after everybody left";
  }
  return {};
}

}  // namespace wsrelay::fuzz
