// Fuzz property check for the whole connection state machine (src/server/connection.*): HTTP
// request parsing, the upgrade, frames in both directions, the closing handshake, timers —
// bytes in, bytes out, close code — without sockets. See fuzz_support.hpp for the convention.
//
// Set-up, and why it is socket-free: a Connection talks to its peer only through a
// net::Transport, so a fake transport serves the fuzz input as "received" bytes and records
// what the connection "sends". The connection must still register a file descriptor with the
// real net::EventLoop (epoll), so each run gives it an eventfd, which epoll accepts and nobody
// reads; the loop itself never runs. The harness plays the loop: it calls on_io(readable) while
// input is pending, on_io(writable) when writes were blocked, Server::before_sleep() after each
// event (where the server flushes and frees closed connections), and advances the timer wheel
// by hand. The connection is created with its public constructor rather than accepted, so the
// Server does not list it (its connection_count() is meaningless here).
//
// Input: [options][seed][seed][bytes the client sends...]
//   options bits 0-2: max_message_size, one of kMessageSizes;
//   options bits 3-4: max_header_size, one of kHeaderSizes;
//   options bit 5:    an HttpService answers plain requests (else the server's own 404);
//   options bit 6:    after the input, time passes: 35 s (a heartbeat Ping goes out, or the
//                     handshake times out), then 15 s more (the Pong never comes);
//   options bit 7:    the transport says it is TLS: the connection starts in its handshake
//                     state (the fake handshake succeeds once the client has sent something,
//                     after one extra "would block" in run B);
//   seed: the PRNG choosing read sizes, write sizes and when writes block.
// The application echoes every message and greets on open; a message starting "!close" makes
// it close (4000 + length), "!bcast" sends it back prepared (shared bytes), "!big" answers
// with 100 KB (past the cork buffer), "!many" with 40 small messages.
//
// Runs: A — the input in one read, every write accepted whole; B — random reads (some
// returning less than is pending, as TLS does) and writes that accept random amounts or block
// until the harness signals writability; C — one byte per read (short inputs). In A the
// server's pools start empty (every MessageReader and OutputQueue is new); in B and C they
// start with used ones (warm_pools: a queue abandoned with bytes in it, as a freed connection
// leaves it, and a reader that has read messages under other limits), as they are for every
// connection but the first in production.
// Properties:
//  - A, B and C produce the same bytes out, the same final close code and reason, the same
//    FIN (shutdown_write) decision, and the connection is gone after the peer's EOF — so
//    a borrowed reader or queue behaves exactly like a new one;
//  - nothing is written after shutdown_write();
//  - the output is well formed: HTTP responses with correct Content-Length, nothing after one
//    that said "Connection: close", and after a 101 only complete, unmasked server frames
//    (reference_frames) — control frames whole and at most 125 bytes, text valid UTF-8, a
//    Close frame last with a valid code and UTF-8 reason;
//  - the final code is that Close frame's code (1005 if it had none) or 1006 (the peer hung up
//    without answering it); 1006 when no Close frame was sent.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "app/peer.hpp"
#include "deflate_check.hpp"
#include "fuzz_support.hpp"
#include "net/event_loop.hpp"
#include "net/output_queue.hpp"
#include "net/transport.hpp"
#include "reference_utf8.hpp"
#include "reference_ws.hpp"
#include "server/connection.hpp"
#include "server/http_service.hpp"
#include "server/server.hpp"
#include "ws/message_reader.hpp"

namespace wsrelay::fuzz {

namespace connection_check {

inline constexpr uint64_t kMessageSizes[8] = {64 * 1024, 1, 16, 125, 126, 1000, 4096, 70000};
inline constexpr size_t kHeaderSizes[4] = {8192, 64, 200, 1024};
inline constexpr size_t kMaxByteByByte = 2048;

struct Options {
  uint64_t max_message_size = 64 * 1024;
  size_t max_header_size = 8192;
  bool http_service = false;
  bool time_passes = false;
  bool tls = false;
  uint64_t seed = 0;
};

// Serves the input as received bytes and records what is written.
class FakeTransport final : public net::Transport {
 public:
  std::span<const uint8_t> pending;  // received bytes not read yet
  bool eof = false;                  // after `pending`: the peer hung up
  Rng* rng = nullptr;                // set: reads and writes come in random sizes
  std::string output;
  bool blocked = false;  // the "socket buffer" is full until the harness drains it
  bool fin = false;
  size_t writes_after_fin = 0;
  bool released = false;
  bool tls = false;
  int handshakes = 0;

  net::IoResult read(int, uint8_t* buffer, size_t capacity) override {
    if (!pending.empty()) {
      size_t n = pending.size() < capacity ? pending.size() : capacity;
      if (rng != nullptr && rng->one_in(2)) n = 1 + rng->below(n);
      std::memcpy(buffer, pending.data(), n);
      pending = pending.subspan(n);
      return {net::IoResult::kOk, n, 0};
    }
    if (eof) return {net::IoResult::kClosed, 0, 0};
    return {net::IoResult::kWouldBlock, 0, 0};
  }

  net::IoResult writev(int, const iovec* iov, int count) override {
    if (fin) ++writes_after_fin;
    if (blocked) return {net::IoResult::kWouldBlock, 0, 0};
    size_t total = 0;
    for (int i = 0; i < count; ++i) total += iov[i].iov_len;
    size_t budget = total;
    if (rng != nullptr && total > 0 && rng->one_in(2)) budget = 1 + rng->below(total);
    size_t written = 0;
    for (int i = 0; i < count && written < budget; ++i) {
      const size_t take = iov[i].iov_len < budget - written ? iov[i].iov_len : budget - written;
      output.append(static_cast<const char*>(iov[i].iov_base), take);
      written += take;
    }
    // A partial write means the socket is full now; sometimes it fills after a whole one.
    if (rng != nullptr && (written < total || rng->one_in(4))) blocked = true;
    return {net::IoResult::kOk, written, 0};
  }

  net::IoResult handshake(int) override {
    // A handshake needs the client to have sent something; random runs also make it wait for
    // one more readiness event. (The fake handshake consumes no bytes: they are the request.)
    if (pending.empty()) {
      return {eof ? net::IoResult::kClosed : net::IoResult::kWouldBlock, 0, 0};
    }
    if (rng != nullptr && handshakes++ == 0) return {net::IoResult::kWouldBlock, 0, 0};
    return {net::IoResult::kOk, 0, 0};
  }
  bool is_tls() const override { return tls; }
  // Like TLS: bytes may be waiting that the socket no longer signals.
  bool has_buffered_input() const override { return rng != nullptr && !pending.empty(); }
  void shutdown_write(int) override { fin = true; }
  void release() override { released = true; }
};

// Echo with a few commands (see the top of the file).
class FuzzApp final : public app::Application {
 public:
  app::Host* host = nullptr;

  void on_open(app::Peer& peer, const app::ConnectInfo& info) override {
    peer.send(app::PayloadKind::kText, "welcome " + std::string(info.path));
  }
  void on_message(app::Peer& peer, app::PayloadKind kind,
                  std::span<const uint8_t> payload) override {
    const std::string_view text = as_text(payload);
    if (text.starts_with("!close")) {
      peer.close(static_cast<uint16_t>(4000 + text.size() % 1000), "bye");
    } else if (text.starts_with("!bcast")) {
      peer.send_prepared(host->prepare(kind, text));
    } else if (text.starts_with("!big")) {
      peer.send(app::PayloadKind::kBinary, std::string(100 * 1000, 'x'));
    } else if (text.starts_with("!many")) {
      for (int i = 0; i < 40; ++i) peer.send(app::PayloadKind::kText, "item " + std::to_string(i));
    } else {
      peer.send(kind, text);
    }
  }
  void on_close(app::Peer&, uint16_t, std::string_view) override { ++closes; }
  int closes = 0;
};

class FuzzHttp final : public server::HttpService {
 public:
  void handle(const ws::HttpRequest& request, std::string_view body,
              server::HttpResponse& response) override {
    const std::string_view path = request.path();
    response.status = path.starts_with("/missing") ? 404 : 200;
    response.close = path == "/close";
    response.body = "ok " + std::string(request.method) + " " + std::string(request.target) + " " +
                    std::to_string(body.size()) + "\n";
  }
};

class FuzzGate final : public server::UpgradeGate {
 public:
  int admit(const ws::HttpRequest& request, std::string_view, server::Reject& bucket,
            std::string& reason) override {
    if (request.query().find("deny") == std::string_view::npos) return 0;
    bucket = server::Reject::kOrigin;
    reason = "denied";
    return 403;
  }
};

class Observer final : public server::ServerObserver {
 public:
  void on_close(std::string_view, uint16_t code, std::string_view reason,
                std::string_view) override {
    ++closes;
    close_code = code;
    close_reason = std::string(reason);
  }
  int closes = 0;
  uint16_t close_code = 0;
  std::string close_reason;
};

struct RunResult {
  std::string output;
  bool closed = false;
  uint16_t code = 0;
  std::string reason;
  bool fin = false;
  bool upgraded = false;
  std::string problem;  // a property broken inside the run
};

enum class Mode { kWhole, kRandom, kByteByByte };

// Ignores what the warm-up reader reports.
struct NullMessageHandler final : ws::MessageHandler {
  bool on_message(ws::MessageKind, std::span<const uint8_t>) override { return true; }
  bool on_ping(std::span<const uint8_t>) override { return true; }
  bool on_pong(std::span<const uint8_t>) override { return true; }
  void on_close(uint16_t, std::string_view) override {}
  void on_protocol_error(uint16_t, std::string_view) override {}
};

// Leaves one used OutputQueue and one used MessageReader in the server's pools, the state
// other connections leave them in: the queue was abandoned with 5000 bytes pending (a
// connection freed while its output waited; the destructor clears it), and the reader, made
// for the client role with RSV1 allowed and a 4 KiB limit, read a text message in two pieces
// (its buffer keeps the capacity) and rests between messages. Whoever borrows them must reset
// what matters: runs B and C must still produce exactly what run A (new objects) produced.
inline void warm_pools(server::Server& server) {
  std::unique_ptr<net::OutputQueue> queue = server.queue_pool().take();
  const std::vector<uint8_t> junk(5000, 0xAB);
  queue->push_copy(junk.data(), junk.size());
  queue->clear();
  server.queue_pool().give_back(std::move(queue));

  std::unique_ptr<ws::MessageReader> reader = server.reader_pool().take();
  reader->reset(ws::ReaderLimits{4096, ws::Role::kClient, 0x40});
  // An unmasked (server-to-client) text frame, FIN, 3000 bytes: 0x81, 126, 0x0B 0xB8.
  std::vector<uint8_t> frame = {0x81, 126, 0x0B, 0xB8};
  frame.resize(4 + 3000, 'w');
  NullMessageHandler ignore;
  reader->feed(std::span<uint8_t>(frame).first(1500), ignore);
  reader->feed(std::span<uint8_t>(frame).subspan(1500), ignore);
  server.reader_pool().give_back(std::move(reader));
}

inline RunResult drive(std::span<const uint8_t> stream, const Options& options, Mode mode) {
  RunResult result;
  Rng rng(options.seed);
  std::vector<size_t> pieces;
  if (mode == Mode::kWhole) pieces = {stream.size()};
  if (mode == Mode::kRandom) pieces = random_pieces(stream.size(), rng);
  if (mode == Mode::kByteByByte) pieces = byte_pieces(stream.size());

  net::EventLoop loop;
  FuzzApp application;
  server::ServerOptions server_options;
  server_options.max_message_size = options.max_message_size;
  server_options.max_header_size = options.max_header_size;
  server::Server server(loop, server_options, application);
  application.host = &server;
  FuzzHttp http;
  FuzzGate gate;
  Observer observer;
  if (options.http_service) server.set_http_service(&http);
  server.set_upgrade_gate(&gate);
  server.set_observer(&observer);
  if (mode != Mode::kWhole) warm_pools(server);

  FakeTransport transport;
  if (mode == Mode::kRandom) transport.rng = &rng;
  transport.tls = options.tls;
  const int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (fd < 0) {
    result.problem = "eventfd failed";
    return result;
  }
  net::PeerAddress address;
  sockaddr_in v4{};
  v4.sin_family = AF_INET;
  v4.sin_port = htons(40000);
  v4.sin_addr.s_addr = htonl(0x7F000001);
  std::memcpy(&address.storage, &v4, sizeof v4);
  address.length = sizeof v4;

  // Owned by the server once it terminates (freed in before_sleep), by us until then.
  auto* connection = new server::Connection(server, fd, address, &transport);
  connection->start();

  // One "loop iteration" after an event: note a termination, then let the server flush and
  // free. A connection can also end inside before_sleep (a flush completing the closing
  // handshake); the observer reports those.
  auto settle = [&] {
    if (!result.closed && connection->state() == server::Connection::State::kClosed) {
      result.closed = true;
      result.code = connection->final_code();
      result.reason = std::string(connection->final_reason());
      result.upgraded = connection->upgraded();
    }
    if (!result.closed) result.upgraded = connection->upgraded();
    server.before_sleep();
    if (transport.released && !result.closed) {
      result.closed = true;
      result.code = observer.close_code;
      result.reason = observer.close_reason;
    }
  };
  auto drain_writes = [&](bool all) {
    for (int i = 0; i < 100000 && !transport.released && transport.blocked; ++i) {
      if (!all && rng.one_in(2)) return;
      transport.blocked = false;
      connection->on_io(net::io_event::kWritable);
      settle();
    }
  };

  size_t at = 0;
  for (size_t piece : pieces) {
    if (transport.released) break;
    transport.pending = stream.subspan(at, piece);
    at += piece;
    // Level-triggered: readable until everything pending has been read.
    int rounds = 0;
    do {
      connection->on_io(net::io_event::kReadable);
      settle();
    } while (!transport.released && !transport.pending.empty() && ++rounds < 100000);
    if (mode == Mode::kRandom) drain_writes(false);
  }
  drain_writes(true);
  if (options.time_passes && !transport.released) {
    // 35 s: past ping_interval (30 s) and handshake_timeout (10 s); then 15 s more: past
    // ping_timeout (10 s) and close_timeout (5 s).
    for (uint64_t step : {35'000u, 15'000u}) {
      loop.timers().advance(loop.now_ms() + step);
      settle();
      drain_writes(true);
      if (transport.released) break;
    }
  }
  if (!transport.released) {
    transport.eof = true;
    connection->on_io(net::io_event::kReadable);
    settle();
  }
  if (!transport.released) {
    result.problem = "the connection outlived the peer's EOF";
    delete connection;
  }
  result.output = std::move(transport.output);
  result.fin = transport.fin;
  if (transport.writes_after_fin != 0) result.problem = "bytes written after shutdown_write()";
  return result;
}

// `deflate`: the 101 accepted permessage-deflate (the harness's server runs the default
// shared mode: no context takeover, so each compressed frame inflates on its own with zlib).
inline std::string check_frames_out(std::string_view frames, const RunResult& run, bool deflate) {
  const RefFrameResult decoded = reference_frames(as_bytes(frames), /*server=*/false, deflate ? 0x4 : 0);
  if (decoded.error) return "the server sent a broken frame: " + decoded.reason;
  const RefFrame* close = nullptr;
  for (const RefFrame& f : decoded.frames) {
    if (!f.complete) return "the output ends inside a frame";
    if (close != nullptr) return "a frame follows the Close frame";
    if (!f.fin) return "the server fragments messages (it never should here)";
    Bytes inflated;
    std::span<const uint8_t> payload = f.payload;
    if ((f.rsv & 0x4) != 0) {
      // RFC 7692 §6.1: never on a control frame; the data must inflate (§7.2.2).
      if (f.opcode >= 8) return "RSV1 on a control frame";
      bool over = false;
      if (!deflate_check::zlib_inflate(f.payload, UINT64_MAX, inflated, over)) {
        return "a compressed frame does not inflate";
      }
      payload = inflated;
    }
    if (f.opcode == 1 && !naive_utf8(payload).complete) return "a text frame is not UTF-8";
    if (f.opcode == 8) close = &f;
  }
  uint16_t expected = 1006;
  if (close != nullptr) {
    expected = 1005;
    if (close->payload.size() == 1) return "a Close frame with a 1-byte payload";
    if (close->payload.size() >= 2) {
      expected = static_cast<uint16_t>(close->payload[0] * 256 + close->payload[1]);
      if (!reference_close_code_ok(expected)) {
        return "the server sent close code " + std::to_string(expected);
      }
      if (!naive_utf8(std::span<const uint8_t>(close->payload).subspan(2)).complete) {
        return "the Close reason is not UTF-8";
      }
    }
  }
  // The code the server ends with: the one it sent (or echoed) — or 1006 when the peer hung up
  // without completing the closing handshake (RFC 6455 §7.1.5: no Close received).
  if (run.code != expected && run.code != 1006) {
    return "final close code " + std::to_string(run.code) + " but the server sent " +
           (close == nullptr ? std::string("no Close") : "Close " + std::to_string(expected));
  }
  return {};
}

// HTTP responses, then (after a 101) frames.
inline std::string check_output(const RunResult& run) {
  std::string_view out = run.output;
  while (!out.empty()) {
    if (!out.starts_with("HTTP/1.1 ")) return "output does not start with an HTTP status line";
    const size_t head_end = out.find("\r\n\r\n");
    if (head_end == std::string_view::npos) return "an HTTP response head is cut short";
    const std::string_view head = out.substr(0, head_end + 4);
    out.remove_prefix(head.size());
    if (head.starts_with("HTTP/1.1 101 ")) {
      return check_frames_out(out, run, head.find("\r\nSec-WebSocket-Extensions: permessage-deflate") != std::string_view::npos);
    }
    const size_t cl = head.find("\r\nContent-Length: ");
    if (cl == std::string_view::npos) return "a response without Content-Length";
    size_t length = 0;
    for (size_t i = cl + 18; i < head.size() && head[i] >= '0' && head[i] <= '9'; ++i) {
      length = length * 10 + static_cast<size_t>(head[i] - '0');
    }
    if (out.size() < length) return "a response body is shorter than its Content-Length";
    out.remove_prefix(length);
    if (head.find("\r\nConnection: close\r\n") != std::string_view::npos && !out.empty()) {
      return "bytes after a response that said Connection: close";
    }
  }
  if (run.upgraded) return "upgraded, but no 101 response was written";
  return {};
}

inline std::string describe_run(const RunResult& r) {
  return "code " + std::to_string(r.code) + " '" + r.reason + "', fin " + std::to_string(r.fin) +
         ", " + std::to_string(r.output.size()) + " bytes out";
}

}  // namespace connection_check

inline std::string check_connection(std::span<const uint8_t> input) {
  using namespace connection_check;
  Options options;
  const uint8_t c = input.empty() ? 0 : input[0];
  options.max_message_size = kMessageSizes[c & 0x7];
  options.max_header_size = kHeaderSizes[(c >> 3) & 0x3];
  options.http_service = (c & 0x20) != 0;
  options.time_passes = (c & 0x40) != 0;
  options.tls = (c & 0x80) != 0;
  options.seed = seed_from(clamped(input, 1, 2));
  const std::span<const uint8_t> stream = clamped(input, 3, input.size());
  const std::string where =
      " (options " + hex(clamped(input, 0, 3)) + ", input " + hex(stream, 300) + ")";

  const RunResult whole = drive(stream, options, Mode::kWhole);
  if (!whole.problem.empty()) return "one read: " + whole.problem + where;
  if (std::string f = check_output(whole); !f.empty()) return "one read: " + f + where;

  std::vector<std::pair<const char*, Mode>> others = {{"random reads and writes", Mode::kRandom}};
  if (stream.size() <= kMaxByteByByte) others.push_back({"byte by byte", Mode::kByteByByte});
  for (const auto& [label, mode] : others) {
    const RunResult run = drive(stream, options, mode);
    if (!run.problem.empty()) return std::string(label) + ": " + run.problem + where;
    if (run.output != whole.output || run.code != whole.code || run.reason != whole.reason ||
        run.fin != whole.fin) {
      size_t diff = 0;
      while (diff < run.output.size() && diff < whole.output.size() &&
             run.output[diff] == whole.output[diff]) {
        ++diff;
      }
      return std::string(label) + " differs from one read: " + describe_run(run) + " vs " +
             describe_run(whole) + "; outputs differ from byte " + std::to_string(diff) + where;
    }
  }
  return {};
}

}  // namespace wsrelay::fuzz
