// Connection, HTTP phase: request heads and bodies, plain HTTP responses (keep-alive and
// pipelining), and the WebSocket upgrade (RFC 6455 §4.2.2).
#include <charconv>

#include "server/connection.hpp"
#include "server/server.hpp"
#include "ws/handshake.hpp"

namespace wsrelay::server {

namespace {
// Content-Length: 1*DIGIT (RFC 9110 §8.6). Returns false for anything else.
bool parse_content_length(std::string_view text, size_t& out) {
  if (text.empty() || text.size() > 18) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}
}  // namespace

void Connection::process_http() {
  const ServerOptions& options = server_.options();
  // Pipelined requests are answered in order, one after another, from the same buffer.
  while (state_ == State::kHttp && !fail_input_ && !http_buffer_->empty()) {
    ws::HttpRequest request;
    const ws::HttpParseResult parsed = ws::parse_request(*http_buffer_, request, options.max_header_size);
    switch (parsed.status) {
      case ws::HttpParseStatus::kIncomplete:
        return;
      case ws::HttpParseStatus::kTooLarge:
        server_.stats().count(Reject::kHeaderTooLarge);
        server_.observer().on_reject(address_, Reject::kHeaderTooLarge, "request head over max_header_size");
        respond_http(431, "request header fields too large\n", true);
        return;
      case ws::HttpParseStatus::kBadRequest:
        server_.stats().count(Reject::kBadRequest);
        server_.observer().on_reject(address_, Reject::kBadRequest, "malformed HTTP request");
        respond_http(400, "bad request\n", true);
        return;
      case ws::HttpParseStatus::kComplete:
        if (!handle_http_request(request, parsed.consumed)) return;
        break;
    }
  }
}

// Returns true when the request was fully handled and removed from the buffer.
bool Connection::handle_http_request(const ws::HttpRequest& request, size_t head_length) {
  const ServerOptions& options = server_.options();
  if (!apply_forwarding(request)) return false;
  if (request.has_header("Transfer-Encoding")) {
    // Chunked bodies are not needed by any endpoint; refusing them keeps request smuggling
    // out of the question (RFC 9112 §6.1).
    server_.stats().count(Reject::kBadRequest);
    respond_http(411, "length required: send Content-Length, not Transfer-Encoding\n", true);
    return false;
  }
  size_t body_length = 0;
  if (request.header_count_of("Content-Length") > 1 ||
      (request.has_header("Content-Length") && !parse_content_length(request.header("Content-Length"), body_length))) {
    server_.stats().count(Reject::kBadRequest);
    respond_http(400, "invalid Content-Length\n", true);
    return false;
  }
  if (body_length > options.max_http_body) {
    server_.stats().count(Reject::kBodyTooLarge);
    server_.observer().on_reject(address_, Reject::kBodyTooLarge, "request body over max_http_body");
    respond_http(413, "request body too large\n", true);
    return false;
  }
  if (http_buffer_->size() < head_length + body_length) return false;  // body still arriving

  if (ws::wants_websocket(request)) {
    if (body_length != 0) {
      server_.stats().count(Reject::kBadRequest);
      respond_http(400, "an upgrade request has no body\n", true);
      return false;
    }
    const ws::UpgradeCheck check = ws::check_upgrade(request);
    if (check.status != 0) {
      const Reject bucket = check.status == 426 ? Reject::kVersion
                            : check.status == 405 ? Reject::kMethod
                                                  : Reject::kBadRequest;
      server_.stats().count(bucket);
      server_.observer().on_reject(address_, bucket, check.reason);
      // RFC 6455 §4.4: a version we do not speak is answered with the versions we do.
      respond_http(check.status, std::string(check.reason) + "\n", true,
                   check.status == 426 ? "Sec-WebSocket-Version: 13\r\n" : "");
      return false;
    }
    upgrade(request, check.key, head_length);
    return false;  // the buffer is gone: the connection speaks WebSocket now
  }

  ++server_.stats().http_requests;
  HttpResponse response;
  const std::string_view body(http_buffer_->data() + head_length, body_length);
  if (HttpService* service = server_.http_service()) {
    service->handle(request, body, response);
  } else {
    response.status = 404;
    response.body = "not found\n";
  }
  // HTTP/1.1 keeps the connection unless told otherwise; HTTP/1.0 closes unless asked to keep it.
  const std::string_view connection_header = request.header("Connection");
  // Every rejection (4xx/5xx) is followed by a close, so a confused client starts afresh.
  const bool keep_alive = !response.close && response.status < 400 && (request.minor_version >= 1
                                                  ? !ws::header_has_token(connection_header, "close")
                                                  : ws::header_has_token(connection_header, "keep-alive"));
  server_.observer().on_http(address_, request.method, request.target, response.status);
  const std::string text = render_http_response(response, keep_alive);
  write_raw(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  http_buffer_->erase(0, head_length + body_length);
  served_request_ = true;
  if (!keep_alive) {
    fail_after_response();
    return false;
  }
  // A fresh deadline for the next request on this keep-alive connection.
  phase_ms_ = server_.loop().now_ms() + options.handshake_timeout_ms;
  reschedule();
  return true;
}

void Connection::respond_http(int status, std::string_view body, bool close_after, std::string_view extra_header) {
  HttpResponse response;
  response.status = status;
  response.body = std::string(body);
  if (!extra_header.empty()) {
    // "Name: value\r\n"
    const size_t colon = extra_header.find(':');
    std::string_view value = extra_header.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.remove_suffix(1);
    response.headers.emplace_back(std::string(extra_header.substr(0, colon)), std::string(value));
  }
  const std::string text = render_http_response(response, !close_after);
  write_raw(reinterpret_cast<const uint8_t*>(text.data()), text.size());
  if (close_after) fail_after_response();
}

void Connection::upgrade(const ws::HttpRequest& request, std::string_view key, size_t head_length) {
  Reject bucket = Reject::kServerFull;
  if (server_.shutting_down()) {
    respond_http(503, "server shutting down\n", true);
    return;
  }
  if (!server_.admit_websocket(*this, bucket)) {
    server_.stats().count(bucket);
    server_.observer().on_reject(address_, bucket, bucket == Reject::kServerFull ? "max_clients reached" : "max_clients_per_ip reached");
    respond_http(bucket == Reject::kServerFull ? 503 : 429,
                 bucket == Reject::kServerFull ? "server full\n" : "too many connections from this address\n", true);
    return;
  }
  if (UpgradeGate* gate = server_.upgrade_gate()) {
    std::string reason;
    const int status = gate->admit(request, address_, bucket, reason);
    if (status != 0) {
      server_.stats().count(bucket);
      server_.observer().on_reject(address_, bucket, reason);
      respond_http(status, reason + "\n", true);
      return;
    }
  }

  const std::string response = ws::accept_response(key, negotiate_compression(request));
  write_raw(reinterpret_cast<const uint8_t*>(response.data()), response.size());
  state_ = State::kOpen;
  upgraded_ = true;
  ++server_.stats().upgrades;
  server_.on_upgraded(*this);
  const uint64_t now = server_.loop().now_ms();
  last_activity_ms_ = now;
  phase_ms_ = now + server_.options().ping_interval_ms;  // the first Ping is due
  reschedule();

  const app::ConnectInfo info{request.path(), request.query(), request.header("Origin"), address_};
  server_.observer().on_open(address_, request.path());
  server_.application().on_open(*this, info);

  // RFC 6455 §4.2.2 lets a client send its first frames right behind the request: whatever
  // followed the request head in the buffer is already WebSocket data.
  std::unique_ptr<std::string> rest = std::move(http_buffer_);
  rest->erase(0, head_length);
  if (!rest->empty() && state_ != State::kClosed) {
    process_websocket({reinterpret_cast<uint8_t*>(rest->data()), rest->size()});
  }
}

}  // namespace wsrelay::server
