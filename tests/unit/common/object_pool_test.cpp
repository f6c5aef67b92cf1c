// ObjectPool: lending reuses returned objects, and trim() frees exactly those that stayed
// idle since the previous trim.
#include "common/object_pool.hpp"

#include <doctest/doctest.h>

#include <vector>

using wsrelay::common::ObjectPool;

namespace {
struct Counted {
  static inline int alive = 0;
  Counted() { ++alive; }
  ~Counted() { --alive; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  int value = 0;
};
}  // namespace

TEST_CASE("object pool: a returned object is lent again, a new one only when none is spare") {
  Counted::alive = 0;
  {
    ObjectPool<Counted> pool;
    auto a = pool.take();
    a->value = 7;
    Counted* const address = a.get();
    pool.give_back(std::move(a));
    CHECK(pool.idle() == 1);
    auto again = pool.take();
    CHECK(again.get() == address);
    CHECK(again->value == 7);  // handed back as it was returned: the borrower resets
    CHECK(pool.idle() == 0);
    auto b = pool.take();
    CHECK(b.get() != address);
    CHECK(Counted::alive == 2);
    pool.give_back(nullptr);  // nothing to keep
    CHECK(pool.idle() == 0);
  }
  CHECK(Counted::alive == 0);
}

TEST_CASE("object pool: trim frees what nobody borrowed since the previous trim") {
  Counted::alive = 0;
  ObjectPool<Counted> pool;
  std::vector<std::unique_ptr<Counted>> burst;
  for (int i = 0; i < 10; ++i) burst.push_back(pool.take());
  for (auto& each : burst) pool.give_back(std::move(each));
  CHECK(pool.idle() == 10);
  // The burst just ended: they were all in use during this period, so none is surplus yet.
  CHECK(pool.trim() == 0);
  CHECK(pool.idle() == 10);
  // A steady load of 3 at a time in the next period: 7 stayed idle throughout.
  for (int round = 0; round < 5; ++round) {
    std::vector<std::unique_ptr<Counted>> busy;
    for (int i = 0; i < 3; ++i) busy.push_back(pool.take());
    for (auto& each : busy) pool.give_back(std::move(each));
  }
  CHECK(pool.trim() == 7);
  CHECK(pool.idle() == 3);
  CHECK(Counted::alive == 3);
  // A quiet period: the rest goes.
  CHECK(pool.trim() == 3);
  CHECK(pool.idle() == 0);
  CHECK(Counted::alive == 0);
  CHECK(pool.trim() == 0);
}
