// Client-side TLS configuration for outgoing connections (the webhook HTTP client): an
// OpenSSL SSL_CTX that verifies the server's certificate chain against the system's trust store
// (or a given CA file) and speaks TLS 1.2 and 1.3 only. The host name (or IP address) is checked
// per connection (TlsTransport::create_client). Verification is never silently off.
#pragma once

#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace wsrelay::net {

class TlsClientContext {
 public:
  TlsClientContext() = default;
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;

  // `ca_file` empty: the system's default trust store (/etc/ssl/certs). Else only the PEM
  // certificates in that file are trusted (a private CA, or a test's self-signed certificate).
  // False with `error` when the file cannot be loaded.
  bool load(const std::string& ca_file, std::string& error);
  SSL_CTX* get() const { return context_; }

 private:
  SSL_CTX* context_ = nullptr;
};

}  // namespace wsrelay::net
