#include "net/tls_transport.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wsrelay::net {

namespace {
// One TLS record carries at most 16 KiB of plaintext: gather small frames up to that size
// so a burst of small messages becomes one record, not one record per frame.
constexpr size_t kRecordBytes = 16 * 1024;
}  // namespace

TlsTransport* TlsTransport::create(SSL_CTX* context, int fd) {
  SSL* ssl = SSL_new(context);
  if (ssl == nullptr) return nullptr;
  if (SSL_set_fd(ssl, fd) != 1) {
    SSL_free(ssl);
    return nullptr;
  }
  SSL_set_accept_state(ssl);
  return new TlsTransport(ssl);
}

TlsTransport::~TlsTransport() {
  if (ssl_ != nullptr) SSL_free(ssl_);
}

void TlsTransport::release() { delete this; }

IoResult TlsTransport::handshake(int) {
  ERR_clear_error();
  const int rc = SSL_do_handshake(ssl_);
  handshake_wants_write_ = false;
  if (rc == 1) return {IoResult::kOk, 0, 0};
  const int error = SSL_get_error(ssl_, rc);
  if (error == SSL_ERROR_WANT_READ) return {IoResult::kWouldBlock, 0, 0};
  if (error == SSL_ERROR_WANT_WRITE) {
    handshake_wants_write_ = true;
    return {IoResult::kWouldBlock, 0, 0};
  }
  ERR_clear_error();
  return {IoResult::kError, 0, error};
}

IoResult TlsTransport::read(int, uint8_t* buffer, size_t capacity) {
  read_wants_write_ = false;
  size_t total = 0;
  // Drain every complete record the socket holds now: level-triggered readiness would not
  // report plaintext already buffered inside OpenSSL.
  while (total < capacity) {
    ERR_clear_error();
    const int chunk = static_cast<int>(std::min<size_t>(capacity - total, 1 << 30));
    const int n = SSL_read(ssl_, buffer + total, chunk);
    if (n > 0) {
      total += static_cast<size_t>(n);
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_READ) break;
    if (error == SSL_ERROR_WANT_WRITE) {
      read_wants_write_ = true;
      break;
    }
    if (total > 0) break;  // report the data now; the error shows up on the next read
    if (error == SSL_ERROR_ZERO_RETURN) return {IoResult::kClosed, 0, 0};
    if (error == SSL_ERROR_SYSCALL && errno == 0) return {IoResult::kClosed, 0, 0};
    ERR_clear_error();
    return {IoResult::kError, 0, error};
  }
  if (total == 0) return {IoResult::kWouldBlock, 0, 0};
  return {IoResult::kOk, total, 0};
}

bool TlsTransport::has_buffered_input() const { return SSL_pending(ssl_) > 0; }

IoResult TlsTransport::writev(int, const iovec* iov, int count) {
  write_wants_read_ = false;
  size_t total = 0;
  uint8_t gather[kRecordBytes];
  int index = 0;
  while (index < count) {
    // A large piece goes as it is; small ones are gathered into one record.
    const uint8_t* data;
    size_t length;
    int used = 1;
    if (iov[index].iov_len >= kRecordBytes || index + 1 == count) {
      data = static_cast<const uint8_t*>(iov[index].iov_base);
      length = iov[index].iov_len;
    } else {
      length = 0;
      used = 0;
      while (index + used < count && length + iov[index + used].iov_len <= kRecordBytes) {
        std::memcpy(gather + length, iov[index + used].iov_base, iov[index + used].iov_len);
        length += iov[index + used].iov_len;
        ++used;
      }
      if (used == 0) {  // the next piece alone does not fit the record: send it directly
        data = static_cast<const uint8_t*>(iov[index].iov_base);
        length = iov[index].iov_len;
        used = 1;
      } else {
        data = gather;
      }
    }
    ERR_clear_error();
    const int n = SSL_write(ssl_, data, static_cast<int>(std::min<size_t>(length, 1 << 30)));
    if (n > 0) {
      total += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < length) break;  // partial: the socket is full
      index += used;
      continue;
    }
    const int error = SSL_get_error(ssl_, n);
    if (error == SSL_ERROR_WANT_WRITE) break;
    if (error == SSL_ERROR_WANT_READ) {
      write_wants_read_ = true;
      break;
    }
    ERR_clear_error();
    if (total > 0) break;
    return {IoResult::kError, 0, error};
  }
  if (total == 0) return {IoResult::kWouldBlock, 0, 0};
  return {IoResult::kOk, total, 0};
}

void TlsTransport::shutdown_write(int) {
  // Send close_notify; we do not wait for the peer's (the TCP close follows).
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

}  // namespace wsrelay::net
