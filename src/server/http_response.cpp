#include <string>

#include "server/http_service.hpp"

namespace wsrelay::server {

std::string_view http_status_text(int status) {
  switch (status) {
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 411: return "Length Required";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

std::string render_http_response(const HttpResponse& response, bool keep_alive) {
  std::string out;
  out.reserve(160 + response.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += http_status_text(response.status);
  out += "\r\nServer: wsrelay\r\nContent-Type: ";
  out += response.content_type;
  // A 304's Content-Length would have to be the 200's (RFC 9110 §8.6): send none.
  const bool no_content = response.status < 200 || response.status == 204 || response.status == 304;
  if (!no_content) {
    out += "\r\nContent-Length: ";
    out += std::to_string(response.body.size());
  }
  out += keep_alive ? "\r\nConnection: keep-alive\r\n" : "\r\nConnection: close\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "\r\n";
  if (!no_content && !response.head_only) out += response.body;
  return out;
}

}  // namespace wsrelay::server
