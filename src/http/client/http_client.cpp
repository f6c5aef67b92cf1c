#include "http/client/http_client.hpp"

#include <cstring>
#include <utility>

#include "net/tcp_connect.hpp"
#include "net/tls_transport.hpp"
#include "net/transport.hpp"

namespace wsrelay::http::client {

namespace {
constexpr size_t kReadChunk = 16 * 1024;
}  // namespace

HttpClient::HttpClient(net::EventLoop& loop, HttpClientOptions options, HttpClientObserver& observer)
    : loop_(loop), options_(std::move(options)), observer_(observer) {}

HttpClient::~HttpClient() { close_connection(); }

bool HttpClient::send(std::string_view method, std::span<const RequestHeader> headers, std::string_view body) {
  if (busy()) return false;
  ++counters_.requests;
  request_ = write_request(method, options_.url, headers, body, options_.keep_alive);
  head_request_ = method == "HEAD";
  written_ = 0;
  input_.clear();
  head_done_ = false;
  got_bytes_ = false;
  result_ = HttpClientResult{};
  if (state_ == State::kKept) {
    ++counters_.connections_reused;
    reused_ = true;
    state_ = State::kWriting;
    loop_.timers().schedule_in(*this, options_.response_timeout_ms);
    // Write from the loop, not from inside send(): the observer must never be re-entered.
    interest(true, true);
    return true;
  }
  reused_ = false;
  open();
  return true;
}

void HttpClient::open() {
  if (options_.url.tls && options_.tls == nullptr) {
    fail(HttpClientResult::kConnectFailed, "https needs a TLS client context");
    return;
  }
  int error = 0;
  fd_ = net::connect_tcp(options_.address, error);
  if (fd_ < 0) {
    fail(HttpClientResult::kConnectFailed, std::strerror(error));
    return;
  }
  ++counters_.connections_opened;
  watching_read_ = watching_write_ = false;
  if (const int rc = loop_.watch(fd_, this, false, true); rc != 0) {
    net::close_fd(fd_);
    fd_ = -1;
    fail(HttpClientResult::kConnectFailed, std::strerror(rc));
    return;
  }
  watching_write_ = true;
  state_ = State::kConnecting;
  loop_.timers().schedule_in(*this, options_.connect_timeout_ms);
}

void HttpClient::interest(bool read, bool write) {
  if (fd_ < 0 || (read == watching_read_ && write == watching_write_)) return;
  loop_.update(fd_, this, read, write);
  watching_read_ = read;
  watching_write_ = write;
}

void HttpClient::on_io(uint32_t events) {
  switch (state_) {
    case State::kConnecting: {
      const int error = net::connect_error(fd_);
      if (error != 0) {
        fail(HttpClientResult::kConnectFailed, std::strerror(error));
        return;
      }
      if ((events & net::io_event::kHangup) != 0 && (events & net::io_event::kWritable) == 0) {
        fail(HttpClientResult::kConnectFailed, "connection failed");
        return;
      }
      after_connect();
      return;
    }
    case State::kHandshaking:
      drive_handshake();
      return;
    case State::kWriting:
      drive_write();
      return;
    case State::kReading:
      drive_read();
      return;
    case State::kKept:
      // An idle kept connection that turns readable was closed by the server (or it sent bytes
      // no request asked for): either way it cannot carry the next request.
      close_connection();
      state_ = State::kIdle;
      if (scheduled()) loop_.timers().cancel(*this);
      return;
    case State::kIdle:
    case State::kFailing:
      return;
  }
}

void HttpClient::after_connect() {
  if (!options_.url.tls) {
    transport_ = &net::tcp_transport();
    state_ = State::kWriting;
    loop_.timers().schedule_in(*this, options_.response_timeout_ms);  // the connect deadline is over
    drive_write();
    return;
  }
  transport_ = net::TlsTransport::create_client(options_.tls, fd_, options_.url.host, options_.url.host_is_ip);
  if (transport_ == nullptr) {
    fail(HttpClientResult::kConnectFailed, "TLS: cannot create a session");
    return;
  }
  state_ = State::kHandshaking;
  drive_handshake();
}

void HttpClient::drive_handshake() {
  const net::IoResult r = transport_->handshake(fd_);
  if (r.status == net::IoResult::kOk) {
    state_ = State::kWriting;
    // The connect deadline is over; the response deadline starts.
    loop_.timers().schedule_in(*this, options_.response_timeout_ms);
    drive_write();
    return;
  }
  if (r.status == net::IoResult::kWouldBlock) {
    const bool write = transport_->wants_write();
    interest(!write, write);
    return;
  }
  fail(HttpClientResult::kConnectFailed, "TLS: " + net::tls_failure_text(r.error));
}

void HttpClient::drive_write() {
  for (;;) {
    // TLS may hold bytes it has already accepted (net/tls_transport.hpp): push those too.
    const bool held = transport_->wants_write() || transport_->wants_read();
    if (written_ >= request_.size() && !held) break;
    iovec iov{};
    int count = 0;
    if (written_ < request_.size()) {
      iov.iov_base = request_.data() + written_;
      iov.iov_len = request_.size() - written_;
      count = 1;
    }
    const net::IoResult r = transport_->writev(fd_, count == 0 ? nullptr : &iov, count);
    if (r.status == net::IoResult::kOk) {
      written_ += r.bytes;
      continue;
    }
    if (r.status == net::IoResult::kWouldBlock) {
      const bool read = transport_->wants_read();
      interest(read, !read || transport_->wants_write());
      return;
    }
    broken(r.status == net::IoResult::kClosed ? std::string("connection closed while sending the request")
                                              : "send: " + error_text(r.error));
    return;
  }
  state_ = State::kReading;
  interest(true, false);
  drive_read();  // TLS may already hold the answer; plain TCP just finds EAGAIN
}

std::string HttpClient::error_text(int error) const {
  // A TLS transport reports OpenSSL's error codes, plain TCP errno values.
  if (options_.url.tls) return "TLS connection failed";
  return error > 0 ? std::strerror(error) : "connection failed";
}

void HttpClient::drive_read() {
  uint8_t buffer[kReadChunk];
  for (;;) {
    const net::IoResult r = transport_->read(fd_, buffer, sizeof(buffer));
    if (r.status == net::IoResult::kOk) {
      if (!take_bytes(buffer, r.bytes)) return;
      continue;
    }
    if (r.status == net::IoResult::kWouldBlock) {
      interest(true, transport_->wants_write());
      return;
    }
    if (r.status == net::IoResult::kClosed) {
      if (head_done_ && decoder_.finish_at_close()) {
        complete(false);
        return;
      }
      if (!got_bytes_) {
        broken("connection closed before any response");
        return;
      }
      fail(HttpClientResult::kBroken, "connection closed before the response was complete");
      return;
    }
    if (!got_bytes_) {
      broken("receive: " + error_text(r.error));
      return;
    }
    fail(HttpClientResult::kBroken, "receive: " + error_text(r.error));
    return;
  }
}

bool HttpClient::take_bytes(const uint8_t* data, size_t length) {
  got_bytes_ = true;
  std::string_view bytes(reinterpret_cast<const char*>(data), length);
  if (!head_done_) {
    input_.append(bytes);
    for (;;) {
      const HeadResult h = parse_response_head(input_, head_, options_.max_head_bytes);
      if (h.status == HeadStatus::kIncomplete) return true;
      if (h.status == HeadStatus::kMalformed) {
        fail(HttpClientResult::kMalformed, "malformed response head");
        return false;
      }
      if (h.status == HeadStatus::kTooLarge) {
        fail(HttpClientResult::kTooLarge, "response head over " + std::to_string(options_.max_head_bytes) + " bytes");
        return false;
      }
      // RFC 9110 §15.2: interim 1xx responses precede the final one; skip them.
      if (head_.status < 200 && head_.status != 101) {
        input_.erase(0, h.consumed);
        continue;
      }
      if (head_.status == 101) {
        fail(HttpClientResult::kMalformed, "unexpected 101 Switching Protocols");
        return false;
      }
      framing_ = body_framing(head_, head_request_);
      if (framing_.framing == Framing::kInvalid) {
        fail(HttpClientResult::kMalformed, "invalid Content-Length");
        return false;
      }
      result_.status = head_.status;
      decoder_.reset(framing_, options_.max_body_bytes);
      head_done_ = true;
      bytes = std::string_view(input_).substr(h.consumed);
      break;
    }
  }
  const BodyResult b = decoder_.feed(bytes, result_.body);
  if (b.status == BodyStatus::kNeedMore) return true;
  if (b.status == BodyStatus::kMalformed) {
    fail(HttpClientResult::kMalformed, "malformed chunked body");
    return false;
  }
  if (b.status == BodyStatus::kTooLarge) {
    fail(HttpClientResult::kTooLarge, "response body over " + std::to_string(options_.max_body_bytes) + " bytes");
    return false;
  }
  // Bytes after the response that nobody asked for: answer it, but do not reuse the connection.
  const bool extra = b.consumed < bytes.size() || transport_->has_buffered_input();
  complete(!extra && options_.keep_alive && reusable(head_, framing_));
  return false;
}

void HttpClient::complete(bool reuse) {
  result_.kind = HttpClientResult::kResponse;
  result_.detail = "HTTP " + std::to_string(result_.status);
  if (reuse) {
    state_ = State::kKept;
    interest(true, false);
    loop_.timers().schedule_in(*this, options_.idle_timeout_ms);
  } else {
    close_connection();
    state_ = State::kIdle;
    if (scheduled()) loop_.timers().cancel(*this);
  }
  input_.clear();
  const HttpClientResult result = std::move(result_);
  observer_.on_http_response(result);  // last: it may send() again
}

void HttpClient::broken(std::string detail) {
  if (reused_) {
    // The kept connection had been closed by the server: no answer was started, so the request
    // was not processed; one fresh attempt, as browsers do.
    close_connection();
    reused_ = false;
    written_ = 0;
    input_.clear();
    open();
    return;
  }
  fail(HttpClientResult::kBroken, std::move(detail));
}

void HttpClient::fail(HttpClientResult::Kind kind, std::string detail) {
  close_connection();
  result_.kind = kind;
  result_.detail = std::move(detail);
  // Reported from the timer, so that a failure inside send() does not call the observer there.
  state_ = State::kFailing;
  loop_.timers().schedule_in(*this, 0);
}

void HttpClient::on_timer() {
  switch (state_) {
    case State::kFailing: {
      state_ = State::kIdle;
      const HttpClientResult result = std::move(result_);
      observer_.on_http_response(result);
      return;
    }
    case State::kKept:
      close_connection();
      state_ = State::kIdle;
      return;
    case State::kConnecting:
    case State::kHandshaking:
      fail(HttpClientResult::kTimeout, "no connection within " + std::to_string(options_.connect_timeout_ms) + " ms");
      return;
    case State::kWriting:
    case State::kReading:
      fail(HttpClientResult::kTimeout,
           "no complete response within " + std::to_string(options_.response_timeout_ms) + " ms");
      return;
    case State::kIdle:
      return;
  }
}

void HttpClient::close_connection() {
  if (fd_ < 0) return;
  loop_.unwatch(fd_);
  if (transport_ != nullptr) transport_->release();  // TLS: close_notify, then frees itself
  transport_ = nullptr;
  net::close_fd(fd_);
  fd_ = -1;
  watching_read_ = watching_write_ = false;
}

}  // namespace wsrelay::http::client
