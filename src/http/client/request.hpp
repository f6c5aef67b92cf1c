// The request side of the HTTP/1.1 client, pure: the target URL and the request bytes.
//
//   parse_client_url("https://hooks.example.com:8443/pusher?x=1")
//     -> tls, host "hooks.example.com", port 8443, target "/pusher?x=1",
//        host_header "hooks.example.com:8443"
//   write_request(...)  -> "POST /pusher?x=1 HTTP/1.1\r\nHost: ...\r\n...\r\n\r\n<body>"
//
// No I/O. Names are not resolved here (see http_client.hpp for when that happens).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace wsrelay::http::client {

struct ClientUrl {
  bool tls = false;         // https
  std::string host;         // "127.0.0.1", "::1" (no brackets), "hooks.example.com"
  bool host_is_ip = false;  // an IPv4/IPv6 literal (no SNI, certificate checked by IP)
  uint16_t port = 80;
  std::string target;       // "/path?query", at least "/"
  std::string host_header;  // Host field value: "host[:port]" with brackets for IPv6
};

// http:// or https:// URLs only, with an optional port and path; no user-info (credentials
// in a URL end up in logs) and no fragment. False with `error` (one sentence) otherwise.
bool parse_client_url(std::string_view url, ClientUrl& out, std::string& error);

struct RequestHeader {
  std::string_view name;
  std::string_view value;
};

// A complete request: request-line, Host, the given fields, Content-Length when there is a
// body or the method is POST/PUT, Connection: keep-alive or close, the blank line, the body.
// Field names and values are written as given: callers pass only values they control (a value
// holding CR or LF is dropped rather than written, so nothing can split the header).
std::string write_request(std::string_view method, const ClientUrl& url, std::span<const RequestHeader> headers,
                          std::string_view body, bool keep_alive);

}  // namespace wsrelay::http::client
