#include "net/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstdio>

namespace wsrelay::net {

namespace {

std::string openssl_error() {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return "unknown error";
  char text[256];
  ERR_error_string_n(code, text, sizeof(text));
  return text;
}

bool readable(const std::string& path, std::string& error) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = path + ": cannot be read";
    return false;
  }
  std::fclose(file);
  return true;
}

}  // namespace

TlsContext::~TlsContext() {
  if (context_ != nullptr) SSL_CTX_free(context_);
}

bool TlsContext::load(const TlsFiles& files, std::string& error) {
  if (files.cert_path.empty() || files.key_path.empty()) {
    error = "ssl_cert_path and ssl_key_path are both required for TLS";
    return false;
  }
  if (!readable(files.cert_path, error) || !readable(files.key_path, error)) return false;
  if (!files.chain_path.empty() && !readable(files.chain_path, error)) return false;

  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) {
    error = "SSL_CTX_new: " + openssl_error();
    return false;
  }
  auto fail = [&](const std::string& what) {
    error = what + ": " + openssl_error();
    SSL_CTX_free(context);
    return false;
  };
  // TLS 1.2 and 1.3 only; no compression, no renegotiation, server's cipher order.
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                                   SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(context,
                              "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
                              "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
                              "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305") != 1) {
    return fail("cipher list");
  }
  // Writes may be partial and resumed from a different address (our output queue moves).
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
  if (SSL_CTX_use_certificate_chain_file(context, files.cert_path.c_str()) != 1) {
    return fail(files.cert_path);
  }
  if (!files.chain_path.empty()) {
    FILE* chain = std::fopen(files.chain_path.c_str(), "rb");
    if (chain == nullptr) return fail(files.chain_path);
    // Every certificate in the chain file is an extra (intermediate) certificate.
    while (X509* extra = PEM_read_X509(chain, nullptr, nullptr, nullptr)) {
      if (SSL_CTX_add_extra_chain_cert(context, extra) != 1) {
        X509_free(extra);
        std::fclose(chain);
        return fail(files.chain_path);
      }
    }
    std::fclose(chain);
    ERR_clear_error();  // the loop ends on "no start line", which is not an error
  }
  if (SSL_CTX_use_PrivateKey_file(context, files.key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    return fail(files.key_path);
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return fail(files.key_path + " does not match " + files.cert_path);
  }
  if (context_ != nullptr) SSL_CTX_free(context_);
  context_ = context;
  return true;
}

}  // namespace wsrelay::net
