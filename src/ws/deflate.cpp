// permessage-deflate data transform (RFC 7692 §7.2). See deflate.hpp.
#include "ws/deflate.hpp"

#include <zlib.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <new>

namespace wsrelay::ws {

namespace {

size_t g_zlib_bytes = 0;

// zlib's allocator hooks, counting bytes. The size lives in a header before the block (zfree
// gets no size). max_align_t keeps zlib's structures aligned.
constexpr size_t kHeader = alignof(std::max_align_t);

voidpf counting_alloc(voidpf, uInt items, uInt size) {
  const size_t bytes = static_cast<size_t>(items) * size;
  auto* block = static_cast<unsigned char*>(std::malloc(kHeader + bytes));
  if (block == nullptr) return Z_NULL;
  *reinterpret_cast<size_t*>(static_cast<void*>(block)) = bytes;
  g_zlib_bytes += bytes;
  return block + kHeader;
}

void counting_free(voidpf, voidpf address) {
  if (address == Z_NULL) return;
  unsigned char* block = static_cast<unsigned char*>(address) - kHeader;
  g_zlib_bytes -= *reinterpret_cast<size_t*>(static_cast<void*>(block));
  std::free(block);
}

void init_allocator(z_stream& stream) {
  stream.zalloc = counting_alloc;
  stream.zfree = counting_free;
  stream.opaque = Z_NULL;
}

// zlib counts in uInt; a span may be longer. Feed at most this much per call.
constexpr size_t kMaxChunk = UINT_MAX;

}  // namespace

size_t zlib_bytes_in_use() {
  return g_zlib_bytes;
}

// ---- Deflater ---------------------------------------------------------------------------

struct Deflater::Stream {
  z_stream z{};
};

Deflater::Deflater(uint8_t window_bits, uint8_t mem_level)
    : window_bits_(std::clamp<uint8_t>(window_bits, 9, 15)) {
  auto stream = std::make_unique<Stream>();
  init_allocator(stream->z);
  // Negative window bits: raw DEFLATE, no zlib header or checksum (RFC 7692 §7.2.1).
  if (deflateInit2(&stream->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -static_cast<int>(window_bits_),
                   std::clamp<int>(mem_level, 1, 9), Z_DEFAULT_STRATEGY) == Z_OK) {
    stream_ = std::move(stream);
  }
}

Deflater::~Deflater() {
  if (stream_) deflateEnd(&stream_->z);
}

bool Deflater::compress_message(std::span<const uint8_t> message, std::vector<uint8_t>& out,
                                bool reset_after) {
  if (!stream_) return false;
  z_stream& z = stream_->z;
  const size_t start = out.size();
  // One deflateBound's worth is nearly always enough; the loop grows the buffer otherwise.
  // The bound is for a finished stream; the sync flush adds at most an empty stored block.
  size_t room = deflateBound(&z, static_cast<uLong>(std::min(message.size(), kMaxChunk))) + 16;
  const uint8_t* next = message.data();
  size_t left = message.size();
  size_t written = start;
  for (;;) {
    if (out.size() < written + room) out.resize(written + room);
    const size_t chunk = std::min(left, kMaxChunk);
    z.next_in = const_cast<Bytef*>(next);
    z.avail_in = static_cast<uInt>(chunk);
    const size_t out_room = std::min(out.size() - written, kMaxChunk);
    z.next_out = out.data() + written;
    z.avail_out = static_cast<uInt>(out_room);
    // Z_SYNC_FLUSH only once all input is in: it ends with the empty stored block whose
    // 00 00 ff ff tail §7.2.1 tells us to remove.
    const bool last = chunk == left;
    const int rc = deflate(&z, last ? Z_SYNC_FLUSH : Z_NO_FLUSH);
    const size_t used = chunk - z.avail_in;
    next += used;
    left -= used;
    written += out_room - z.avail_out;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out.resize(start);
      deflateReset(&z);
      return false;
    }
    // Done when all input is in and zlib had room to spare (so the flush is complete).
    if (left == 0 && last && z.avail_out != 0) break;
    room = std::max<size_t>(room, 4096);
    if (out.size() - written >= room) room *= 2;  // zlib filled what it had: give it more
  }
  out.resize(written);
  // A sync flush always ends with 00 00 ff ff; strip it (§7.2.1).
  if (written - start >= 4 && std::equal(out.end() - 4, out.end(), kDeflateTail))
    out.resize(written - 4);
  if (reset_after) deflateReset(&z);
  return true;
}

// ---- Inflater ---------------------------------------------------------------------------

struct Inflater::Stream {
  z_stream z{};
};

Inflater::Inflater(uint8_t window_bits) : window_bits_(std::clamp<uint8_t>(window_bits, 9, 15)) {
  auto stream = std::make_unique<Stream>();
  init_allocator(stream->z);
  // A window at least as large as the sender's is required. zlib-based senders asked for 8
  // bits really use 9 (zlib cannot deflate raw with 8), so 9 is our floor.
  if (inflateInit2(&stream->z, -static_cast<int>(window_bits_)) == Z_OK)
    stream_ = std::move(stream);
}

Inflater::~Inflater() {
  if (stream_) inflateEnd(&stream_->z);
}

void Inflater::reset() {
  if (stream_) inflateReset(&stream_->z);
}

InflateStep Inflater::inflate(std::span<const uint8_t> in, std::span<uint8_t> out) {
  InflateStep step;
  if (!stream_) {
    step.status = InflateStatus::kError;
    return step;
  }
  z_stream& z = stream_->z;
  while (step.produced < out.size()) {
    const size_t in_chunk = std::min(in.size() - step.consumed, kMaxChunk);
    const size_t out_chunk = std::min(out.size() - step.produced, kMaxChunk);
    z.next_in = const_cast<Bytef*>(in.data() + step.consumed);
    z.avail_in = static_cast<uInt>(in_chunk);
    z.next_out = out.data() + step.produced;
    z.avail_out = static_cast<uInt>(out_chunk);
    const int rc = ::inflate(&z, Z_SYNC_FLUSH);
    step.consumed += in_chunk - z.avail_in;
    step.produced += out_chunk - z.avail_out;
    if (rc == Z_STREAM_END) {
      // A block with BFINAL set ended the DEFLATE stream, which a sender may do (RFC 7692
      // §7.2.3.4). What follows (usually just the tail the reader appended) starts afresh.
      inflateReset(&z);
      continue;
    }
    if (rc == Z_BUF_ERROR) break;  // no progress possible: input used up (or output full)
    if (rc != Z_OK) {
      step.status = InflateStatus::kError;
      return step;
    }
    if (step.consumed == in.size() && z.avail_out != 0) break;  // all input taken, room left
  }
  if (step.produced == out.size() && !out.empty()) {
    // Full: there may be more output pending inside zlib even with no input left.
    step.status = InflateStatus::kOutputFull;
  }
  return step;
}

}  // namespace wsrelay::ws
