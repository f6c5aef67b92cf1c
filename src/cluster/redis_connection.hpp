// RedisConnection: one connection to a Redis server, driven by the reactor.
//
// Why not hiredis' async context (redisAsyncContext + an addRead/delRead/... adapter)? Because
// hiredis 0.14 asserts on what a server sends: a reply nobody asked for on a plain connection
// (async.c, redisProcessCallbacks: assert(c->flags & REDIS_SUBSCRIBED || ...)) or a pub/sub
// array whose first element is not a string aborts the whole process — and a server answering
// garbage must never take wsrelay down. It also has no timeouts on async connects or replies.
// So the I/O is ours, on the reactor like every other socket, and hiredis does what it is good
// at: the RESP reader (redisReaderFeed/GetReply) and the command encoder (redisFormatCommandArgv).
//
// Contract:
// - connect() starts a non-blocking connect (TCP to an IP literal, or a unix socket); then,
//   before anything else, AUTH (if the endpoint has a password), SELECT (if db != 0) and PING,
//   whose answers must be +OK/+OK/+PONG. Then on_ready(). Any failure, at any time, closes the
//   socket and calls on_down() once, with a LinkError and a sentence for the log; every
//   pending ReplyHandler is first called with nullptr. Nothing reconnects here (RedisLink does).
// - Replies come back in command order (RESP is strictly ordered). In pub/sub mode, arrays
//   ["message", channel, payload] are pushes and go to on_push(); everything else answers the
//   oldest pending command. A reply with no pending command is a protocol error.
// - Deadlines, on the loop's timer wheel: connect + handshake within connect_timeout_ms; each
//   reply within reply_timeout_ms of its command being queued. A stall becomes kTimeout.
// - Output is queued and written in the before-sleep hook (many commands, one write). Both
//   queued output and unparsed input are capped; passing a cap is an error, never growth.
// - Never destroy a RedisConnection from inside one of its own callbacks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "cluster/redis_url.hpp"
#include "net/event_loop.hpp"

struct redisReader;
struct redisReply;

namespace wsrelay::cluster {

enum class LinkError : uint8_t {
  kNone,
  kUnreachable,  // connect refused / no route / socket closed before a reply
  kTimeout,      // connect, handshake or a reply took longer than its deadline
  kAuth,         // AUTH refused, or the server wants a password we do not have
  kProtocol,     // not RESP, a reply nobody asked for, or not a Redis server at all
  kServer,       // the server refused part of the handshake (SELECT out of range, ...)
  kClosed,       // the server closed an established connection
};
inline constexpr std::string_view kLinkErrorNames[] = {"none",     "unreachable", "timeout", "auth",
                                                       "protocol", "server",      "closed"};
inline std::string_view name_of(LinkError e) {
  return kLinkErrorNames[static_cast<size_t>(e)];
}

struct ConnectionOptions {
  RedisEndpoint endpoint;  // TCP host must already be an IP literal (net::resolve_host)
  std::string name;        // for log lines: "command" or "pubsub"
  bool pubsub = false;     // recognise ["message", channel, payload] pushes
  uint64_t connect_timeout_ms = 2000;
  uint64_t reply_timeout_ms = 5000;
  size_t max_input_bytes = 64u << 20;   // unparsed reply bytes
  size_t max_output_bytes = 64u << 20;  // queued, unsent command bytes
};

class RedisConnection;

class ConnectionListener {
 public:
  virtual void on_ready(RedisConnection& connection) = 0;
  virtual void on_down(RedisConnection& connection, LinkError error, std::string_view detail) = 0;
  virtual void on_push(RedisConnection& connection, std::string_view channel,
                       std::string_view payload) = 0;

 protected:
  ~ConnectionListener() = default;
};

// Called with the reply, or nullptr when the connection went down before it came.
using ReplyHandler = std::function<void(const redisReply* reply)>;

class RedisConnection final : public net::IoHandler,
                              private net::Timer,
                              private net::BeforeSleepHook {
 public:
  RedisConnection(net::EventLoop& loop, ConnectionOptions options, ConnectionListener& listener);
  ~RedisConnection() override;  // closes silently: no handler or listener is called
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  enum class State : uint8_t { kClosed, kConnecting, kHandshake, kReady };
  State state() const { return state_; }
  bool ready() const { return state_ == State::kReady; }
  const ConnectionOptions& options() const { return options_; }

  // Begins connecting when closed (else does nothing). May call on_down() before returning
  // when the connect fails at once (a missing unix socket).
  void connect();
  // Closes now: pending handlers get nullptr; on_down() is not called.
  void close();

  // Queues one command (arguments are binary-safe). False, and `handler` is not called, when
  // the connection is not ready or the output cap would be passed.
  bool command(std::span<const std::string_view> argv, ReplyHandler handler);
  bool command(std::initializer_list<std::string_view> argv, ReplyHandler handler) {
    return command(std::span<const std::string_view>(argv.begin(), argv.size()),
                   std::move(handler));
  }
  size_t pending() const { return pending_.size(); }
  size_t queued_bytes() const { return out_.size() - out_sent_; }

  void on_io(uint32_t events) override;

 private:
  enum class Step : uint8_t { kUser, kAuth, kSelect, kPing };
  struct Pending {
    ReplyHandler handler;  // empty for handshake steps
    uint64_t sent_ms;
    Step step;
    bool internal;
  };

  void on_timer() override;
  void before_sleep() override;
  bool queue(std::span<const std::string_view> argv);
  void handshake_reply(Step step, const redisReply& reply);
  void dispatch(redisReply& reply);
  void flush();
  void read_input();
  void update_interest();
  void arm_timer();
  void fail(LinkError error, std::string detail);
  void teardown(bool notify_handlers);

  net::EventLoop& loop_;
  ConnectionOptions options_;
  ConnectionListener& listener_;
  State state_ = State::kClosed;
  int fd_ = -1;
  bool watching_write_ = false;
  uint64_t generation_ = 0;  // bumped by teardown: a callback that closed us stops the caller
  uint64_t connect_deadline_ms_ = 0;
  redisReader* reader_ = nullptr;
  std::string out_;
  size_t out_sent_ = 0;
  std::deque<Pending> pending_;
};

// "ERR ..." / "PONG" / "(array of 3)": a reply as a short phrase for log lines.
std::string describe_reply(const redisReply& reply);

}  // namespace wsrelay::cluster
