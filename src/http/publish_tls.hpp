// TLS for `wsrelay publish` (publish_client.hpp): a blocking TLS 1.2+ client over a socket that
// is already connected, for https:// publish URLs.
//
// Verification, unless `insecure`: the chain must lead to a trusted CA — the system's store by
// default (SSL_CTX_set_default_verify_paths: /etc/ssl/certs), or only the PEM file `ca_file`
// (--cacert) — and the certificate must name the URL's host (subjectAltName DNS, checked with
// OpenSSL's RFC 6125 matching) or, for an IP literal, its address (subjectAltName IP). SNI is
// sent for host names (RFC 6066 §3 forbids it for IP literals).
//
// This is the command-line client, not the server: the server's OpenSSL I/O stays in
// net/tls_transport.cpp, behind the reactor. Blocking is right for a short-lived command; the
// socket's SO_SNDTIMEO/SO_RCVTIMEO bound every step.
#pragma once

#include <string>
#include <string_view>

#include "http/publish_client.hpp"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace wsrelay::http {

class PublishTls {
 public:
  PublishTls() = default;
  ~PublishTls();
  PublishTls(const PublishTls&) = delete;
  PublishTls& operator=(const PublishTls&) = delete;

  // The handshake on connected socket `fd` (not owned). False with `error` saying what failed
  // and what to do ("certificate verify failed: self-signed certificate; pass --cacert ...").
  bool handshake(int fd, const HttpUrl& url, const PublishSettings& settings, std::string& error);
  bool send_all(std::string_view bytes, std::string& error);
  // Reads until the server closes, at most `cap` bytes.
  bool receive_all(std::string& bytes, size_t cap, std::string& error);

 private:
  SSL_CTX* context_ = nullptr;
  SSL* ssl_ = nullptr;
};

}  // namespace wsrelay::http
