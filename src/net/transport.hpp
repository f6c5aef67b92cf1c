// Transports: how a connection moves bytes. Plain TCP and TLS implement the same small
// interface (Redis' ConnectionType is the model), so nothing above this layer cares which one
// a connection uses.
//
// Plain TCP is stateless — one shared instance serves every connection and costs no memory per
// connection. A TLS transport holds its session and is owned by its connection.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>

namespace wsrelay::net {

struct IoResult {
  enum Status : uint8_t {
    kOk,          // `bytes` were transferred (> 0)
    kWouldBlock,  // nothing now; wait for readiness (see Transport::wants_write)
    kClosed,      // orderly end of stream from the peer
    kError,       // connection broken; `error` holds errno or a transport-specific code
  };
  Status status;
  size_t bytes = 0;
  int error = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual IoResult read(int fd, uint8_t* buffer, size_t capacity) = 0;
  virtual IoResult writev(int fd, const iovec* iov, int count) = 0;
  // Drive a pending handshake (TLS). kOk when the transport is ready for data.
  virtual IoResult handshake(int /*fd*/) { return {IoResult::kOk, 0, 0}; }
  // TLS may need the socket writable to make progress on a read (renegotiation, handshake)
  // or readable to make progress on a write; the connection adds that interest.
  virtual bool wants_write() const { return false; }
  virtual bool wants_read() const { return false; }
  // TLS: plaintext already decrypted and waiting inside the session (the socket may not be
  // readable any more, so the connection must read again without waiting for readiness).
  virtual bool has_buffered_input() const { return false; }
  // Begin an orderly shutdown of our sending side (TCP FIN / TLS close_notify).
  virtual void shutdown_write(int fd) = 0;
  // Release per-connection state; the fd is closed by the caller.
  virtual void release() {}
  virtual bool is_tls() const { return false; }
};

// The shared plain-TCP transport.
Transport& tcp_transport();

}  // namespace wsrelay::net
