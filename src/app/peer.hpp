// The narrow interface between the application layer (dispatcher, wire protocols) and the
// connections below it. The application never makes a syscall and knows nothing of frames or
// sockets: it sees Peers it can send messages to and close, and a Host that prepares messages
// once for many recipients. server::Connection implements Peer; tests implement both with fakes.
//
// Lifetime: a Peer is valid from Application::on_open until Application::on_close returns.
// Calls on a Peer never re-enter the Application synchronously (closing is deferred by the
// server), so it is safe to send or close while iterating a room.
//
// Time: the application has no timers of its own. It reads the Host's clocks, and a deadline it
// keeps (auth_timeout) is checked on the Host's ticks (TickListener), about once a second.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "common/shared_bytes.hpp"

namespace wsrelay::app {

struct Client;  // the application's per-connection record (defined by the dispatcher)

enum class PayloadKind : uint8_t { kText, kBinary };

// A message serialized and framed once, shareable by any number of peers.
struct PreparedMessage {
  common::SharedBytesRef bytes;  // opaque to the application: the wire form
  size_t payload_size = 0;       // size of the application payload inside it
  // The permessage-deflate wire form, built by the Host the first time a recipient that
  // negotiated compression needs it and then shared by every such recipient: a message is
  // compressed once, not once per recipient. Opaque to the application; an empty `compressed`
  // with compressed_window_bits set means "compression did not pay: send `bytes`".
  mutable common::SharedBytesRef compressed{};
  mutable uint8_t compressed_window_bits = 0;
};

class Peer {
 public:
  // Queue one whole message. Never partial: if the peer cannot keep up, the server closes it
  // (1008 "slow consumer") rather than drop or cut messages.
  virtual void send(PayloadKind kind, std::string_view payload) = 0;
  // Queue a prepared message (shared bytes, no copy).
  virtual void send_prepared(const PreparedMessage& message) = 0;
  // Start the closing handshake with this code and reason.
  virtual void close(uint16_t code, std::string_view reason) = 0;
  // True once the connection is closing: sends are then silently ignored by the server.
  virtual bool is_closing() const = 0;
  // "203.0.113.7:51234" / "[2001:db8::1]:443".
  virtual std::string_view remote_address() const = 0;

  // The application's own record for this connection (set in on_open, never touched below).
  Client* client = nullptr;

 protected:
  ~Peer() = default;
};

// Called by the Host about once a second while registered (Host::set_tick_listener).
class TickListener {
 public:
  // `now_ms` is Host::monotonic_ms() at the tick.
  virtual void on_tick(int64_t now_ms) = 0;

 protected:
  ~TickListener() = default;
};

// Run once by the Host when the work of the current event-loop iteration is done, before the
// loop waits again (Host::defer): for output coalesced over one iteration (batched notices).
class DeferredTask {
 public:
  virtual void run_deferred() = 0;

 protected:
  ~DeferredTask() = default;
};

class Host {
 public:
  virtual PreparedMessage prepare(PayloadKind kind, std::string_view payload) = 0;
  // Milliseconds since the Unix epoch (wall clock, for timestamps in messages and token expiry).
  virtual int64_t wall_clock_ms() const = 0;
  // Milliseconds on a monotonic clock with an arbitrary origin: never jumps when the wall clock
  // is set, so rate limits and deadlines are measured with it.
  virtual int64_t monotonic_ms() const = 0;
  // Ticks `listener` about once a second (with monotonic_ms()) until it is replaced or cleared
  // with nullptr. One listener per Host; the listener must clear itself before it is destroyed.
  // A listener is ticked from the event loop, never from inside another Application call.
  virtual void set_tick_listener(TickListener* listener) = 0;
  // Calls task.run_deferred() once, after everything the loop read in this iteration has been
  // handled (the caller asks once per batch; the task must outlive the call). A host without a
  // loop of its own runs it at once, which only makes the batches smaller.
  virtual void defer(DeferredTask& task) { task.run_deferred(); }
  // The same, about `delay_ms` later (at most that: a host may run it sooner). For output
  // coalesced over a short window rather than one iteration.
  virtual void defer_after(DeferredTask& task, uint64_t /*delay_ms*/) { defer(task); }

 protected:
  ~Host() = default;
};

// What the upgrade request told us, for authentication and logging.
struct ConnectInfo {
  std::string_view path;    // "/ws"
  std::string_view query;   // "token=abc&x=1" (may be empty)
  std::string_view origin;  // Origin header (may be empty)
  std::string_view remote_address;
};

// What the server calls as decoded messages arrive. Implemented by the echo application and
// by the JSON dispatcher front end.
class Application {
 public:
  virtual ~Application() = default;
  virtual void on_open(Peer& peer, const ConnectInfo& info) = 0;
  virtual void on_message(Peer& peer, PayloadKind kind, std::span<const uint8_t> payload) = 0;
  // The connection is gone (after the closing handshake, a timeout or an error).
  virtual void on_close(Peer& peer, uint16_t code, std::string_view reason) = 0;
  // The server is about to fail the connection for what the peer sent (RFC 6455 §7.1.7), with
  // this Close code and reason: 1009 "message of 70012 bytes exceeds max_message_size 65536",
  // 1002, 1007. The peer is still open, so a wire protocol may send a last message saying why
  // before the Close frame follows. on_close comes later as usual. Default: nothing.
  virtual void on_protocol_error(Peer& peer, uint16_t code, std::string_view reason) {
    (void)peer;
    (void)code;
    (void)reason;
  }
};

}  // namespace wsrelay::app
