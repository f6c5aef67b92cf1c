// Plain HTTP on a TLS port. See tls_sniff.hpp.
#include "net/tls_sniff.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstdint>

namespace wsrelay::net {

namespace {
constexpr uint8_t kHandshakeRecord = 0x16;  // RFC 8446 §5.1 ContentType handshake(22)
constexpr size_t kMaxDrainBytes = 64 * 1024;

// Where `needle` starts in the answer (index loops only: string_view::find is not a constant
// expression under -fsanitize=undefined with g++ 12).
constexpr size_t index_in_response(const char* needle) {
  const char* text = kPlainTextOnTlsPortResponse;
  for (size_t i = 0; text[i] != '\0'; ++i) {
    size_t j = 0;
    while (needle[j] != '\0' && text[i + j] == needle[j]) ++j;
    if (needle[j] == '\0') return i;
  }
  return 0;
}

// The Content-Length written in the answer must be its body's length.
constexpr bool content_length_matches() {
  const char* text = kPlainTextOnTlsPortResponse;
  const size_t body = index_in_response("\r\n\r\n") + 4;
  size_t value = 0;
  for (size_t i = index_in_response("Content-Length: ") + 16; text[i] >= '0' && text[i] <= '9';
       ++i) {
    value = value * 10 + static_cast<size_t>(text[i] - '0');
  }
  return value == sizeof kPlainTextOnTlsPortResponse - 1 - body;
}
static_assert(content_length_matches());
}  // namespace

FirstBytes sniff_client_hello(int fd) {
  uint8_t first = 0;
  const ssize_t n = ::recv(fd, &first, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? FirstBytes::kWaiting
                                                                     : FirstBytes::kTls;
  if (n == 0 || first == kHandshakeRecord || first >= 0x80) return FirstBytes::kTls;

  // Read what the client sent (its request head), so that the close after our answer is an
  // orderly FIN: closing with unread input would reset the connection, and a reset may make
  // the client drop the answer before reading it.
  uint8_t sink[4096];
  for (size_t drained = 0; drained < kMaxDrainBytes;) {
    const ssize_t got = ::recv(fd, sink, sizeof sink, MSG_DONTWAIT);
    if (got <= 0) break;
    drained += static_cast<size_t>(got);
  }
  // One best-effort send: the answer is far smaller than any socket buffer.
  (void)::send(fd, kPlainTextOnTlsPortResponse, sizeof kPlainTextOnTlsPortResponse - 1,
               MSG_DONTWAIT | MSG_NOSIGNAL);
  ::shutdown(fd, SHUT_WR);
  return FirstBytes::kPlainText;
}

}  // namespace wsrelay::net
