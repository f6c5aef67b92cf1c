// Connection, WebSocket phase: what the MessageReader reports, and the Peer interface the
// application sends through.
#include "server/connection.hpp"
#include "server/server.hpp"

namespace wsrelay::server {

void Connection::process_websocket(std::span<uint8_t> bytes) {
  // A connection holds a reader only between reads that end inside a frame (or after the
  // reader closed or failed). Otherwise one is borrowed for this read and given back at rest,
  // so idle connections keep no parser state. It is reset on loan: limits may have changed.
  if (!reader_) {
    reader_ = server_.reader_pool().take();
    reader_->reset(reader_limits());
  }
  // The reader calls back into on_message/on_ping/on_pong/on_close/on_protocol_error. The
  // connection is never freed inside those callbacks (see connection.hpp), so reader_ lives on.
  reader_->feed(bytes, *this);
  // A reader whose Inflater holds the client's compression context is not at rest in that
  // sense: it stays (dedicated mode only; see connection_deflate.cpp).
  if (reader_->at_rest() && !keeps_inflate_context()) server_.reader_pool().give_back(std::move(reader_));
}

bool Connection::on_message(ws::MessageKind kind, std::span<const uint8_t> payload) {
  ServerStats& stats = server_.stats();
  ++stats.messages_in;
  stats.bytes_in += payload.size();
  if (deflate_ != 0) note_message_in(*reader_, payload.size());
  // After we sent Close, data frames still arriving are read (to find the peer's Close) but
  // not acted upon (RFC 6455 §5.5.1).
  if (state_ != State::kOpen) return true;
  server_.application().on_message(
      *this, kind == ws::MessageKind::kText ? app::PayloadKind::kText : app::PayloadKind::kBinary, payload);
  return state_ != State::kClosed;
}

bool Connection::on_ping(std::span<const uint8_t> payload) {
  // §5.5.2: answer with a Pong carrying the same application data, unless we already sent
  // our Close (nothing may follow it).
  if (!close_sent_) write_frame(ws::Opcode::kPong, payload);
  return state_ != State::kClosed;
}

bool Connection::on_pong(std::span<const uint8_t>) {
  // §5.5.3: unsolicited Pongs are allowed and need no answer; any Pong proves liveness.
  if (ping_outstanding_) {
    ping_outstanding_ = false;
    phase_ms_ += server_.options().ping_interval_ms;  // one interval after the last Ping
  }
  return true;
}

void Connection::on_close(uint16_t code, std::string_view reason) {
  close_received_ = true;
  if (!close_sent_) {
    // The client started the closing handshake: echo its code (§5.5.1).
    set_final(code, reason, Initiator::kClient);
    send_close_frame(code, reason);
  }
  close_after_flush_ = true;
}

void Connection::on_protocol_error(uint16_t code, std::string_view reason) {
  const Reject bucket = code == ws::close_code::kMessageTooBig ? Reject::kMessageTooBig : Reject::kProtocolError;
  server_.stats().count(bucket);
  server_.observer().on_reject(address_, bucket, reason);
  // The application may say why in its own protocol before the Close (a JSON `error` event).
  if (state_ == State::kOpen && !close_sent_) server_.application().on_protocol_error(*this, code, reason);
  if (close_sent_) {
    // Already closing: nothing more to say; wait for the peer to hang up.
    fail_input_ = true;
    half_close_after_flush_ = true;
    return;
  }
  // §7.1.7 "Fail the WebSocket Connection": send Close with the reason, stop reading frames,
  // and close once it is written and the peer hangs up (or the close timeout passes).
  set_final(code, reason, Initiator::kServer);
  fail_input_ = true;
  half_close_after_flush_ = true;
  send_close_frame(code, reason);
}

void Connection::send(app::PayloadKind kind, std::string_view payload) {
  if (state_ != State::kOpen) return;
  ServerStats& stats = server_.stats();
  ++stats.messages_out;
  stats.bytes_out += payload.size();
  const ws::Opcode opcode = kind == app::PayloadKind::kText ? ws::Opcode::kText : ws::Opcode::kBinary;
  const std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  if (compresses(payload.size())) {
    // The room check first: no CPU spent compressing for a client about to be closed (1008).
    if (!has_output_room()) return;
    if (write_compressed(opcode, bytes)) return;
  }
  write_frame(opcode, bytes);
}

void Connection::send_prepared(const app::PreparedMessage& message) {
  if (state_ != State::kOpen || !message.bytes || !has_output_room()) return;
  ServerStats& stats = server_.stats();
  ++stats.messages_out;
  stats.bytes_out += message.payload_size;
  if (deflate_ != 0 && send_prepared_compressed(message)) return;
  push_shared_frame(message.bytes);
}

void Connection::push_shared_frame(const common::SharedBytesRef& frame) {
  if (server_.is_corked(this) && queue_empty()) {
    // Small shared frames join the cork buffer (one write for the whole iteration).
    if (server_.cork_append(frame.data(), frame.size())) return;
    server_.flush_cork();
  }
  // Otherwise share the bytes: a broadcast to N peers is N references to one block.
  queue().push_shared(frame);
  after_queue_grew();
}

}  // namespace wsrelay::server
