#include "client.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "metrics.hpp"
#include "ws/close_code.hpp"
#include "ws/frame.hpp"
#include "ws/handshake.hpp"

namespace wsrelay::wsbench {
namespace {

constexpr size_t kReadBufferBytes = 256 * 1024;
// A client whose unsent output passes this is not being read by the server: fail it rather
// than grow without bound.
constexpr size_t kMaxOutputBytes = 64u << 20;
constexpr size_t kMaxResponseBytes = 8192;

bool ieq(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);  // ASCII case folding is enough for header names
         });
}

// The value of header `name` in a response head ("Name: value\r\n"), or empty.
std::string_view header_value(std::string_view head, std::string_view name) {
  size_t line = head.find("\r\n");
  while (line != std::string_view::npos && line + 2 < head.size()) {
    size_t start = line + 2;
    size_t end = head.find("\r\n", start);
    if (end == std::string_view::npos) break;
    std::string_view text = head.substr(start, end - start);
    size_t colon = text.find(':');
    if (colon != std::string_view::npos && ieq(text.substr(0, colon), name)) {
      std::string_view value = text.substr(colon + 1);
      while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
      while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
      return value;
    }
    line = end;
  }
  return {};
}

}  // namespace

// ---- Client ---------------------------------------------------------------------------------

Client::~Client() {
  if (fd_ >= 0) ::close(fd_);
}

bool Client::start(const sockaddr_in& server, const sockaddr_in* source) {
  state_ = ClientState::kConnecting;
  out_.clear();
  out_sent_ = 0;
  response_.clear();
  parser_.reset();
  frame_opcode_ = ws::Opcode::kContinuation;
  message_length_ = 0;
  head_length_ = 0;
  control_.clear();
  counter = 0;

  fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) {
    close(std::strerror(errno));
    return false;
  }
  int one = 1;
  // Small messages must leave at once, not wait for Nagle's timer: we measure latency.
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (source != nullptr) {
    // Choose the port at connect() time, so each source address has its own port range per
    // destination (without this, bind() would reserve ports across all addresses).
    setsockopt(fd_, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof(one));
    if (bind(fd_, reinterpret_cast<const sockaddr*>(source), sizeof(*source)) != 0) {
      close(std::strerror(errno));
      return false;
    }
  }
  if (connect(fd_, reinterpret_cast<const sockaddr*>(&server), sizeof(server)) != 0 &&
      errno != EINPROGRESS) {
    close(std::strerror(errno));
    return false;
  }
  want_write_ = true;  // writable = connected (or failed)
  if (!fleet_.poller_.add(fd_, this, true)) {
    close(std::strerror(errno));
    return false;
  }
  return true;
}

void Client::on_event(const PollEvent& event) {
  if (state_ == ClientState::kIdle || state_ == ClientState::kClosed) return;  // stale
  if (state_ == ClientState::kConnecting) {
    if (event.writable || event.failed) on_connected();
    return;
  }
  if (event.readable || event.failed) on_readable();
  if (event.writable && fd_ >= 0) flush();
}

void Client::on_connected() {
  int error = 0;
  socklen_t length = sizeof(error);
  if (getsockopt(fd_, SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0) {
    close(std::strerror(error != 0 ? error : errno));
    return;
  }
  // RFC 6455 §4.1: the opening handshake is an HTTP/1.1 GET with a random 16-byte nonce,
  // Base64-encoded, as Sec-WebSocket-Key.
  fleet_.make_key(key_);
  const std::string& head = fleet_.request_head_;
  out_.insert(out_.end(), head.begin(), head.end());
  out_.insert(out_.end(), key_.begin(), key_.end());
  constexpr std::string_view kTail = "\r\nSec-WebSocket-Version: 13\r\n\r\n";
  out_.insert(out_.end(), kTail.begin(), kTail.end());
  state_ = ClientState::kHandshake;
  flush();
}

void Client::on_readable() {
  std::vector<uint8_t>& buffer = fleet_.read_buffer_;
  // Level-triggered: read what is there now (a few times if the buffer fills), come back later.
  for (int round = 0; round < 4; ++round) {
    ssize_t got = recv(fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (got < 0) {
      if (errno == EAGAIN || errno == EINTR) return;
      close(std::strerror(errno));
      return;
    }
    if (got == 0) {
      close(state_ == ClientState::kClosing ? "closed" : "connection closed by server");
      return;
    }
    std::span<uint8_t> bytes(buffer.data(), static_cast<size_t>(got));
    if (state_ == ClientState::kHandshake) {
      long used = on_handshake_bytes(bytes);
      if (used < 0) return;
      bytes = bytes.subspan(static_cast<size_t>(used));
    }
    if (!bytes.empty()) on_frames(bytes);
    if (fd_ < 0 || static_cast<size_t>(got) < buffer.size()) return;
  }
}

long Client::on_handshake_bytes(std::span<uint8_t> bytes) {
  size_t before = response_.size();
  response_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  size_t end = response_.find("\r\n\r\n");
  if (end == std::string::npos) {
    if (response_.size() > kMaxResponseBytes) close("handshake response too long");
    return response_.size() > kMaxResponseBytes ? -1 : static_cast<long>(bytes.size());
  }
  std::string_view head(response_.data(), end + 2);
  // RFC 6455 §4.1: the server accepts with 101 and proves it read our key with
  // Sec-WebSocket-Accept = Base64(SHA-1(key + GUID)).
  if (!head.starts_with("HTTP/1.1 101")) {
    std::string status(head.substr(0, std::min<size_t>(head.find("\r\n"), 64)));
    close("upgrade refused: " + status);
    return -1;
  }
  std::array<char, 28> expected =
      ws::compute_accept_key(std::string_view(key_.data(), key_.size()));
  if (header_value(head, "Sec-WebSocket-Accept") !=
      std::string_view(expected.data(), expected.size())) {
    close("wrong Sec-WebSocket-Accept");
    return -1;
  }
  size_t used = end + 4 - before;  // bytes of this read that belonged to the response
  std::string().swap(response_);
  state_ = ClientState::kOpen;
  fleet_.on_client_open(*this);
  if (state_ != ClientState::kOpen && state_ != ClientState::kClosing) return -1;
  return static_cast<long>(used);
}

void Client::on_frames(std::span<uint8_t> bytes) {
  while (fd_ >= 0) {
    // After a header, an empty-payload frame still yields one kPayload with no input.
    bool empty_frame_pending = parser_.in_payload() && parser_.payload_remaining() == 0;
    if (bytes.empty() && !empty_frame_pending) return;
    ws::FrameStep step = parser_.next(bytes);
    bytes = bytes.subspan(step.consumed);
    switch (step.event) {
      case ws::FrameEvent::kNeedMore:
        return;
      case ws::FrameEvent::kError:
        close(parser_.error_reason());
        return;
      case ws::FrameEvent::kHeader: {
        frame_opcode_ = parser_.header().opcode;
        if (!ws::is_control(frame_opcode_) && frame_opcode_ != ws::Opcode::kContinuation) {
          message_text_ = frame_opcode_ == ws::Opcode::kText;
          message_length_ = 0;
          head_length_ = 0;
        }
        break;
      }
      case ws::FrameEvent::kPayload:
        on_frame_payload(step.payload, step.frame_complete);
        if (step.consumed == 0 && !step.frame_complete) return;  // nothing more to do now
        break;
    }
  }
}

void Client::on_frame_payload(std::span<const uint8_t> piece, bool frame_complete) {
  if (ws::is_control(frame_opcode_)) {
    control_.append(reinterpret_cast<const char*>(piece.data()), piece.size());
    if (frame_complete) on_control_frame();
    return;
  }
  // Keep only the head of a data message: the generator never needs the rest.
  if (head_length_ < kHeadBytes) {
    size_t take = std::min(piece.size(), kHeadBytes - head_length_);
    std::memcpy(head_.data() + head_length_, piece.data(), take);
    head_length_ += take;
  }
  message_length_ += piece.size();
  if (frame_complete && parser_.header().fin) {
    fleet_.host_.on_message(*this, message_text_,
                            std::span<const uint8_t>(head_.data(), head_length_), message_length_);
  }
}

void Client::on_control_frame() {
  std::string payload;
  payload.swap(control_);
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  switch (frame_opcode_) {
    case ws::Opcode::kPing:  // §5.5.2: answer with a Pong carrying the same payload
      queue_frame(ws::Opcode::kPong, bytes);
      break;
    case ws::Opcode::kClose:
      // §5.5.1: the server's Close. If we started the closing handshake it is complete;
      // otherwise answer with Close (echoing the code) and drop the connection.
      if (state_ == ClientState::kClosing) {
        close("closed");
      } else {
        queue_frame(ws::Opcode::kClose, bytes.subspan(0, std::min<size_t>(bytes.size(), 2)));
        flush();
        uint16_t code = bytes.size() >= 2 ? static_cast<uint16_t>(bytes[0] << 8 | bytes[1]) : 1005;
        close("server closed the connection with code " + std::to_string(code));
      }
      break;
    default:  // an unsolicited Pong: nothing to do (§5.5.3)
      break;
  }
}

void Client::send_message(bool text, std::span<const uint8_t> payload) {
  if (state_ != ClientState::kOpen) return;
  queue_frame(text ? ws::Opcode::kText : ws::Opcode::kBinary, payload);
}

void Client::send_close(uint16_t code) {
  if (state_ != ClientState::kOpen) return;
  uint8_t payload[2] = {static_cast<uint8_t>(code >> 8), static_cast<uint8_t>(code & 0xFF)};
  queue_frame(ws::Opcode::kClose, payload);
  state_ = ClientState::kClosing;
}

void Client::queue_frame(ws::Opcode opcode, std::span<const uint8_t> payload) {
  // §5.3: a fresh, unpredictable masking key for every frame the client sends.
  uint8_t key[4];
  fleet_.fill_mask_key(key);
  size_t at = out_.size();
  size_t header = ws::frame_header_size(payload.size(), true);
  out_.resize(at + header + payload.size());
  ws::write_frame_header(out_.data() + at, opcode, payload.size(), true, key);
  if (!payload.empty()) {
    std::memcpy(out_.data() + at + header, payload.data(), payload.size());
    ws::apply_mask(out_.data() + at + header, payload.size(), key);
  }
  if (out_.size() - out_sent_ > kMaxOutputBytes) {
    close("server is not reading (output backlog over 64 MiB)");
    return;
  }
  fleet_.mark_dirty(*this);
}

bool Client::flush() {
  while (out_sent_ < out_.size()) {
    ssize_t sent =
        send(fd_, out_.data() + out_sent_, out_.size() - out_sent_, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent < 0) {
      if (errno == EAGAIN) {
        set_want_write(true);
        return true;
      }
      if (errno == EINTR) continue;
      close(std::strerror(errno));
      return false;
    }
    out_sent_ += static_cast<size_t>(sent);
  }
  out_.clear();  // keeps its capacity: no allocation per message in the steady state
  out_sent_ = 0;
  set_want_write(false);
  return true;
}

void Client::set_want_write(bool want) {
  if (want == want_write_ || fd_ < 0) return;
  want_write_ = want;
  fleet_.poller_.modify(fd_, this, want);
}

void Client::close(std::string_view why) {
  if (state_ == ClientState::kIdle || state_ == ClientState::kClosed) return;
  bool was_open = state_ == ClientState::kOpen || state_ == ClientState::kClosing;
  bool clean = why == "closed";
  if (fd_ >= 0) ::close(fd_);  // also removes it from the epoll set
  fd_ = -1;
  want_write_ = false;
  state_ = ClientState::kClosed;
  std::string reason(why);  // `why` may point into buffers the host is about to reuse
  fleet_.on_client_closed(*this, was_open, clean, reason);
}

// ---- Fleet ----------------------------------------------------------------------------------

Fleet::Fleet(const Options& options, ClientHost& host, size_t expected_clients)
    : options_(options), host_(host), read_buffer_(kReadBufferBytes) {
  server_.sin_family = AF_INET;
  server_.sin_port = htons(options.port);
  inet_pton(AF_INET, options.host.c_str(), &server_.sin_addr);

  size_t addresses = options.src_addrs != 0
                         ? options.src_addrs
                         : std::min<size_t>(250, (expected_clients + kConnsPerSourceAddress - 1) /
                                                     kConnsPerSourceAddress);
  if (addresses > 1) {
    for (size_t i = 0; i < addresses; ++i) {
      sockaddr_in source{};
      source.sin_family = AF_INET;
      source.sin_addr.s_addr = htonl((127u << 24) | static_cast<uint32_t>(i + 1));  // 127.0.0.(i+1)
      sources_.push_back(source);
    }
  }

  request_head_ = "GET " + options.path + " HTTP/1.1\r\nHost: " + options.host + ":" +
                  std::to_string(options.port) +
                  "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ";
  if (getrandom(&rng_state_, sizeof(rng_state_), 0) != sizeof(rng_state_)) rng_state_ = now_ns();
  rng_state_ |= 1;
}

Fleet::~Fleet() = default;  // each Client closes its own socket

void Fleet::add_clients(size_t count) {
  for (size_t i = 0; i < count; ++i) {
    auto index = static_cast<uint32_t>(clients_.size());
    clients_.push_back(std::make_unique<Client>(*this, index));
    queue_.push_back(index);
  }
}

void Fleet::reconnect(Client& client) {
  if (client.state_ != ClientState::kClosed && client.state_ != ClientState::kIdle) return;
  client.state_ = ClientState::kIdle;
  queue_.push_back(client.index());
}

bool Fleet::run_until(uint64_t deadline_ns, const std::function<bool()>& done) {
  // Bounded by the deadline whatever the server does.
  for (;;) {
    if (done && done()) return true;
    uint64_t now = now_ns();
    if (now >= deadline_ns) return !done;
    uint64_t left_ms = (deadline_ns - now) / 1000000 + 1;
    poll_once(static_cast<int>(std::min<uint64_t>(left_ms, static_cast<uint64_t>(tick_ms_))));
  }
}

void Fleet::poll_once(int timeout_ms) {
  start_pending();
  flush_dirty();
  PollEvent events[512];
  int count = poller_.wait(events, timeout_ms);
  for (int i = 0; i < count; ++i) {
    const PollEvent& event = events[i];
    static_cast<Client*>(event.owner)->on_event(event);
  }
  host_.on_tick();
  flush_dirty();
}

void Fleet::start_pending() {
  // At most `concurrency` starts per call, so immediate failures that requeue (soak) cannot
  // spin here.
  for (uint32_t started = 0; started < options_.concurrency && queue_head_ < queue_.size() &&
                             in_progress_ < options_.concurrency;
       ++started) {
    Client& client = *clients_[queue_[queue_head_++]];
    ++in_progress_;
    const sockaddr_in* source =
        sources_.empty() ? nullptr : &sources_[client.index() % sources_.size()];
    client.start(server_, source);
  }
  if (queue_head_ == queue_.size()) {
    queue_.clear();
    queue_head_ = 0;
  }
}

void Fleet::flush_dirty() {
  // A client may be marked again while we flush (a failed send closes it, and the host may
  // queue more on others): walk by index, the list may grow.
  for (size_t i = 0; i < dirty_.size(); ++i) {
    Client* client = dirty_[i];
    client->dirty_ = false;
    if (client->fd_ >= 0) client->flush();
  }
  dirty_.clear();
}

void Fleet::mark_dirty(Client& client) {
  if (client.dirty_) return;
  client.dirty_ = true;
  dirty_.push_back(&client);
}

void Fleet::on_client_open(Client& client) {
  --in_progress_;
  ++handshakes_;
  ++open_now_;
  host_.on_open(client);
}

void Fleet::on_client_closed(Client& client, bool was_open, bool clean, std::string_view why) {
  if (was_open) {
    --open_now_;
    if (!clean) ++drops_;
  } else {
    --in_progress_;
    ++failures_;
  }
  if (!clean && first_error_.empty()) first_error_ = std::string(why);
  host_.on_closed(client, was_open, why);
}

void Fleet::close_all() {
  for (auto& client : clients_) {
    if (client->fd_ >= 0) {
      ::close(client->fd_);
      client->fd_ = -1;
      client->state_ = ClientState::kClosed;
    }
  }
  queue_.clear();
  queue_head_ = 0;
  dirty_.clear();
  open_now_ = 0;
  in_progress_ = 0;
}

void Fleet::fill_mask_key(uint8_t key[4]) {
  // xorshift64*: masking keys only need to be unpredictable to a naive proxy, not to an
  // attacker, and this costs a few cycles per frame.
  rng_state_ ^= rng_state_ >> 12;
  rng_state_ ^= rng_state_ << 25;
  rng_state_ ^= rng_state_ >> 27;
  uint64_t value = rng_state_ * 0x2545F4914F6CDD1DULL;
  std::memcpy(key, &value, 4);
}

void Fleet::make_key(std::array<char, 24>& key) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  uint8_t nonce[18] = {};  // 16 random bytes, padded to a multiple of 3 for the loop below
  fill_mask_key(nonce);
  fill_mask_key(nonce + 4);
  fill_mask_key(nonce + 8);
  fill_mask_key(nonce + 12);
  for (size_t i = 0, o = 0; i < 18; i += 3, o += 4) {
    uint32_t group = static_cast<uint32_t>(nonce[i]) << 16 |
                     static_cast<uint32_t>(nonce[i + 1]) << 8 | nonce[i + 2];
    key[o] = kAlphabet[(group >> 18) & 63];
    key[o + 1] = kAlphabet[(group >> 12) & 63];
    key[o + 2] = kAlphabet[(group >> 6) & 63];
    key[o + 3] = kAlphabet[group & 63];
  }
  key[22] = '=';  // 16 bytes encode to 22 characters and two pad characters
  key[23] = '=';
}

}  // namespace wsrelay::wsbench
