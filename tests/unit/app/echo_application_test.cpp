// EchoApplication: echo sends back exactly what came, text and binary; broadcast mode sends
// every message to every peer (sender included) as one prepared message.
#include <doctest/doctest.h>

#include <string>

#include "app/echo_application.hpp"
#include "fakes.hpp"

using namespace wsrelay::app;
using wsrelay::app::testing::FakeHost;
using wsrelay::app::testing::FakePeer;

namespace {
std::span<const uint8_t> bytes_of(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}
const ConnectInfo kInfo{"/", "", "", "127.0.0.1:1"};
}  // namespace

TEST_CASE("echo: text and binary come back unchanged, to the sender only, without preparing") {
  FakeHost host;
  EchoApplication echo(host, EchoApplication::Mode::kEcho);
  FakePeer a, b;
  echo.on_open(a, kInfo);
  echo.on_open(b, kInfo);
  echo.on_message(a, PayloadKind::kText, bytes_of("h\xc3\xa9llo"));
  const std::string binary("\x00\xff\x01", 3);
  echo.on_message(a, PayloadKind::kBinary, bytes_of(binary));
  echo.on_message(a, PayloadKind::kText, bytes_of(""));
  REQUIRE(a.sent.size() == 3);
  CHECK(a.sent[0].kind == PayloadKind::kText);
  CHECK(a.sent[0].payload == "h\xc3\xa9llo");
  CHECK(a.sent[1].kind == PayloadKind::kBinary);
  CHECK(a.sent[1].payload == binary);
  CHECK(a.sent[2].payload.empty());
  CHECK(b.sent.empty());
  CHECK(host.prepare_calls == 0);
  CHECK(echo.peer_count() == 2);
}

TEST_CASE("echo --broadcast: every peer, sender included, gets the same prepared bytes") {
  FakeHost host;
  EchoApplication echo(host, EchoApplication::Mode::kBroadcast);
  FakePeer a, b, c;
  echo.on_open(a, kInfo);
  echo.on_open(b, kInfo);
  echo.on_open(c, kInfo);
  echo.on_close(c, 1000, "");
  CHECK(echo.peer_count() == 2);

  echo.on_message(a, PayloadKind::kBinary, bytes_of("bin"));
  CHECK(host.prepare_calls == 1);
  CHECK(host.last_kind == PayloadKind::kBinary);
  REQUIRE(a.sent.size() == 1);
  REQUIRE(b.sent.size() == 1);
  CHECK(c.sent.empty());
  CHECK(a.sent[0].payload == "bin");
  CHECK(a.sent[0].shared == b.sent[0].shared);

  b.closing = true;  // a closing peer is skipped
  echo.on_message(a, PayloadKind::kText, bytes_of("t"));
  CHECK(b.sent.size() == 1);
  CHECK(a.sent.size() == 2);
}
