// Static files: the web client (web/index.html at /, web/wsrelay.js at /wsrelay.js, ...) served
// from web_root.
//
// Design choice: every file is read into memory once, at start-up (load_static_files), and
// served from there. The files are small (tens of KiB), reading them on each request would put
// blocking disk I/O on the event loop, and a file set fixed at start-up makes path traversal
// impossible by construction: a request can only name a file that was loaded, never reach the
// file system. (The router also refuses dot-segments, encoded or not, NUL and backslashes with
// 400 before any lookup.) To publish new web files, restart the server or call
// Endpoints::reload_static (wired to SIGHUP by main).
//
// What is loaded: regular files under web_root, recursively, whose path has no component that
// starts with '.' (no .git, no .env); symbolic links only when they resolve inside web_root.
// Limits on the number of files and total bytes stop a mistaken web_root ("/") at start-up with
// a clear message instead of reading the disk.
//
// Responses carry a strong ETag (a SHA-256 fingerprint of the content), Last-Modified and the
// configured Cache-Control; If-None-Match and If-Modified-Since are honoured with 304.
//
// Only load_static_files does I/O (static_files.cpp); everything else is pure
// (static_response.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "server/http_service.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::http {

struct StaticFile {
  std::string name;           // path under web_root with '/' separators: "index.html", "img/a.png"
  std::string body;
  std::string_view content_type;
  std::string etag;           // "\"<hex>\"": a strong validator (RFC 9110 §8.8.3)
  int64_t modified = 0;       // modification time, Unix seconds
  std::string last_modified;  // `modified` as an HTTP date
};

struct StaticLimits {
  size_t max_files = 256;
  size_t max_bytes = 16u << 20;
};

// Reads the files under `root` into `files` (sorted by name). False with `error` naming the
// path and the reason when `root` cannot be read or a limit is exceeded. I/O: start-up only.
bool load_static_files(const std::string& root, const StaticLimits& limits, std::vector<StaticFile>& files,
                       std::string& error);

// A StaticFile with its content type, ETag and Last-Modified filled in.
StaticFile make_static_file(std::string name, std::string body, int64_t modified);

// The Content-Type for a file name, by extension (case-insensitive); application/octet-stream
// when unknown. Text types say charset=utf-8.
std::string_view content_type_for(std::string_view name);

// Does an If-None-Match field value ("*" or a comma-separated list of entity tags) match
// `etag`? Weak comparison (RFC 9110 §13.1.2): W/"x" matches "x".
bool if_none_match_matches(std::string_view field, std::string_view etag);

// The answer to a GET or HEAD of `file`: 304 Not Modified when the request's validators match
// (RFC 9110 §13.1.2, If-None-Match; otherwise §13.1.3, If-Modified-Since), else 200 with the
// content. Either way with ETag, Last-Modified and `cache_control`.
void serve_static(const StaticFile& file, const ws::HttpRequest& request, std::string_view cache_control,
                  server::HttpResponse& response);

}  // namespace wsrelay::http
