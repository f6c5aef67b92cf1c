// Server-side TLS configuration: certificate, key and optional chain loaded into an OpenSSL
// SSL_CTX, TLS 1.2 and 1.3 only, with modern cipher defaults (docs/tls.md says which and why).
//
// load() builds a complete new context first and swaps it in only when every file loaded and
// the key matched the certificate, so a failed renewal (SIGHUP after certbot) keeps serving the
// old certificate. Connections already open keep the context they started with (each SSL holds
// a reference to its SSL_CTX). Errors name the setting and the file, and say why in words
// ("No such file or directory", "does not match the certificate", "no PEM certificate"), since
// they are read by whoever has to fix the file.
#pragma once

#include <string>

typedef struct ssl_ctx_st SSL_CTX;

namespace wsrelay::net {

struct TlsFiles {
  std::string cert_path;   // PEM certificate, leaf first (may hold the chain too: fullchain.pem)
  std::string key_path;    // PEM private key
  std::string chain_path;  // optional PEM intermediates
};

class TlsContext {
 public:
  TlsContext() = default;
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  // Load (or reload) the files. On failure returns false, sets `error` naming the file and
  // the reason, and keeps the previous context (if any).
  bool load(const TlsFiles& files, std::string& error);
  SSL_CTX* get() const { return context_; }
  // The certificate being served, for logs: "CN=example.org, serial 03A1..., expires
  // 2025-06-01 12:00:00 UTC". Empty before a successful load.
  const std::string& description() const { return description_; }
  // True when the served certificate's notAfter is in the past (it loads, but clients refuse it).
  bool expired() const { return expired_; }

 private:
  SSL_CTX* context_ = nullptr;
  std::string description_;
  bool expired_ = false;
};

}  // namespace wsrelay::net
