// The Origin check on WebSocket upgrades (RFC 6455 §4.2.2 item 8, §10.2): `cors_origins`.
//
// Browsers send the page's origin with every WebSocket handshake; refusing foreign origins
// stops another site's page from opening a socket with the user's cookies (cross-site
// WebSocket hijacking). Non-browser clients (a PHP backend, curl, a CLI) send no Origin and
// can forge any they like, so a request WITHOUT an Origin header is allowed: this check is a
// browser defence, and tokens are the defence against everyone else.
//
// The list holds entries separated by commas and/or whitespace:
//   "*"                        every origin (the development default);
//   "https://app.example.com"  one origin: scheme://host[:port], compared after normalising
//                              (RFC 6454 §4-6): scheme and host lowercased, the scheme's
//                              default port made explicit, so https://A.com == https://a.com:443;
//   "https://*.example.com"    any subdomain, at any depth, of example.com (not example.com
//                              itself, not evilexample.com), same scheme and port rules;
//   "null"                     the literal opaque origin sent by sandboxed frames and file://
//                              pages; allowed only when listed.
// A trailing "/" on a configured entry is tolerated ("https://a.com/"); paths are not.
// Pure string code, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::server {

// An origin reduced to its comparable parts (RFC 6454 §4 "scheme/host/port triple").
struct Origin {
  std::string scheme;  // lowercase
  std::string host;    // lowercase; an IPv6 literal keeps its brackets, "[::1]"
  uint16_t port = 0;   // explicit or the scheme's default; 0 when the scheme has none

  bool operator==(const Origin&) const = default;
};

// Parse an Origin header value ("https://a.com:8443"). Nothing for "null" or anything that
// is not exactly scheme://host[:port].
std::optional<Origin> parse_origin(std::string_view text);

class OriginPolicy {
 public:
  // Replace the list from configuration text. False (policy unchanged) with `error` set when
  // an entry is not an origin, a wildcard origin, "null" or "*".
  bool configure(std::string_view cors_origins, std::string& error);
  // The same from entries already split (config::Settings::cors_origins).
  bool configure(std::span<const std::string> cors_origins, std::string& error);

  // May an upgrade carrying this Origin header value proceed? An empty value means the
  // header was absent (or empty) and is allowed, see above.
  bool allows(std::string_view origin_header) const;

  // True for "*": start-up logs a warning when this holds while auth is off.
  bool allows_all() const { return allow_all_; }

 private:
  struct Rule {
    Origin origin;              // for a wildcard, host is the suffix without "*."
    bool any_subdomain = false;
  };
  // Parse one entry into this policy; false with `error` set if it is not valid.
  bool add_entry(std::string_view entry, std::string& error);
  bool allow_all_ = true;   // matches the configuration default "*"
  bool allow_null_ = false;
  std::vector<Rule> rules_;
};

}  // namespace wsrelay::server
