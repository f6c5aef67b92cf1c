#include "net/output_queue.hpp"

#include <algorithm>
#include <cstring>

namespace wsrelay::net {

void OutputQueue::push_shared(const common::SharedBytesRef& bytes) {
  if (bytes.size() == 0) return;
  bytes.get()->retain();
  chunks_.push_back(Chunk{bytes.get(), 0, static_cast<uint32_t>(bytes.size()), false});
  pending_ += bytes.size();
}

void OutputQueue::push_copy(const uint8_t* data, size_t length) {
  if (length == 0) return;
  pending_ += length;
  if (head_ < chunks_.size()) {
    Chunk& tail = chunks_.back();
    const size_t room = tail.owned ? tail.bytes->size() - tail.end : 0;
    if (room > 0) {
      const size_t n = std::min(room, length);
      std::memcpy(tail.bytes->data() + tail.end, data, n);
      tail.end += static_cast<uint32_t>(n);
      data += n;
      length -= n;
    }
  }
  if (length == 0) return;
  common::SharedBytes* block = common::SharedBytes::allocate(std::max(length, kOwnedBlockBytes));
  std::memcpy(block->data(), data, length);
  chunks_.push_back(Chunk{block, 0, static_cast<uint32_t>(length), true});
}

IoResult OutputQueue::flush(Transport& transport, int fd) {
  while (pending_ > 0) {
    iovec iov[kMaxIovecs];
    int count = 0;
    for (size_t i = head_; i < chunks_.size() && count < kMaxIovecs; ++i, ++count) {
      iov[count].iov_base = chunks_[i].bytes->data() + chunks_[i].begin;
      iov[count].iov_len = chunks_[i].end - chunks_[i].begin;
    }
    const IoResult result = transport.writev(fd, iov, count);
    if (result.status != IoResult::kOk) return result;
    size_t written = result.bytes;
    pending_ -= written;
    while (written > 0) {
      Chunk& chunk = chunks_[head_];
      const size_t in_chunk = chunk.end - chunk.begin;
      if (written < in_chunk) {
        chunk.begin += static_cast<uint32_t>(written);
        break;
      }
      written -= in_chunk;
      chunk.bytes->release();
      ++head_;
    }
    compact();
  }
  return {IoResult::kOk, 0, 0};
}

void OutputQueue::clear() {
  for (size_t i = head_; i < chunks_.size(); ++i) chunks_[i].bytes->release();
  chunks_.clear();
  head_ = 0;
  pending_ = 0;
  compact();
}

void OutputQueue::compact() {
  if (head_ == chunks_.size()) {
    chunks_.clear();
    head_ = 0;
    // An idle connection should not keep a large chunk table from a past burst.
    if (chunks_.capacity() > 16) chunks_.shrink_to_fit();
  } else if (head_ > 32 && head_ * 2 > chunks_.size()) {
    chunks_.erase(chunks_.begin(), chunks_.begin() + static_cast<std::ptrdiff_t>(head_));
    head_ = 0;
  }
}

}  // namespace wsrelay::net
