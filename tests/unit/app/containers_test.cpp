// IndexedSet, room/signal name rules, client ids and timestamps: the small pieces the
// dispatcher is built from.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "app/client.hpp"
#include "app/indexed_set.hpp"
#include "app/names.hpp"
#include "app/timestamp.hpp"
#include "fakes.hpp"

using namespace wsrelay::app;

TEST_CASE("IndexedSet: insert, erase and contains agree with a std::set under random operations") {
  int storage[64];
  IndexedSet<int*> set;
  std::set<int*> model;
  uint32_t state = 12345;
  for (int step = 0; step < 5000; ++step) {
    state = state * 1103515245u + 12345u;
    int* item = &storage[(state >> 8) % 64];
    if ((state >> 20) % 3 == 0) {
      CHECK(set.erase(item) == (model.erase(item) == 1));
    } else {
      CHECK(set.insert(item) == model.insert(item).second);
    }
    REQUIRE(set.size() == model.size());
  }
  for (int& slot : storage) CHECK(set.contains(&slot) == (model.count(&slot) == 1));
  std::vector<int*> items(set.begin(), set.end());
  std::sort(items.begin(), items.end());
  CHECK(items == std::vector<int*>(model.begin(), model.end()));
}

TEST_CASE("IndexedSet: erasing the last, the first and the only element") {
  int a = 0, b = 0, c = 0;
  IndexedSet<int*> set;
  set.insert(&a);
  set.insert(&b);
  set.insert(&c);
  CHECK(set.erase(&c));  // last: no move
  CHECK(set.erase(&a));  // first: b moves into its slot
  CHECK(set.contains(&b));
  CHECK(set.items().size() == 1);
  CHECK(set.items()[0] == &b);
  CHECK_FALSE(set.erase(&a));
  CHECK(set.erase(&b));
  CHECK(set.empty());
}

TEST_CASE("names: empty, too long and control characters are refused") {
  CHECK(check_name("general", 128) == NameProblem::kNone);
  CHECK(check_name("caf\xc3\xa9 \xe2\x82\xac", 128) == NameProblem::kNone);  // UTF-8 is fine
  CHECK(check_name("", 128) == NameProblem::kEmpty);
  CHECK(check_name(std::string(128, 'a'), 128) == NameProblem::kNone);
  CHECK(check_name(std::string(129, 'a'), 128) == NameProblem::kTooLong);
  CHECK(check_name("a\nb", 128) == NameProblem::kControlCharacter);
  CHECK(check_name(std::string("a\0b", 3), 128) == NameProblem::kControlCharacter);
  CHECK(check_name("tab\t", 128) == NameProblem::kControlCharacter);
  CHECK(check_name("del\x7f", 128) == NameProblem::kControlCharacter);
  CHECK(check_name("c1\xc2\x85", 128) == NameProblem::kControlCharacter);   // U+0085 NEL
  CHECK(check_name("nbsp\xc2\xa0", 128) == NameProblem::kNone);              // U+00A0 is not C1
}

TEST_CASE("client ids: 32 lowercase hex digits from 16 random bytes") {
  RandomSource zeros = [](std::span<uint8_t> out) { std::fill(out.begin(), out.end(), 0); };
  CHECK(make_client_id(zeros) == std::string(32, '0'));
  RandomSource counting = testing::counting_random();
  CHECK(make_client_id(counting) == "000102030405060708090a0b0c0d0e0f");
  CHECK(make_client_id(counting) == "101112131415161718191a1b1c1d1e1f");
  RandomSource high = [](std::span<uint8_t> out) { std::fill(out.begin(), out.end(), 0xfe); };
  CHECK(make_client_id(high) == "fefefefefefefefefefefefefefefefe");
}

TEST_CASE("timestamps: ISO 8601 UTC with milliseconds") {
  CHECK(Timestamp(0).view() == "1970-01-01T00:00:00.000Z");
  CHECK(Timestamp(1714566896789).view() == "2024-05-01T12:34:56.789Z");
  CHECK(Timestamp(951782400000).view() == "2000-02-29T00:00:00.000Z");      // leap day, 400-year rule
  CHECK(Timestamp(4107542399999).view() == "2100-02-28T23:59:59.999Z");     // 2100 is not leap
  CHECK(Timestamp(4107542400000).view() == "2100-03-01T00:00:00.000Z");
  CHECK(Timestamp(-1).view() == "1969-12-31T23:59:59.999Z");                // before the epoch
  CHECK(Timestamp(253402300799999).view() == "9999-12-31T23:59:59.999Z");
  CHECK(Timestamp(INT64_MAX).view() == "9999-12-31T23:59:59.999Z");         // clamped
  CHECK(Timestamp(INT64_MIN).view() == "0000-01-01T00:00:00.000Z");
}
