// permessage-deflate negotiation (RFC 7692 §5-§7): every valid and invalid offer form, several
// offers and headers, and the exact response text.
#include "ws/deflate_negotiation.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace wsrelay::ws;

namespace {

DeflatePolicy shared_policy(uint8_t bits = 15) {
  return DeflatePolicy{true, true, bits};
}
DeflatePolicy dedicated_policy(uint8_t bits = 15) {
  return DeflatePolicy{true, false, bits};
}

DeflateNegotiation run(std::vector<std::string_view> headers, const DeflatePolicy& policy) {
  return negotiate_deflate(headers, policy);
}

// The response for one header in dedicated mode (the mode that echoes the client's choices),
// or "DECLINED: reason" / "NONE".
std::string answer(std::string_view header, DeflatePolicy policy = dedicated_policy()) {
  const DeflateNegotiation n = run({header}, policy);
  if (n.outcome == NegotiationOutcome::kAccepted) return n.response;
  if (n.outcome == NegotiationOutcome::kDeclined) return "DECLINED: " + std::string(n.decline);
  return "NONE";
}

bool declined(std::string_view header) {
  return run({header}, dedicated_policy()).outcome == NegotiationOutcome::kDeclined;
}

}  // namespace

TEST_CASE("negotiation: disabled policy or no offer gives no extension") {
  CHECK(run({"permessage-deflate"}, DeflatePolicy{}).outcome == NegotiationOutcome::kNotOffered);
  CHECK(run({}, shared_policy()).outcome == NegotiationOutcome::kNotOffered);
  CHECK(answer("x-webkit-deflate-frame") == "NONE");
  CHECK(answer("foo; bar=1, baz") == "NONE");
}

TEST_CASE("negotiation: a bare offer") {
  CHECK(answer("permessage-deflate") == "permessage-deflate");
  CHECK(answer("permessage-deflate", shared_policy()) ==
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  CHECK(answer("PerMessage-Deflate") == "permessage-deflate");  // tokens are case-insensitive
  const DeflateNegotiation n = run({"permessage-deflate"}, dedicated_policy());
  CHECK(n.params == DeflateParams{false, false, 15, 15});
}

TEST_CASE("negotiation: context takeover parameters (§7.1.1)") {
  CHECK(answer("permessage-deflate; server_no_context_takeover") ==
        "permessage-deflate; server_no_context_takeover");
  CHECK(answer("permessage-deflate; client_no_context_takeover") ==
        "permessage-deflate; client_no_context_takeover");
  CHECK(answer("permessage-deflate;client_no_context_takeover;server_no_context_takeover") ==
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  // Neither takes a value, not even a quoted one.
  CHECK(declined("permessage-deflate; server_no_context_takeover=1"));
  CHECK(declined("permessage-deflate; client_no_context_takeover=\"x\""));
  // Given twice (§5.1).
  CHECK(declined("permessage-deflate; server_no_context_takeover; server_no_context_takeover"));
  CHECK(declined("permessage-deflate; client_no_context_takeover; client_no_context_takeover"));
}

TEST_CASE("negotiation: server_max_window_bits (§7.1.2.1)") {
  CHECK(answer("permessage-deflate; server_max_window_bits=10") ==
        "permessage-deflate; server_max_window_bits=10");
  CHECK(answer("permessage-deflate; server_max_window_bits=15") ==
        "permessage-deflate; server_max_window_bits=15");
  CHECK(answer("permessage-deflate; server_max_window_bits=\"12\"") ==
        "permessage-deflate; server_max_window_bits=12");
  // Our own limit wins when it is smaller.
  CHECK(answer("permessage-deflate; server_max_window_bits=14", dedicated_policy(11)) ==
        "permessage-deflate; server_max_window_bits=11");
  CHECK(run({"permessage-deflate; server_max_window_bits=14"}, dedicated_policy(11))
            .params.server_window_bits == 11);
  // Not offered: we compress within our window and need not say so.
  CHECK(answer("permessage-deflate", dedicated_policy(10)) == "permessage-deflate");
  CHECK(run({"permessage-deflate"}, dedicated_policy(10)).params.server_window_bits == 10);
  // A value is required, in range, without leading zeros or signs.
  for (std::string_view bad :
       {"permessage-deflate; server_max_window_bits",
        "permessage-deflate; server_max_window_bits=7",
        "permessage-deflate; server_max_window_bits=16",
        "permessage-deflate; server_max_window_bits=010",
        "permessage-deflate; server_max_window_bits=+9",
        "permessage-deflate; server_max_window_bits=1a",
        "permessage-deflate; server_max_window_bits=0",
        "permessage-deflate; server_max_window_bits=\"\"",
        "permessage-deflate; server_max_window_bits=10; server_max_window_bits=10"}) {
    CAPTURE(bad);
    CHECK(declined(bad));
  }
  // 8 is valid but zlib cannot compress with it: declined as unsupported (§5.1).
  CHECK(answer("permessage-deflate; server_max_window_bits=8") ==
        "DECLINED: server_max_window_bits=8 is not supported");
}

TEST_CASE("negotiation: client_max_window_bits (§7.1.2.2)") {
  // Without a value: the client lets us choose; we answer only when we want a smaller window.
  CHECK(answer("permessage-deflate; client_max_window_bits") == "permessage-deflate");
  CHECK(answer("permessage-deflate; client_max_window_bits", dedicated_policy(12)) ==
        "permessage-deflate; client_max_window_bits=12");
  CHECK(run({"permessage-deflate; client_max_window_bits"}, dedicated_policy(12))
            .params.client_window_bits == 12);
  // With a value: the client's own limit; we never answer with a larger one.
  CHECK(answer("permessage-deflate; client_max_window_bits=9") ==
        "permessage-deflate; client_max_window_bits=9");
  CHECK(answer("permessage-deflate; client_max_window_bits=8") ==
        "permessage-deflate; client_max_window_bits=8");
  CHECK(answer("permessage-deflate; client_max_window_bits=\"10\"", dedicated_policy(12)) ==
        "permessage-deflate; client_max_window_bits=10");
  // Not offered: the response must not mention it, whatever our window.
  CHECK(answer("permessage-deflate", dedicated_policy(9)) == "permessage-deflate");
  CHECK(run({"permessage-deflate"}, dedicated_policy(9)).params.client_window_bits == 15);
  for (std::string_view bad :
       {"permessage-deflate; client_max_window_bits=7",
        "permessage-deflate; client_max_window_bits=16",
        "permessage-deflate; client_max_window_bits=09",
        "permessage-deflate; client_max_window_bits=abc",
        "permessage-deflate; client_max_window_bits; client_max_window_bits=10"}) {
    CAPTURE(bad);
    CHECK(declined(bad));
  }
}

TEST_CASE("negotiation: unknown parameters decline the offer (§5.1)") {
  CHECK(answer("permessage-deflate; foo") == "DECLINED: unknown parameter");
  CHECK(answer("permessage-deflate; foo=bar") == "DECLINED: unknown parameter");
  CHECK(
      declined("permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
               "server_max_window_bits=10; client_max_window_bits=10; server_no_context_takeover"));
}

TEST_CASE("negotiation: the first acceptable offer wins (§5)") {
  CHECK(answer("permessage-deflate; server_max_window_bits=8, permessage-deflate; "
               "client_max_window_bits=10") == "permessage-deflate; client_max_window_bits=10");
  CHECK(answer("permessage-deflate; foo, permessage-deflate; server_no_context_takeover") ==
        "permessage-deflate; server_no_context_takeover");
  CHECK(answer("permessage-deflate, permessage-deflate; server_no_context_takeover") ==
        "permessage-deflate");
  CHECK(answer("x-foo, permessage-deflate; client_max_window_bits") == "permessage-deflate");
  // The full Chromium offer.
  CHECK(answer("permessage-deflate; client_max_window_bits", shared_policy()) ==
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover");
  // Every offer bad: declined, with the last reason.
  CHECK(answer("permessage-deflate; foo, permessage-deflate; server_max_window_bits=99") ==
        "DECLINED: invalid server_max_window_bits");
}

TEST_CASE("negotiation: several headers form one list") {
  const DeflateNegotiation n =
      run({"x-foo", "permessage-deflate; foo", "permessage-deflate; server_max_window_bits=11"},
          dedicated_policy());
  REQUIRE(n.outcome == NegotiationOutcome::kAccepted);
  CHECK(n.response == "permessage-deflate; server_max_window_bits=11");
  CHECK(n.params.server_window_bits == 11);
  // A malformed second header declines the whole negotiation.
  CHECK(run({"permessage-deflate", "permessage-deflate;"}, dedicated_policy()).outcome ==
        NegotiationOutcome::kDeclined);
}

TEST_CASE("negotiation: whitespace, empty elements and quoting") {
  CHECK(answer("  permessage-deflate ;  server_max_window_bits = 10 , ") ==
        "permessage-deflate; server_max_window_bits=10");
  CHECK(answer(", ,permessage-deflate") == "permessage-deflate");
  CHECK(answer("permessage-deflate; server_max_window_bits=\"1\\0\"") ==
        "permessage-deflate; server_max_window_bits=10");  // quoted-pair unescapes
  // Quoted values of other extensions may contain commas only if they are tokens after
  // unescaping (RFC 6455 §9.1); "a,b" is not a token.
  CHECK(declined("x-foo; a=\"a,b\", permessage-deflate"));
  CHECK(answer("x-foo; a=\"ab\", permessage-deflate") == "permessage-deflate");
}

TEST_CASE("negotiation: malformed headers are declined, never accepted in part") {
  for (std::string_view bad :
       {"permessage-deflate;", "permessage-deflate; =10", "permessage-deflate;;",
        "permessage-deflate; server_max_window_bits=", "permessage-deflate x",
        "permessage-deflate; server_max_window_bits=\"10", ";permessage-deflate",
        "permessage-deflate; a=\"\x01\"", "permessage-deflate, x-foo; =", "\"permessage-deflate\"",
        "permessage-deflate; server_max_window_bits=1 0"}) {
    CAPTURE(bad);
    const DeflateNegotiation n = run({bad}, dedicated_policy());
    CHECK(n.outcome == NegotiationOutcome::kDeclined);
    CHECK(n.response.empty());
  }
}

TEST_CASE("negotiation: shared mode forces both no-context-takeover flags") {
  const DeflateNegotiation n = run(
      {"permessage-deflate; server_max_window_bits=12; client_max_window_bits"}, shared_policy(13));
  REQUIRE(n.outcome == NegotiationOutcome::kAccepted);
  CHECK(n.params == DeflateParams{true, true, 12, 13});
  CHECK(n.response ==
        "permessage-deflate; server_no_context_takeover; client_no_context_takeover; "
        "server_max_window_bits=12; client_max_window_bits=13");
}
