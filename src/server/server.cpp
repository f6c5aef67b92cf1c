#include "server/server.hpp"

#include <cerrno>
#include <cstring>

#include "server/connection.hpp"
#include "ws/frame.hpp"

namespace wsrelay::server {

namespace {
// One read buffer for the whole loop (views into it live only during a callback). Large enough
// that a burst of pipelined frames is one read; the cork buffer collects one connection's
// replies so they leave in one write.
constexpr size_t kReceiveBufferBytes = 512 * 1024;
constexpr size_t kCorkBufferBytes = 64 * 1024;
constexpr int kMaxAcceptsPerEvent = 128;
constexpr uint64_t kAcceptPauseMs = 100;
// How often the application's tick listener is called: the resolution of its deadlines.
constexpr uint64_t kTickIntervalMs = 1000;
// How often spare readers and queues nobody borrowed are freed: long enough that a steady
// load keeps reusing its own, short enough that a burst's memory goes back soon after.
constexpr uint64_t kPoolTrimIntervalMs = 10000;
}  // namespace

Server::Server(net::EventLoop& loop, ServerOptions options, app::Application& application)
    : loop_(loop),
      options_(std::move(options)),
      application_(application),
      started_ms_(loop.now_ms()),
      receive_buffer_(kReceiveBufferBytes),
      cork_buffer_(kCorkBufferBytes) {
  loop_.add_before_sleep(this);
}

Server::~Server() {
  while (connections_ != nullptr) {
    Connection* c = connections_;
    connections_ = c->list_next;
    delete c;
  }
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    net::close_fd(listen_fd_);
  }
}

bool Server::listen(std::string& error) {
  listen_fd_ = net::listen_tcp(options_.host, options_.port, options_.backlog, error);
  if (listen_fd_ < 0) return false;
  if (const int err = loop_.watch(listen_fd_, this, true, false); err != 0) {
    error = std::string("epoll: ") + std::strerror(err);
    return false;
  }
  port_ = net::local_port(listen_fd_);
  started_ms_ = loop_.now_ms();
  std::string address = options_.host.find(':') != std::string::npos ? "[" + options_.host + "]" : options_.host;
  observer_->on_listening(address + ":" + std::to_string(port_));
  return true;
}

void Server::on_io(uint32_t) { accept_ready(); }

void Server::accept_ready() {
  for (int i = 0; i < kMaxAcceptsPerEvent && listen_fd_ >= 0; ++i) {
    net::PeerAddress peer;
    const int fd = net::accept_client(listen_fd_, peer);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        // Out of descriptors: stop accepting for a moment instead of spinning on a listening
        // socket that stays readable.
        observer_->on_error(std::string("accept: ") + std::strerror(errno) + " (pausing accepts)");
        loop_.unwatch(listen_fd_);
        loop_.timers().schedule_in(*this, kAcceptPauseMs);
      }
      return;
    }
    ++stats_.connections_accepted;
    if (address_gate_ != nullptr && !address_gate_->allowed(peer)) {
      stats_.count(Reject::kAddressDenied);
      observer_->on_reject(net::format_address(peer), Reject::kAddressDenied, "address not allowed");
      net::close_fd(fd);
      continue;
    }
    net::Transport* transport = transport_factory_ ? transport_factory_->create(fd) : &net::tcp_transport();
    if (transport == nullptr) {
      observer_->on_error("could not create a transport for " + net::format_address(peer));
      net::close_fd(fd);
      continue;
    }
    auto* connection = new Connection(*this, fd, peer, transport);
    connection->list_next = connections_;
    if (connections_ != nullptr) connections_->list_prev = connection;
    connections_ = connection;
    ++connection_count_;
    connection->start();
  }
}

void Server::on_timer() {
  if (shutting_down_) {
    // The shutdown deadline passed: whoever has not completed the closing handshake is dropped.
    for (Connection* c = connections_; c != nullptr; c = c->list_next) {
      c->terminate(ws::close_code::kGoingAway, ws::close_reason::kShuttingDown, Connection::Initiator::kServer);
    }
    return;
  }
  if (listen_fd_ >= 0) loop_.watch(listen_fd_, this, true, false);  // resume accepting
}

void Server::shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  if (listen_fd_ >= 0) {
    loop_.unwatch(listen_fd_);
    net::close_fd(listen_fd_);
    listen_fd_ = -1;
  }
  for (Connection* c = connections_; c != nullptr; c = c->list_next) c->shutdown_gracefully();
  loop_.timers().schedule_in(*this, options_.shutdown_timeout_ms);
}

void Server::set_tick_listener(app::TickListener* listener) {
  tick_listener_ = listener;
  // Tick only while someone listens: a server without deadlines to check stays timer-free.
  if (listener == nullptr) loop_.timers().cancel(tick_timer_);
  else if (!tick_timer_.scheduled()) loop_.timers().schedule_in(tick_timer_, kTickIntervalMs);
}

void Server::PoolTrimTimer::on_timer() {
  server.readers_.trim();
  server.queues_.trim();
  if (server.readers_.idle() + server.queues_.idle() > 0) server.loop_.timers().schedule_in(*this, kPoolTrimIntervalMs);
}

void Server::defer_after(app::DeferredTask& task, uint64_t delay_ms) {
  if (delay_ms == 0) return defer(task);
  defer_timer_.tasks.push_back(&task);
  if (!defer_timer_.scheduled()) loop_.timers().schedule_in(defer_timer_, delay_ms);
}

void Server::DeferTimer::on_timer() {
  for (app::DeferredTask* task : tasks) server.deferred_.push_back(task);  // run by before_sleep
  tasks.clear();
}

void Server::TickTimer::on_timer() {
  if (server.tick_listener_ == nullptr) return;
  // Rescheduled first, so the listener may clear itself (cancelling this) from inside on_tick.
  // Closes it starts are flushed by before_sleep, like any other output of this iteration.
  server.loop_.timers().schedule_in(*this, kTickIntervalMs);
  server.tick_listener_->on_tick(server.monotonic_ms());
}

bool Server::admit_websocket(Connection& connection, Reject& bucket) {
  if (options_.max_clients != 0 && websocket_count_ >= options_.max_clients) {
    bucket = Reject::kServerFull;
    return false;
  }
  if (options_.max_clients_per_ip != 0) {
    auto it = per_ip_.find(std::string(connection.host()));
    if (it != per_ip_.end() && it->second >= options_.max_clients_per_ip) {
      bucket = Reject::kTooManyPerIp;
      return false;
    }
  }
  return true;
}

void Server::on_upgraded(Connection& connection) {
  ++websocket_count_;
  if (options_.max_clients_per_ip != 0) ++per_ip_[std::string(connection.host())];
}

app::PreparedMessage Server::prepare(app::PayloadKind kind, std::string_view payload) {
  const ws::Opcode opcode = kind == app::PayloadKind::kText ? ws::Opcode::kText : ws::Opcode::kBinary;
  const size_t header_size = ws::frame_header_size(payload.size(), false);
  common::SharedBytes* block = common::SharedBytes::allocate(header_size + payload.size());
  ws::write_frame_header(block->data(), opcode, payload.size());
  if (!payload.empty()) std::memcpy(block->data() + header_size, payload.data(), payload.size());
  return app::PreparedMessage{common::SharedBytesRef::adopt(block), payload.size()};
}

// ---- corking and flushing -------------------------------------------------------------

bool Server::cork_append(const uint8_t* data, size_t length) {
  if (cork_used_ + length > cork_buffer_.size()) return false;
  if (length != 0) std::memcpy(cork_buffer_.data() + cork_used_, data, length);
  cork_used_ += length;
  return true;
}

void Server::flush_cork() {
  if (corked_ == nullptr || cork_used_ == 0) return;
  const size_t used = cork_used_;
  cork_used_ = 0;
  corked_->write_now(cork_buffer_.data(), used);
}

void Server::uncork() {
  Connection* connection = corked_;
  if (connection == nullptr) return;
  flush_cork();
  corked_ = nullptr;
  connection->flush();
}

void Server::mark_dirty(Connection* connection) {
  if (connection->in_dirty_list || connection->state() == Connection::State::kClosed) return;
  connection->in_dirty_list = true;
  dirty_.push_back(connection);
}

void Server::on_terminated(Connection* connection) { closed_.push_back(connection); }

void Server::before_sleep() {
  // Flushing can close connections (write errors) and freeing them tells the application,
  // which may queue notices for others: repeat until both lists are empty. The application's
  // deferred work (batched notices) runs first, so its output leaves in this same flush.
  while (!dirty_.empty() || !closed_.empty() || !deferred_.empty()) {
    std::vector<app::DeferredTask*> deferred;
    deferred.swap(deferred_);
    for (app::DeferredTask* task : deferred) task->run_deferred();
    std::vector<Connection*> dirty;
    dirty.swap(dirty_);
    for (Connection* c : dirty) {
      c->in_dirty_list = false;
      c->flush();
    }
    dirty.clear();
    if (dirty_.empty()) dirty_.swap(dirty);  // keep the vector's capacity
    free_closed();
  }
  // Spares were returned this iteration: make sure someone frees them if they stay unused.
  if (!pool_trim_timer_.scheduled() && readers_.idle() + queues_.idle() > 0) {
    loop_.timers().schedule_in(pool_trim_timer_, kPoolTrimIntervalMs);
  }
  if (shutting_down_ && connection_count_ == 0) loop_.stop();
}

void Server::free_closed() {
  std::vector<Connection*> closed;
  closed.swap(closed_);
  for (Connection* c : closed) {
    if (c->upgraded()) {
      --websocket_count_;
      if (options_.max_clients_per_ip != 0) {
        auto it = per_ip_.find(std::string(c->host()));
        if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
      }
      application_.on_close(*c, c->final_code(), c->final_reason());
    }
    if (c->list_prev != nullptr) c->list_prev->list_next = c->list_next;
    else connections_ = c->list_next;
    if (c->list_next != nullptr) c->list_next->list_prev = c->list_prev;
    --connection_count_;
    delete c;
  }
}

}  // namespace wsrelay::server
