#include "config/values.hpp"

#include <array>
#include <charconv>

#include "config/network_values.hpp"
#include "config/text.hpp"
#include "ws/utf8.hpp"
#include "app/pusher/webhook_format.hpp"

namespace wsrelay::config {

using text::all_digits;
using text::equals_ignoring_case;
using text::has_control_character;
using text::is_alnum;
using text::is_digit;
using text::parse_decimal;
using text::to_lower;

namespace {

constexpr int64_t kMaxRoomClients = 10'000'000;

std::string range_text(const KeyInfo& key) {
  return std::to_string(key.min) + ".." + std::to_string(key.max);
}

bool parse_integer(const KeyInfo& key, std::string_view raw, Value& out, std::string& problem) {
  std::string_view text = trim(raw);
  const std::string allowed = " (allowed: " + describe_allowed(key) + ")";
  if (text.empty()) {
    problem = "is empty" + allowed;
    return false;
  }
  uint64_t multiplier = 1;
  std::string_view digits = text;
  if (key.kind == Kind::kBytes) {
    switch (to_lower(text.back())) {
      case 'k':
        multiplier = 1024;
        break;
      case 'm':
        multiplier = 1024 * 1024;
        break;
      case 'g':
        multiplier = 1024 * 1024 * 1024;
        break;
      default:
        break;
    }
    if (multiplier != 1) digits.remove_suffix(1);
  }
  const bool negative = !digits.empty() && digits.front() == '-';
  if (negative) digits.remove_prefix(1);
  if (!all_digits(digits)) {
    problem = quote(text) + " is not a whole number" + allowed;
    return false;
  }
  uint64_t value = 0;
  const auto max = static_cast<uint64_t>(key.max);
  const bool fits = parse_decimal(digits, max, value) && value <= max / multiplier;
  value *= multiplier;
  if (negative && value != 0) {
    problem = quote(text) + " is out of range" + allowed;
    return false;
  }
  if (!fits || static_cast<int64_t>(value) < key.min) {
    problem = quote(text) + " is out of range" + allowed;
    return false;
  }
  out = static_cast<int64_t>(value);
  return true;
}

bool parse_room_list(std::string_view text, Value& out, std::string& problem) {
  std::vector<RoomSpec> rooms;
  for (const std::string& item : split_list(text)) {
    RoomSpec room;
    if (!parse_room_spec(item, room, problem)) return false;
    for (const RoomSpec& earlier : rooms) {
      if (earlier.name == room.name) {
        problem = "declares room " + quote(room.name) + " twice";
        return false;
      }
    }
    rooms.push_back(std::move(room));
  }
  out = std::move(rooms);
  return true;
}

bool parse_env_name_list(std::string_view text, Value& out, std::string& problem) {
  std::vector<std::string> items = split_list(text);
  for (const std::string& item : items) {
    if (item == "*") continue;
    std::string_view suffix = std::string_view(item).substr(
        item.compare(0, kEnvPrefix.size(), kEnvPrefix) == 0 ? kEnvPrefix.size() : item.size());
    bool well_formed = !suffix.empty();
    for (char c : suffix) well_formed &= (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
    if (!well_formed) {
      problem = quote(item) +
                " is not a WEBSOCKET_* variable name (allowed: * or names such as "
                "WEBSOCKET_URL)";
      return false;
    }
    std::string key;
    for (char c : suffix) key.push_back(to_lower(c));
    if (find_key(key) != nullptr || item == kConfigEnv) {
      problem = quote(item) + " is a setting; only variables that are not settings can be ignored";
      return false;
    }
  }
  out = std::move(items);
  return true;
}

bool parse_node_id(std::string_view raw, Value& out, std::string& problem) {
  std::string_view text = trim(raw);
  bool ok = text.size() <= 64;
  for (char c : text) ok &= is_alnum(c) || c == '.' || c == '_' || c == '-';
  if (!ok) {
    problem =
        quote(text) + " is not a node id (allowed: " + describe_allowed(*find_key("node_id")) + ")";
    return false;
  }
  out = std::string(text);
  return true;
}

bool parse_key_prefix(std::string_view raw, Value& out, std::string& problem) {
  std::string_view text = trim(raw);
  bool ok = !text.empty() && text.size() <= 64;
  for (char c : text) ok &= is_alnum(c) || c == '.' || c == '_' || c == '-' || c == ':';
  if (!ok) {
    problem = quote(text) + " is not a key prefix (allowed: " +
              describe_allowed(*find_key("cluster_prefix")) + ")";
    return false;
  }
  out = std::string(text);
  return true;
}

}  // namespace

std::string_view trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const size_t last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  while (true) {
    const size_t comma = text.find(',');
    std::string_view item = trim(text.substr(0, comma));
    if (!item.empty()) items.emplace_back(item);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

std::string quote(std::string_view text) {
  constexpr size_t kShown = 60;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kShown; ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x20 || byte == 0x7f) {
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += text[i];
    }
  }
  if (text.size() > kShown) out += "...";
  out += "'";
  return out;
}

std::optional<bool> parse_bool(std::string_view raw) {
  std::string_view text = trim(raw);
  for (std::string_view word : {"true", "1", "yes", "on"}) {
    if (equals_ignoring_case(text, word)) return true;
  }
  for (std::string_view word : {"false", "0", "no", "off"}) {
    if (equals_ignoring_case(text, word)) return false;
  }
  return std::nullopt;
}

bool check_room_name(std::string_view name, std::string& problem) {
  if (name.empty()) {
    problem = "has an empty room name";
    return false;
  }
  if (!ws::is_valid_utf8(name)) {
    problem = "has room name " + quote(name) + ", which is not valid UTF-8";
    return false;
  }
  for (size_t i = 0; i < name.size(); ++i) {
    const auto byte = static_cast<unsigned char>(name[i]);
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    const bool c1 =
        byte == 0xC2 && i + 1 < name.size() && static_cast<unsigned char>(name[i + 1]) <= 0x9F;
    if (byte < 0x20 || byte == 0x7f || c1) {
      problem = "has room name " + quote(name) + " with a control character";
      return false;
    }
  }
  return true;
}

namespace {
// The modes of a room's join/leave notices (room_notices, rooms' :notices=).
bool is_notice_mode(std::string_view mode) { return mode == "each" || mode == "batched" || mode == "off"; }
}  // namespace

bool parse_room_spec(std::string_view text, RoomSpec& out, std::string& problem) {
  RoomSpec room;
  const size_t colon = text.find(':');
  const std::string_view name = trim(text.substr(0, colon));
  if (!check_room_name(name, problem)) return false;
  room.name = std::string(name);
  bool seen_private = false;
  bool seen_max = false;
  bool seen_notices = false;
  std::string_view options = colon == std::string_view::npos ? "" : text.substr(colon + 1);
  while (colon != std::string_view::npos) {
    const size_t next = options.find(':');
    const std::string_view option = trim(options.substr(0, next));
    constexpr std::string_view kMaxClients = "max_clients=";
    constexpr std::string_view kNotices = "notices=";
    if (option == "private" && !seen_private) {
      room.is_private = seen_private = true;
    } else if (option.substr(0, kMaxClients.size()) == kMaxClients && !seen_max) {
      uint64_t limit = 0;
      if (!parse_decimal(trim(option.substr(kMaxClients.size())), kMaxRoomClients, limit) ||
          limit == 0) {
        problem = "has room " + quote(room.name) + " with " + quote(option) +
                  " (allowed: max_clients=1.." + std::to_string(kMaxRoomClients) + ")";
        return false;
      }
      room.max_clients = static_cast<size_t>(limit);
      seen_max = true;
    } else if (option.substr(0, kNotices.size()) == kNotices && !seen_notices) {
      const std::string_view mode = trim(option.substr(kNotices.size()));
      if (!is_notice_mode(mode)) {
        problem = "has room " + quote(room.name) + " with " + quote(option) +
                  " (allowed: notices=each, notices=batched or notices=off)";
        return false;
      }
      room.notices = std::string(mode);
      seen_notices = true;
    } else {
      const bool repeated = option == "private" ||
                            option.substr(0, kMaxClients.size()) == kMaxClients ||
                            option.substr(0, kNotices.size()) == kNotices;
      problem = "has room " + quote(room.name) + " with " +
                (repeated ? "option " + quote(option) + " given twice"
                          : "unknown option " + quote(option)) +
                " (allowed: name[:private][:max_clients=N][:notices=MODE])";
      return false;
    }
    if (next == std::string_view::npos) break;
    options.remove_prefix(next + 1);
  }
  out = std::move(room);
  return true;
}

bool parse_value(const KeyInfo& key, std::string_view text, Value& out, std::string& problem) {
  switch (key.kind) {
    case Kind::kBool: {
      const std::optional<bool> value = parse_bool(text);
      if (!value) {
        problem = quote(trim(text)) + " is not a boolean (allowed: " + describe_allowed(key) + ")";
        return false;
      }
      out = *value;
      return true;
    }
    case Kind::kCount:
    case Kind::kBytes:
    case Kind::kSeconds:
    case Kind::kPort:
      return parse_integer(key, text, out, problem);
    case Kind::kIpAddress: {
      const std::string_view host = trim(text);
      if (is_ip_literal(host)) {
        out = std::string(host);
        return true;
      }
      // The commonest value in PHP .env files. It means the IPv4 loopback only: the server
      // binds one address, and 127.0.0.1 is what every client's "localhost" reaches (they
      // fall back from ::1 to 127.0.0.1). Write ::1 for the IPv6 loopback.
      if (text::equals_ignoring_case(host, "localhost")) {
        out = std::string("127.0.0.1");
        return true;
      }
      if (host.size() > 2 && host.front() == '[' && host.back() == ']' &&
          is_ip_literal(host.substr(1, host.size() - 2))) {
        problem = quote(host) + ": write IPv6 addresses without brackets here";
      } else {
        problem = quote(host) + " is not an IP address; host names are not resolved (allowed: " +
                  describe_allowed(key) + ")";
      }
      return false;
    }
    case Kind::kLogLevel: {
      const std::optional<log::Level> level = log::parse_level(trim(text));
      if (!level) {
        problem =
            quote(trim(text)) + " is not a log level (allowed: " + describe_allowed(key) + ")";
        return false;
      }
      out = *level;
      return true;
    }
    case Kind::kPath:
      if (has_control_character(text)) {
        problem = quote(text) + " contains a control character";
        return false;
      }
      out = std::string(text);
      return true;
    case Kind::kSecret:
      // Never quote a secret: the message goes to a terminal or a log.
      if (has_control_character(text)) {
        problem = "contains a control character (value not shown)";
        return false;
      }
      out = std::string(text);
      return true;
    case Kind::kCidrList:
      return parse_cidr_list(text, out, problem);
    case Kind::kOriginList:
      return parse_origin_list(text, out, problem);
    case Kind::kRoomList:
      return parse_room_list(text, out, problem);
    case Kind::kRoomName: {
      const std::string_view name = trim(text);
      if (!name.empty() && !check_room_name(name, problem)) return false;
      out = std::string(name);
      return true;
    }
    case Kind::kEnvNameList:
      return parse_env_name_list(text, out, problem);
    case Kind::kHttpUrl:
      return parse_http_url(text, out, problem);
    case Kind::kRedisUrl:
      return parse_redis_url(text, out, problem);
    case Kind::kNodeId:
      return parse_node_id(text, out, problem);
    case Kind::kKeyPrefix:
      return parse_key_prefix(text, out, problem);
    case Kind::kOptionalHttpUrl:
      if (trim(text).empty()) {
        out = std::string();
        return true;
      }
      return parse_http_url(text, out, problem);
    case Kind::kWebhookEvents: {
      // The list is Pusher's vocabulary; the dispatcher's own parser is the one authority.
      app::pusher::WebhookKindSet kinds = 0;
      std::string why;
      if (!app::pusher::parse_webhook_kinds(text, kinds, why)) {
        problem = quote(trim(text)) + ": " + why;
        return false;
      }
      out = std::string(trim(text));
      return true;
    }
    case Kind::kCompression: {
      const std::string_view mode = trim(text);
      if (mode != "off" && mode != "shared" && mode != "dedicated") {
        problem = quote(mode) + " is not a compression mode (allowed: " + describe_allowed(key) + ")";
        return false;
      }
      out = std::string(mode);
      return true;
    }
    case Kind::kNoticeMode: {
      const std::string_view mode = trim(text);
      if (!is_notice_mode(mode)) {
        problem = quote(mode) + " is not a notice mode (allowed: " + describe_allowed(key) + ")";
        return false;
      }
      out = std::string(mode);
      return true;
    }
  }
  problem = "has an unknown kind";
  return false;
}

std::string format_value(const KeyInfo& key, const Value& value) {
  (void)key;
  struct Printer {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t n) const { return std::to_string(n); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const std::vector<std::string>& items) const {
      std::string out;
      for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
      return out;
    }
    std::string operator()(const std::vector<RoomSpec>& rooms) const {
      std::string out;
      for (const RoomSpec& room : rooms) {
        if (!out.empty()) out += ",";
        out += room.name;
        if (room.is_private) out += ":private";
        if (room.max_clients != 0) out += ":max_clients=" + std::to_string(room.max_clients);
        if (!room.notices.empty()) out += ":notices=" + room.notices;
      }
      return out;
    }
    std::string operator()(log::Level level) const { return std::string(log::level_name(level)); }
  };
  return std::visit(Printer{}, value);
}

std::string describe_allowed(const KeyInfo& key) {
  switch (key.kind) {
    case Kind::kBool:
      return "true or false (also 1/0, yes/no, on/off)";
    case Kind::kCount:
      return range_text(key);
    case Kind::kBytes:
      return range_text(key) + " bytes; K, M, G suffixes allowed (1K = 1024)";
    case Kind::kSeconds:
      return range_text(key) + " seconds";
    case Kind::kPort:
      return range_text(key);
    case Kind::kIpAddress:
      return "an IPv4 or IPv6 address, e.g. 127.0.0.1, 0.0.0.0, ::1, ::, or localhost (= "
             "127.0.0.1)";
    case Kind::kLogLevel:
      return "debug, info, warn or error";
    case Kind::kPath:
      return "a path, or empty";
    case Kind::kSecret:
      return "any text, or empty";
    case Kind::kCidrList:
      return "comma-separated networks: address or address/prefix, e.g. 10.0.0.0/8, ::1";
    case Kind::kOriginList:
      return "* or comma-separated origins scheme://host[:port], e.g. https://app.example.com";
    case Kind::kRoomList:
      return "comma-separated name[:private][:max_clients=N][:notices=each|batched|off], or empty";
    case Kind::kRoomName:
      return "a room name (UTF-8, no control characters), or empty";
    case Kind::kEnvNameList:
      return "* or comma-separated WEBSOCKET_* variable names, or empty";
    case Kind::kHttpUrl:
      return "http://host[:port][/path] or https://host[:port][/path]";
    case Kind::kRedisUrl:
      return "redis://[[user]:password@]host:port[/db], unix:///path[?db=N], or empty";
    case Kind::kNodeId:
      return "1 to 64 letters, digits, '.', '_' or '-', or empty";
    case Kind::kKeyPrefix:
      return "1 to 64 letters, digits, '.', '_', '-' or ':'";
    case Kind::kOptionalHttpUrl:
      return "http://host[:port][/path] or https://host[:port][/path], or empty";
    case Kind::kWebhookEvents:
      return "all, or comma-separated channel_occupied, channel_vacated, member_added, member_removed, client_event";
    case Kind::kCompression:
      return "off, shared or dedicated";
    case Kind::kNoticeMode:
      return "each, batched or off";
  }
  return "?";
}

}  // namespace wsrelay::config
