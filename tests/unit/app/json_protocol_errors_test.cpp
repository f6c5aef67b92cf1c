// JsonProtocol, bad input: every error code in docs/protocol.md, its id handling, and that the
// connection stays usable and nobody else hears anything.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "fakes.hpp"

using namespace wsrelay::app;
using namespace wsrelay::app::testing;

namespace {

// Sends `request` from a fresh client and returns the one error it got back; checks that the
// bystander heard nothing and the sender can still use the connection.
struct ErrorCase {
  explicit ErrorCase(AppOptions options = {}) : h(std::move(options)), sender(h.connect_quiet()), bystander(h.connect_quiet()) {
    sender.sent.clear();
  }
  rapidjson::Document error_for(std::string_view request) {
    h.send(sender, request);
    return check_error();
  }
  rapidjson::Document check_error() {
    rapidjson::Document error = h.only(sender);
    CHECK(text_of(error, "event") == "error");
    CHECK(!text_of(error, "message").empty());
    CHECK(has(error, "timestamp"));
    CHECK(bystander.sent.empty());
    // Still open and working.
    CHECK_FALSE(sender.closing);
    h.send(sender, R"({"event":"message","message":"still here"})");
    CHECK(text_of(h.only(sender), "event") == "echo");
    return error;
  }
  JsonHarness h;
  FakePeer& sender;
  FakePeer& bystander;
};

std::string code_of(const rapidjson::Document& error) { return text_of(error, "code"); }

}  // namespace

TEST_CASE("errors about the message itself carry no id") {
  ErrorCase t;
  auto e = t.error_for("this is not json");
  CHECK(code_of(e) == "invalid_json");
  CHECK_FALSE(has(e, "id"));
  CHECK(code_of(t.error_for(R"({"event":"message","message":1,"id":1)")) == "invalid_json");
  CHECK(code_of(t.error_for(R"({"event":"message","message":"\udc00"})")) == "invalid_json");
  CHECK(code_of(t.error_for(R"([{"event":"message"}])")) == "invalid_message");
  CHECK(code_of(t.error_for(R"("message")")) == "invalid_message");
  CHECK(code_of(t.error_for("42")) == "invalid_message");
  CHECK(code_of(t.error_for("null")) == "invalid_message");

  t.h.send_binary(t.sender, std::string("\x01\x02", 2));
  CHECK(code_of(t.check_error()) == "binary_not_supported");
}

TEST_CASE("json_too_large and json_too_deep follow max_json_size and max_json_depth") {
  AppOptions options;
  options.max_json_size = 100;
  options.max_json_depth = 4;
  ErrorCase t(options);
  auto e = t.error_for(R"({"event":"message","message":")" + std::string(100, 'x') + "\"}");
  CHECK(code_of(e) == "json_too_large");
  CHECK(text_of(e, "message").find("100") != std::string::npos);
  CHECK(code_of(t.error_for(R"({"event":"message","message":[[[[1]]]]})")) == "json_too_deep");
  t.h.send(t.sender, R"({"event":"message","message":[[[1]]]})");  // depth 4: fine
  CHECK(text_of(t.h.only(t.sender), "event") == "echo");
}

TEST_CASE("a bad id is refused before anything else, without echoing it") {
  ErrorCase t;
  for (const char* request : {R"({"event":"message","message":1,"id":{"x":1}})",
                              R"({"event":"message","message":1,"id":[1]})",
                              R"({"event":"message","message":1,"id":true})",
                              R"({"event":"message","message":1,"id":null})"}) {
    auto e = t.error_for(request);
    CHECK(code_of(e) == "invalid_field");
    CHECK(text_of(e, "field") == "id");
    CHECK_FALSE(has(e, "id"));
  }
  auto long_id = t.error_for(R"({"event":"message","message":1,"id":")" + std::string(129, 'i') + "\"}");
  CHECK(code_of(long_id) == "invalid_field");
  t.h.send(t.sender, R"({"event":"message","message":1,"id":")" + std::string(128, 'i') + "\"}");
  CHECK(t.h.drain(t.sender).size() == 2);  // echo + ack: 128 bytes is allowed
}

TEST_CASE("missing or mistyped event, unknown events: errors that carry the request's id") {
  ErrorCase t;
  auto e = t.error_for(R"({"message":"no event","id":"a"})");
  CHECK(code_of(e) == "missing_field");
  CHECK(text_of(e, "field") == "event");
  CHECK(text_of(e, "id") == "a");
  e = t.error_for(R"({"event":7,"id":"b"})");
  CHECK(code_of(e) == "invalid_field");
  CHECK(text_of(e, "field") == "event");
  e = t.error_for(R"({"type":["message"]})");
  CHECK(code_of(e) == "invalid_field");
  CHECK(text_of(e, "field") == "type");
  e = t.error_for(R"({"event":"teleport","id":3})");
  CHECK(code_of(e) == "unknown_event");
  CHECK(text_of(e, "message").find("teleport") != std::string::npos);
  CHECK(e["id"].GetInt() == 3);
  e = t.error_for(R"({"event":")" + std::string(500, 'z') + "\"}");
  CHECK(code_of(e) == "unknown_event");
  CHECK(text_of(e, "message").size() < 100);  // long names are not echoed
}

TEST_CASE("missing_field and invalid_field name the field, for every event that has fields") {
  ErrorCase t;
  struct Case {
    const char* request;
    const char* code;
    const char* field;
  };
  const std::vector<Case> cases = {
      {R"({"event":"message"})", "missing_field", "message"},
      {R"({"event":"broadcast"})", "missing_field", "message"},
      {R"({"event":"join_room"})", "missing_field", "room"},
      {R"({"event":"join_room","room":5})", "invalid_field", "room"},
      {R"({"event":"subscribe"})", "missing_field", "room"},
      {R"({"event":"leave_room","room":null})", "invalid_field", "room"},
      {R"({"event":"unsubscribe"})", "missing_field", "room"},
      {R"({"event":"room_message","message":"x"})", "missing_field", "room"},
      {R"({"event":"room_message","room":"general"})", "missing_field", "message"},
      {R"({"event":"publish","channel":"general"})", "missing_field", "message"},
      {R"({"event":"signal"})", "missing_field", "name"},
      {R"({"event":"signal","name":{}})", "invalid_field", "name"},
      {R"({"event":"signal","name":"s","room":1})", "invalid_field", "room"},
      {R"({"event":"listen"})", "missing_field", "name"},
      {R"({"event":"unlisten","name":false})", "invalid_field", "name"},
      {R"({"event":"send","message":"x"})", "missing_field", "to"},
      {R"({"event":"send","to":1,"message":"x"})", "invalid_field", "to"},
      {R"({"event":"send","to":"abc"})", "missing_field", "message"},
  };
  for (const Case& c : cases) {
    CAPTURE(c.request);
    auto e = t.error_for(c.request);
    CHECK(code_of(e) == c.code);
    CHECK(text_of(e, "field") == c.field);
  }
}

TEST_CASE("invalid_name: empty, too long, control characters — for rooms and signals") {
  ErrorCase t;
  const std::string too_long(129, 'r');
  for (const std::string& request : {
           std::string(R"({"event":"join_room","room":""})"),
           std::string(R"({"event":"join_room","room":")") + too_long + "\"}",
           std::string(R"({"event":"join_room","room":"a\nb"})"),
           std::string(R"({"event":"join_room","room":"a\u0000b"})"),
           std::string(R"({"event":"join_room","room":"a\u0085b"})"),
           std::string(R"({"event":"leave_room","room":""})"),
           std::string(R"({"event":"room_message","room":"\t","message":1})"),
           std::string(R"({"event":"listen","name":""})"),
           std::string(R"({"event":"listen","name":")") + too_long + "\"}",
           std::string(R"({"event":"unlisten","name":"x\u001by"})"),
           std::string(R"({"event":"signal","name":"\u007f"})"),
           std::string(R"({"event":"signal","name":"ok","room":""})"),
       }) {
    CAPTURE(request);
    CHECK(code_of(t.error_for(request)) == "invalid_name");
  }
  auto e = t.error_for(R"({"event":"join_room","room":")" + too_long + "\"}");
  CHECK(text_of(e, "message").find("128") != std::string::npos);
  CHECK(t.h.protocol.dispatcher().find_room(too_long) == nullptr);
}

TEST_CASE("not_in_room: publishing, leaving or signalling into a room one is not in") {
  ErrorCase t;
  t.h.send(t.bystander, R"({"event":"join_room","room":"private-talk"})");
  t.bystander.sent.clear();
  auto e = t.error_for(R"({"event":"room_message","room":"private-talk","message":"spam","id":1})");
  CHECK(code_of(e) == "not_in_room");
  CHECK(e["id"].GetInt() == 1);
  CHECK(code_of(t.error_for(R"({"event":"room_message","room":"nowhere","message":"x"})")) == "not_in_room");
  CHECK(code_of(t.error_for(R"({"event":"leave_room","room":"private-talk"})")) == "not_in_room");
  CHECK(code_of(t.error_for(R"({"event":"signal","name":"s","room":"private-talk"})")) == "not_in_room");
}

TEST_CASE("room_full, forbidden and too_many_rooms come from room policy") {
  AppOptions options;
  options.rooms = {{"vip", true, 0}, {"duo", false, 1}};
  options.max_rooms_per_client = 3;  // general + 2
  ErrorCase t(options);
  t.h.send(t.bystander, R"({"event":"join_room","room":"duo"})");
  t.bystander.sent.clear();
  auto e = t.error_for(R"({"event":"join_room","room":"duo","id":"d"})");
  CHECK(code_of(e) == "room_full");
  CHECK(text_of(e, "id") == "d");
  CHECK(code_of(t.error_for(R"({"event":"join_room","room":"vip"})")) == "forbidden");
  CHECK(code_of(t.error_for(R"({"event":"subscribe","channel":"vip"})")) == "forbidden");

  t.h.send(t.sender, R"({"event":"join_room","room":"a"})");
  t.h.send(t.sender, R"({"event":"join_room","room":"b"})");
  t.sender.sent.clear();
  CHECK(code_of(t.error_for(R"({"event":"join_room","room":"c"})")) == "too_many_rooms");
  CHECK(t.h.protocol.dispatcher().find_room("c") == nullptr);
}

TEST_CASE("too_many_signals follows max_signals_per_client") {
  AppOptions options;
  options.max_signals_per_client = 1;
  ErrorCase t(options);
  t.h.send(t.sender, R"({"event":"listen","name":"one"})");
  CHECK(code_of(t.error_for(R"({"event":"listen","name":"two"})")) == "too_many_signals");
}

TEST_CASE("rooms_disabled: every room event, and signals narrowed to a room") {
  AppOptions options;
  options.rooms_enabled = false;
  ErrorCase t(options);
  for (const char* request : {R"({"event":"join_room","room":"r"})", R"({"event":"subscribe","channel":"r"})",
                              R"({"event":"leave_room","room":"r"})", R"({"event":"unsubscribe","channel":"r"})",
                              R"({"event":"room_message","room":"r","message":1})",
                              R"({"event":"publish","channel":"r","data":1})", R"({"event":"rooms"})",
                              R"({"event":"signal","name":"s","room":"r"})"}) {
    CAPTURE(request);
    CHECK(code_of(t.error_for(request)) == "rooms_disabled");
  }
  // Signals without a room still work.
  t.h.send(t.sender, R"({"event":"signal","name":"s","id":1})");
  CHECK(text_of(t.h.only(t.sender), "event") == "ack");
}

TEST_CASE("unknown_client: a direct message to an id nobody has, or had") {
  ErrorCase t;
  auto e = t.error_for(R"({"event":"send","to":"0123456789abcdef0123456789abcdef","message":"x"})");
  CHECK(code_of(e) == "unknown_client");
  CHECK(text_of(e, "field") == "to");
  FakePeer& gone = t.h.connect_quiet();
  std::string gone_id = t.h.id_of(gone);
  t.h.disconnect(gone);
  t.sender.sent.clear();  // user_joined/user_left in the default room
  t.bystander.sent.clear();
  CHECK(code_of(t.error_for(R"({"event":"send","to":")" + gone_id + R"(","message":"x"})")) == "unknown_client");
}

TEST_CASE("forwarded values are re-serialized: odd but valid input reaches others as clean JSON") {
  JsonHarness h;
  FakePeer& a = h.connect_quiet();
  FakePeer& b = h.connect_quiet();
  // Escapes, a NUL escape, astral characters, duplicate keys, big numbers.
  h.send(a, R"({"event":"broadcast","message":{"s":"\u0000\"\\\/\ud83d\ude00","s":2,"n":12345678901234567890,"d":1e300,"m":-0}})");
  REQUIRE(b.sent.size() == 1);
  rapidjson::Document got = parse_json(b.sent[0].payload);  // parses: well-formed
  CHECK(got["message"]["s"].GetStringLength() == 8);
  CHECK(b.sent[0].payload.find('\0') == std::string::npos);  // NUL went out escaped
}

TEST_CASE("a message over max_message_size: message_too_big with the server's reason, before its Close") {
  // The server calls on_protocol_error just before it sends Close 1009 (connection_ws.cpp).
  ErrorCase t;
  const std::string reason = "message of 70012 bytes exceeds max_message_size 65536";
  t.h.protocol.on_protocol_error(t.sender, 1009, reason);
  rapidjson::Document e = t.h.only(t.sender);
  CHECK(text_of(e, "event") == "error");
  CHECK(code_of(e) == "message_too_big");
  CHECK(text_of(e, "message") == reason);
  CHECK_FALSE(has(e, "id"));
  CHECK(t.bystander.sent.empty());
  // Other protocol errors have no event of their own: the Close says it all.
  t.h.protocol.on_protocol_error(t.sender, 1002, "reserved opcode");
  t.h.protocol.on_protocol_error(t.sender, 1007, "invalid UTF-8 in text message");
  CHECK(t.sender.sent.empty());
}
