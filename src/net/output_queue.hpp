// A connection's bounded queue of bytes waiting for the socket to accept them.
//
// Chunks reference common::SharedBytes blocks, so a broadcast frame queued on ten thousand
// connections is one block with ten thousand references, not ten thousand copies. Bytes that
// belong to one connection only are copied into a block the queue owns, appending to the last
// one while it has room. flush() hands everything pending to the transport in one writev, so a
// connection's queued frames leave with one syscall per loop iteration.
//
// The queue never drops bytes: chunk boundaries are not frame boundaries, so the only safe
// ways to end are to write everything or to abandon the connection (clear()). Capacity policy
// (the cap and what happens past it) belongs to the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "common/shared_bytes.hpp"
#include "net/transport.hpp"

namespace wsrelay::net {

class OutputQueue {
 public:
  static constexpr size_t kOwnedBlockBytes = 4096;
  static constexpr int kMaxIovecs = 64;

  OutputQueue() = default;
  OutputQueue(const OutputQueue&) = delete;
  OutputQueue& operator=(const OutputQueue&) = delete;
  ~OutputQueue() { clear(); }

  void push_shared(const common::SharedBytesRef& bytes);
  void push_copy(const uint8_t* data, size_t length);

  bool empty() const { return pending_ == 0; }
  size_t pending_bytes() const { return pending_; }

  // Write as much as the transport accepts. kOk: everything written. kWouldBlock: some bytes
  // remain (wait for writability). kClosed/kError: the connection is broken.
  IoResult flush(Transport& transport, int fd);

  void clear();

 private:
  struct Chunk {
    common::SharedBytes* bytes;
    uint32_t begin;  // first unwritten byte
    uint32_t end;    // one past the last byte in use
    bool owned;      // ours alone: push_copy may append into it
  };
  void compact();

  std::vector<Chunk> chunks_;
  size_t head_ = 0;
  size_t pending_ = 0;
};

}  // namespace wsrelay::net
