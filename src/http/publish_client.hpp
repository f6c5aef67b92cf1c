// `wsrelay publish`: the backend publish API (api.hpp) from a shell script or a cron job.
//
//   wsrelay publish --signal NAME [--data JSON] [--room ROOM]     POST /api/signal
//   wsrelay publish --room ROOM --message TEXT                    POST /api/publish
//   wsrelay publish --broadcast TEXT                              POST /api/broadcast
//   wsrelay publish --to CLIENT_ID --message TEXT                 POST /api/send
//   wsrelay publish --rooms                                       GET  /api/rooms
//   wsrelay publish --room ROOM                                   GET  /api/rooms/ROOM
// Options: --url URL (default: publish_url), --api-key KEY (default: api_key), --timeout SECONDS,
// --cacert FILE and --insecure (https).
// --message and --broadcast send their argument as a JSON string; --message-json / --broadcast-json
// send it as a JSON value instead; --data is always JSON.
//
// It prints the server's JSON answer on stdout and exits 0 for a 2xx answer, 1 for any other
// answer or when the server cannot be reached (reason on stderr), 2 for a usage error.
//
// This is a command, not the server: it does plain blocking socket I/O (publish_client.cpp),
// with a timeout on connecting, sending and receiving. https:// URLs speak TLS 1.2+ through
// publish_tls.cpp, verifying the certificate chain (the system's CAs, or --cacert FILE) and the
// host name or IP address; --insecure skips verification, for self-signed test servers.
// Everything else (arguments, URL, request, response) is pure (publish_request.cpp) and
// unit-tested.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::http {

// What configuration supplies (publish_url and api_key, from file, environment or flags).
struct PublishSettings {
  std::string url = "http://127.0.0.1:8080";
  std::string api_key;
  int timeout_seconds = 10;
  std::string ca_file;    // https: PEM CA file to trust instead of the system's (--cacert)
  bool insecure = false;  // https: no certificate verification (--insecure)
};

// Runs the command. `args` are the words after "publish". Returns the exit status.
int run_publish(const std::vector<std::string>& args, PublishSettings settings);

std::string_view publish_usage();

// ---- pure pieces ----------------------------------------------------------------------------

struct PublishCommand {
  std::string method;  // "POST" or "GET"
  std::string path;    // "/api/signal", "/api/rooms/a%20b"
  std::string body;    // JSON for a POST, empty for a GET
  bool help = false;   // --help: print the usage, send nothing
};

// Parses `args` into `command`, updating `settings` from --url/--api-key/--timeout. False with
// `error` (one sentence) on a usage error: unknown or missing options, an invalid --data JSON.
bool parse_publish_args(const std::vector<std::string>& args, PublishSettings& settings, PublishCommand& command,
                        std::string& error);

struct HttpUrl {
  std::string host;         // as for getaddrinfo: "127.0.0.1", "::1", "ws.example.com"
  uint16_t port = 80;
  std::string base_path;    // "" or "/prefix" (no trailing slash): prepended to /api/...
  std::string host_header;  // "example.com:8080", "[::1]:8080"
  bool tls = false;         // https://
};

// http(s)://host[:port][/base] (port 80 or 443 by default). False with `error` for anything
// else.
bool parse_http_url(std::string_view url, HttpUrl& out, std::string& error);

// The whole HTTP/1.1 request (Connection: close, Content-Length, Bearer key when not empty).
std::string build_publish_request(const HttpUrl& url, const PublishCommand& command, std::string_view api_key);

// Every byte outside RFC 3986 unreserved characters as %XX.
std::string percent_encode(std::string_view text);

struct HttpAnswer {
  int status = 0;
  std::string body;
};

// A complete response (the server closed the connection after it): status line, headers and a
// body of Content-Length bytes, or everything up to the end when there is no Content-Length.
// False when `bytes` is not such a response.
bool parse_http_answer(std::string_view bytes, HttpAnswer& out);

}  // namespace wsrelay::http
