// permessage-deflate data transform (RFC 7692 §7.2): zlib raw DEFLATE over caller-owned
// buffers, no I/O.
//
// Deflater compresses one whole message at a time (§7.2.1): DEFLATE, flush to a byte
// boundary with an empty stored block (Z_SYNC_FLUSH), then drop that block's 4-octet tail
// 00 00 ff ff, which the receiver adds back. With no context takeover the stream is reset
// after the message, so the next one does not refer back to it (§7.1.1).
//
// Inflater is driven piece by piece, the way payload arrives: inflate(in, out) uses as much
// input as it can and stops when the input is used up or the caller's output span is full,
// reporting both counts (zlib's avail_in/avail_out, made explicit). The caller owns the output
// and decides how much room to give, which is what makes inflate bounded: a reader never
// offers more room than max_message_size allows, so a decompression bomb stops at the cap
// instead of after it (see MessageReader). At the end of a message the caller inflates
// kDeflateTail (§7.2.2).
//
// zlib's own allocations are counted (zlib_bytes_in_use()) so that tests and /metrics can show
// what compression costs in memory. Single-threaded, like the rest of the server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

namespace wsrelay::ws {

// §7.2.2: appended to a message's payload before inflating it.
inline constexpr uint8_t kDeflateTail[4] = {0x00, 0x00, 0xff, 0xff};

// Bytes currently allocated by zlib for every Deflater and Inflater of the process.
size_t zlib_bytes_in_use();

class Deflater {
 public:
  // `window_bits` 9..15 (zlib cannot write raw streams with an 8-bit window); `mem_level` 1..9
  // sizes the hash table (zlib's default is 8). Memory: about 2^(window_bits+2) +
  // 2^(mem_level+9) bytes plus 6 KiB, allocated here and held until destruction.
  Deflater(uint8_t window_bits, uint8_t mem_level);
  ~Deflater();
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // False when zlib could not allocate its state (the caller then sends uncompressed).
  bool ok() const { return stream_ != nullptr; }
  uint8_t window_bits() const { return window_bits_; }

  // Appends the compressed form of one whole message to `out` (grown as needed, its capacity
  // kept for the next call). With `reset_after`, the next message starts with an empty window
  // (no context takeover). Returns false if zlib failed; `out` is then restored to its size
  // on entry and the stream reset.
  bool compress_message(std::span<const uint8_t> message, std::vector<uint8_t>& out,
                        bool reset_after);

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  uint8_t window_bits_;
};

enum class InflateStatus : uint8_t {
  kOk,          // all of `in` used and `out` not full: give more input
  kOutputFull,  // `out` is full; call again with more room (input may remain)
  kError,       // the data is not valid DEFLATE (the stream is unusable until reset())
};

struct InflateStep {
  size_t consumed = 0;  // bytes of `in` used
  size_t produced = 0;  // bytes written to `out`
  InflateStatus status = InflateStatus::kOk;
};

class Inflater {
 public:
  // `window_bits` 9..15 (8 is read as 9): the client's window (a larger one is always safe).
  // Memory: about 2^window_bits bytes of window plus 7 KiB of state.
  explicit Inflater(uint8_t window_bits);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  bool ok() const { return stream_ != nullptr; }
  uint8_t window_bits() const { return window_bits_; }

  InflateStep inflate(std::span<const uint8_t> in, std::span<uint8_t> out);
  // Forget the window and any half-read block: the next input starts a new stream.
  void reset();

 private:
  struct Stream;
  std::unique_ptr<Stream> stream_;
  uint8_t window_bits_;
};

}  // namespace wsrelay::ws
