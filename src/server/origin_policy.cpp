// Origin parsing, normalisation and matching for cors_origins; see origin_policy.hpp.
#include "server/origin_policy.hpp"

#include <algorithm>

#include "common/list_items.hpp"

namespace wsrelay::server {

namespace {

constexpr size_t kMaxHostLength = 253;  // RFC 1035 §2.3.4, as text without the final dot

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + ('a' - 'A')) : c; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_hex(char c) { return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f'); }

std::string lowercase(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}

// RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
bool is_scheme(std::string_view text) {
  if (text.empty() || !is_alpha(text[0])) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.';
  });
}

// A DNS-style name or IPv4 literal: dot-separated non-empty labels of letters, digits, '-'
// and '_' (seen on intranets). No percent-encoding: browsers send IDNs as punycode.
bool is_reg_name(std::string_view text) {
  if (text.empty() || text.size() > kMaxHostLength) return false;
  size_t label = 0;
  for (const char c : text) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alpha(c) || is_digit(c) || c == '-' || c == '_') {
      ++label;
    } else {
      return false;
    }
  }
  return label != 0;
}

// "[...]" holding an IPv6 literal (RFC 3986 §3.2.2); checked for its alphabet only, since an
// exact string compare after lowercasing is all matching needs.
bool is_ip_literal(std::string_view text) {
  if (text.size() < 4 || text.front() != '[' || text.back() != ']') return false;
  const std::string_view inside = text.substr(1, text.size() - 2);
  return std::all_of(inside.begin(), inside.end(),
                     [](char c) { return is_hex(c) || c == ':' || c == '.'; });
}

uint16_t default_port(std::string_view scheme) {
  if (scheme == "http" || scheme == "ws") return 80;
  if (scheme == "https" || scheme == "wss") return 443;
  return 0;
}

// scheme "://" host [ ":" port ], with `host_ok` deciding what a host may be (the configured
// wildcard form accepts "*.suffix" where a header would not).
template <typename HostCheck>
std::optional<Origin> parse_triple(std::string_view text, HostCheck host_ok) {
  const size_t separator = text.find("://");
  if (separator == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = text.substr(0, separator);
  std::string_view authority = text.substr(separator + 3);
  if (!is_scheme(scheme)) return std::nullopt;

  // Split host and port; an IPv6 literal contains colons of its own.
  std::string_view host = authority;
  std::string_view port_text;
  bool has_port = false;
  const size_t bracket = authority.rfind(']');
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket)) {
    host = authority.substr(0, colon);
    port_text = authority.substr(colon + 1);
    has_port = true;
  }
  if (!host_ok(host)) return std::nullopt;

  Origin origin;
  origin.scheme = lowercase(scheme);
  origin.host = lowercase(host);
  origin.port = default_port(origin.scheme);
  if (has_port) {
    // RFC 6454 §6.2 serialises the port in plain decimal: 1-5 digits, no leading zero.
    if (port_text.empty() || port_text.size() > 5 || port_text[0] == '0' ||
        !std::all_of(port_text.begin(), port_text.end(), is_digit)) {
      return std::nullopt;
    }
    uint32_t port = 0;
    for (const char c : port_text) port = port * 10 + static_cast<uint32_t>(c - '0');
    if (port > 65535) return std::nullopt;
    origin.port = static_cast<uint16_t>(port);
  }
  return origin;
}

bool is_host(std::string_view host) { return is_reg_name(host) || is_ip_literal(host); }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace

std::optional<Origin> parse_origin(std::string_view text) { return parse_triple(text, is_host); }

bool OriginPolicy::add_entry(std::string_view entry, std::string& error) {
  if (entry == "*") {
    allow_all_ = true;
    return true;
  }
  if (entry == "null") {
    allow_null_ = true;
    return true;
  }
  if (entry.size() > 1 && entry.back() == '/') entry.remove_suffix(1);  // "https://a.com/"
  bool wildcard = false;
  const std::optional<Origin> origin = parse_triple(entry, [&wildcard](std::string_view host) {
    if (host.starts_with("*.")) {
      wildcard = true;
      return is_reg_name(host.substr(2));
    }
    return is_host(host);
  });
  if (!origin) {
    error = "cors_origins: '" + std::string(entry) +
            "' is not an origin (scheme://host[:port], scheme://*.domain[:port], null or *)";
    return false;
  }
  Rule rule;
  rule.origin = *origin;
  if (wildcard) {
    rule.any_subdomain = true;
    rule.origin.host.erase(0, 2);
  }
  rules_.push_back(std::move(rule));
  return true;
}

bool OriginPolicy::configure(std::span<const std::string> cors_origins, std::string& error) {
  OriginPolicy fresh;  // built aside, so a bad entry leaves this policy as it was
  fresh.allow_all_ = false;
  for (const std::string& entry : cors_origins) {
    if (!fresh.add_entry(trim(entry), error)) return false;
  }
  *this = std::move(fresh);
  return true;
}

bool OriginPolicy::configure(std::string_view cors_origins, std::string& error) {
  return configure(common::split_list_items(cors_origins), error);
}

bool OriginPolicy::allows(std::string_view origin_header) const {
  if (allow_all_) return true;
  const std::string_view value = trim(origin_header);
  if (value.empty()) return true;  // no Origin: not a browser, see the header comment
  if (value == "null") return allow_null_;
  const std::optional<Origin> origin = parse_origin(value);
  if (!origin) return false;
  return std::any_of(rules_.begin(), rules_.end(), [&origin](const Rule& rule) {
    if (rule.origin.scheme != origin->scheme || rule.origin.port != origin->port) return false;
    if (!rule.any_subdomain) return rule.origin.host == origin->host;
    // "*.example.com" needs at least one whole label before ".example.com".
    const std::string& suffix = rule.origin.host;
    const std::string& host = origin->host;
    return host.size() > suffix.size() + 1 && host.ends_with(suffix) &&
           host[host.size() - suffix.size() - 1] == '.';
  });
}

}  // namespace wsrelay::server
