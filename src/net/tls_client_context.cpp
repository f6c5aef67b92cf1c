#include "net/tls_client_context.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace wsrelay::net {

namespace {

std::string openssl_reason() {
  const unsigned long code = ERR_peek_error();
  std::string text = "unknown error";
  if (code != 0) {
    if (const char* reason = ERR_reason_error_string(code)) text = reason;
  }
  ERR_clear_error();
  return text;
}

}  // namespace

TlsClientContext::~TlsClientContext() {
  if (context_ != nullptr) SSL_CTX_free(context_);
}

bool TlsClientContext::load(const std::string& ca_file, std::string& error) {
  SSL_CTX* context = SSL_CTX_new(TLS_client_method());
  if (context == nullptr) {
    error = "SSL_CTX_new: " + openssl_reason();
    return false;
  }
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);  // RFC 8996
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  // The transport's write contract (net/tls_transport.hpp) needs these, as on the server side.
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(context)
                                     : SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr);
  if (loaded != 1) {
    error = (ca_file.empty() ? std::string("the system trust store") : "CA file " + ca_file) +
            ": cannot load: " + openssl_reason();
    SSL_CTX_free(context);
    return false;
  }
  if (context_ != nullptr) SSL_CTX_free(context_);
  context_ = context;
  return true;
}

}  // namespace wsrelay::net
