// NoticeBatches: the join/leave notices of rooms in `batched` mode (NoticeMode::kBatched) that
// wait for the end of the event-loop iteration, one batch per room in the order of each
// room's first notice. Pure bookkeeping: JsonProtocol decides what to write when it flushes
// (docs/protocol.md, "Join and leave notices").
//
// Memory is bounded however many clients join in one iteration: a batch keeps the entries
// only up to `list_limit` and afterwards just counts, because past that the event carries
// counts, not lists (every member would otherwise receive O(joins) bytes per iteration, which
// is the quadratic cost the batching exists to avoid).
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace wsrelay::app {

struct NoticeEntry {
  bool joined = true;         // false: left
  bool disconnected = false;  // left because the connection is gone (reason "disconnected")
  std::string client_id;
  std::string user_id;    // empty without an identity
  std::string user_info;  // serialized JSON object from the token, or empty
};

struct NoticeBatch {
  std::vector<NoticeEntry> entries;  // complete while !truncated
  size_t joined = 0;
  size_t left = 0;
  bool truncated = false;  // more notices than the list limit: only the counts are exact
  size_t total() const { return joined + left; }
};

class NoticeBatches {
 public:
  // Adds a notice for `room`. Returns true when it is the first pending notice of any room
  // (the caller then asks its Host to run the flush after this iteration).
  bool add(std::string_view room, NoticeEntry entry, size_t list_limit) {
    const bool first = batches_.empty();
    auto [it, inserted] = index_.try_emplace(std::string(room), batches_.size());
    if (inserted) batches_.emplace_back(it->first, NoticeBatch{});
    NoticeBatch& batch = batches_[it->second].second;
    (entry.joined ? batch.joined : batch.left) += 1;
    // At least one entry is always kept: a batch of one is written as the plain event.
    if (!batch.truncated && batch.entries.size() < std::max<size_t>(list_limit, 1)) {
      batch.entries.push_back(std::move(entry));
    } else {
      batch.truncated = true;
    }
    return first;
  }

  // Removes and returns the batch of `room` (empty when it has none).
  NoticeBatch take(std::string_view room) {
    auto it = index_.find(std::string(room));
    if (it == index_.end()) return {};
    const size_t position = it->second;
    NoticeBatch batch = std::move(batches_[position].second);
    index_.erase(it);
    batches_.erase(batches_.begin() + static_cast<std::ptrdiff_t>(position));
    for (auto& [name, at] : index_) {
      if (at > position) --at;
    }
    return batch;
  }

  // Removes and returns every batch, oldest room first.
  std::vector<std::pair<std::string, NoticeBatch>> take_all() {
    index_.clear();
    return std::exchange(batches_, {});
  }

  bool empty() const { return batches_.empty(); }

 private:
  std::vector<std::pair<std::string, NoticeBatch>> batches_;
  std::unordered_map<std::string, size_t> index_;  // room name -> position in batches_
};

}  // namespace wsrelay::app
