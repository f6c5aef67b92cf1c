#include "cluster/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <sys/uio.h>

#include <cstdlib>
#include <cstring>
#include <vector>

#include "net/client_socket.hpp"
#include "net/socket.hpp"
#include "net/transport.hpp"

namespace wsrelay::cluster {

namespace {

// One receive buffer for every Redis connection of the (single-threaded) process.
uint8_t g_input[64 * 1024];

bool is_status(const redisReply& reply, std::string_view text) {
  return (reply.type == REDIS_REPLY_STATUS || reply.type == REDIS_REPLY_STRING) &&
         std::string_view(reply.str, reply.len) == text;
}

bool is_string(const redisReply* reply, std::string_view text) {
  return reply != nullptr &&
         (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS) &&
         std::string_view(reply->str, reply->len) == text;
}

}  // namespace

std::string describe_reply(const redisReply& reply) {
  switch (reply.type) {
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR:
    case REDIS_REPLY_STRING: {
      std::string text(reply.str, std::min<size_t>(reply.len, 120));
      for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
      }
      return text;
    }
    case REDIS_REPLY_INTEGER:
      return "integer " + std::to_string(reply.integer);
    case REDIS_REPLY_NIL:
      return "nil";
    case REDIS_REPLY_ARRAY:
      return "an array of " + std::to_string(reply.elements);
  }
  return "an unknown reply";
}

RedisConnection::RedisConnection(net::EventLoop& loop, ConnectionOptions options,
                                 ConnectionListener& listener)
    : loop_(loop), options_(std::move(options)), listener_(listener) {
  loop_.add_before_sleep(this);
}

RedisConnection::~RedisConnection() {
  teardown(false);
  loop_.remove_before_sleep(this);
}

void RedisConnection::connect() {
  if (state_ != State::kClosed) return;
  net::StreamAddress address;
  address.ip = options_.endpoint.host;
  address.port = options_.endpoint.port;
  address.unix_path = options_.endpoint.unix_path;
  std::string error;
  const int fd = net::connect_stream(address, error);
  if (fd < 0) {
    listener_.on_down(*this, LinkError::kUnreachable, error);
    return;
  }
  fd_ = fd;
  reader_ = redisReaderCreate();
  if (reader_ == nullptr) std::abort();  // out of memory
  state_ = State::kConnecting;
  connect_deadline_ms_ = loop_.now_ms() + options_.connect_timeout_ms;
  // The handshake is queued now and leaves with the first write, once connected. RESP lets us
  // pipeline it: the answers come back in this order whatever happens.
  const RedisEndpoint& e = options_.endpoint;
  const uint64_t now = loop_.now_ms();
  if (!e.password.empty()) {
    if (e.user.empty()) {
      queue(std::initializer_list<std::string_view>{"AUTH", e.password});
    } else {
      queue(std::initializer_list<std::string_view>{"AUTH", e.user, e.password});
    }
    pending_.push_back({{}, now, Step::kAuth, true});
  }
  if (e.db != 0) {
    const std::string db = std::to_string(e.db);
    queue(std::initializer_list<std::string_view>{"SELECT", db});
    pending_.push_back({{}, now, Step::kSelect, true});
  }
  queue(std::initializer_list<std::string_view>{"PING"});
  pending_.push_back({{}, now, Step::kPing, true});
  watching_write_ = true;  // writability is how a non-blocking connect reports completion
  if (const int rc = loop_.watch(fd_, this, true, true); rc != 0) {
    fail(LinkError::kUnreachable, std::string("epoll: ") + std::strerror(rc));
    return;
  }
  arm_timer();
}

void RedisConnection::close() {
  teardown(true);
}

bool RedisConnection::queue(std::span<const std::string_view> argv) {
  // Most commands have a handful of arguments: no allocation for those (MGET may have many).
  constexpr size_t kInline = 8;
  const char* inline_pointers[kInline];
  size_t inline_lengths[kInline];
  std::vector<const char*> heap_pointers;
  std::vector<size_t> heap_lengths;
  const char** pointers = inline_pointers;
  size_t* lengths = inline_lengths;
  if (argv.size() > kInline) {
    heap_pointers.resize(argv.size());
    heap_lengths.resize(argv.size());
    pointers = heap_pointers.data();
    lengths = heap_lengths.data();
  }
  for (size_t i = 0; i < argv.size(); ++i) {
    pointers[i] = argv[i].data();
    lengths[i] = argv[i].size();
  }
  char* encoded = nullptr;
  const int length =
      redisFormatCommandArgv(&encoded, static_cast<int>(argv.size()), pointers, lengths);
  if (length < 0 || encoded == nullptr) return false;
  out_.append(encoded, static_cast<size_t>(length));
  redisFreeCommand(encoded);
  return true;
}

bool RedisConnection::command(std::span<const std::string_view> argv, ReplyHandler handler) {
  if (state_ != State::kReady || argv.empty()) return false;
  size_t estimate = 16;
  for (std::string_view arg : argv) estimate += arg.size() + 16;
  if (queued_bytes() + estimate > options_.max_output_bytes) return false;
  if (!queue(argv)) return false;
  const bool was_idle = pending_.empty();
  pending_.push_back({std::move(handler), loop_.now_ms(), Step::kPing, false});
  if (was_idle) arm_timer();
  return true;
}

void RedisConnection::before_sleep() {
  if ((state_ == State::kReady || state_ == State::kHandshake) && queued_bytes() > 0) flush();
}

void RedisConnection::flush() {
  while (queued_bytes() > 0) {
    iovec iov{out_.data() + out_sent_, queued_bytes()};
    const net::IoResult r = net::tcp_transport().writev(fd_, &iov, 1);
    if (r.status == net::IoResult::kOk) {
      out_sent_ += r.bytes;
      continue;
    }
    if (r.status == net::IoResult::kWouldBlock) break;
    fail(LinkError::kClosed, std::string("write failed: ") + std::strerror(r.error));
    return;
  }
  if (queued_bytes() == 0) {
    out_.clear();
    out_sent_ = 0;
  } else if (out_sent_ > out_.size() / 2) {
    out_.erase(0, out_sent_);
    out_sent_ = 0;
  }
  update_interest();
}

void RedisConnection::update_interest() {
  if (fd_ < 0) return;
  const bool want_write = state_ == State::kConnecting || queued_bytes() > 0;
  if (want_write == watching_write_) return;
  watching_write_ = want_write;
  loop_.update(fd_, this, true, want_write);
}

void RedisConnection::on_io(uint32_t events) {
  const uint64_t generation = generation_;
  if (state_ == State::kConnecting) {
    if ((events & (net::io_event::kWritable | net::io_event::kHangup)) == 0) return;
    if (const int error = net::socket_error(fd_); error != 0) {
      fail(LinkError::kUnreachable, std::string("connect: ") + std::strerror(error));
      return;
    }
    state_ = State::kHandshake;
    flush();
    if (generation != generation_) return;
  }
  if (events & net::io_event::kReadable) {
    read_input();
    if (generation != generation_) return;
  }
  if ((events & net::io_event::kWritable) && queued_bytes() > 0) flush();
}

void RedisConnection::read_input() {
  const net::IoResult r = net::tcp_transport().read(fd_, g_input, sizeof g_input);
  if (r.status == net::IoResult::kWouldBlock) return;
  if (r.status == net::IoResult::kClosed) {
    fail(state_ == State::kReady ? LinkError::kClosed : LinkError::kUnreachable,
         state_ == State::kReady ? "the server closed the connection"
                                 : "the server closed the connection during the handshake");
    return;
  }
  if (r.status == net::IoResult::kError) {
    fail(LinkError::kClosed, std::string("read failed: ") + std::strerror(r.error));
    return;
  }
  if (redisReaderFeed(reader_, reinterpret_cast<const char*>(g_input), r.bytes) != REDIS_OK) {
    fail(LinkError::kProtocol, "the reply reader failed");
    return;
  }
  const uint64_t generation = generation_;
  for (;;) {
    void* parsed = nullptr;
    if (redisReaderGetReply(reader_, &parsed) != REDIS_OK) {
      fail(LinkError::kProtocol, std::string("not the Redis protocol (") + reader_->errstr + ")");
      return;
    }
    if (parsed == nullptr) break;
    redisReply* reply = static_cast<redisReply*>(parsed);
    dispatch(*reply);
    freeReplyObject(reply);
    if (generation != generation_) return;
  }
  // A reply that claims to be huge is read into memory until it is complete: cap what waits.
  if (reader_->len - reader_->pos > options_.max_input_bytes) {
    fail(LinkError::kProtocol,
         "a reply larger than " + std::to_string(options_.max_input_bytes) + " bytes");
  }
}

void RedisConnection::dispatch(redisReply& reply) {
  if (options_.pubsub && state_ == State::kReady && reply.type == REDIS_REPLY_ARRAY &&
      reply.elements == 3 && is_string(reply.element[0], "message")) {
    const redisReply* channel = reply.element[1];
    const redisReply* payload = reply.element[2];
    if (channel->type != REDIS_REPLY_STRING || payload->type != REDIS_REPLY_STRING) {
      fail(LinkError::kProtocol, "a pub/sub message whose channel or payload is not a string");
      return;
    }
    listener_.on_push(*this, std::string_view(channel->str, channel->len),
                      std::string_view(payload->str, payload->len));
    return;
  }
  if (pending_.empty()) {
    fail(LinkError::kProtocol, "a reply nobody asked for (" + describe_reply(reply) + ")");
    return;
  }
  Pending front = std::move(pending_.front());
  pending_.pop_front();
  arm_timer();
  if (front.internal) {
    handshake_reply(front.step, reply);
  } else if (front.handler) {
    front.handler(&reply);
  }
}

void RedisConnection::handshake_reply(Step step, const redisReply& reply) {
  const bool error = reply.type == REDIS_REPLY_ERROR;
  const std::string text = describe_reply(reply);
  // NOAUTH on any step: the server has requirepass and we sent no (or no accepted) password.
  if (error && text.rfind("NOAUTH", 0) == 0) {
    fail(LinkError::kAuth,
         "the server requires a password (put it in redis_url: redis://:password@host:port): " +
             text);
    return;
  }
  switch (step) {
    case Step::kUser:
    case Step::kAuth:
      if (!is_status(reply, "OK")) {
        fail(error ? LinkError::kAuth : LinkError::kProtocol, "AUTH refused: " + text);
      }
      return;
    case Step::kSelect:
      if (!is_status(reply, "OK")) {
        fail(error ? LinkError::kServer : LinkError::kProtocol,
             "SELECT " + std::to_string(options_.endpoint.db) + " refused: " + text);
      }
      return;
    case Step::kPing:
      if (!is_status(reply, "PONG")) {
        fail(error ? LinkError::kServer : LinkError::kProtocol,
             "PING answered with '" + text + "': not a Redis server?");
        return;
      }
      state_ = State::kReady;
      arm_timer();
      listener_.on_ready(*this);
      return;
  }
}

void RedisConnection::arm_timer() {
  if (state_ == State::kClosed) return;
  uint64_t deadline = UINT64_MAX;
  if (state_ != State::kReady) deadline = connect_deadline_ms_;
  if (!pending_.empty()) {
    const uint64_t reply_deadline = pending_.front().sent_ms + options_.reply_timeout_ms;
    if (state_ == State::kReady || reply_deadline < deadline)
      deadline = std::min(deadline, reply_deadline);
  }
  if (deadline == UINT64_MAX) {
    loop_.timers().cancel(*this);
  } else if (!scheduled() || deadline_ms() != deadline) {
    loop_.timers().schedule_at(*this, deadline);
  }
}

void RedisConnection::on_timer() {
  const uint64_t now = loop_.now_ms();
  if (state_ == State::kConnecting || state_ == State::kHandshake) {
    if (now >= connect_deadline_ms_) {
      fail(LinkError::kTimeout,
           std::string(state_ == State::kConnecting ? "connect" : "handshake") +
               " took longer than " + std::to_string(options_.connect_timeout_ms) + " ms");
      return;
    }
  }
  if (!pending_.empty() && now >= pending_.front().sent_ms + options_.reply_timeout_ms) {
    fail(LinkError::kTimeout, "no reply for " + std::to_string(options_.reply_timeout_ms) + " ms");
    return;
  }
  arm_timer();
}

void RedisConnection::fail(LinkError error, std::string detail) {
  if (state_ == State::kClosed) return;
  teardown(true);
  listener_.on_down(*this, error, detail);
}

void RedisConnection::teardown(bool notify_handlers) {
  if (state_ == State::kClosed) return;
  ++generation_;
  loop_.timers().cancel(*this);
  if (fd_ >= 0) {
    loop_.unwatch(fd_);
    net::close_fd(fd_);
    fd_ = -1;
  }
  if (reader_ != nullptr) {
    redisReaderFree(reader_);
    reader_ = nullptr;
  }
  out_.clear();
  out_sent_ = 0;
  watching_write_ = false;
  state_ = State::kClosed;
  std::deque<Pending> pending = std::move(pending_);
  pending_.clear();
  if (!notify_handlers) return;
  for (Pending& p : pending) {
    if (!p.internal && p.handler) p.handler(nullptr);
  }
}

}  // namespace wsrelay::cluster
