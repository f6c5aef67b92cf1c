// wss_echo_load: the echo load generator of the TLS benchmark (bench_wss_echo.mjs builds and
// runs it; not a test, not part of `make`). tools/wsbench speaks plain TCP only, and a Node
// client spends as much CPU on TLS as the server does, so it runs out of CPU first; this one
// speaks ws:// and wss:// alike from one epoll loop, so the same generator measures both.
//
//   wss_echo_load --port P [--tls] [--conns 50] [--inflight 8] [--size 20] [--seconds 3]
//                 [--warmup 0.5] [--pid SERVER_PID]
//
// Each connection keeps `inflight` binary messages of `size` bytes in flight: every echo
// received sends the next one. Frames are masked with a fresh key each (RFC 6455 §5.3), built
// with the project's ws::write_frame_header / ws::apply_mask and read with ws::FrameParser in
// the client role, like wsbench. Output is queued per connection and written once per loop
// iteration. It prints one JSON line: messages and seconds of the measured interval, the
// generator's CPU seconds, the server's (user+system from /proc/PID/stat) when --pid is
// given, and the busy seconds of CPUs 0 and 1 (/proc/stat: all but idle and iowait), from
// which the caller tells how much other processes took. Loopback only; the certificate is not
// verified (the tests do that).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "ws/frame.hpp"
#include "ws/frame_parser.hpp"

namespace {

using wsrelay::ws::FrameEvent;
using wsrelay::ws::FrameParser;
using wsrelay::ws::Opcode;
using wsrelay::ws::Role;

struct Options {
  int port = 0;
  bool tls = false;
  int conns = 50;
  int inflight = 8;
  size_t size = 20;
  double seconds = 3;
  double warmup = 0.5;
  int pid = 0;
};

struct Conn {
  int fd = -1;
  SSL* ssl = nullptr;
  std::vector<uint8_t> out;  // frames not yet written; out_begin is the first unwritten byte
  size_t out_begin = 0;
  FrameParser parser{Role::kClient};
  bool polling_out = false;
};

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "wss_echo_load: %s\n", what.c_str());
  std::exit(1);
}

uint64_t rng_state = 0x9E3779B97F4A7C15ull;
void mask_key(uint8_t key[4]) {
  rng_state ^= rng_state >> 12;
  rng_state ^= rng_state << 25;
  rng_state ^= rng_state >> 27;
  const uint64_t v = rng_state * 0x2545F4914F6CDD1Dull;
  std::memcpy(key, &v, 4);
}

std::vector<uint8_t> payload;
uint64_t received = 0;
bool running = true;

void queue_frame(Conn& c) {
  uint8_t key[4];
  mask_key(key);
  uint8_t header[wsrelay::ws::kMaxFrameHeader];
  const size_t header_size = wsrelay::ws::write_frame_header(header, Opcode::kBinary, payload.size(), true, key);
  c.out.insert(c.out.end(), header, header + header_size);
  const size_t at = c.out.size();
  c.out.insert(c.out.end(), payload.begin(), payload.end());
  wsrelay::ws::apply_mask(c.out.data() + at, payload.size(), key);
}

// Writes what it can. False when the socket (or TLS) must wait for readiness.
bool flush(Conn& c) {
  while (c.out_begin < c.out.size()) {
    const uint8_t* data = c.out.data() + c.out_begin;
    const size_t left = c.out.size() - c.out_begin;
    long n;
    if (c.ssl != nullptr) {
      // Retries present the same first bytes and at least as many (we only append), which
      // with ACCEPT_MOVING_WRITE_BUFFER is what OpenSSL asks of a retried write.
      n = SSL_write(c.ssl, data, static_cast<int>(std::min<size_t>(left, INT_MAX)));
      if (n <= 0) {
        const int error = SSL_get_error(c.ssl, static_cast<int>(n));
        if (error == SSL_ERROR_WANT_WRITE || error == SSL_ERROR_WANT_READ) return false;
        die("SSL_write failed");
      }
    } else {
      n = ::send(c.fd, data, left, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EINTR) return false;
        die(std::string("send: ") + std::strerror(errno));
      }
    }
    c.out_begin += static_cast<size_t>(n);
  }
  c.out.clear();
  c.out_begin = 0;
  return true;
}

void on_bytes(Conn& c, uint8_t* data, size_t length) {
  std::span<uint8_t> input(data, length);
  while (!input.empty() || c.parser.in_payload()) {
    const auto step = c.parser.next(input);
    if (step.event == FrameEvent::kError) die("bad frame from the server");
    input = input.subspan(step.consumed);
    if (step.event == FrameEvent::kNeedMore) break;
    if (step.event == FrameEvent::kPayload && step.frame_complete) {
      ++received;
      if (running) queue_frame(c);
    }
  }
}

// Reads until the socket (or TLS) has nothing more.
void read_all(Conn& c, std::vector<uint8_t>& buffer) {
  for (;;) {
    long n;
    if (c.ssl != nullptr) {
      n = SSL_read(c.ssl, buffer.data(), static_cast<int>(buffer.size()));
      if (n <= 0) {
        const int error = SSL_get_error(c.ssl, static_cast<int>(n));
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
        die("the server closed a TLS connection");
      }
    } else {
      n = ::recv(c.fd, buffer.data(), buffer.size(), 0);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
      if (n <= 0) die("the server closed a connection");
    }
    on_bytes(c, buffer.data(), static_cast<size_t>(n));
  }
}

void connect_one(Conn& c, const Options& o, SSL_CTX* context) {
  c.fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(o.port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(c.fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) die("connect failed");
  const int one = 1;
  ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  auto write_all = [&](const std::string& text) {
    if (c.ssl != nullptr) {
      if (SSL_write(c.ssl, text.data(), static_cast<int>(text.size())) != static_cast<int>(text.size())) die("SSL_write");
    } else if (::send(c.fd, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<long>(text.size())) {
      die("send");
    }
  };
  if (context != nullptr) {
    c.ssl = SSL_new(context);
    SSL_set_fd(c.ssl, c.fd);
    if (SSL_connect(c.ssl) != 1) die("TLS handshake failed");
  }
  write_all("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
  std::string head;
  char byte;
  while (head.size() < 4 || head.compare(head.size() - 4, 4, "\r\n\r\n") != 0) {
    const long n = c.ssl != nullptr ? SSL_read(c.ssl, &byte, 1) : ::recv(c.fd, &byte, 1, 0);
    if (n != 1) die("no upgrade response");
    head += byte;
  }
  if (head.rfind("HTTP/1.1 101", 0) != 0) die("upgrade refused: " + head.substr(0, head.find('\r')));
  ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) | O_NONBLOCK);
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double own_cpu() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

double server_cpu(int pid) {
  if (pid == 0) return 0;
  std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);  // utime, stime
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

// Busy seconds of CPUs 0 and 1 so far (the benchmark pins the server and us there).
double cores_busy() {
  std::ifstream file("/proc/stat");
  std::string line;
  double ticks = 0;
  while (std::getline(file, line)) {
    if (line.rfind("cpu0 ", 0) != 0 && line.rfind("cpu1 ", 0) != 0) continue;
    std::istringstream fields(line.substr(5));
    double value = 0;
    for (int i = 0; fields >> value; ++i) {
      if (i != 3 && i != 4) ticks += value;  // not idle, not iowait
    }
  }
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + arg);
      return argv[++i];
    };
    if (arg == "--port") o.port = std::stoi(value());
    else if (arg == "--tls") o.tls = true;
    else if (arg == "--conns") o.conns = std::stoi(value());
    else if (arg == "--inflight") o.inflight = std::stoi(value());
    else if (arg == "--size") o.size = std::stoul(value());
    else if (arg == "--seconds") o.seconds = std::stod(value());
    else if (arg == "--warmup") o.warmup = std::stod(value());
    else if (arg == "--pid") o.pid = std::stoi(value());
    else die("unknown option " + arg);
  }
  if (o.port <= 0) die("--port is required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  payload.assign(o.size, 0x5a);
  SSL_CTX* context = nullptr;
  if (o.tls) {
    context = SSL_CTX_new(TLS_client_method());
    SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nullptr);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  }
  std::vector<Conn> conns(static_cast<size_t>(o.conns));
  const int poll = ::epoll_create1(0);
  for (size_t i = 0; i < conns.size(); ++i) {
    connect_one(conns[i], o, context);
    epoll_event event{EPOLLIN, {.u64 = i}};
    ::epoll_ctl(poll, EPOLL_CTL_ADD, conns[i].fd, &event);
    for (int k = 0; k < o.inflight; ++k) queue_frame(conns[i]);
  }

  std::vector<uint8_t> buffer(256 * 1024);
  std::vector<epoll_event> events(1024);
  const auto start = std::chrono::steady_clock::now();
  bool measuring = false;
  uint64_t received_at_start = 0;
  double cpu_at_start = 0, server_at_start = 0, busy_at_start = 0;
  std::chrono::steady_clock::time_point measure_start;
  for (;;) {
    // Write everything queued (once per iteration), then wait.
    for (size_t i = 0; i < conns.size(); ++i) {
      Conn& c = conns[i];
      if (c.out_begin == c.out.size()) continue;
      const bool done = flush(c);
      if (done == c.polling_out) {
        c.polling_out = !done;
        epoll_event event{EPOLLIN | (c.polling_out ? EPOLLOUT : 0u), {.u64 = i}};
        ::epoll_ctl(poll, EPOLL_CTL_MOD, c.fd, &event);
      }
    }
    const double now = seconds_since(start);
    if (!measuring && now >= o.warmup) {
      measuring = true;
      received_at_start = received;
      cpu_at_start = own_cpu();
      server_at_start = server_cpu(o.pid);
      busy_at_start = cores_busy();
      measure_start = std::chrono::steady_clock::now();
    }
    if (measuring && seconds_since(measure_start) >= o.seconds) break;
    const int n = ::epoll_wait(poll, events.data(), static_cast<int>(events.size()), 50);
    for (int k = 0; k < n; ++k) {
      Conn& c = conns[events[k].data.u64];
      read_all(c, buffer);  // TLS may need a read to finish a write, and the reverse
      if (c.ssl != nullptr && (events[k].events & EPOLLOUT)) flush(c);
    }
  }
  const double elapsed = seconds_since(measure_start);
  std::printf("{\"messages\":%llu,\"seconds\":%.4f,\"client_cpu\":%.4f,\"server_cpu\":%.4f,\"cores_busy\":%.4f}\n",
              static_cast<unsigned long long>(received - received_at_start), elapsed, own_cpu() - cpu_at_start,
              server_cpu(o.pid) - server_at_start, cores_busy() - busy_at_start);
  return 0;
}
