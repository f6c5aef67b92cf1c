// TLS over a non-blocking socket: the one place OpenSSL does I/O.
//
// Every SSL_ERROR_WANT_READ / WANT_WRITE is turned into kWouldBlock plus the readiness the
// session needs (wants_read / wants_write), including the crossed cases — a read that needs the
// socket writable and a write that needs it readable — so the connection registers the right
// interest with the loop. Nothing here blocks.
//
// Write contract (what the connection relies on). OpenSSL requires a write that returned
// WANT_READ/WANT_WRITE to be retried with the same bytes: it has already encrypted them into a
// record that the socket did not take. The caller's queue cannot promise that (a slow consumer's
// unstarted frames are dropped), so this transport keeps its own copy of that record's
// plaintext and reports those bytes as written, exactly as the kernel takes bytes into its
// socket buffer: from the caller's side bytes are either accepted (now the transport's to
// deliver) or not. While the transport holds such bytes, wants_write() (or, rarely,
// wants_read()) is true; writev(fd, nullptr, 0) pushes them on without new data, and the
// connection must not close or half-close until both are false.
//
// Reads: OpenSSL may decrypt more than one read returns, and a record may end with the peer's
// close_notify after the data; has_buffered_input() stays true until both have been reported.
//
// Close: shutdown_write() sends close_notify and then a TCP FIN; release() sends close_notify
// (best effort, one non-blocking attempt) when the session is healthy and has not sent it yet,
// so a peer can tell our orderly close from a truncation attack. After a fatal error, no
// close_notify is sent (OpenSSL forbids SSL_shutdown then).
#pragma once

#include <memory>
#include <string>

#include "net/transport.hpp"

typedef struct ssl_st SSL;
typedef struct ssl_ctx_st SSL_CTX;

namespace wsrelay::net {

class TlsTransport final : public Transport {
 public:
  // Returns nullptr if OpenSSL cannot create a session for `fd`.
  static TlsTransport* create(SSL_CTX* context, int fd);
  // The client side (outgoing connections, see tls_client_context.hpp): sends SNI for a name
  // (RFC 6066 §3: never for an IP literal) and checks the certificate against `host`.
  static TlsTransport* create_client(SSL_CTX* context, int fd, const std::string& host, bool host_is_ip);
  ~TlsTransport() override;

  // kError from handshake() carries in `error` a code for tls_failure_text(): > 0 an OpenSSL
  // reason (e.g. "http request", "wrong version number"), < 0 minus errno, 0 the peer closed.
  IoResult handshake(int fd) override;
  IoResult read(int fd, uint8_t* buffer, size_t capacity) override;
  IoResult writev(int fd, const iovec* iov, int count) override;
  bool wants_write() const override;
  bool wants_read() const override { return write_wants_read_; }
  bool has_buffered_input() const override;
  void shutdown_write(int fd) override;
  void release() override;
  bool is_tls() const override { return true; }

 private:
  explicit TlsTransport(SSL* ssl) : ssl_(ssl) {}
  // Retries the record OpenSSL holds for us. kOk when nothing is held any more.
  IoResult write_held();
  // Classifies a failed SSL_write: keeps `data` if OpenSSL took it, else marks the session
  // failed. Returns true when the bytes were taken (wait for readiness).
  bool take_blocked_write(int ssl_error, const uint8_t* data, size_t length);

  SSL* ssl_;
  bool read_wants_write_ = false;
  bool write_wants_read_ = false;
  bool write_wants_write_ = false;
  bool handshake_wants_write_ = false;
  bool failed_ = false;          // a fatal error: no close_notify, no more I/O
  bool shutdown_sent_ = false;   // close_notify sent (or attempted)
  bool first_bytes_seen_ = false;  // a TLS record arrived first (not plain HTTP: tls_sniff.hpp)
  IoResult deferred_{IoResult::kOk, 0, 0};  // end of stream seen after data already returned
  // Plaintext of the record OpenSSL has encrypted but the socket has not taken (see above).
  std::unique_ptr<uint8_t[]> held_;
  size_t held_begin_ = 0;
  size_t held_end_ = 0;
};

// A short text for a handshake failure code (TlsTransport::handshake's IoResult::error), for
// logs: "http request", "wrong version number", "peer closed the connection", ...
std::string tls_failure_text(int error);

}  // namespace wsrelay::net
