// The pure half of `wsrelay publish`: arguments, URL, request and response. No I/O here.
#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <optional>

#include "http/json_text.hpp"
#include "http/publish_client.hpp"
#include "ws/http_request.hpp"

namespace wsrelay::http {
namespace {

using Writer = JsonWriter;

// A JSON value given on the command line. Iterative parsing: even a silly argument cannot
// exhaust the stack.
bool parse_json(const std::string& text, std::string_view option, rapidjson::Document& out, std::string& error) {
  out.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseValidateEncodingFlag>(text.c_str(), text.size());
  if (!out.HasParseError()) return true;
  error = std::string(option) + " is not valid JSON: " + rapidjson::GetParseError_En(out.GetParseError()) +
          " (at byte " + std::to_string(out.GetErrorOffset()) + ")";
  return false;
}

// A message given as text (--message) or as JSON (--message-json).
struct MessageArg {
  std::optional<std::string> text;
  std::optional<std::string> json;
  bool given() const { return text || json; }
};

bool write_message(Writer& writer, const MessageArg& message, std::string_view json_option, std::string& error) {
  write_key(writer, "message");
  if (message.text) {
    write_string(writer, *message.text);
    return true;
  }
  rapidjson::Document document;
  if (!parse_json(*message.json, json_option, document, error)) return false;
  document.Accept(writer);
  return true;
}

}  // namespace

std::string_view publish_usage() {
  return "usage:\n"
         "  wsrelay publish --signal NAME [--data JSON] [--room ROOM]   signal listeners (in "
         "ROOM)\n"
         "  wsrelay publish --room ROOM --message TEXT                  a message to a room's "
         "members\n"
         "  wsrelay publish --broadcast TEXT                            a message to every client\n"
         "  wsrelay publish --to CLIENT_ID --message TEXT               a message to one client\n"
         "  wsrelay publish --rooms                                     list the rooms\n"
         "  wsrelay publish --room ROOM                                 one room and its members\n"
         "options:\n"
         "  --message-json JSON, --broadcast-json JSON   send a JSON value instead of a string\n"
         "  --url URL          server (default: publish_url, WEBSOCKET_PUBLISH_URL)\n"
         "  --api-key KEY      API key (default: api_key, WEBSOCKET_API_KEY)\n"
         "  --timeout SECONDS  give up after this long (default 10)\n"
         "  --cacert FILE      https: trust the CA certificate(s) in this PEM file (default: the "
         "system's CAs)\n"
         "  --insecure         https: do not verify the certificate (self-signed test servers "
         "only)\n"
         "  --config PATH, --env-file PATH   read publish_url and api_key as `serve` does\n"
         "Prints the server's JSON answer; exits 0 on a 2xx answer, 1 otherwise, 2 on a usage "
         "error.\n";
}

bool parse_publish_args(const std::vector<std::string>& args, PublishSettings& settings, PublishCommand& command,
                        std::string& error) {
  std::optional<std::string> signal, data, room, to, broadcast_text, broadcast_json;
  MessageArg message;
  bool list_rooms = false;
  command = PublishCommand{};

  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    std::optional<std::string> inline_value;  // --name=value
    if (const size_t equals = arg.find('='); arg.substr(0, 2) == "--" && equals != std::string_view::npos) {
      inline_value = std::string(arg.substr(equals + 1));
      arg = arg.substr(0, equals);
    }
    if (arg == "--help" || arg == "-h") {
      command.help = true;
      return true;
    }
    if (arg == "--rooms") {
      list_rooms = true;
      continue;
    }
    std::optional<std::string>* slot = nullptr;
    std::optional<std::string> scratch;
    if (arg == "--signal") slot = &signal;
    else if (arg == "--data") slot = &data;
    else if (arg == "--room") slot = &room;
    else if (arg == "--to") slot = &to;
    else if (arg == "--message") slot = &message.text;
    else if (arg == "--message-json") slot = &message.json;
    else if (arg == "--broadcast") slot = &broadcast_text;
    else if (arg == "--broadcast-json") slot = &broadcast_json;
    else if (arg == "--insecure") {
      settings.insecure = true;
      continue;
    } else if (arg == "--url" || arg == "--publish-url" || arg == "--api-key" ||
               arg == "--timeout" || arg == "--cacert")
      slot = &scratch;
    else {
      error = "unknown option " + std::string(arg);
      return false;
    }
    if (slot->has_value()) {
      error = std::string(arg) + " given twice";
      return false;
    }
    if (inline_value) {
      *slot = std::move(inline_value);
    } else if (i + 1 < args.size()) {
      *slot = args[++i];
    } else {
      error = std::string(arg) + " needs a value";
      return false;
    }
    if (arg == "--url" || arg == "--publish-url") {
      settings.url = *scratch;
    } else if (arg == "--api-key") {
      settings.api_key = *scratch;
    } else if (arg == "--cacert") {
      settings.ca_file = *scratch;
    } else if (arg == "--timeout") {
      int seconds = 0;
      const auto [end, problem] = std::from_chars(scratch->data(), scratch->data() + scratch->size(), seconds);
      if (problem != std::errc() || end != scratch->data() + scratch->size() || seconds < 1 || seconds > 3600) {
        error = "--timeout must be a whole number of seconds from 1 to 3600";
        return false;
      }
      settings.timeout_seconds = seconds;
    }
  }

  const bool broadcast = broadcast_text || broadcast_json;
  const int operations = int{signal.has_value()} + int{broadcast} + int{to.has_value()} + int{list_rooms};
  if (operations > 1 || (broadcast_text && broadcast_json) || (message.text && message.json)) {
    error = "choose one of --signal, --broadcast, --to and --rooms (and one form of each)";
    return false;
  }
  if (data && !signal) {
    error = "--data goes with --signal";
    return false;
  }

  rapidjson::StringBuffer buffer;
  Writer writer(buffer);
  writer.StartObject();
  if (signal) {
    if (message.given()) {
      error = "a signal carries --data, not --message";
      return false;
    }
    command.path = "/api/signal";
    write_key(writer, "name");
    write_string(writer, *signal);
    if (data) {
      rapidjson::Document document;
      if (!parse_json(*data, "--data", document, error)) return false;
      write_key(writer, "data");
      document.Accept(writer);
    }
    if (room) {
      write_key(writer, "room");
      write_string(writer, *room);
    }
  } else if (broadcast) {
    if (room || message.given()) {
      error = "--broadcast takes its message as its value and goes to everyone: no --room or --message";
      return false;
    }
    command.path = "/api/broadcast";
    MessageArg value{broadcast_text, broadcast_json};
    if (!write_message(writer, value, "--broadcast-json", error)) return false;
  } else if (to) {
    if (!message.given() || room) {
      error = "--to needs --message (and no --room)";
      return false;
    }
    command.path = "/api/send";
    write_key(writer, "client_id");
    write_string(writer, *to);
    if (!write_message(writer, message, "--message-json", error)) return false;
  } else if (list_rooms) {
    if (room || message.given()) {
      error = "--rooms takes no --room or --message";
      return false;
    }
    command.method = "GET";
    command.path = "/api/rooms";
    return true;
  } else if (room) {
    if (!message.given()) {  // a room and nothing to send: show the room
      command.method = "GET";
      command.path = "/api/rooms/" + percent_encode(*room);
      return true;
    }
    command.path = "/api/publish";
    write_key(writer, "room");
    write_string(writer, *room);
    if (!write_message(writer, message, "--message-json", error)) return false;
  } else {
    error = message.given() ? "--message needs --room or --to" : "nothing to publish";
    return false;
  }
  writer.EndObject();
  command.method = "POST";
  command.body.assign(buffer.GetString(), buffer.GetSize());
  return true;
}

bool parse_http_url(std::string_view url, HttpUrl& out, std::string& error) {
  out = HttpUrl{};
  std::string_view scheme = "http://";
  if (url.size() >= 8 && ws::equals_ignore_case(url.substr(0, 8), "https://")) {
    scheme = "https://";
    out.tls = true;
    out.port = 443;
  }
  if (url.size() < scheme.size() || !ws::equals_ignore_case(url.substr(0, scheme.size()), scheme)) {
    error = "publish_url " + std::string(url) + " is not an http:// or https:// URL";
    return false;
  }
  std::string_view rest = url.substr(scheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  if (path.find_first_of("?#") != std::string_view::npos || authority.find('@') != std::string_view::npos) {
    error = "publish_url " + std::string(url) +
            " must be http(s)://host[:port][/path], without user, query or fragment";
    return false;
  }
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {  // IPv6 literal (RFC 3986 §3.2.2)
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      error = "publish_url " + std::string(url) + ": unterminated IPv6 address";
      return false;
    }
    out.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      error = "publish_url " + std::string(url) + ": unexpected text after the IPv6 address";
      return false;
    }
    if (!after.empty()) port_text = after.substr(1);
  } else {
    const size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (out.host.empty()) {
    error = "publish_url " + std::string(url) + " has no host";
    return false;
  }
  if (!port_text.empty() || authority.back() == ':') {
    unsigned port = 0;
    const auto [end, problem] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (problem != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      error = "publish_url " + std::string(url) + ": the port must be 1..65535";
      return false;
    }
    out.port = static_cast<uint16_t>(port);
  }
  out.host_header = std::string(authority);
  out.base_path = std::string(path);
  return true;
}

std::string percent_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    const bool unreserved = (byte >= 'A' && byte <= 'Z') || (byte >= 'a' && byte <= 'z') ||
                            (byte >= '0' && byte <= '9') || byte == '-' || byte == '.' || byte == '_' || byte == '~';
    if (unreserved) {
      out += c;
    } else {
      out += '%';
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xF];
    }
  }
  return out;
}

std::string build_publish_request(const HttpUrl& url, const PublishCommand& command, std::string_view api_key) {
  std::string request = command.method + " " + url.base_path + command.path + " HTTP/1.1\r\n";
  request += "Host: " + url.host_header + "\r\n";
  request += "User-Agent: wsrelay-publish\r\nAccept: application/json\r\nConnection: close\r\n";
  if (!api_key.empty()) request += "Authorization: Bearer " + std::string(api_key) + "\r\n";
  if (command.method == "POST") {
    request += "Content-Type: application/json\r\nContent-Length: " + std::to_string(command.body.size()) + "\r\n";
  }
  request += "\r\n";
  request += command.body;
  return request;
}

bool parse_http_answer(std::string_view bytes, HttpAnswer& out) {
  out = HttpAnswer{};
  // "HTTP/1.1 200 OK": the status code is the three digits after the first space.
  if (bytes.substr(0, 7) != "HTTP/1." || bytes.size() < 12 || bytes[8] != ' ') return false;
  const auto [end, problem] = std::from_chars(bytes.data() + 9, bytes.data() + 12, out.status);
  if (problem != std::errc() || end != bytes.data() + 12 || out.status < 100) return false;
  const size_t head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return false;
  std::string_view body = bytes.substr(head_end + 4);
  // Content-Length, when present, says where the body ends.
  std::string_view head = bytes.substr(0, head_end + 2);
  size_t line_start = head.find("\r\n") + 2;
  while (line_start < head.size()) {
    const size_t line_end = head.find("\r\n", line_start);
    const std::string_view line = head.substr(line_start, line_end - line_start);
    line_start = line_end + 2;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || !ws::equals_ignore_case(line.substr(0, colon), "Content-Length")) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    size_t length = 0;
    const auto [value_end, value_problem] = std::from_chars(value.data(), value.data() + value.size(), length);
    if (value_problem != std::errc() || length > body.size()) return false;  // cut short
    body = body.substr(0, length);
  }
  out.body = std::string(body);
  return true;
}

}  // namespace wsrelay::http
