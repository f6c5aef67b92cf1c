// Redaction: masking credentials out of text before it is written to a log.
//
// The promise of the logs is that no line ever contains an auth token or API key, even at
// debug level where whole client messages are logged. Two nets catch them:
//   1. Shapes that carry credentials (the net that matters: a credential reaches a log line only
//      in one of these places):
//        name=value       where name ends in token/secret/password/passwd/api_key/apikey/signature
//                         or is "auth" (query strings, form bodies, key=value log fields)
//        "name": "value"  the same names as JSON members (e.g. the `auth` event's "token"),
//                         also when the JSON sits escaped inside another string (\"token\":\"..\")
//        Bearer value     and Basic value (Authorization header credentials, RFC 6750 §2.1)
//        eyJ...x.y.z      anything shaped like a JWT (RFC 7519 §3: three base64url parts; the
//                         first is a JSON object, whose base64url encoding always starts "eyJ")
//   2. Registered secrets (the configured api_key and auth_secret) of at least
//      kMinMaskedSecretBytes: every occurrence of the exact value is masked wherever it appears,
//      for a credential pasted where no shape says so (a close reason, a room name).
//      Shorter secrets are NOT masked by value: a secret such as "open" or "ws" is also a word
//      of ordinary log lines ("open 127.0.0.1:5000 /ws"), and masking those words would both
//      ruin the line and tell whoever reads the log what the secret is. A secret that long is
//      weak anyway; the shapes above still mask it where it is used as a credential.
// The name and the punctuation stay, only the value becomes kRedacted, so a line still says
// what was there ("token=[redacted]"). Masking too much is preferred to masking too little:
// the shapes match anywhere, even glued to the end of another word ("xBearer abc").
//
// Pure; no allocation beyond the output string. Not thread-safe (nothing here needs to be).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::log {

inline constexpr std::string_view kRedacted = "[redacted]";
// Shortest registered secret masked by value (see 2. above): 16 bytes cannot occur in a log
// line by coincidence, so masking them reveals nothing.
inline constexpr size_t kMinMaskedSecretBytes = 16;

class Redactor {
 public:
  // Mask every occurrence of `secret` from now on, if it has at least kMinMaskedSecretBytes
  // (shorter ones are ignored: see the header comment).
  void add_secret(std::string_view secret);
  void clear_secrets() { secrets_.clear(); }

  // Append `text` to `out` with every credential masked.
  void redact_into(std::string_view text, std::string& out) const;
  std::string redact(std::string_view text) const;

 private:
  std::vector<std::string> secrets_;
  mutable std::string scratch_;  // registered secrets are replaced here first, then shapes
};

// Shape-based masking only (no registered secrets): for one-off uses outside a Logger.
std::string redact(std::string_view text);

}  // namespace wsrelay::log
