#include "net/tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>

#include "net/tls_sniff.hpp"

namespace wsrelay::net {

namespace {

// One TLS record carries at most 16 KiB of plaintext (RFC 8446 §5.1, RFC 5246 §6.2.1). Each
// SSL_write gets at most one record's worth, so a write that blocks leaves at most this much
// for us to hold, and small frames are gathered up to this size so that a burst of them
// becomes one record, not one record (and 22+ bytes of overhead) per frame.
constexpr size_t kRecordBytes = 16 * 1024;

// tls_failure_text() code for an error outside libssl's own reasons.
constexpr int kOtherFailure = INT_MAX;

// The failure code of a handshake that failed with `ssl_error` (see tls_failure_text).
int failure_code(int ssl_error) {
  const unsigned long code = ERR_peek_error();
  if (code != 0) return ERR_GET_LIB(code) == ERR_LIB_SSL ? ERR_GET_REASON(code) : kOtherFailure;
  if (ssl_error == SSL_ERROR_SYSCALL) return errno != 0 ? -errno : 0;
  if (ssl_error == SSL_ERROR_ZERO_RETURN) return 0;
  return kOtherFailure;
}

// Moves the (index, offset) cursor over `count` iovecs forward by `bytes`.
void advance(const iovec* iov, int count, int& index, size_t& offset, size_t bytes) {
  while (bytes > 0 && index < count) {
    const size_t left = iov[index].iov_len - offset;
    if (bytes < left) {
      offset += bytes;
      return;
    }
    bytes -= left;
    ++index;
    offset = 0;
  }
}

}  // namespace

std::string tls_failure_text(int error) {
  if (error == 0) return "peer closed the connection";
  if (error < 0) return std::strerror(-error);
  if (error == kPlainTextOnTlsPort) return "plain HTTP on the TLS port (answered 400: use https)";
  if (error != kOtherFailure) {
    const unsigned long code = (static_cast<unsigned long>(ERR_LIB_SSL) << ERR_LIB_OFFSET) |
                               static_cast<unsigned long>(error);
    if (const char* text = ERR_reason_error_string(code)) return text;
  }
  return "TLS protocol error";
}

TlsTransport* TlsTransport::create(SSL_CTX* context, int fd) {
  SSL* ssl = SSL_new(context);  // takes a reference on the context: a reload cannot free it
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return new TlsTransport(ssl);
}

TlsTransport* TlsTransport::create_client(SSL_CTX* context, int fd, const std::string& host, bool host_is_ip) {
  SSL* ssl = SSL_new(context);
  if (ssl == nullptr) return nullptr;
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  // SSL_set_tlsext_host_name() is a macro with an old-style cast; this is what it expands to.
  const bool named = host_is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) == 1
                                : SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                                           const_cast<char*>(host.c_str())) == 1 &&
                                      SSL_set1_host(ssl, host.c_str()) == 1;
  if (!named || SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    ERR_clear_error();
    return nullptr;
  }
  SSL_set_connect_state(ssl);
  auto* transport = new TlsTransport(ssl);
  // A client speaks first (its ClientHello): there is nothing of the server's to sniff, and
  // waiting for it would deadlock the handshake.
  transport->first_bytes_seen_ = true;
  return transport;
}

TlsTransport::~TlsTransport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsTransport::release() {
  // A healthy session says goodbye with close_notify (RFC 8446 §6.1), so the peer can tell our
  // orderly close from a truncated stream. One non-blocking attempt: if the socket cannot take
  // the alert now, the close goes on without it. Not after a fatal error (OpenSSL forbids it),
  // not while OpenSSL holds an unsent record of ours, and not twice.
  if (!failed_ && !shutdown_sent_ && held_begin_ == held_end_ && SSL_is_init_finished(ssl_)) {
    ERR_clear_error();
    SSL_shutdown(ssl_);
    ERR_clear_error();
  }
  delete this;
}

IoResult TlsTransport::handshake(int fd) {
  if (!first_bytes_seen_) {
    // Plain HTTP sent to this port gets a readable 400 instead of a reset (tls_sniff.hpp).
    switch (sniff_client_hello(fd)) {
      case FirstBytes::kWaiting:
        return {IoResult::kWouldBlock, 0, 0};
      case FirstBytes::kPlainText:
        failed_ = true;
        return {IoResult::kError, 0, kPlainTextOnTlsPort};
      case FirstBytes::kTls:
        first_bytes_seen_ = true;
        break;
    }
  }
  handshake_wants_write_ = false;
  ERR_clear_error();
  errno = 0;  // SSL_ERROR_SYSCALL with errno 0 means the peer hung up
  const int rc = SSL_do_handshake(ssl_);
  if (rc == 1) return {IoResult::kOk, 0, 0};
  const int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_WANT_READ) return {IoResult::kWouldBlock, 0, 0};
  if (error == SSL_ERROR_WANT_WRITE) {
    handshake_wants_write_ = true;
    return {IoResult::kWouldBlock, 0, 0};
  }
  failed_ = true;
  const int code = failure_code(error);
  ERR_clear_error();
  return {IoResult::kError, 0, code};
}

IoResult TlsTransport::read(int, uint8_t* buffer, size_t capacity) {
  read_wants_write_ = false;
  if (deferred_.status != IoResult::kOk) return deferred_;
  size_t total = 0;
  // Drain every complete record the socket holds now: level-triggered readiness would not
  // report plaintext already buffered inside OpenSSL.
  while (total < capacity) {
    ERR_clear_error();
    errno = 0;  // as in handshake(): tells a hang-up from a socket error
    const int chunk = static_cast<int>(std::min<size_t>(capacity - total, INT_MAX));
    const int n = SSL_read(ssl_, buffer + total, chunk);
    if (n > 0) {
      total += static_cast<size_t>(n);
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ) {
      // The call that found the socket empty allocated a fresh 17 KiB read buffer first, which
      // SSL_MODE_RELEASE_BUFFERS does not free (it frees only after a record is consumed): an
      // idle connection would keep it for ever. Give it back now (SSL_free_buffers refuses
      // while any unprocessed byte is in it); the next readable socket borrows one again.
      SSL_free_buffers(ssl_);
      break;
    }
    if (error == SSL_ERROR_WANT_WRITE) {
      read_wants_write_ = true;
      break;
    }
    IoResult end{IoResult::kError, 0, error};
    if (error == SSL_ERROR_ZERO_RETURN) {
      end = {IoResult::kClosed, 0, 0};  // the peer's close_notify: an orderly end
    } else {
      // A reset, or TCP closed without close_notify (OpenSSL 3 reports the latter as
      // "unexpected eof while reading"): the session is dead either way.
      const unsigned long code = ERR_peek_error();
      const bool eof = (error == SSL_ERROR_SYSCALL && code == 0 && errno == 0) ||
                       (ERR_GET_LIB(code) == ERR_LIB_SSL && ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING);
      if (eof) end = {IoResult::kClosed, 0, 0};
      failed_ = true;
      ERR_clear_error();
    }
    if (total == 0) return end;
    // Report the data now and the end on the next read, which has_buffered_input() asks
    // for at once (the socket may never signal readable again).
    deferred_ = end;
    break;
  }
  if (total == 0) return {IoResult::kWouldBlock, 0, 0};
  return {IoResult::kOk, total, 0};
}

bool TlsTransport::has_buffered_input() const {
  return deferred_.status != IoResult::kOk || SSL_pending(ssl_) > 0;
}

bool TlsTransport::wants_write() const {
  return read_wants_write_ || handshake_wants_write_ || write_wants_write_;
}

bool TlsTransport::take_blocked_write(int ssl_error, const uint8_t* data, size_t length) {
  if (ssl_error != SSL_ERROR_WANT_WRITE && ssl_error != SSL_ERROR_WANT_READ) {
    failed_ = true;
    ERR_clear_error();
    return false;
  }
  // OpenSSL has encrypted (part of) these bytes and must be given the same bytes again;
  // keep them, since the caller's copy may be gone by then.
  if (!held_) held_ = std::make_unique<uint8_t[]>(kRecordBytes);
  std::memcpy(held_.get(), data, length);
  held_begin_ = 0;
  held_end_ = length;
  write_wants_write_ = ssl_error == SSL_ERROR_WANT_WRITE;
  write_wants_read_ = ssl_error == SSL_ERROR_WANT_READ;
  return true;
}

IoResult TlsTransport::write_held() {
  write_wants_write_ = false;
  write_wants_read_ = false;
  while (held_begin_ < held_end_) {
    ERR_clear_error();
    // Same bytes and length as the call that blocked (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER
    // allows the new address); after a partial success the rest is a new write.
    const int n = SSL_write(ssl_, held_.get() + held_begin_, static_cast<int>(held_end_ - held_begin_));
    if (n > 0) {
      held_begin_ += static_cast<size_t>(n);
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) {
      write_wants_write_ = error == SSL_ERROR_WANT_WRITE;
      write_wants_read_ = error == SSL_ERROR_WANT_READ;
      return {IoResult::kWouldBlock, 0, 0};
    }
    failed_ = true;
    ERR_clear_error();
    return {IoResult::kError, 0, error};
  }
  held_begin_ = held_end_ = 0;
  held_.reset();  // 16 KiB per blocked connection only while it is blocked
  return {IoResult::kOk, 0, 0};
}

IoResult TlsTransport::writev(int, const iovec* iov, int count) {
  if (failed_) return {IoResult::kError, 0, 0};
  // Bytes already accepted go first; new ones wait behind them.
  const IoResult held = write_held();
  if (held.status != IoResult::kOk || count == 0) return held;

  uint8_t gather[kRecordBytes];
  size_t total = 0;
  int index = 0;
  size_t offset = 0;
  while (index < count) {
    if (offset == iov[index].iov_len) {
      ++index;
      offset = 0;
      continue;
    }
    const uint8_t* data = static_cast<const uint8_t*>(iov[index].iov_base) + offset;
    const size_t left = iov[index].iov_len - offset;
    size_t length = std::min(left, kRecordBytes);
    if (left < kRecordBytes && index + 1 < count) {
      // Small pieces (frame headers, short messages) share one record: gather up to a full
      // record across the following iovecs.
      length = 0;
      for (int i = index; i < count && length < kRecordBytes; ++i) {
        const size_t from = i == index ? offset : 0;
        const size_t take = std::min(iov[i].iov_len - from, kRecordBytes - length);
        std::memcpy(gather + length, static_cast<const uint8_t*>(iov[i].iov_base) + from, take);
        length += take;
      }
      data = gather;
    }
    ERR_clear_error();
    const int n = SSL_write(ssl_, data, static_cast<int>(length));
    if (n > 0) {
      total += static_cast<size_t>(n);
      advance(iov, count, index, offset, static_cast<size_t>(n));
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (take_blocked_write(error, data, length)) {
      total += length;  // ours now: they leave with the next writev (see the header)
      break;
    }
    if (total > 0) break;  // failed_ is set: the next call reports the error
    return {IoResult::kError, 0, error};
  }
  if (total == 0) return {IoResult::kWouldBlock, 0, 0};
  return {IoResult::kOk, total, 0};
}

void TlsTransport::shutdown_write(int fd) {
  // close_notify, then FIN: the same "no more from us" that TCP's shutdown(SHUT_WR) says,
  // at both layers. The connection calls this only once everything queued has left.
  if (failed_ || shutdown_sent_ || held_begin_ != held_end_ || !SSL_is_init_finished(ssl_)) return;
  shutdown_sent_ = true;
  ERR_clear_error();
  const int rc = SSL_shutdown(ssl_);  // 0: our close_notify is out (the peer's not yet read)
  ERR_clear_error();
  if (rc >= 0) ::shutdown(fd, SHUT_WR);
}

}  // namespace wsrelay::net
