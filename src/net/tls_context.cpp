#include "net/tls_context.hpp"

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace wsrelay::net {

namespace {

// Sessions kept for resumption (see the SSL_CTX setup below): a fixed cost, not one per
// connection.
constexpr long kSessionCacheEntries = 1024;

// TLS 1.2 suites: ECDHE only (forward secrecy) with AEAD ciphers only (no CBC, no RSA key
// exchange, no SHA-1 MACs) — the "intermediate" profile that every browser of the last
// decade supports. ECDSA and RSA certificates both work.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
// TLS 1.3 suites: all three are AEAD with forward secrecy (the order of the common server
// guides), written out so that the policy is visible here and in docs/tls.md.
constexpr const char* kTls13Ciphers = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";

// OpenSSL's reason for the earliest queued error, in words ("no start line"); clears the queue.
std::string openssl_reason() {
  const unsigned long code = ERR_peek_error();
  std::string text = "unknown error";
  if (code != 0) {
    if (const char* reason = ERR_reason_error_string(code)) {
      text = reason;
    } else {
      char buffer[256];
      ERR_error_string_n(code, buffer, sizeof(buffer));
      text = buffer;
    }
  }
  ERR_clear_error();
  return text;
}

bool earliest_error_is(int library, int reason) {
  const unsigned long code = ERR_peek_error();
  return code != 0 && ERR_GET_LIB(code) == library && ERR_GET_REASON(code) == reason;
}

// "ssl_key_path /etc/x.pem: Permission denied" when the file cannot be opened for reading.
bool check_readable(const char* key, const std::string& path, std::string& error) {
  struct stat info;
  if (::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) {
    error = std::string(key) + " " + path + ": is a directory";
    return false;
  }
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    error = std::string(key) + " " + path + ": " + std::strerror(errno);
    return false;
  }
  std::fclose(file);
  return true;
}

// "no PEM certificate in the file" for the commonest mistake (a DER file, a key where the
// certificate belongs, an empty file); OpenSSL's own words otherwise.
std::string pem_reason(const char* what) {
  // OpenSSL 3 reads keys through its decoders, which say "unsupported" for the same thing.
  const unsigned long code = ERR_peek_error();
  if (earliest_error_is(ERR_LIB_PEM, PEM_R_NO_START_LINE) || ERR_GET_LIB(code) == ERR_LIB_OSSL_DECODER) {
    ERR_clear_error();
    return std::string("no PEM ") + what + " in the file";
  }
  return openssl_reason();
}

// A private key with a passphrase would make OpenSSL prompt on the terminal — a blocking read
// inside the event loop on SIGHUP. Refuse instead: no passphrase is ever supplied. `asked`
// (a bool) records that the key wanted one, so the error can say so.
int no_passphrase(char*, int, int, void* asked) {
  if (asked != nullptr) *static_cast<bool*>(asked) = true;
  return -1;
}

// Adds every certificate in `path` to the chain sent after the leaf. False (with `error`) when
// the file holds none or a broken one.
bool load_chain(SSL_CTX* context, const std::string& path, std::string& error) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (bio == nullptr) {
    error = "ssl_chain_path " + path + ": " + openssl_reason();
    return false;
  }
  int count = 0;
  for (;;) {
    X509* certificate = PEM_read_bio_X509(bio, nullptr, no_passphrase, nullptr);
    if (certificate == nullptr) break;
    ++count;
    // add1 (not add_extra_chain_cert): the chain belongs to this certificate, and is sent even
    // when ssl_cert_path already held intermediates.
    const int added = SSL_CTX_add1_chain_cert(context, certificate);
    X509_free(certificate);
    if (added != 1) {
      BIO_free(bio);
      error = "ssl_chain_path " + path + ": " + openssl_reason();
      return false;
    }
  }
  BIO_free(bio);
  if (count == 0) {
    error = "ssl_chain_path " + path + ": " + pem_reason("certificate");
    return false;
  }
  // The loop ends on "no start line" at the end of the file; anything else is a broken PEM.
  if (earliest_error_is(ERR_LIB_PEM, PEM_R_NO_START_LINE)) ERR_clear_error();
  if (ERR_peek_error() != 0) {
    error = "ssl_chain_path " + path + ": cannot load certificate " + std::to_string(count + 1) + ": " +
            openssl_reason();
    return false;
  }
  return true;
}

std::string describe(const X509* certificate, bool& expired) {
  std::string text;
  char name[256];
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(certificate), NID_commonName, name, sizeof(name)) > 0) {
    text = std::string("CN=") + name;
  } else if (char* line = X509_NAME_oneline(X509_get_subject_name(certificate), nullptr, 0)) {
    text = line;
    OPENSSL_free(line);
  }
  if (BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate), nullptr)) {
    if (char* hex = BN_bn2hex(serial)) {
      text += std::string(", serial ") + hex;
      OPENSSL_free(hex);
    }
    BN_free(serial);
  }
  const ASN1_TIME* not_after = X509_get0_notAfter(certificate);
  std::tm when{};
  if (ASN1_TIME_to_tm(not_after, &when) == 1) {
    char date[32];
    std::strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &when);
    text += std::string(", expires ") + date;
  }
  expired = X509_cmp_current_time(not_after) < 0;
  if (expired) text += " (EXPIRED)";
  return text;
}

}  // namespace

TlsContext::~TlsContext() {
  if (context_ != nullptr) SSL_CTX_free(context_);
}

bool TlsContext::load(const TlsFiles& files, std::string& error) {
  ERR_clear_error();
  if (files.cert_path.empty() || files.key_path.empty()) {
    error = "ssl_cert_path and ssl_key_path are both required for TLS";
    return false;
  }
  if (!check_readable("ssl_cert_path", files.cert_path, error) ||
      !check_readable("ssl_key_path", files.key_path, error)) {
    return false;
  }
  if (!files.chain_path.empty() && !check_readable("ssl_chain_path", files.chain_path, error)) return false;

  SSL_CTX* context = SSL_CTX_new(TLS_server_method());
  if (context == nullptr) {
    error = "SSL_CTX_new: " + openssl_reason();
    return false;
  }
  auto fail = [&](std::string what) {
    error = std::move(what);
    SSL_CTX_free(context);
    ERR_clear_error();
    return false;
  };
  // TLS 1.2 and 1.3 only (RFC 8996 deprecates 1.0 and 1.1); no compression (CRIME), no
  // renegotiation, and no stateless session tickets (their key would live for the whole
  // process; sessions resume through the server's cache instead). The client picks among the
  // suites: all are strong, and a phone without AES instructions rightly prefers ChaCha20.
  SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
  SSL_CTX_set_options(context, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(context, kTls12Ciphers) != 1) return fail("TLS 1.2 cipher list: " + openssl_reason());
  if (SSL_CTX_set_ciphersuites(context, kTls13Ciphers) != 1) return fail("TLS 1.3 cipher suites: " + openssl_reason());
  // Writes may be partial and are retried from a different address (net/tls_transport.hpp);
  // idle connections give their read/write buffers back.
  SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                SSL_MODE_RELEASE_BUFFERS);
  // Resumption state must not grow with the number of open connections. TLS 1.3 sends two
  // tickets per handshake by default, and without stateless tickets each is a session copy in
  // the server cache (20,480 entries by default, about 1 KiB each): one ticket per handshake,
  // and a cache bounded well below the connection counts we serve. Resumption still works for
  // the most recent clients (a reconnect within the cache's reach); the others handshake in full.
  SSL_CTX_set_num_tickets(context, 1);
  SSL_CTX_sess_set_cache_size(context, kSessionCacheEntries);
  bool passphrase_asked = false;
  SSL_CTX_set_default_passwd_cb(context, no_passphrase);
  SSL_CTX_set_default_passwd_cb_userdata(context, &passphrase_asked);

  if (SSL_CTX_use_certificate_chain_file(context, files.cert_path.c_str()) != 1) {
    return fail("ssl_cert_path " + files.cert_path + ": cannot load the certificate: " + pem_reason("certificate"));
  }
  if (!files.chain_path.empty() && !load_chain(context, files.chain_path, error)) return fail(error);
  if (SSL_CTX_use_PrivateKey_file(context, files.key_path.c_str(), SSL_FILETYPE_PEM) != 1) {
    // OpenSSL checks the key against the certificate as it loads it.
    if (earliest_error_is(ERR_LIB_X509, X509_R_KEY_VALUES_MISMATCH)) {
      return fail("ssl_key_path " + files.key_path + " does not match the certificate in ssl_cert_path " +
                  files.cert_path);
    }
    if (passphrase_asked) {
      return fail("ssl_key_path " + files.key_path +
                  ": the key is encrypted; wsrelay needs it without a passphrase (see docs/tls.md)");
    }
    return fail("ssl_key_path " + files.key_path + ": cannot load the private key: " + pem_reason("private key"));
  }
  SSL_CTX_set_default_passwd_cb_userdata(context, nullptr);  // `passphrase_asked` goes out of scope
  if (SSL_CTX_check_private_key(context) != 1) {
    return fail("ssl_key_path " + files.key_path + " does not match the certificate in ssl_cert_path " +
                files.cert_path);
  }

  bool expired = false;
  std::string description = describe(SSL_CTX_get0_certificate(context), expired);
  if (context_ != nullptr) SSL_CTX_free(context_);  // open sessions hold their own reference
  context_ = context;
  description_ = std::move(description);
  expired_ = expired;
  return true;
}

}  // namespace wsrelay::net
