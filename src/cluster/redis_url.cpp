#include "cluster/redis_url.hpp"

#include <charconv>

#include "common/percent_decode.hpp"

namespace wsrelay::cluster {

namespace {

bool starts_with(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool parse_number(std::string_view text, uint32_t max, uint32_t& out) {
  if (text.empty() || text.size() > 5) return false;
  uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return false;
  out = value;
  return true;
}

bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-';
}

// "[user]:password" (RFC 3986 userinfo); a bare "password" is taken as the password too,
// since that is what people mean by redis://secret@host:6379.
bool parse_userinfo(std::string_view info, RedisEndpoint& out, std::string& problem) {
  const size_t colon = info.find(':');
  std::string_view user =
      colon == std::string_view::npos ? std::string_view() : info.substr(0, colon);
  std::string_view password = colon == std::string_view::npos ? info : info.substr(colon + 1);
  if (!common::percent_decode(user, out.user) || !common::percent_decode(password, out.password)) {
    problem = "has a '%' not followed by two hex digits in its user or password";
    return false;
  }
  for (char c : out.user + out.password) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      problem = "has a control character in its user or password";
      return false;
    }
  }
  return true;
}

bool parse_tcp(std::string_view rest, RedisEndpoint& out, std::string& problem) {
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  if (slash != std::string_view::npos) {
    const std::string_view db = rest.substr(slash + 1);
    if (!db.empty() && !parse_number(db, 65535, out.db)) {
      problem = "has " + std::string(db) + " as its db, which is not a number from 0 to 65535";
      return false;
    }
  }
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    if (!parse_userinfo(authority.substr(0, at), out, problem)) return false;
    authority = authority.substr(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  if (starts_with(authority, "[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos || close + 1 >= authority.size() ||
        authority[close + 1] != ':') {
      problem = "has an IPv6 host without ]:port";
      return false;
    }
    host = authority.substr(1, close - 1);
    port = authority.substr(close + 2);
    for (char c : host) {
      if (!(host_char(c) || c == ':')) {
        problem = "has a character that cannot be in an IPv6 address";
        return false;
      }
    }
  } else {
    const size_t colon = authority.rfind(':');
    if (colon == std::string_view::npos) {
      problem = "has no port (allowed: redis://[:password@]host:port[/db])";
      return false;
    }
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    for (char c : host) {
      if (!host_char(c)) {
        problem = "has a host name with a character other than letters, digits, '.' and '-'";
        return false;
      }
    }
  }
  if (host.empty()) {
    problem = "has no host";
    return false;
  }
  uint32_t port_number = 0;
  if (!parse_number(port, 65535, port_number) || port_number == 0) {
    problem = "has a port that is not a number from 1 to 65535";
    return false;
  }
  out.host = std::string(host);
  out.port = static_cast<uint16_t>(port_number);
  return true;
}

bool parse_unix(std::string_view rest, RedisEndpoint& out, std::string& problem) {
  if (const size_t at = rest.find("@/"); at != std::string_view::npos) {
    if (!parse_userinfo(rest.substr(0, at), out, problem)) return false;
    rest = rest.substr(at + 1);
  }
  const size_t query = rest.find('?');
  std::string_view path = rest.substr(0, query);
  if (query != std::string_view::npos) {
    const std::string_view params = rest.substr(query + 1);
    if (!starts_with(params, "db=") || !parse_number(params.substr(3), 65535, out.db)) {
      problem = "has a query other than ?db=N (N from 0 to 65535)";
      return false;
    }
  }
  if (!starts_with(path, "/")) {
    problem = "has no absolute socket path (allowed: unix:///path/to/redis.sock[?db=N])";
    return false;
  }
  // sockaddr_un.sun_path holds 108 bytes, terminator included.
  if (path.size() > 107) {
    problem = "has a socket path longer than 107 bytes";
    return false;
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20) {
      problem = "has a control character in its socket path";
      return false;
    }
  }
  out.unix_path = std::string(path);
  return true;
}

}  // namespace

bool parse_redis_url(std::string_view text, RedisEndpoint& out, std::string& problem) {
  out = RedisEndpoint();
  if (starts_with(text, "rediss://")) {
    problem =
        "uses TLS (rediss://), which wsrelay's Redis client does not support: reach Redis over a "
        "private network, a unix:// socket, or a local TLS tunnel (stunnel) with redis://";
    return false;
  }
  if (starts_with(text, "redis://")) return parse_tcp(text.substr(8), out, problem);
  if (starts_with(text, "unix://")) return parse_unix(text.substr(7), out, problem);
  problem = "is not a Redis URL (allowed: redis://[:password@]host:port[/db], unix:///path[?db=N])";
  return false;
}

std::string redact_redis_url(std::string_view text) {
  const size_t scheme = text.find("://");
  if (scheme == std::string_view::npos) return std::string(text);
  const size_t start = scheme + 3;
  // The userinfo ends at the last '@' before the path (TCP) or at "@/" (unix).
  size_t at = text.rfind("@/");
  if (at == std::string_view::npos || at < start) {
    const size_t slash = text.find('/', start);
    const std::string_view authority =
        text.substr(start, slash == std::string_view::npos ? slash : slash - start);
    const size_t in_authority = authority.rfind('@');
    if (in_authority == std::string_view::npos) return std::string(text);
    at = start + in_authority;
  }
  const std::string_view info = text.substr(start, at - start);
  const size_t colon = info.find(':');
  std::string out(text.substr(0, start));
  if (colon != std::string_view::npos) out.append(info.substr(0, colon + 1));
  out += "***";
  out.append(text.substr(at));
  return out;
}

std::string describe(const RedisEndpoint& endpoint) {
  std::string out;
  if (endpoint.is_unix()) {
    out = "unix:" + endpoint.unix_path;
  } else if (endpoint.host.find(':') != std::string::npos) {
    out = "[" + endpoint.host + "]:" + std::to_string(endpoint.port);
  } else {
    out = endpoint.host + ":" + std::to_string(endpoint.port);
  }
  return out + " db " + std::to_string(endpoint.db);
}

}  // namespace wsrelay::cluster
