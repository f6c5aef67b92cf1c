// A non-blocking HTTP/1.1 client on the reactor: one origin (scheme, address, port), one
// request at a time, optional keep-alive. Used by the webhook service to POST to the app.
//
// Everything happens in the loop's handlers: connect() in progress, the TLS handshake, writing
// the request, reading the response — no thread, no blocking call. The address is resolved
// before the client is built (net/tcp_connect.hpp: at start-up, never on the loop).
//
// Contract:
// - send() starts a request and returns at once; the observer's on_http_response() is called
//   exactly once per accepted send(), always from the loop (never from inside send()), and may
//   call send() again.
// - Bounds: connect_timeout_ms from the start of the request to a connected (and, for https,
//   handshaken) socket; response_timeout_ms from then to the end of the response. The head is
//   capped at max_head_bytes and the decoded body at max_body_bytes (a larger answer is an
//   error, the connection closed).
// - Keep-alive: after a response the connection is kept when both sides allow it
//   (response_parser.hpp reusable()) and closed after idle_timeout_ms or when the server
//   closes it. A request on a kept connection that the server had closed meanwhile (no byte of
//   an answer received) is retried once on a new connection.
// - Destroying the client closes its connection without calling the observer.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "http/client/request.hpp"
#include "http/client/response_parser.hpp"
#include "net/event_loop.hpp"
#include "net/socket.hpp"

typedef struct ssl_ctx_st SSL_CTX;

namespace wsrelay::net {
class Transport;
}

namespace wsrelay::http::client {

struct HttpClientOptions {
  ClientUrl url;
  net::PeerAddress address;  // where url.host resolved to
  SSL_CTX* tls = nullptr;    // a client context (net/tls_client_context.hpp); required for https
  uint64_t connect_timeout_ms = 5000;
  uint64_t response_timeout_ms = 10000;
  uint64_t idle_timeout_ms = 30000;
  size_t max_head_bytes = 16 * 1024;
  size_t max_body_bytes = 64 * 1024;
  bool keep_alive = true;
};

struct HttpClientResult {
  enum Kind : uint8_t {
    kResponse,       // a complete response: `status`, `body`
    kConnectFailed,  // refused, unreachable, TLS handshake or certificate failure
    kTimeout,        // connect or response timeout
    kBroken,         // the connection failed or closed before the response was complete
    kMalformed,      // the response was not valid HTTP/1.1
    kTooLarge,       // head or body over its cap
  };
  Kind kind = kBroken;
  int status = 0;
  std::string body;
  std::string detail;  // for logs: "connection refused", "TLS: certificate verify failed", ...
};

class HttpClientObserver {
 public:
  virtual void on_http_response(const HttpClientResult& result) = 0;

 protected:
  ~HttpClientObserver() = default;
};

struct HttpClientCounters {
  uint64_t requests = 0;
  uint64_t connections_opened = 0;
  uint64_t connections_reused = 0;
};

class HttpClient final : public net::IoHandler, private net::Timer {
 public:
  HttpClient(net::EventLoop& loop, HttpClientOptions options, HttpClientObserver& observer);
  ~HttpClient() override;
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts `method` on the URL's target with these extra fields and body. False (and nothing
  // happens) when a request is already in flight.
  bool send(std::string_view method, std::span<const RequestHeader> headers, std::string_view body);
  bool busy() const { return state_ != State::kIdle && state_ != State::kKept; }
  const HttpClientCounters& counters() const { return counters_; }
  const HttpClientOptions& options() const { return options_; }

  void on_io(uint32_t events) override;

 private:
  enum class State : uint8_t { kIdle, kKept, kConnecting, kHandshaking, kWriting, kReading, kFailing };

  void on_timer() override;
  void open();
  void after_connect();
  void drive_handshake();
  void drive_write();
  void drive_read();
  // Bytes of the response; returns false once the request has ended (completed or failed).
  bool take_bytes(const uint8_t* data, size_t length);
  void interest(bool read, bool write);
  void complete(bool reuse);
  void fail(HttpClientResult::Kind kind, std::string detail);
  // The connection broke before any answer: retry once on a fresh one if it was a kept one.
  void broken(std::string detail);
  void close_connection();
  std::string error_text(int error) const;

  net::EventLoop& loop_;
  HttpClientOptions options_;
  HttpClientObserver& observer_;
  HttpClientCounters counters_;

  State state_ = State::kIdle;
  int fd_ = -1;
  net::Transport* transport_ = nullptr;
  bool watching_read_ = false;
  bool watching_write_ = false;
  bool reused_ = false;   // this request runs on a kept connection
  bool head_request_ = false;

  std::string request_;
  size_t written_ = 0;
  std::string input_;     // head bytes so far
  bool head_done_ = false;
  bool got_bytes_ = false;
  ResponseHead head_;
  BodyFraming framing_;
  BodyDecoder decoder_;
  HttpClientResult result_;
};

}  // namespace wsrelay::http::client
