// Connection: readiness, the write path, timers and teardown. The HTTP phase lives in
// connection_http.cpp and the WebSocket message handling in connection_ws.cpp.
#include "server/connection.hpp"

#include <algorithm>

#include "net/tls_transport.hpp"
#include "server/server.hpp"

namespace wsrelay::server {

namespace {
// TLS: OpenSSL holds output it accepted but the socket has not taken yet, or needs a
// readiness to go on (see net/tls_transport.hpp). Plain TCP never does.
bool transport_busy(const net::Transport& transport) { return transport.wants_write() || transport.wants_read(); }
}  // namespace

Connection::Connection(Server& server, int fd, const net::PeerAddress& address, net::Transport* transport)
    : fd_(fd),
      server_(server),
      transport_(transport),
      last_activity_ms_(server.loop().now_ms()),
      address_(net::format_address(address)) {}

Connection::~Connection() {
  // A reader still held is mid-frame or terminal: not worth lending to anyone.
  if (queue_) {
    queue_->clear();
    server_.queue_pool().give_back(std::move(queue_));
  }
  transport_->release();
  net::close_fd(fd_);
}

std::string_view Connection::host() const {
  std::string_view text = address_;
  // "203.0.113.7 via 127.0.0.1:51234" (connection_forwarded.cpp): the client, without a port.
  if (const size_t via = text.find(kViaSeparator); via != std::string_view::npos) {
    text = text.substr(0, via);
    if (text.size() >= 2 && text.front() == '[') text = text.substr(1, text.size() - 2);
    return text;
  }
  const size_t colon = text.rfind(':');
  if (colon != std::string_view::npos) text = text.substr(0, colon);
  if (text.size() >= 2 && text.front() == '[') text = text.substr(1, text.size() - 2);
  return text;
}

void Connection::start() {
  state_ = transport_->is_tls() ? State::kHandshake : State::kHttp;
  if (state_ == State::kHttp) http_buffer_ = std::make_unique<std::string>();
  // The handshake timeout covers everything up to a complete upgrade request, TLS included.
  phase_ms_ = server_.loop().now_ms() + server_.options().handshake_timeout_ms;
  if (server_.loop().watch(fd_, this, true, false) != 0) {
    terminate(ws::close_code::kAbnormal, "epoll registration failed", Initiator::kServer);
    return;
  }
  reschedule();
}

void Connection::on_io(uint32_t events) {
  if (state_ == State::kClosed) return;
  if (state_ == State::kHandshake) {
    handle_transport_handshake();
    // The request may have arrived with the handshake's last flight: read it now.
    if (state_ == State::kHttp) handle_readable();
    return;
  }
  // A TLS write may wait for the socket to become readable (wants_read), and a TLS read for
  // it to become writable (wants_write): retry each on the other's readiness too.
  const bool readable = (events & net::io_event::kReadable) != 0;
  const bool writable = (events & net::io_event::kWritable) != 0;
  if (writable || (readable && transport_->wants_read())) flush();
  if (state_ == State::kClosed) return;
  if (readable || (writable && transport_->wants_write())) handle_readable();
}

void Connection::handle_transport_handshake() {
  const net::IoResult result = transport_->handshake(fd_);
  if (result.status == net::IoResult::kOk) {
    state_ = State::kHttp;
    http_buffer_ = std::make_unique<std::string>();
    update_interest();
    return;
  }
  if (result.status == net::IoResult::kWouldBlock) {
    update_interest();
    return;
  }
  // Plain HTTP, garbage, an old protocol version, no common cipher, or a peer that hung up:
  // OpenSSL's reason goes to the observer (logged at debug level: scanners are common).
  server_.stats().count(Reject::kTlsHandshake);
  server_.observer().on_reject(address_, Reject::kTlsHandshake,
                               "TLS handshake failed: " + net::tls_failure_text(result.error));
  terminate(ws::close_code::kTlsHandshake, "TLS handshake failed", Initiator::kNetwork);
}

void Connection::handle_readable() {
  // TLS may hold decrypted bytes the socket no longer signals: read until it has none, within
  // a bound so one connection cannot monopolise the loop.
  for (int round = 0; round < 16 && state_ != State::kClosed; ++round) {
    if (!read_once()) return;
    if (!transport_->has_buffered_input()) return;
  }
}

// One read and its processing. Returns false when there is nothing more to read now.
bool Connection::read_once() {
  std::span<uint8_t> buffer = server_.receive_buffer();
  const net::IoResult result = transport_->read(fd_, buffer.data(), buffer.size());
  if (result.status == net::IoResult::kWouldBlock) {
    update_interest();
    return false;
  }
  if (result.status != net::IoResult::kOk) {
    // The peer is gone. After a completed closing handshake that is the normal end;
    // otherwise the connection closed abnormally (1006, RFC 6455 §7.1.5).
    if (close_received_ || (close_sent_ && half_close_after_flush_)) {
      terminate(final_code_, final_reason(), initiator_);
    } else {
      terminate(ws::close_code::kAbnormal,
                result.status == net::IoResult::kClosed ? "connection closed by peer" : "connection reset",
                Initiator::kNetwork);
    }
    return false;
  }
  last_activity_ms_ = server_.loop().now_ms();
  if (fail_input_) return true;  // waiting for the peer to go away; its bytes no longer matter

  server_.cork(this);
  if (state_ == State::kHttp) {
    http_buffer_->append(reinterpret_cast<const char*>(buffer.data()), result.bytes);
    process_http();
  } else if (state_ == State::kOpen || state_ == State::kClosing) {
    process_websocket(buffer.first(result.bytes));
  }
  server_.uncork();
  return true;
}

// ---- write path -----------------------------------------------------------------------

net::OutputQueue& Connection::queue() {
  if (!queue_) queue_ = server_.queue_pool().take();
  return *queue_;
}

void Connection::return_queue_if_empty() {
  if (queue_ && queue_->empty()) server_.queue_pool().give_back(std::move(queue_));
}

void Connection::write_raw(const uint8_t* data, size_t length) {
  if (state_ == State::kClosed || length == 0) return;
  if (server_.is_corked(this) && queue_empty()) {
    if (server_.cork_append(data, length)) return;
    server_.flush_cork();
    if (queue_empty() && server_.cork_append(data, length)) return;
    if (queue_empty()) {
      write_now(data, length);
      return;
    }
  }
  queue().push_copy(data, length);
  after_queue_grew();
}

void Connection::write_now(const uint8_t* data, size_t length) {
  if (state_ == State::kClosed || length == 0) return;
  if (queue_empty()) {
    iovec iov{const_cast<uint8_t*>(data), length};
    const net::IoResult result = transport_->writev(fd_, &iov, 1);
    if (result.status == net::IoResult::kOk) {
      data += result.bytes;
      length -= result.bytes;
      if (length == 0) {
        if (transport_busy(*transport_)) update_interest();  // TLS holds the tail: await writable
        return;
      }
    } else if (result.status != net::IoResult::kWouldBlock) {
      terminate(ws::close_code::kAbnormal, "write failed", Initiator::kNetwork);
      return;
    }
  }
  // The socket is full: keep the rest and wait for writability.
  queue().push_copy(data, length);
  update_interest();
  after_queue_grew();
}

void Connection::write_frame(ws::Opcode opcode, std::span<const uint8_t> payload, bool compressed) {
  if (opcode != ws::Opcode::kClose && !has_output_room()) return;
  uint8_t header[ws::kMaxServerFrameHeader];
  const size_t header_size = ws::write_frame_header(header, opcode, payload.size());
  if (compressed) header[0] |= ws::kRsv1Bit;  // RFC 7692 §6
  if (server_.is_corked(this) && queue_empty()) {
    // The common case: the reply to a message just read leaves with the rest of this
    // iteration's output in one write. Header and payload must be appended together.
    if (server_.cork_size() + header_size + payload.size() <= server_.cork_capacity()) {
      server_.cork_append(header, header_size);
      server_.cork_append(payload.data(), payload.size());
      return;
    }
    server_.flush_cork();
  }
  write_raw(header, header_size);
  write_raw(payload.data(), payload.size());
}

bool Connection::has_output_room() {
  // The cap is checked before a message is added, so one message larger than the cap can
  // still be sent to a client that keeps up: memory per connection stays below
  // max_pending_output + max_message_size.
  if (queued_bytes() <= server_.options().max_pending_output || close_sent_) return true;
  // A client that cannot keep up is closed, never fed partial data: nothing more is queued,
  // what is already queued (whole frames) is followed by Close 1008 (RFC 6455 §7.4.1), and
  // the close timeout bounds how long we wait for the client to read it.
  server_.stats().count(Reject::kSlowConsumer);
  server_.observer().on_reject(address_, Reject::kSlowConsumer, "pending output over max_pending_output");
  set_final(ws::close_code::kPolicyViolation, ws::close_reason::kSlowConsumer, Initiator::kServer);
  fail_input_ = true;
  half_close_after_flush_ = true;
  send_close_frame(ws::close_code::kPolicyViolation, ws::close_reason::kSlowConsumer);
  return false;
}

void Connection::after_queue_grew() {
  if (queue_empty() || state_ == State::kClosed) return;
  if (!server_.is_corked(this)) server_.mark_dirty(this);
}

void Connection::flush() {
  if (state_ == State::kClosed || state_ == State::kHandshake) return;
  net::IoResult result{net::IoResult::kOk, 0, 0};
  if (!queue_empty()) {
    result = queue_->flush(*transport_, fd_);
  } else if (transport_busy(*transport_)) {
    result = transport_->writev(fd_, nullptr, 0);  // TLS: push on the record OpenSSL holds
  }
  if (result.status == net::IoResult::kClosed || result.status == net::IoResult::kError) {
    terminate(ws::close_code::kAbnormal, "write failed", Initiator::kNetwork);
    return;
  }
  after_flush();
}

void Connection::after_flush() {
  if (state_ == State::kClosed) return;
  return_queue_if_empty();
  // Closing waits for the transport too: a TLS record it still holds may carry our Close.
  if (queue_empty() && !transport_busy(*transport_)) {
    if (close_after_flush_) {
      // RFC 6455 §7.1.1: once both Close frames are exchanged the server closes TCP first.
      terminate(final_code_, final_reason(), initiator_);
      return;
    }
    if (half_close_after_flush_ && !half_closed_) {
      // Failing: our last words are written; send FIN and wait for the peer to hang up.
      transport_->shutdown_write(fd_);
      half_closed_ = true;
    }
  }
  update_interest();
}

void Connection::update_interest() {
  if (state_ == State::kClosed) return;
  const bool want_write = !queue_empty() || transport_->wants_write();
  const bool want_read = true;
  if (want_write == want_write_ && want_read == want_read_) return;
  want_write_ = want_write;
  want_read_ = want_read;
  server_.loop().update(fd_, this, want_read, want_write);
}

// ---- closing --------------------------------------------------------------------------

void Connection::send_close_frame(uint16_t code, std::string_view reason) {
  if (close_sent_ || state_ == State::kClosed) return;
  uint8_t payload[ws::kMaxControlPayload];
  // 1005 means "no status": answer a Close that had no payload with an empty one (§7.4.1).
  const size_t length = code == ws::close_code::kNoStatus ? 0 : ws::write_close_payload(payload, code, reason);
  write_frame(ws::Opcode::kClose, {payload, length});
  close_sent_ = true;
  state_ = State::kClosing;
  phase_ms_ = server_.loop().now_ms() + server_.options().close_timeout_ms;
  reschedule();
}

void Connection::close(uint16_t code, std::string_view reason) {
  if (state_ != State::kOpen) return;
  set_final(code, reason, Initiator::kServer);
  send_close_frame(code, reason);
}

void Connection::fail_after_response() {
  fail_input_ = true;
  half_close_after_flush_ = true;
  phase_ms_ = server_.loop().now_ms() + server_.options().close_timeout_ms;
  reschedule();
  if (!server_.is_corked(this)) server_.mark_dirty(this);
}

void Connection::shutdown_gracefully() {
  if (state_ == State::kOpen) {
    close(ws::close_code::kGoingAway, ws::close_reason::kShuttingDown);
  } else if (state_ == State::kHttp || state_ == State::kHandshake) {
    terminate(ws::close_code::kGoingAway, ws::close_reason::kShuttingDown, Initiator::kServer);
  }
}

void Connection::set_final(uint16_t code, std::string_view reason, Initiator initiator) {
  final_code_ = code;
  initiator_ = initiator;
  if (final_reason_ && std::string_view(*final_reason_) == reason) return;  // already this text
  if (reason.empty()) {
    final_reason_.reset();
  } else if (final_reason_) {
    final_reason_->assign(reason);
  } else {
    final_reason_ = std::make_unique<std::string>(reason);
  }
}

void Connection::terminate(uint16_t code, std::string_view reason, Initiator initiator) {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  set_final(code, reason, initiator);
  server_.loop().timers().cancel(*this);
  server_.loop().unwatch(fd_);
  if (queue_) queue_->clear();
  return_queue_if_empty();
  http_buffer_.reset();
  if (upgraded_) {
    static constexpr std::string_view kInitiatorNames[] = {"network", "server", "client"};
    server_.observer().on_close(address_, final_code_, final_reason(),
                                kInitiatorNames[static_cast<size_t>(initiator_)]);
  }
  server_.on_terminated(this);
}

// ---- timers ---------------------------------------------------------------------------

void Connection::reschedule() {
  if (state_ == State::kClosed) return;
  const ServerOptions& options = server_.options();
  uint64_t deadline = UINT64_MAX;
  if (state_ == State::kOpen) {
    // phase_ms_: when the outstanding Ping was sent, or when the next one is due.
    if (ping_outstanding_) deadline = std::min(deadline, phase_ms_ + options.ping_timeout_ms);
    else if (options.ping_interval_ms > 0) deadline = std::min(deadline, phase_ms_);
    if (options.idle_timeout_ms > 0) deadline = std::min(deadline, last_activity_ms_ + options.idle_timeout_ms);
  } else {
    deadline = phase_ms_;
  }
  if (deadline == UINT64_MAX) {
    server_.loop().timers().cancel(*this);
  } else {
    server_.loop().timers().schedule_at(*this, deadline);
  }
}

void Connection::on_timer() {
  const uint64_t now = server_.loop().now_ms();
  const ServerOptions& options = server_.options();
  switch (state_) {
    case State::kHandshake:
    case State::kHttp:
      if (now < phase_ms_) break;
      if (fail_input_ || (served_request_ && http_buffer_ && http_buffer_->empty())) {
        // An idle keep-alive connection, or one we already answered with an error.
        terminate(ws::close_code::kAbnormal, "HTTP connection closed", Initiator::kServer);
        return;
      }
      server_.stats().count(Reject::kHandshakeTimeout);
      server_.observer().on_reject(address_, Reject::kHandshakeTimeout, "no complete request in time");
      if (state_ == State::kHandshake) {
        terminate(ws::close_code::kAbnormal, "handshake timeout", Initiator::kServer);
        return;
      }
      server_.cork(this);
      respond_http(408, "request timeout\n", true);
      server_.uncork();
      return;
    case State::kOpen:
      if (ping_outstanding_ && now >= phase_ms_ + options.ping_timeout_ms) {
        // A peer that does not answer a Ping is gone (or hopelessly slow): drop it.
        server_.stats().count(Reject::kPongTimeout);
        server_.observer().on_reject(address_, Reject::kPongTimeout, "no pong within ping_timeout");
        terminate(ws::close_code::kAbnormal, ws::close_reason::kPongTimeout, Initiator::kServer);
        return;
      }
      if (options.idle_timeout_ms > 0 && now >= last_activity_ms_ + options.idle_timeout_ms) {
        server_.stats().count(Reject::kIdleTimeout);
        close(ws::close_code::kGoingAway, ws::close_reason::kIdleTimeout);
        return;
      }
      if (options.ping_interval_ms > 0 && !ping_outstanding_ && now >= phase_ms_) {
        write_frame(ws::Opcode::kPing, {});
        ping_outstanding_ = true;
        phase_ms_ = now;  // the Pong is due by now + ping_timeout
        ++server_.stats().pings_sent;
      }
      break;
    case State::kClosing:
      if (now >= phase_ms_) {
        // RFC 6455 §7.1.1: a peer that never answers our Close is dropped after a while.
        terminate(final_code_, final_reason(), initiator_);
        return;
      }
      break;
    case State::kClosed:
      return;
  }
  reschedule();
}

}  // namespace wsrelay::server
