// Plain HTTP on a TLS port: telling it apart from a TLS ClientHello before OpenSSL reads
// anything, and answering it in cleartext.
//
// Every TLS connection opens with a handshake record: content type 22 (0x16), RFC 8446 §5.1
// (RFC 5246 §6.2.1 for TLS 1.2). A request line ("GET / HTTP/1.1") starts with a letter. So the
// first byte, peeked without consuming it, decides: 0x16 goes to OpenSSL as usual; any other
// ASCII byte is someone speaking http:// (or ws://) to an https:// port, who gets a short
// plain-text 400 that says to use https, instead of a reset they cannot read. Bytes with the
// high bit set are left to OpenSSL too (an SSLv2-format hello is 0x80..; OpenSSL judges it).
//
// Plain socket calls on the raw descriptor (recv with MSG_PEEK, one send, shutdown): no
// OpenSSL I/O, which stays in tls_transport.cpp. Non-blocking, never waits.
#pragma once

#include <climits>

namespace wsrelay::net {

enum class FirstBytes {
  kWaiting,    // nothing has arrived yet: wait for readability
  kTls,        // a TLS record, or the peer closed / an error: OpenSSL takes over and reports it
  kPlainText,  // not TLS: the 400 was sent (best effort) and the connection must be closed
};

// tls_failure_text() code for kPlainText (TlsTransport::handshake's IoResult::error).
inline constexpr int kPlainTextOnTlsPort = INT_MAX - 1;
// The cleartext answer (status line to body), sent as is.
inline constexpr const char kPlainTextOnTlsPortResponse[] =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 89\r\n"
    "Connection: close\r\n"
    "\r\n"
    "400 bad request: this port speaks TLS. Use https:// (or wss://), not http:// (or ws://).\n";

// Looks at the first byte on `fd`; on kPlainText, reads and drops what the client has sent
// (so closing sends FIN, not a reset that could discard the answer), sends the 400 and
// shuts down the write side.
FirstBytes sniff_client_hello(int fd);

}  // namespace wsrelay::net
