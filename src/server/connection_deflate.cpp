// Connection, permessage-deflate (RFC 7692): negotiation at the upgrade, the reader's
// decompression settings, and the compressed send path. See docs/deflate.md.
//
// Memory per connection, by mode (the point of the design):
//  - shared: three bytes of negotiated parameters. Compression uses the loop's Deflater;
//    the Inflater travels with the pooled MessageReader, lent only while a message is being
//    read, because the client was asked for client_no_context_takeover.
//  - dedicated: when the client keeps its context, the reader (with its Inflater window) stays
//    with the connection; when we keep ours, the connection owns a Deflater.
#include "server/connection.hpp"
#include "server/server.hpp"
#include "ws/deflate_negotiation.hpp"

namespace wsrelay::server {

namespace {
constexpr uint8_t kDeflateOn = 1;
constexpr uint8_t kServerNoTakeover = 2;
constexpr uint8_t kClientNoTakeover = 4;
}  // namespace

std::string Connection::negotiate_compression(const ws::HttpRequest& request) {
  const ServerOptions& options = server_.options();
  if (options.compression == ServerOptions::Compression::kOff) return {};
  std::string_view offers[ws::kMaxHttpHeaders];
  size_t count = 0;
  for (size_t i = 0; i < request.header_count; ++i) {
    if (ws::equals_ignore_case(request.headers[i].name, "Sec-WebSocket-Extensions")) {
      offers[count++] = request.headers[i].value;
    }
  }
  if (count == 0) return {};
  const ws::DeflatePolicy policy{true, options.compression == ServerOptions::Compression::kShared,
                                 options.compression_window_bits};
  ws::DeflateNegotiation result = ws::negotiate_deflate({offers, count}, policy);
  if (result.outcome != ws::NegotiationOutcome::kAccepted) return {};
  deflate_ = kDeflateOn;
  if (result.params.server_no_context_takeover) deflate_ |= kServerNoTakeover;
  if (result.params.client_no_context_takeover) deflate_ |= kClientNoTakeover;
  deflate_server_bits_ = result.params.server_window_bits;
  deflate_client_bits_ = result.params.client_window_bits;
  ++server_.stats().deflate_connections;
  return std::move(result.response);
}

ws::ReaderLimits Connection::reader_limits() const {
  ws::ReaderLimits limits{server_.options().max_message_size, ws::Role::kServer, 0};
  if (deflate_ & kDeflateOn) {
    limits.allowed_rsv = 0b100;  // RFC 7692 §6: RSV1 marks a compressed message
    limits.deflate = true;
    limits.inflate_context_takeover = (deflate_ & kClientNoTakeover) == 0;
    limits.inflate_window_bits = deflate_client_bits_;
    // No ratio limit beyond DEFLATE's own (about 1032:1, RFC 1951's longest match for two
    // bits): highly repetitive legitimate messages come close to it, and the work per message is
    // already bounded by the inflated size cap above. The reader supports a stricter limit
    // (max_inflate_ratio) for embedders that want one.
    limits.max_inflate_ratio = 0;
  }
  return limits;
}

bool Connection::keeps_inflate_context() const {
  return (deflate_ & kDeflateOn) != 0 && (deflate_ & kClientNoTakeover) == 0;
}

bool Connection::compresses(size_t payload_size) const {
  return (deflate_ & kDeflateOn) != 0 && payload_size >= server_.options().compression_threshold;
}

void Connection::note_message_in(const ws::MessageReader& reader, size_t payload_size) {
  if (!reader.last_message_compressed()) return;
  ServerStats& stats = server_.stats();
  ++stats.deflate_messages_in;
  stats.deflate_bytes_in_wire += reader.last_message_wire_bytes();
  stats.deflate_bytes_in_plain += payload_size;
}

bool Connection::write_compressed(ws::Opcode opcode, std::span<const uint8_t> payload) {
  ws::Deflater* deflater = nullptr;
  const bool reset_after = (deflate_ & kServerNoTakeover) != 0;
  if (reset_after) {
    deflater = server_.shared_deflater(deflate_server_bits_);
  } else {
    // Dedicated mode, context takeover: our own window, created on the first message.
    if (!deflater_) {
      const uint8_t mem_level = static_cast<uint8_t>(deflate_server_bits_ - 7);  // 15 -> 8, 9 -> 2
      deflater_ = std::make_unique<ws::Deflater>(deflate_server_bits_, mem_level);
      if (!deflater_->ok()) deflater_.reset();
    }
    deflater = deflater_.get();
  }
  if (deflater == nullptr) return false;
  std::vector<uint8_t>& scratch = server_.deflate_scratch();
  scratch.clear();
  ++server_.stats().deflate_compressions;
  if (!deflater->compress_message(payload, scratch, reset_after)) {
    server_.trim_deflate_scratch();
    return false;
  }
  // Without context takeover a message that did not shrink may go out as it is; with it, the
  // client's window must see every message our compressor saw, so it is sent compressed.
  if (reset_after && scratch.size() >= payload.size()) {
    server_.trim_deflate_scratch();
    return false;
  }
  ServerStats& stats = server_.stats();
  ++stats.deflate_messages_out;
  stats.deflate_bytes_out_plain += payload.size();
  stats.deflate_bytes_out_wire += scratch.size();
  write_frame(opcode, scratch, true);
  server_.trim_deflate_scratch();
  return true;
}

bool Connection::send_prepared_compressed(const app::PreparedMessage& message) {
  if (!compresses(message.payload_size)) return false;
  if ((deflate_ & kServerNoTakeover) == 0) {
    // Our own context: this recipient's bytes are its own (dedicated mode).
    const uint8_t* frame = message.bytes.data();
    const std::span<const uint8_t> payload(frame + (message.bytes.size() - message.payload_size),
                                           message.payload_size);
    return write_compressed(static_cast<ws::Opcode>(frame[0] & 0x0F), payload);
  }
  const common::SharedBytesRef compressed = server_.compressed_frame(message, deflate_server_bits_);
  if (!compressed) return false;
  ServerStats& stats = server_.stats();
  ++stats.deflate_messages_out;
  stats.deflate_bytes_out_plain += message.payload_size;
  const uint8_t length7 = compressed.data()[1] & 0x7F;
  const size_t header_size = length7 < 126 ? 2 : length7 == 126 ? 4 : 10;
  stats.deflate_bytes_out_wire += compressed.size() - header_size;
  push_shared_frame(compressed);
  return true;
}

}  // namespace wsrelay::server
