// IndexedSet: a set of pointers with O(1) average insert, erase and membership test, whose
// elements sit in one dense vector so that fan-out (a room message to every member, a signal to
// every listener) walks contiguous memory instead of hash buckets.
//
// Erase swaps the last element into the hole, so iteration order is not insertion order.
// Iterators and the span are invalidated by insert and erase: take a copy (`items()` into a
// vector) before mutating the set while walking it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

namespace wsrelay::app {

template <typename T>
class IndexedSet {
 public:
  // Returns false when `item` was already present.
  bool insert(T item) {
    auto [it, inserted] = index_.try_emplace(item, items_.size());
    if (!inserted) return false;
    items_.push_back(item);
    return true;
  }

  // Returns false when `item` was not present.
  bool erase(T item) {
    auto it = index_.find(item);
    if (it == index_.end()) return false;
    size_t hole = it->second;
    index_.erase(it);
    T last = items_.back();
    items_.pop_back();
    if (hole < items_.size()) {  // the erased item was not the last one: move the last into it
      items_[hole] = last;
      index_[last] = hole;
    }
    return true;
  }

  bool contains(T item) const { return index_.find(item) != index_.end(); }
  size_t size() const { return items_.size(); }
  bool empty() const { return items_.empty(); }
  std::span<const T> items() const { return items_; }
  auto begin() const { return items_.begin(); }
  auto end() const { return items_.end(); }

 private:
  std::vector<T> items_;
  std::unordered_map<T, size_t> index_;  // item -> its position in items_
};

}  // namespace wsrelay::app
