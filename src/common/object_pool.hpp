// ObjectPool: spare objects of one kind, lent to whoever is busy right now.
//
// Why: most of a server's connections are idle most of the time, and an idle WebSocket
// connection needs no frame parser state and no output queue — only a connection in the
// middle of a frame, or one whose output the socket has not taken yet, does. So connections
// borrow those objects while they need them and give them back, and memory follows the number
// of BUSY connections instead of the number of open ones (see server::Connection).
//
// Lending is a vector pop and push: a steady load (a broadcast to 10,000 subscribers every
// loop iteration) reuses the same objects without allocating. trim() returns what a burst
// left behind: it frees the objects that stayed idle during the whole period since the last
// trim (the pool's low-water mark), so a pool shrinks to what recent load needed, not to zero.
//
// The pool hands objects back as they were returned: the borrower resets what it needs.
#pragma once

#include <algorithm>
#include <cstddef>
#include <memory>
#include <vector>

namespace wsrelay::common {

template <typename T>
class ObjectPool {
 public:
  ObjectPool() = default;
  ObjectPool(const ObjectPool&) = delete;
  ObjectPool& operator=(const ObjectPool&) = delete;

  // A spare object, or a new (default-constructed) one when none is left.
  std::unique_ptr<T> take() {
    if (idle_.empty()) {
      low_water_ = 0;
      return std::make_unique<T>();
    }
    std::unique_ptr<T> object = std::move(idle_.back());
    idle_.pop_back();
    low_water_ = std::min(low_water_, idle_.size());
    return object;
  }

  void give_back(std::unique_ptr<T> object) {
    if (object) idle_.push_back(std::move(object));
  }

  // Frees the objects nobody took since the previous trim(); returns how many.
  size_t trim() {
    const size_t surplus = std::min(low_water_, idle_.size());
    // The oldest returns sit at the front: keep the recently used (warm) ones.
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(surplus));
    if (idle_.empty()) std::vector<std::unique_ptr<T>>().swap(idle_);  // and the slots
    low_water_ = idle_.size();
    return surplus;
  }

  size_t idle() const { return idle_.size(); }

 private:
  std::vector<std::unique_ptr<T>> idle_;
  size_t low_water_ = 0;  // fewest idle objects seen since the last trim()
};

}  // namespace wsrelay::common
