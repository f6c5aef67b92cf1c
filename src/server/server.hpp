// The WebSocket server: a listening socket on an EventLoop, the set of live connections, and
// the loop-wide resources they share (receive buffer, cork buffer).
//
// Contract with the layers around it:
//  - below: it runs on net::EventLoop and never blocks;
//  - above: it hands decoded messages to an app::Application, and plain HTTP requests to an
//    optional HttpService (404 for everything without one). It implements app::Host, so the
//    application can prepare a message once (framed, in shared bytes) for many recipients.
// Connections closed during an iteration are freed in the before-sleep hook, after the
// application has been told (on_close), and corked/dirty output is flushed there too: each
// connection's pending frames leave with one writev per loop iteration.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "app/peer.hpp"
#include "common/object_pool.hpp"
#include "net/event_loop.hpp"
#include "net/output_queue.hpp"
#include "net/socket.hpp"
#include "net/transport.hpp"
#include "server/http_service.hpp"
#include "server/server_observer.hpp"
#include "server/server_options.hpp"
#include "server/server_stats.hpp"
#include "ws/deflate.hpp"
#include "ws/message_reader.hpp"

namespace wsrelay::server {

class Connection;

// Decides whether an upgrade request may proceed (origin, authentication). Returns 0 to accept
// or the HTTP status to refuse with, filling `reason` and the stats bucket.
class UpgradeGate {
 public:
  virtual ~UpgradeGate() = default;
  virtual int admit(const ws::HttpRequest& request, std::string_view remote_address, Reject& bucket,
                    std::string& reason) = 0;
};

// Decides at accept time whether an address may connect at all (allow_ips / deny_ips).
class AddressGate {
 public:
  virtual ~AddressGate() = default;
  virtual bool allowed(const net::PeerAddress& address) const = 0;

  // Behind trusted reverse proxies (trusted_proxies, server/forwarded.hpp). For each request
  // head from the TCP peer `peer_host` (no port): when that peer is a trusted proxy, the client
  // address the forwarding headers name (empty: none, the peer is the client) and whether the
  // address rules admit that client. The server then logs, limits (max_clients_per_ip) and
  // filters by the client's address. Default: no proxy is trusted.
  struct Forwarded {
    std::string client;  // "203.0.113.7", "2001:db8::1"
    bool allowed = true;
  };
  virtual bool has_trusted_proxies() const { return false; }
  virtual Forwarded forwarded(const ws::HttpRequest& request, std::string_view peer_host) const {
    (void)request;
    (void)peer_host;
    return {};
  }
};

// Chooses the transport for a new connection: plain TCP by default, TLS when configured.
class TransportFactory {
 public:
  virtual ~TransportFactory() = default;
  // nullptr refuses the connection (e.g. out of memory for a TLS session).
  virtual net::Transport* create(int fd) = 0;
};

class Server final : public net::IoHandler, public net::BeforeSleepHook, public app::Host, private net::Timer {
 public:
  Server(net::EventLoop& loop, ServerOptions options, app::Application& application);
  ~Server() override;

  // Bind and listen. Returns false with `error` set on failure.
  bool listen(std::string& error);
  uint16_t port() const { return port_; }

  void set_http_service(HttpService* service) { http_service_ = service; }
  void set_upgrade_gate(UpgradeGate* gate) { upgrade_gate_ = gate; }
  void set_address_gate(AddressGate* gate) { address_gate_ = gate; }
  void set_transport_factory(TransportFactory* factory) { transport_factory_ = factory; }
  void set_observer(ServerObserver* observer) { observer_ = observer ? observer : &null_observer_; }

  // Stop accepting, send Close 1001 to every client, and stop the loop once all are gone or
  // shutdown_timeout has passed.
  void shutdown();
  bool shutting_down() const { return shutting_down_; }

  // app::Host
  app::PreparedMessage prepare(app::PayloadKind kind, std::string_view payload) override;
  int64_t wall_clock_ms() const override { return net::EventLoop::wall_clock_ms(); }
  int64_t monotonic_ms() const override { return static_cast<int64_t>(loop_.now_ms()); }
  void set_tick_listener(app::TickListener* listener) override;
  void defer(app::DeferredTask& task) override { deferred_.push_back(&task); }
  void defer_after(app::DeferredTask& task, uint64_t delay_ms) override;

  const ServerOptions& options() const { return options_; }
  ServerOptions& mutable_options() { return options_; }
  ServerStats& stats() { return stats_; }
  const ServerStats& stats() const { return stats_; }
  size_t connection_count() const { return connection_count_; }
  size_t websocket_count() const { return websocket_count_; }
  uint64_t uptime_ms() const { return loop_.now_ms() - started_ms_; }

  // --- used by Connection -------------------------------------------------------------
  net::EventLoop& loop() { return loop_; }
  app::Application& application() { return application_; }
  HttpService* http_service() { return http_service_; }
  UpgradeGate* upgrade_gate() { return upgrade_gate_; }
  AddressGate* address_gate() { return address_gate_; }
  ServerObserver& observer() { return *observer_; }
  std::span<uint8_t> receive_buffer() { return {receive_buffer_.data(), receive_buffer_.size()}; }

  // Corking: while a connection's input is being processed, what it sends collects in one
  // loop-wide buffer and leaves in a single write when processing ends.
  void cork(Connection* connection) { corked_ = connection; }
  void uncork();
  bool is_corked(const Connection* connection) const { return corked_ == connection; }
  // Append to the cork buffer; false if it lacks room (the caller queues instead).
  bool cork_append(const uint8_t* data, size_t length);
  size_t cork_size() const { return cork_used_; }
  size_t cork_capacity() const { return cork_buffer_.size(); }
  // Write what the cork holds for the corked connection now (to keep order with a large send).
  void flush_cork();

  // Frame readers and output queues for connections that are busy right now (see
  // common/object_pool.hpp): an idle connection holds neither.
  common::ObjectPool<ws::MessageReader>& reader_pool() { return readers_; }
  common::ObjectPool<net::OutputQueue>& queue_pool() { return queues_; }

  // permessage-deflate (server_deflate.cpp): the loop's shared compressors (no context
  // takeover), one per window size in use, created on first use; and their output buffer.
  ws::Deflater* shared_deflater(uint8_t window_bits);
  std::vector<uint8_t>& deflate_scratch() { return deflate_scratch_; }
  void trim_deflate_scratch();
  // The compressed frame of a prepared message for this window, built once and cached in the
  // message; empty when compression failed or did not make it smaller (send the plain frame).
  common::SharedBytesRef compressed_frame(const app::PreparedMessage& message, uint8_t window_bits);

  void mark_dirty(Connection* connection);
  void on_terminated(Connection* connection);  // moved to the closed list
  bool admit_websocket(Connection& connection, Reject& bucket);  // counts; false when full
  void on_upgraded(Connection& connection);

  // net::IoHandler (the listening socket) and net::BeforeSleepHook
  void on_io(uint32_t events) override;
  void before_sleep() override;

 private:
  void on_timer() override;  // shutdown deadline

  // The application's once-a-second tick (app::Host::set_tick_listener): a second timer,
  // because the Server's own one serves the shutdown deadline and the accept pause.
  struct TickTimer final : net::Timer {
    explicit TickTimer(Server& owner) : server(owner) {}
    void on_timer() override;
    Server& server;
  };
  // Every kPoolTrimIntervalMs while the pools hold spares: frees those nobody borrowed.
  struct PoolTrimTimer final : net::Timer {
    explicit PoolTrimTimer(Server& owner) : server(owner) {}
    void on_timer() override;
    Server& server;
  };
  // app::Host::defer_after: one timer for every delayed task (each runs at the first one's
  // deadline at the latest), which then joins deferred_.
  struct DeferTimer final : net::Timer {
    explicit DeferTimer(Server& owner) : server(owner) {}
    void on_timer() override;
    Server& server;
    std::vector<app::DeferredTask*> tasks;
  };
  void accept_ready();
  void free_closed();

  net::EventLoop& loop_;
  ServerOptions options_;
  app::Application& application_;
  HttpService* http_service_ = nullptr;
  UpgradeGate* upgrade_gate_ = nullptr;
  AddressGate* address_gate_ = nullptr;
  TransportFactory* transport_factory_ = nullptr;
  ServerObserver null_observer_;
  ServerObserver* observer_ = &null_observer_;
  ServerStats stats_;

  int listen_fd_ = -1;
  uint16_t port_ = 0;
  bool shutting_down_ = false;
  uint64_t started_ms_;
  app::TickListener* tick_listener_ = nullptr;
  TickTimer tick_timer_{*this};

  Connection* connections_ = nullptr;  // intrusive list of live connections
  size_t connection_count_ = 0;
  size_t websocket_count_ = 0;
  std::unordered_map<std::string, uint32_t> per_ip_;  // upgraded connections per address
  std::vector<Connection*> dirty_;
  std::vector<Connection*> closed_;
  std::vector<app::DeferredTask*> deferred_;  // app::Host::defer, run by before_sleep

  common::ObjectPool<ws::MessageReader> readers_;
  common::ObjectPool<net::OutputQueue> queues_;
  std::array<std::unique_ptr<ws::Deflater>, 7> shared_deflaters_;  // window bits 9..15
  std::vector<uint8_t> deflate_scratch_;
  PoolTrimTimer pool_trim_timer_{*this};
  DeferTimer defer_timer_{*this};

  std::vector<uint8_t> receive_buffer_;
  std::vector<uint8_t> cork_buffer_;
  size_t cork_used_ = 0;
  Connection* corked_ = nullptr;
};

}  // namespace wsrelay::server
