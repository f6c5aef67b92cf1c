// The bus envelope round-trips and refuses anything else; the backoff grows, caps and jitters.
#include "cluster/envelope.hpp"

#include <doctest/doctest.h>

#include "cluster/backoff.hpp"

using namespace wsrelay::cluster;

TEST_CASE("envelope: round trip, binary payload") {
  std::string bytes;
  const std::string payload("a\0b\nc wsr1 ", 11);
  encode_envelope(bytes, "node-1.eu_west", 18446744073709551615ull, 42, payload);
  Envelope e;
  REQUIRE(decode_envelope(bytes, e));
  CHECK(e.node_id == "node-1.eu_west");
  CHECK(e.epoch == 18446744073709551615ull);
  CHECK(e.seq == 42);
  CHECK(e.payload == payload);
  encode_envelope(bytes = "", "n", 0, 1, "");
  REQUIRE(decode_envelope(bytes, e));
  CHECK(e.payload.empty());
}

TEST_CASE("envelope: anything else is refused") {
  Envelope e;
  for (std::string_view bad : {"", "hello", "wsr1 ", "wsr1 n 1 1", "wsr1 n 1 0\nx", "wsr1  1 1\nx",
                               "wsr1 n x 1\nx", "wsr1 n 1 -1\nx", "wsr2 n 1 1\nx",
                               "wsr1 n:1 1 1\nx", "wsr1 n 1 99999999999999999999999\nx"}) {
    INFO(std::string(bad));
    CHECK_FALSE(decode_envelope(bad, e));
  }
  CHECK_FALSE(decode_envelope("wsr1 " + std::string(65, 'n') + " 1 1\nx", e));
  CHECK(decode_envelope("wsr1 " + std::string(64, 'n') + " 1 1\nx", e));
}

TEST_CASE("backoff: doubles from the initial delay up to the cap, jittered, reset") {
  Backoff b(100, 1600, 12345);
  uint64_t steps[] = {100, 200, 400, 800, 1600, 1600, 1600};
  for (uint64_t step : steps) {
    const uint64_t d = b.next_ms();
    CHECK(d >= step / 2);
    CHECK(d <= step);
  }
  CHECK(b.attempts() == 7);
  b.reset();
  CHECK(b.next_ms() <= 100);
  // Two nodes with different seeds do not retry in lockstep.
  Backoff x(1000, 1000, 1), y(1000, 1000, 2);
  int same = 0;
  for (int i = 0; i < 20; ++i) same += x.next_ms() == y.next_ms();
  CHECK(same < 5);
}
