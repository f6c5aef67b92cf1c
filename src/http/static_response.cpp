// The pure half of static files: content types, validators and conditional requests.
#include <array>
#include <utility>

#include "http/digest.hpp"
#include "http/http_date.hpp"
#include "http/json_text.hpp"
#include "http/static_files.hpp"

namespace wsrelay::http {
namespace {

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_lower(std::string_view text, std::string_view lowercase) {
  if (text.size() != lowercase.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lowercase[i]) return false;
  }
  return true;
}

// Extension -> type. JavaScript is text/javascript (RFC 9239); text types carry the charset so
// browsers never guess one.
constexpr std::array<std::pair<std::string_view, std::string_view>, 22> kTypes = {{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"txt", "text/plain; charset=utf-8"},
    {"md", "text/markdown; charset=utf-8"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"xml", "application/xml"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/vnd.microsoft.icon"},
    {"wasm", "application/wasm"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"pdf", "application/pdf"},
}};

}  // namespace

std::string_view content_type_for(std::string_view name) {
  const size_t slash = name.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  const size_t dot = base.rfind('.');
  if (dot != std::string_view::npos && dot + 1 < base.size()) {
    const std::string_view extension = base.substr(dot + 1);
    for (const auto& [known, type] : kTypes) {
      if (equals_lower(extension, known)) return type;
    }
  }
  return "application/octet-stream";
}

StaticFile make_static_file(std::string name, std::string body, int64_t modified) {
  StaticFile file;
  file.content_type = content_type_for(name);
  // 128 bits of SHA-256: a fingerprint, not a secret; collisions are out of reach either way.
  file.etag = "\"" + to_hex(sha256(body), 16) + "\"";
  file.modified = modified;
  file.last_modified = format_http_date(modified);
  file.name = std::move(name);
  file.body = std::move(body);
  return file;
}

bool if_none_match_matches(std::string_view field, std::string_view etag) {
  // Weak comparison ignores a W/ prefix on either side (RFC 9110 §8.8.3.2).
  if (etag.substr(0, 2) == "W/") etag.remove_prefix(2);
  if (trim_whitespace(field) == "*") return true;
  while (!field.empty()) {
    const size_t comma = field.find(',');
    std::string_view tag = trim_whitespace(field.substr(0, comma));
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    if (tag == etag) return true;
    if (comma == std::string_view::npos) break;
    field.remove_prefix(comma + 1);
  }
  return false;
}

void serve_static(const StaticFile& file, const ws::HttpRequest& request, std::string_view cache_control,
                  server::HttpResponse& response) {
  response.headers.emplace_back("ETag", file.etag);
  response.headers.emplace_back("Last-Modified", file.last_modified);
  response.headers.emplace_back("Cache-Control", std::string(cache_control));
  // The type is ours; browsers must not second-guess it (a .js served as HTML would be XSS).
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  // The client library is public and meant to be loaded by pages of other origins (the PHP
  // app's own site): a cross-origin `import` of wsrelay.mjs needs CORS, a classic script not.
  if (file.content_type.starts_with("text/javascript")) {
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
  }
  response.content_type = std::string(file.content_type);

  bool not_modified = false;
  if (request.has_header("If-None-Match")) {
    // RFC 9110 §13.2.2: when If-None-Match is present, If-Modified-Since is ignored. Repeated
    // fields form one list (RFC 9110 §5.3).
    for (size_t i = 0; i < request.header_count; ++i) {
      const ws::HttpHeader& header = request.headers[i];
      if (ws::equals_ignore_case(header.name, "If-None-Match") &&
          if_none_match_matches(header.value, file.etag)) {
        not_modified = true;
      }
    }
  } else if (request.has_header("If-Modified-Since")) {
    const auto since = parse_http_date(request.header("If-Modified-Since"));
    not_modified = since && file.modified <= *since;
  }
  if (not_modified) {
    response.status = 304;
    response.body.clear();
    return;
  }
  response.status = 200;
  response.body = file.body;
}

}  // namespace wsrelay::http
