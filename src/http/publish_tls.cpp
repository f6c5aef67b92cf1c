#include "http/publish_tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <cerrno>
#include <cstring>

namespace wsrelay::http {
namespace {

// The newest OpenSSL error as text, or `fallback`.
std::string openssl_reason(std::string_view fallback) {
  const unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return std::string(fallback);
  char text[256];
  ERR_error_string_n(code, text, sizeof text);
  return text;
}

bool is_ip_literal(const std::string& host) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, host.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

// Why an SSL_* call failed: a timeout, the peer going away, or OpenSSL's reason.
std::string io_reason(SSL* ssl, int result) {
  const int code = SSL_get_error(ssl, result);
  if (code == SSL_ERROR_SYSCALL || code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINPROGRESS) return "timed out";
    if (errno != 0) return std::strerror(errno);
    return openssl_reason("the server closed the connection");
  }
  return openssl_reason("TLS error");
}

}  // namespace

PublishTls::~PublishTls() {
  if (ssl_ != nullptr) SSL_free(ssl_);
  if (context_ != nullptr) SSL_CTX_free(context_);
}

bool PublishTls::handshake(int fd, const HttpUrl& url, const PublishSettings& settings,
                           std::string& error) {
  context_ = SSL_CTX_new(TLS_client_method());
  if (context_ == nullptr) {
    error = "TLS: " + openssl_reason("cannot create a context");
    return false;
  }
  SSL_CTX_set_min_proto_version(context_, TLS1_2_VERSION);
  // The answer ends when the server closes; one that closes without close_notify after a
  // complete response is not an attack on this exchange (the length is checked by the parser).
  SSL_CTX_set_options(context_, SSL_OP_IGNORE_UNEXPECTED_EOF);
  if (!settings.insecure) {
    const bool loaded =
        settings.ca_file.empty()
            ? SSL_CTX_set_default_verify_paths(context_) == 1
            : SSL_CTX_load_verify_locations(context_, settings.ca_file.c_str(), nullptr) == 1;
    if (!loaded) {
      error = settings.ca_file.empty()
                  ? "TLS: cannot load the system's CA certificates: " + openssl_reason("")
                  : "--cacert " + settings.ca_file + ": " + openssl_reason("no PEM certificate");
      return false;
    }
    SSL_CTX_set_verify(context_, SSL_VERIFY_PEER, nullptr);
  }
  ssl_ = SSL_new(context_);
  if (ssl_ == nullptr || SSL_set_fd(ssl_, fd) != 1) {
    error = "TLS: " + openssl_reason("cannot create a session");
    return false;
  }
  const bool ip = is_ip_literal(url.host);
  // SNI, for host names only (RFC 6066 §3). SSL_set_tlsext_host_name is a macro with a C cast.
  if (!ip)
    SSL_ctrl(ssl_, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(url.host.c_str()));
  if (!settings.insecure) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_);
    const int named = ip ? X509_VERIFY_PARAM_set1_ip_asc(param, url.host.c_str())
                         : X509_VERIFY_PARAM_set1_host(param, url.host.c_str(), 0);
    if (named != 1) {
      error = "TLS: cannot check the certificate against " + url.host;
      return false;
    }
  }
  errno = 0;
  const int result = SSL_connect(ssl_);
  if (result == 1) return true;
  const long verify = SSL_get_verify_result(ssl_);
  if (!settings.insecure && verify != X509_V_OK) {
    ERR_clear_error();
    error = "TLS: the certificate of " + url.host_header +
            " is not trusted: " + X509_verify_cert_error_string(verify) +
            "; pass --cacert FILE with the CA that signed it (or the certificate itself), or "
            "--insecure to skip "
            "verification (test servers only)";
    return false;
  }
  error = "TLS handshake with " + url.host_header + " failed: " + io_reason(ssl_, result) +
          " (is it an https:// server? for plain http, use an http:// URL)";
  return false;
}

bool PublishTls::send_all(std::string_view bytes, std::string& error) {
  while (!bytes.empty()) {
    errno = 0;
    const int n = SSL_write(ssl_, bytes.data(), static_cast<int>(bytes.size()));
    if (n <= 0) {
      error = "sending the request failed: " + io_reason(ssl_, n);
      return false;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

bool PublishTls::receive_all(std::string& bytes, size_t cap, std::string& error) {
  char chunk[16384];
  while (true) {
    errno = 0;
    const int n = SSL_read(ssl_, chunk, sizeof chunk);
    if (n > 0) {
      bytes.append(chunk, static_cast<size_t>(n));
      if (bytes.size() > cap) {
        error = "the answer is too large";
        return false;
      }
      continue;
    }
    const int code = SSL_get_error(ssl_, n);
    if (code == SSL_ERROR_ZERO_RETURN) return true;  // close_notify
    // With SSL_OP_IGNORE_UNEXPECTED_EOF a plain close reads as SSL_ERROR_ZERO_RETURN too; a
    // SYSCALL error with errno 0 is the same end of stream on older libraries.
    if (code == SSL_ERROR_SYSCALL && errno == 0 && ERR_peek_error() == 0) return true;
    error = "reading the answer failed: " + io_reason(ssl_, n);
    return false;
  }
}

}  // namespace wsrelay::http
