// The I/O half of `wsrelay publish`: one blocking HTTP/1.1 exchange over a TCP socket, in TLS
// (publish_tls.hpp) for https:// URLs.
// Blocking is right here: this is a short-lived command, not the server's event loop.
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "http/publish_client.hpp"
#include "http/publish_tls.hpp"

namespace wsrelay::http {
namespace {

// Connects to host:port with send/receive timeouts (Linux applies SO_SNDTIMEO to connect too).
// Returns the socket, or -1 with `error` set.
int connect_to(const HttpUrl& url, int timeout_seconds, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (const int status = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); status != 0) {
    error = "cannot resolve " + url.host + ": " + ::gai_strerror(status);
    return -1;
  }
  int fd = -1;
  for (addrinfo* address = found; address != nullptr; address = address->ai_next) {
    fd = ::socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    if (fd < 0) continue;
    timeval timeout{};
    timeout.tv_sec = timeout_seconds;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    if (::connect(fd, address->ai_addr, address->ai_addrlen) == 0) break;
    // With SO_SNDTIMEO set, a connect that times out fails with EINPROGRESS.
    error = "cannot connect to " + url.host_header + ": " +
            (errno == EINPROGRESS ? std::string("timed out") : std::string(std::strerror(errno)));
    ::close(fd);
    fd = -1;
  }
  ::freeaddrinfo(found);
  return fd;
}

bool send_all(int fd, std::string_view bytes, std::string& error) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error = std::string("sending the request failed: ") + (errno == EAGAIN ? "timed out" : std::strerror(errno));
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// Largest answer read: the API's answers are small JSON documents.
constexpr size_t kMaxAnswerBytes = 64u << 20;

// Reads until the server closes (we asked for Connection: close), at most kMaxAnswerBytes.
bool receive_all(int fd, std::string& bytes, std::string& error) {
  constexpr size_t kCap = kMaxAnswerBytes;
  char chunk[16384];
  while (true) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = std::string("reading the answer failed: ") +
              (errno == EAGAIN || errno == EWOULDBLOCK ? "timed out" : std::strerror(errno));
      return false;
    }
    if (n == 0) return true;
    bytes.append(chunk, static_cast<size_t>(n));
    if (bytes.size() > kCap) {
      error = "the answer is too large";
      return false;
    }
  }
}

}  // namespace

int run_publish(const std::vector<std::string>& args, PublishSettings settings) {
  PublishCommand command;
  std::string error;
  if (!parse_publish_args(args, settings, command, error)) {
    std::fprintf(stderr, "wsrelay publish: %s\n%.*s", error.c_str(), static_cast<int>(publish_usage().size()),
                 publish_usage().data());
    return 2;
  }
  if (command.help) {
    std::fwrite(publish_usage().data(), 1, publish_usage().size(), stdout);
    return 0;
  }
  HttpUrl url;
  if (!parse_http_url(settings.url, url, error)) {
    std::fprintf(stderr, "wsrelay publish: %s\n", error.c_str());
    return 2;
  }
  if (settings.api_key.empty()) {
    std::fprintf(stderr, "wsrelay publish: no API key: set api_key (WEBSOCKET_API_KEY) or pass --api-key\n");
    return 2;
  }
  const int fd = connect_to(url, settings.timeout_seconds, error);
  if (fd < 0) {
    std::fprintf(stderr, "wsrelay publish: %s\n", error.c_str());
    return 1;
  }
  std::string answer_bytes;
  const std::string request = build_publish_request(url, command, settings.api_key);
  bool exchanged = false;
  if (url.tls) {
    PublishTls tls;
    exchanged = tls.handshake(fd, url, settings, error) && tls.send_all(request, error) &&
                tls.receive_all(answer_bytes, kMaxAnswerBytes, error);
  } else {
    exchanged = send_all(fd, request, error) && receive_all(fd, answer_bytes, error);
  }
  ::close(fd);
  HttpAnswer answer;
  if (!exchanged || !parse_http_answer(answer_bytes, answer)) {
    std::fprintf(stderr, "wsrelay publish: %s\n", exchanged ? "the server's answer is not HTTP" : error.c_str());
    return 1;
  }
  std::fwrite(answer.body.data(), 1, answer.body.size(), stdout);
  if (answer.body.empty() || answer.body.back() != '\n') std::fputc('\n', stdout);
  std::fflush(stdout);
  if (answer.status < 200 || answer.status > 299) {
    std::fprintf(stderr, "wsrelay publish: HTTP %d\n", answer.status);
    return 1;
  }
  return 0;
}

}  // namespace wsrelay::http
