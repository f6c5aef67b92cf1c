// One WebSocket client connection of the load generator, and the Fleet that runs many of them
// on one Poller.
//
// A Client walks idle -> connecting -> handshake -> open (-> closing) -> closed. It speaks the
// client side of RFC 6455 with the project's pure protocol core: write_frame_header() with a
// fresh masking key per frame and apply_mask() for what it sends (§5.3: every client frame is
// masked), and a FrameParser in Role::kClient for what it receives (server frames must not be
// masked, §5.1). It keeps only the first kHeadBytes of each received message: enough for the
// timestamp and sequence number wsbench embeds, so no message is ever copied whole.
//
// Ownership and lifetime: the Fleet owns every Client for the whole run (clients are reused
// when they reconnect, never freed in a callback). Output is queued in the client and written
// by the Fleet once per loop iteration, so one read that produces many replies costs one send.
// All callbacks run on the single loop thread.
#pragma once

#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "options.hpp"
#include "poller.hpp"
#include "ws/frame_parser.hpp"

namespace wsrelay::wsbench {

class Client;
class Fleet;

// What a mode implements to drive its clients.
class ClientHost {
 public:
  virtual ~ClientHost() = default;
  // The upgrade succeeded (101 with the right Sec-WebSocket-Accept).
  virtual void on_open(Client& client) = 0;
  // A complete data message: `head` is its first bytes (at most Client::kHeadBytes), `length`
  // its full size.
  virtual void on_message(Client& client, bool text, std::span<const uint8_t> head,
                          uint64_t length) = 0;
  // The connection is gone: `was_open` says whether it had been upgraded; `why` is a short
  // reason ("closed" after a clean closing handshake).
  virtual void on_closed(Client& client, bool was_open, std::string_view why) = 0;
  // Called once per loop iteration, after the events (for timed work such as a publish rate).
  virtual void on_tick() {}
};

enum class ClientState : uint8_t { kIdle, kConnecting, kHandshake, kOpen, kClosing, kClosed };

class Client {
 public:
  static constexpr size_t kHeadBytes = 192;

  Client(Fleet& fleet, uint32_t index) : fleet_(fleet), index_(index) {}
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  ~Client();

  uint32_t index() const { return index_; }
  ClientState state() const { return state_; }
  bool is_open() const { return state_ == ClientState::kOpen; }

  // Queues one masked data frame; written at the end of the loop iteration.
  void send_message(bool text, std::span<const uint8_t> payload);
  // Starts the closing handshake (RFC 6455 §7.1.2): sends Close and waits for the server's.
  void send_close(uint16_t code);
  // Drops the TCP connection at once; the host hears on_closed(why).
  void close(std::string_view why);

  // Free for the mode's own bookkeeping (e.g. messages echoed so far).
  uint64_t counter = 0;

 private:
  friend class Fleet;

  bool start(const sockaddr_in& server, const sockaddr_in* source);
  void on_event(const PollEvent& event);
  void on_connected();
  void on_readable();
  // Consumes handshake response bytes; returns how many, or -1 once the connection is closed.
  long on_handshake_bytes(std::span<uint8_t> bytes);
  void on_frames(std::span<uint8_t> bytes);
  void on_frame_payload(std::span<const uint8_t> piece, bool frame_complete);
  void on_control_frame();
  void queue_frame(ws::Opcode opcode, std::span<const uint8_t> payload);
  bool flush();
  void set_want_write(bool want);

  Fleet& fleet_;
  uint32_t index_;
  int fd_ = -1;
  ClientState state_ = ClientState::kIdle;
  bool want_write_ = false;
  bool dirty_ = false;  // in the fleet's list of clients with output to write

  std::vector<uint8_t> out_;  // bytes not yet written
  size_t out_sent_ = 0;

  std::array<char, 24> key_{};  // Sec-WebSocket-Key, kept until the 101 is checked
  std::string response_;        // handshake response so far (freed once upgraded)

  ws::FrameParser parser_{ws::Role::kClient};
  ws::Opcode frame_opcode_ = ws::Opcode::kContinuation;
  bool message_text_ = false;
  uint64_t message_length_ = 0;
  size_t head_length_ = 0;
  std::array<uint8_t, kHeadBytes> head_{};
  std::string control_;  // payload of a control frame in progress (rare; <= 125 bytes)
};

class Fleet {
 public:
  // `expected_clients` sizes the source address pool: one address per kConnsPerSourceAddress
  // connections. One address pair has about 28,000 ephemeral ports, but the kernel's search
  // for a free one slows sharply as they fill (with TIME_WAIT sockets of earlier runs too):
  // 19,000 connections upgrade at 3,200/s from one address and at 39,000/s from eight.
  static constexpr size_t kConnsPerSourceAddress = 2500;
  Fleet(const Options& options, ClientHost& host, size_t expected_clients);
  ~Fleet();
  Fleet(const Fleet&) = delete;
  Fleet& operator=(const Fleet&) = delete;

  // Creates `count` more clients and queues them to connect; at most --concurrency
  // handshakes are in progress at once.
  void add_clients(size_t count);
  // Queues a closed client to connect again (soak). Takes effect after the current iteration.
  void reconnect(Client& client);
  Client& client(size_t i) { return *clients_[i]; }
  size_t size() const { return clients_.size(); }

  // Runs the loop until `done()` is true or `deadline_ns` passes; returns whether done()
  // became true (always true when `done` is empty and the deadline passed).
  bool run_until(uint64_t deadline_ns, const std::function<bool()>& done = {});
  void set_tick_ms(int ms) { tick_ms_ = ms; }
  void close_all();

  uint64_t handshakes() const { return handshakes_; }  // upgrades completed, ever
  uint64_t failures() const { return failures_; }      // connects/upgrades that failed
  uint64_t open_now() const { return open_now_; }
  uint64_t drops() const { return drops_; }  // open connections lost uncleanly
  // Clients queued to connect or in the middle of connecting/upgrading.
  uint64_t pending() const { return queue_.size() - queue_head_ + in_progress_; }
  const std::string& first_error() const { return first_error_; }
  const Options& options() const { return options_; }

 private:
  friend class Client;

  void poll_once(int timeout_ms);
  void start_pending();
  void flush_dirty();
  void mark_dirty(Client& client);
  void on_client_open(Client& client);
  void on_client_closed(Client& client, bool was_open, bool clean, std::string_view why);
  void fill_mask_key(uint8_t key[4]);
  void make_key(std::array<char, 24>& key);

  const Options& options_;
  ClientHost& host_;
  Poller poller_;
  sockaddr_in server_{};
  std::vector<sockaddr_in> sources_;  // empty: let the kernel choose
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<uint32_t> queue_;  // clients waiting to connect, in order
  size_t queue_head_ = 0;
  std::vector<Client*> dirty_;
  std::vector<uint8_t> read_buffer_;
  std::string request_head_;  // the upgrade request up to the Sec-WebSocket-Key value
  uint64_t rng_state_;
  int tick_ms_ = 50;
  uint64_t in_progress_ = 0;
  uint64_t handshakes_ = 0;
  uint64_t failures_ = 0;
  uint64_t open_now_ = 0;
  uint64_t drops_ = 0;
  std::string first_error_;
};

}  // namespace wsrelay::wsbench
