// redis_url: where the cluster's Redis is and how to log in, parsed from one URL. Pure.
//
//   redis://[[user]:password@]host:port[/db]      TCP; host is a name, an IPv4 literal or [IPv6]
//   unix://[[user]:password@]/path/to/redis.sock[?db=N]
//
// The password (and user) are percent-decoded (RFC 3986 §2.1), so a password holding '@', ':'
// or '/' is written %40, %3A, %2F. The port is required (an explicit URL beats a silent
// default). `rediss://` (TLS) is refused with a message saying what to do instead: hiredis
// 0.14 has no TLS. The db number selects the keyspace for the node registry; pub/sub channels
// are not per-db in Redis, which is why every key AND channel is under cluster_prefix.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace wsrelay::cluster {

struct RedisEndpoint {
  std::string host;       // TCP: host name or IP literal (IPv6 without brackets); empty for unix
  uint16_t port = 0;      // TCP only
  std::string unix_path;  // non-empty: a unix-domain socket
  std::string user;       // Redis 6 ACL user; empty = AUTH <password> alone
  std::string password;   // empty = no AUTH
  uint32_t db = 0;        // SELECT db (0..65535; Redis refuses numbers past its `databases`)

  bool is_unix() const { return !unix_path.empty(); }
};

// False with `problem` (a phrase to follow the quoted value) when `text` is not a Redis URL
// in one of the shapes above.
bool parse_redis_url(std::string_view text, RedisEndpoint& out, std::string& problem);

// The URL with its password replaced by "***" (for check-config and logs); text that does not
// parse is returned with everything between "://" and the last '@' masked.
std::string redact_redis_url(std::string_view text);

// "127.0.0.1:6379 db 2" or "unix:/run/redis.sock db 0": what log lines call the server.
std::string describe(const RedisEndpoint& endpoint);

}  // namespace wsrelay::cluster
