// TLS over a non-blocking socket: the one place OpenSSL does I/O.
//
// Every SSL_ERROR_WANT_READ / WANT_WRITE is turned into kWouldBlock plus the readiness the
// session needs (wants_read / wants_write), including the crossed cases — a read that needs the
// socket writable and a write that needs it readable — so the connection registers the right
// interest with the loop. Nothing here blocks.
#pragma once

#include "net/transport.hpp"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace wsrelay::net {

class TlsTransport final : public Transport {
 public:
  // Returns nullptr if OpenSSL cannot create a session for `fd`.
  static TlsTransport* create(SSL_CTX* context, int fd);
  ~TlsTransport() override;

  IoResult read(int fd, uint8_t* buffer, size_t capacity) override;
  IoResult writev(int fd, const iovec* iov, int count) override;
  IoResult handshake(int fd) override;
  bool wants_write() const override { return read_wants_write_ || handshake_wants_write_; }
  bool wants_read() const override { return write_wants_read_; }
  bool has_buffered_input() const override;
  void shutdown_write(int fd) override;
  void release() override;
  bool is_tls() const override { return true; }

 private:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  SSL* ssl_;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  bool handshake_wants_write_ = false;
};

}  // namespace wsrelay::net
