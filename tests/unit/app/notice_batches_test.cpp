// NoticeBatches: per-room batches in order of each room's first notice, bounded by the list
// limit (counts stay exact past it), taken one room at a time or all at once.
#include "app/notice_batches.hpp"

#include <doctest/doctest.h>

using wsrelay::app::NoticeBatch;
using wsrelay::app::NoticeBatches;
using wsrelay::app::NoticeEntry;

namespace {
NoticeEntry join(const char* id) {
  return NoticeEntry{true, false, id, {}, {}};
}
NoticeEntry leave(const char* id) {
  return NoticeEntry{false, true, id, {}, {}};
}
}  // namespace

TEST_CASE("notice batches: the first notice asks for a flush, later ones join their room's batch") {
  NoticeBatches batches;
  CHECK(batches.empty());
  CHECK(batches.add("b", join("1"), 10));
  CHECK_FALSE(batches.add("a", join("2"), 10));
  CHECK_FALSE(batches.add("b", leave("1"), 10));
  auto all = batches.take_all();
  CHECK(batches.empty());
  REQUIRE(all.size() == 2);
  CHECK(all[0].first == "b");  // the room that had the first notice comes first
  CHECK(all[0].second.joined == 1);
  CHECK(all[0].second.left == 1);
  REQUIRE(all[0].second.entries.size() == 2);
  CHECK(all[0].second.entries[1].disconnected);
  CHECK(all[1].first == "a");
  CHECK(all[1].second.total() == 1);
  CHECK(batches.add("a", join("3"), 10));  // empty again: the next notice asks again
}

TEST_CASE("notice batches: past the list limit only the counts grow") {
  NoticeBatches batches;
  for (int i = 0; i < 1000; ++i) batches.add("big", join("x"), 3);
  batches.add("big", leave("y"), 3);
  const NoticeBatch batch = batches.take("big");
  CHECK(batch.joined == 1000);
  CHECK(batch.left == 1);
  CHECK(batch.truncated);
  CHECK(batch.entries.size() == 3);
  // A limit of 0 (never list) still keeps the first entry: a batch of one is the plain event.
  batches.add("solo", join("z"), 0);
  const NoticeBatch solo = batches.take("solo");
  CHECK_FALSE(solo.truncated);
  REQUIRE(solo.entries.size() == 1);
  CHECK(solo.entries[0].client_id == "z");
}

TEST_CASE("notice batches: taking one room keeps the others and their order") {
  NoticeBatches batches;
  batches.add("a", join("1"), 5);
  batches.add("b", join("2"), 5);
  batches.add("c", join("3"), 5);
  CHECK(batches.take("b").total() == 1);
  CHECK(batches.take("b").total() == 0);  // nothing pending any more
  batches.add("a", join("4"), 5);
  auto all = batches.take_all();
  REQUIRE(all.size() == 2);
  CHECK(all[0].first == "a");
  CHECK(all[0].second.total() == 2);
  CHECK(all[1].first == "c");
}
