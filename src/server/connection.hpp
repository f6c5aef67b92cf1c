// One client connection, from accept to close: HTTP request parsing, the WebSocket upgrade,
// framing in both directions, heartbeats, timeouts, backpressure and the closing handshake.
//
// A Connection glues three things together and owns no policy of its own:
//   net/  — it is an IoHandler (readiness) and a Timer (all its deadlines) on the loop, and
//           moves bytes through a Transport and an OutputQueue;
//   ws/   — it feeds received bytes to a MessageReader and is that reader's MessageHandler;
//   app/  — it is the Peer the application sends through, and it hands whole messages up.
//
// States:  kHttp ──upgrade──▶ kOpen ──Close sent or received──▶ kClosing ──▶ kClosed
//            └── plain HTTP requests (keep-alive) ───────────────────────────┘
// A Connection is never deleted inside one of its own callbacks: terminate() moves it to the
// server's closed list and the server frees it when the loop iteration ends.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "app/peer.hpp"
#include "net/event_loop.hpp"
#include "net/output_queue.hpp"
#include "net/socket.hpp"
#include "net/timer_wheel.hpp"
#include "net/transport.hpp"
#include "server/server_stats.hpp"
#include "ws/close_code.hpp"
#include "ws/deflate.hpp"
#include "ws/frame.hpp"
#include "ws/http_request.hpp"
#include "ws/message_reader.hpp"

namespace wsrelay::server {

class Server;

class Connection final : public net::IoHandler,
                         public net::Timer,
                         public app::Peer,
                         private ws::MessageHandler {
 public:
  enum class State : uint8_t { kHandshake, kHttp, kOpen, kClosing, kClosed };
  // Who ended the connection, for the log: the client's or our Close, or neither (the
  // network: EOF, reset, timeouts without a closing handshake).
  enum class Initiator : uint8_t { kNetwork, kServer, kClient };

  Connection(Server& server, int fd, const net::PeerAddress& address, net::Transport* transport);
  ~Connection() override;

  void start();
  State state() const { return state_; }
  bool upgraded() const { return upgraded_; }
  const std::string& address() const { return address_; }
  // The client's IP address, no port (per-IP limits): the TCP peer's, or behind a trusted
  // proxy the forwarded client's (then address() reads "203.0.113.7 via 127.0.0.1:51234").
  std::string_view host() const;
  static constexpr std::string_view kViaSeparator = " via ";

  // net::IoHandler / net::Timer
  void on_io(uint32_t events) override;
  void on_timer() override;

  // app::Peer
  void send(app::PayloadKind kind, std::string_view payload) override;
  void send_prepared(const app::PreparedMessage& message) override;
  void close(uint16_t code, std::string_view reason) override;
  bool is_closing() const override { return state_ != State::kOpen; }
  std::string_view remote_address() const override { return address_; }

  // Called by the server.
  void flush();                          // write queued output (before-sleep, or writable)
  void write_now(const uint8_t* data, size_t length);  // write at once; queue what is left
  void shutdown_gracefully();            // server stopping: Close 1001, or drop if not upgraded
  void terminate(uint16_t code, std::string_view reason, Initiator initiator);
  void write_raw(const uint8_t* data, size_t length);  // append bytes (cork or queue)
  uint16_t final_code() const { return final_code_; }
  std::string_view final_reason() const { return final_reason_ ? std::string_view(*final_reason_) : std::string_view(); }

  // Intrusive links for the server's lists.
  Connection* list_prev = nullptr;
  Connection* list_next = nullptr;
  bool in_dirty_list = false;

 private:
  // ws::MessageHandler
  bool on_message(ws::MessageKind kind, std::span<const uint8_t> payload) override;
  bool on_ping(std::span<const uint8_t> payload) override;
  bool on_pong(std::span<const uint8_t> payload) override;
  void on_close(uint16_t code, std::string_view reason) override;
  void on_protocol_error(uint16_t code, std::string_view reason) override;

  void handle_readable();
  bool read_once();
  void handle_transport_handshake();
  void process_http();
  bool handle_http_request(const ws::HttpRequest& request, size_t head_length);
  // trusted_proxies: take the client's address from the forwarding headers (connection_forwarded.cpp).
  // False when that client is refused (403 sent).
  bool apply_forwarding(const ws::HttpRequest& request);
  void upgrade(const ws::HttpRequest& request, std::string_view key, size_t head_length);
  void respond_http(int status, std::string_view body, bool close_after,
                    std::string_view extra_header = {});
  void process_websocket(std::span<uint8_t> bytes);

  void write_frame(ws::Opcode opcode, std::span<const uint8_t> payload, bool compressed = false);
  void push_shared_frame(const common::SharedBytesRef& frame);

  // permessage-deflate (connection_deflate.cpp)
  std::string negotiate_compression(const ws::HttpRequest& request);  // response value, or ""
  ws::ReaderLimits reader_limits() const;
  bool keeps_inflate_context() const;  // dedicated mode, client context takeover: keep reader_
  bool compresses(size_t payload_size) const;
  void note_message_in(const ws::MessageReader& reader, size_t payload_size);
  bool write_compressed(ws::Opcode opcode, std::span<const uint8_t> payload);  // false: send plain
  bool send_prepared_compressed(const app::PreparedMessage& message);         // false: send plain
  void send_close_frame(uint16_t code, std::string_view reason);
  void fail_after_response();
  bool has_output_room();  // false (and the client closed 1008) when it cannot keep up
  void after_queue_grew();
  void after_flush();
  void update_interest();
  void reschedule();
  void set_final(uint16_t code, std::string_view reason, Initiator initiator);
  // The output queue and the frame reader, borrowed from the server's pools on demand.
  bool queue_empty() const { return !queue_ || queue_->empty(); }
  size_t queued_bytes() const { return queue_ ? queue_->pending_bytes() : 0; }
  net::OutputQueue& queue();
  void return_queue_if_empty();

  // Small fields first, next to in_dirty_list above: no padding between them (every idle
  // connection pays for each byte of this object).
  int fd_;
  State state_ = State::kHandshake;
  Initiator initiator_ = Initiator::kNetwork;
  bool upgraded_ = false;
  bool close_sent_ = false;
  bool close_received_ = false;
  bool fail_input_ = false;          // discard further input (after an error response/close)
  bool want_write_ = false;          // writability interest registered
  bool want_read_ = true;            // readability interest registered
  bool close_after_flush_ = false;   // both Closes exchanged: close TCP once output is written
  bool half_close_after_flush_ = false;  // failing: send FIN once output is written, await EOF
  bool half_closed_ = false;
  bool served_request_ = false;      // keep-alive: at least one HTTP request answered
  bool ping_outstanding_ = false;
  uint8_t deflate_ = 0;  // negotiated permessage-deflate flags (connection_deflate.cpp), 0 = none
  uint8_t deflate_server_bits_ = 15;
  uint8_t deflate_client_bits_ = 15;
  uint16_t final_code_ = ws::close_code::kAbnormal;
  Server& server_;
  net::Transport* transport_;
  uint64_t last_activity_ms_ = 0;
  // The one time the current state waits for (one field: the states never need two):
  //   kHandshake, kHttp: the deadline for a complete request (handshake/keep-alive timeout);
  //   kOpen: when the outstanding Ping was sent (ping_outstanding_), else when the next is due;
  //   kClosing: the deadline for the closing handshake (close timeout).
  uint64_t phase_ms_ = 0;
  std::string address_;  // "ip:port" or "[v6]:port"
  // Memory an idle upgraded connection does not need is held only while needed, so that
  // thousands of idle clients cost little (docs/benchmarks.md, "Idle memory"):
  std::unique_ptr<std::string> http_buffer_;   // while reading HTTP requests
  std::unique_ptr<std::string> final_reason_;  // once a close has a reason
  std::unique_ptr<ws::MessageReader> reader_;  // borrowed while a frame/message is half read
  std::unique_ptr<net::OutputQueue> queue_;    // borrowed while output waits for the socket
  std::unique_ptr<ws::Deflater> deflater_;     // dedicated mode with server context takeover
};

}  // namespace wsrelay::server
