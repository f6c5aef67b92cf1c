// Server, permessage-deflate: the loop-wide compressors and the compressed form of prepared
// messages (RFC 7692; docs/deflate.md).
//
// Shared mode's promise is that an idle compressed connection costs no zlib memory: every
// connection that does not keep a compression context (server_no_context_takeover) uses the
// loop's one Deflater for its window size, reset after each message, so a message's
// compressed bytes never depend on who receives it. That is also what lets a broadcast be
// compressed once: the first recipient that needs the compressed frame builds it into the
// PreparedMessage, every later one shares the same bytes.
#include <cstring>

#include "server/server.hpp"
#include "ws/frame.hpp"

namespace wsrelay::server {

namespace {
// The scratch buffer keeps its capacity between messages, up to this much.
constexpr size_t kRetainedScratchBytes = 256 * 1024;
// zlib's default hash size: the shared compressor exists once per loop, so it can afford it.
constexpr uint8_t kSharedMemLevel = 8;
}  // namespace

ws::Deflater* Server::shared_deflater(uint8_t window_bits) {
  if (window_bits < 9 || window_bits > 15) return nullptr;
  std::unique_ptr<ws::Deflater>& slot = shared_deflaters_[window_bits - 9];
  if (!slot) {
    slot = std::make_unique<ws::Deflater>(window_bits, kSharedMemLevel);
    if (!slot->ok()) {
      slot.reset();  // out of memory: this message goes uncompressed, the next one retries
      return nullptr;
    }
  }
  return slot.get();
}

void Server::trim_deflate_scratch() {
  deflate_scratch_.clear();
  if (deflate_scratch_.capacity() > kRetainedScratchBytes)
    std::vector<uint8_t>().swap(deflate_scratch_);
}

common::SharedBytesRef Server::compressed_frame(const app::PreparedMessage& message,
                                                uint8_t window_bits) {
  if (message.compressed_window_bits == window_bits) return message.compressed;  // built already
  ws::Deflater* deflater = shared_deflater(window_bits);
  if (deflater == nullptr || !message.bytes) return {};
  const uint8_t* frame = message.bytes.data();
  const std::span<const uint8_t> payload(frame + (message.bytes.size() - message.payload_size),
                                         message.payload_size);
  const auto opcode = static_cast<ws::Opcode>(frame[0] & 0x0F);
  deflate_scratch_.clear();
  ++stats_.deflate_compressions;
  common::SharedBytesRef result;
  // A message that does not get smaller is sent as it is (RFC 7692 §6: compression is per
  // message, the sender's choice).
  if (deflater->compress_message(payload, deflate_scratch_, true) &&
      deflate_scratch_.size() < payload.size()) {
    const size_t header_size = ws::frame_header_size(deflate_scratch_.size(), false);
    common::SharedBytes* block =
        common::SharedBytes::allocate(header_size + deflate_scratch_.size());
    ws::write_frame_header(block->data(), opcode, deflate_scratch_.size());
    block->data()[0] |= ws::kRsv1Bit;  // §6: RSV1 on the (only) frame of a compressed message
    std::memcpy(block->data() + header_size, deflate_scratch_.data(), deflate_scratch_.size());
    result = common::SharedBytesRef::adopt(block);
  }
  trim_deflate_scratch();
  // Cache the first variant built (nearly every client uses the same window); a recipient
  // with another window gets its own compression.
  if (message.compressed_window_bits == 0) {
    message.compressed = result;
    message.compressed_window_bits = window_bits;
  }
  return result;
}

}  // namespace wsrelay::server
