// HttpOptions: everything the HTTP endpoints are configured with, in plain units. main.cpp fills
// it from the configuration keys (api_key, web_root, max_name_length via AppOptions, ...);
// embedding programs and tests fill it directly. The defaults are the documented defaults.
#pragma once

#include <cstddef>
#include <string>

namespace wsrelay::http {

struct HttpOptions {
  // Bearer key of the backend publish API (Authorization: Bearer <api_key>). Empty: the API is
  // off and every /api/ path answers 404, as if it did not exist.
  std::string api_key;
  // Folder whose files are served at / (index.html) and /<name>. Empty: no static files.
  // Already resolved by the configuration layer (the "auto" default is its business).
  std::string web_root;
  // Cache-Control for static files. "no-cache" lets browsers keep a copy but revalidate it
  // every time (a cheap 304 thanks to the ETag), so a new wsrelay.js is picked up at once.
  std::string static_cache_control = "no-cache";
  // Static files are loaded into memory at start-up; these caps keep a misconfigured web_root
  // (say, "/") from swallowing the machine. Loading fails with a message when exceeded.
  size_t static_max_files = 256;
  size_t static_max_bytes = 16u << 20;
  // /metrics lists member counts for at most this many rooms (the largest), to keep the
  // number of time series bounded however many rooms clients create. /stats lists all.
  size_t metrics_room_limit = 100;
  // GET /api/rooms/{room} lists at most this many member client ids.
  size_t room_member_limit = 1000;
  // Nesting limit for API request bodies (the size limit is the server's max_http_body).
  size_t max_json_depth = 32;
};

}  // namespace wsrelay::http
