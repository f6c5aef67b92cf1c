#include "http/client/request.hpp"

#include <arpa/inet.h>

#include <charconv>

namespace wsrelay::http::client {

namespace {

bool is_ip_literal(const std::string& host, bool& v6) {
  unsigned char buffer[16];
  v6 = false;
  if (inet_pton(AF_INET, host.c_str(), buffer) == 1) return true;
  if (inet_pton(AF_INET6, host.c_str(), buffer) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

// RFC 3986 §3.2.2 reg-name, restricted to what DNS names use: letters, digits, '-', '.'.
bool is_host_name(std::string_view host) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return host.front() != '.' && host.front() != '-';
}

bool has_line_break(std::string_view text) { return text.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

bool parse_client_url(std::string_view url, ClientUrl& out, std::string& error) {
  ClientUrl result;
  if (url.substr(0, 7) == "http://") {
    url.remove_prefix(7);
    result.port = 80;
  } else if (url.substr(0, 8) == "https://") {
    url.remove_prefix(8);
    result.tls = true;
    result.port = 443;
  } else {
    error = "the URL must start with http:// or https://";
    return false;
  }
  const size_t path_at = url.find_first_of("/?#");
  std::string_view authority = url.substr(0, path_at);
  std::string_view rest = path_at == std::string_view::npos ? std::string_view() : url.substr(path_at);
  if (authority.find('@') != std::string_view::npos) {
    error = "the URL must not carry a user name or password";
    return false;
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "unclosed '[' in the URL's host";
      return false;
    }
    result.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') {
        error = "unexpected text after the URL's ']'";
        return false;
      }
      port_text = after.substr(1);
    }
  } else {
    const size_t colon = authority.rfind(':');
    result.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (result.host.empty()) {
    error = "the URL has no host";
    return false;
  }
  if (!port_text.empty() || authority.find(':') != std::string_view::npos) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), value);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || value == 0 || value > 65535) {
      error = "the URL's port must be a number from 1 to 65535";
      return false;
    }
    result.port = static_cast<uint16_t>(value);
  }
  bool v6 = false;
  result.host_is_ip = is_ip_literal(result.host, v6);
  if (!result.host_is_ip && !is_host_name(result.host)) {
    error = "'" + result.host + "' is not a host name or IP address";
    return false;
  }
  if (!rest.empty() && rest.front() == '#') rest = {};
  const size_t hash = rest.find('#');
  if (hash != std::string_view::npos) rest = rest.substr(0, hash);
  for (char c : rest) {
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7F) {
      error = "the URL's path holds a space or control character (percent-encode it)";
      return false;
    }
  }
  result.target = rest.empty() || rest.front() == '?' ? "/" + std::string(rest) : std::string(rest);
  result.host_header = v6 ? "[" + result.host + "]" : result.host;
  if (result.port != (result.tls ? 443 : 80)) result.host_header += ":" + std::to_string(result.port);
  out = std::move(result);
  return true;
}

std::string write_request(std::string_view method, const ClientUrl& url, std::span<const RequestHeader> headers,
                          std::string_view body, bool keep_alive) {
  std::string out;
  out.reserve(256 + body.size());
  out.append(method).append(" ").append(url.target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(url.host_header).append("\r\n");
  for (const RequestHeader& h : headers) {
    if (h.name.empty() || has_line_break(h.name) || has_line_break(h.value)) continue;
    out.append(h.name).append(": ").append(h.value).append("\r\n");
  }
  // RFC 9110 §8.6: a POST without a body still says Content-Length: 0.
  if (!body.empty() || method == "POST" || method == "PUT") {
    out.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  out.append(keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  out.append("\r\n");
  out.append(body);
  return out;
}

}  // namespace wsrelay::http::client
