// Values: every kind's accepted spellings, and the exact problem text for each kind of refusal.
#include <doctest/doctest.h>

#include <iterator>
#include <random>
#include <string>

#include "config/keys.hpp"
#include "config/values.hpp"

using namespace wsrelay::config;

namespace {

// Parse `text` for `key`; returns the problem ("" on success) and the value through `out`.
std::string problem_for(std::string_view key, std::string_view text, Value* out = nullptr) {
  const KeyInfo* info = find_key(key);
  REQUIRE(info != nullptr);
  Value value;
  std::string problem;
  const bool ok = parse_value(*info, text, value, problem);
  CHECK(ok == problem.empty());
  if (ok && out != nullptr) *out = value;
  return problem;
}

Value value_of(std::string_view key, std::string_view text) {
  Value value;
  const std::string problem = problem_for(key, text, &value);
  INFO("problem: " << problem);
  REQUIRE(problem.empty());
  return value;
}

}  // namespace

TEST_CASE("booleans: true/false, 1/0, yes/no, on/off in any case") {
  for (const char* yes : {"true", "TRUE", "True", "1", "yes", "YES", "on", "On", " true "}) {
    CHECK(value_of("debug", yes) == Value(true));
  }
  for (const char* no : {"false", "FALSE", "0", "no", "No", "off", "OFF"}) {
    CHECK(value_of("debug", no) == Value(false));
  }
  CHECK(problem_for("debug", "maybe") ==
        "'maybe' is not a boolean (allowed: true or false (also 1/0, yes/no, on/off))");
  CHECK(problem_for("debug", "") != "");
  CHECK(problem_for("debug", "2") != "");
  CHECK(problem_for("debug", "y") != "");
  CHECK(problem_for("debug", "truee") != "");
}

TEST_CASE("integers: ranges, whitespace, and every way to be wrong") {
  CHECK(value_of("port", "1") == Value(int64_t{1}));
  CHECK(value_of("port", "65535") == Value(int64_t{65535}));
  CHECK(value_of("port", " 8080 ") == Value(int64_t{8080}));
  CHECK(value_of("port", "08080") == Value(int64_t{8080}));
  CHECK(value_of("max_clients", "0") == Value(int64_t{0}));
  CHECK(problem_for("port", "0") == "'0' is out of range (allowed: 1..65535)");
  CHECK(problem_for("port", "65536") == "'65536' is out of range (allowed: 1..65535)");
  CHECK(problem_for("port", "-1") == "'-1' is out of range (allowed: 1..65535)");
  CHECK(problem_for("port", "99999999999999999999999") ==
        "'99999999999999999999999' is out of range (allowed: 1..65535)");
  CHECK(problem_for("port", "80a") == "'80a' is not a whole number (allowed: 1..65535)");
  CHECK(problem_for("port", "+80") == "'+80' is not a whole number (allowed: 1..65535)");
  CHECK(problem_for("port", "0x50") == "'0x50' is not a whole number (allowed: 1..65535)");
  CHECK(problem_for("port", "8 080") == "'8 080' is not a whole number (allowed: 1..65535)");
  CHECK(problem_for("port", "1e3") == "'1e3' is not a whole number (allowed: 1..65535)");
  CHECK(problem_for("port", "") == "is empty (allowed: 1..65535)");
  CHECK(problem_for("port", "   ") == "is empty (allowed: 1..65535)");
  CHECK(problem_for("timeout", "-5") == "'-5' is out of range (allowed: 0..604800 seconds)");
  CHECK(problem_for("timeout", "5s") == "'5s' is not a whole number (allowed: 0..604800 seconds)");
  CHECK(problem_for("handshake_timeout", "0") == "'0' is out of range (allowed: 1..3600 seconds)");
}

TEST_CASE("byte sizes accept K, M and G suffixes (binary)") {
  CHECK(value_of("max_message_size", "64K") == Value(int64_t{65536}));
  CHECK(value_of("max_message_size", "64k") == Value(int64_t{65536}));
  CHECK(value_of("max_message_size", "16M") == Value(int64_t{16777216}));
  CHECK(value_of("max_message_size", "1G") == Value(int64_t{1073741824}));
  CHECK(value_of("max_pending_output", "4G") == Value(int64_t{4294967296}));
  const std::string allowed =
      " (allowed: 1..1073741824 bytes; K, M, G suffixes allowed (1K = 1024))";
  CHECK(problem_for("max_message_size", "2G") == "'2G' is out of range" + allowed);
  CHECK(problem_for("max_message_size", "1025M") == "'1025M' is out of range" + allowed);
  CHECK(problem_for("max_message_size", "16MB") == "'16MB' is not a whole number" + allowed);
  CHECK(problem_for("max_message_size", "K") == "'K' is not a whole number" + allowed);
  CHECK(problem_for("max_message_size", "0") == "'0' is out of range" + allowed);
  // Suffixes are for byte sizes only.
  CHECK(problem_for("max_clients", "1K") != "");
  CHECK(problem_for("timeout", "1M") != "");
  // Multiplication cannot overflow into range.
  CHECK(problem_for("max_pending_output", "18014398509481984K") != "");
}

TEST_CASE("host must be an IP literal or localhost") {
  CHECK(value_of("host", "127.0.0.1") == Value(std::string("127.0.0.1")));
  CHECK(value_of("host", "0.0.0.0") == Value(std::string("0.0.0.0")));
  CHECK(value_of("host", "::") == Value(std::string("::")));
  CHECK(value_of("host", "::1") == Value(std::string("::1")));
  CHECK(value_of("host", " 2001:db8::5 ") == Value(std::string("2001:db8::5")));
  // localhost (any case) is the IPv4 loopback; every other name is refused.
  CHECK(value_of("host", "localhost") == Value(std::string("127.0.0.1")));
  CHECK(value_of("host", " LocalHost ") == Value(std::string("127.0.0.1")));
  CHECK(problem_for("host", "example.com") ==
        "'example.com' is not an IP address; host names are not resolved (allowed: an IPv4 or "
        "IPv6 address, e.g. 127.0.0.1, 0.0.0.0, ::1, ::, or localhost (= 127.0.0.1))");
  CHECK(problem_for("host", "localhost.localdomain") != "");
  CHECK(problem_for("host", "ip6-localhost") != "");
  CHECK(problem_for("host", "[::1]") == "'[::1]': write IPv6 addresses without brackets here");
  CHECK(problem_for("host", "256.0.0.1") != "");
  CHECK(problem_for("host", "1.2.3") != "");
  CHECK(problem_for("host", "010.0.0.1") != "");  // leading zeros: octal or decimal? refuse
  CHECK(problem_for("host", "") != "");
  CHECK(problem_for("host", "127.0.0.1:80") != "");
}

TEST_CASE("log_level is one of four names") {
  CHECK(value_of("log_level", "warn") == Value(wsrelay::log::Level::kWarn));
  CHECK(value_of("log_level", "DEBUG") == Value(wsrelay::log::Level::kDebug));
  CHECK(problem_for("log_level", "warning") ==
        "'warning' is not a log level (allowed: debug, info, warn or error)");
  CHECK(problem_for("log_level", "") != "");
}

TEST_CASE("compression is off, shared or dedicated; window bits 9..15") {
  CHECK(value_of("compression", "shared") == Value(std::string("shared")));
  CHECK(value_of("compression", " dedicated ") == Value(std::string("dedicated")));
  CHECK(value_of("compression", "off") == Value(std::string("off")));
  CHECK(problem_for("compression", "on") ==
        "'on' is not a compression mode (allowed: off, shared or dedicated)");
  CHECK(problem_for("compression", "") != "");
  CHECK(problem_for("compression_window_bits", "8") != "");  // zlib cannot compress with 8
  CHECK(problem_for("compression_window_bits", "16") != "");
  CHECK(value_of("compression_window_bits", "9") == Value(int64_t{9}));
  CHECK(value_of("compression_threshold", "1K") == Value(int64_t{1024}));
}

TEST_CASE("paths and secrets are kept exactly, control characters refused") {
  CHECK(value_of("log_path", " /var/log/ws ") == Value(std::string(" /var/log/ws ")));
  CHECK(value_of("log_path", "") == Value(std::string()));
  CHECK(problem_for("log_path", "/tmp/a\nb") == "'/tmp/a\\x0ab' contains a control character");
  CHECK(value_of("auth_secret", "p@ss w#rd=") == Value(std::string("p@ss w#rd=")));
  // A secret is never quoted back.
  const std::string problem = problem_for("auth_secret", "hunter2\x01");
  CHECK(problem == "contains a control character (value not shown)");
  CHECK(problem.find("hunter2") == std::string::npos);
}

TEST_CASE("CIDR lists: syntax only, both families") {
  CHECK(value_of("allow_ips", "10.0.0.0/8, 192.168.1.7 ,::1/128,2001:db8::/32,") ==
        Value(std::vector<std::string>{"10.0.0.0/8", "192.168.1.7", "::1/128", "2001:db8::/32"}));
  CHECK(value_of("allow_ips", "") == Value(std::vector<std::string>{}));
  CHECK(value_of("deny_ips", "0.0.0.0/0") == Value(std::vector<std::string>{"0.0.0.0/0"}));
  CHECK(problem_for("allow_ips", "10.0.0.0/33") ==
        "'10.0.0.0/33' has a bad prefix length (allowed: 0..32 for IPv4)");
  CHECK(problem_for("allow_ips", "::/129") ==
        "'::/129' has a bad prefix length (allowed: 0..128 for IPv6)");
  CHECK(problem_for("deny_ips", "10.0.0.0/8,example.com") ==
        "'example.com' is not a network (allowed: an IPv4 or IPv6 address, optionally /prefix, "
        "e.g. 10.0.0.0/8 or 2001:db8::/32)");
  CHECK(problem_for("deny_ips", "10.0.0.0/") != "");
  CHECK(problem_for("deny_ips", "10.0.0.0/-1") != "");
  CHECK(problem_for("deny_ips", "10.0.0.0/8/9") != "");
  CHECK(problem_for("deny_ips", "10.0.0.0/0008") != "");
  CHECK(problem_for("deny_ips", "10.0.0/8") != "");

  std::string problem;
  bool host_bits = true;
  CHECK(check_cidr("10.0.0.0/8", problem, &host_bits));
  CHECK_FALSE(host_bits);
  CHECK(check_cidr("10.1.0.0/8", problem, &host_bits));
  CHECK(host_bits);
  CHECK(check_cidr("2001:db8::1/64", problem, &host_bits));
  CHECK(host_bits);
  CHECK(check_cidr("192.168.1.7", problem, &host_bits));  // no prefix = one host
  CHECK_FALSE(host_bits);
}

TEST_CASE("origins: * alone, or scheme://host[:port]") {
  CHECK(value_of("cors_origins", "*") == Value(std::vector<std::string>{"*"}));
  CHECK(value_of("cors_origins",
                 "https://app.example.com, http://localhost:3000,http://[::1]:8080") ==
        Value(std::vector<std::string>{"https://app.example.com", "http://localhost:3000",
                                       "http://[::1]:8080"}));
  CHECK(problem_for("cors_origins", "") ==
        "is empty (allowed: * or a comma-separated list of origins such as "
        "https://app.example.com)");
  CHECK(problem_for("cors_origins", "*,https://a.example") ==
        "mixes * with other origins; * already allows every origin, list it alone");
  CHECK(problem_for("cors_origins", "https://a.example/") ==
        "'https://a.example/' has a path; an origin is scheme://host[:port] with no path and no "
        "trailing slash (browsers send it that way)");
  CHECK(problem_for("cors_origins", "app.example.com") ==
        "'app.example.com' is not an origin (allowed: *, null, or scheme://host[:port] with scheme "
        "http or https, where host may start with *. for any subdomain)");
  CHECK(problem_for("cors_origins", "ftp://a.example") != "");
  CHECK(problem_for("cors_origins", "https://a.example:0") ==
        "'https://a.example:0' has '0' as port (allowed: 1..65535)");
  CHECK(problem_for("cors_origins", "https://") == "'https://' has no host");
  CHECK(problem_for("cors_origins", "https://user@a.example") != "");
  // A subdomain wildcard and "null" are what server::OriginPolicy accepts too.
  CHECK(problem_for("cors_origins", "https://*.example.com") == "");
  CHECK(problem_for("cors_origins", "null") == "");
  CHECK(problem_for("cors_origins", "https://*.") != "");
  CHECK(problem_for("cors_origins", "http://[zz]:80") != "");
}

TEST_CASE("room specs: name[:private][:max_clients=N]") {
  CHECK(
      value_of("rooms", "vip:private:max_clients=10, support:max_clients=50,lobby") ==
      Value(std::vector<RoomSpec>{{"vip", true, 10}, {"support", false, 50}, {"lobby", false, 0}}));
  CHECK(value_of("rooms", "a:max_clients=2:private") ==
        Value(std::vector<RoomSpec>{{"a", true, 2}}));
  CHECK(value_of("rooms", "caf\xc3\xa9 lounge") ==
        Value(std::vector<RoomSpec>{{"caf\xc3\xa9 lounge", false, 0}}));
  CHECK(value_of("rooms", "") == Value(std::vector<RoomSpec>{}));
  CHECK(problem_for("rooms", "vip:privat") ==
        "has room 'vip' with unknown option 'privat' (allowed: "
        "name[:private][:max_clients=N][:notices=MODE])");
  CHECK(problem_for("rooms", "vip:private:private") ==
        "has room 'vip' with option 'private' given twice (allowed: "
        "name[:private][:max_clients=N][:notices=MODE])");
  CHECK(problem_for("rooms", "vip:max_clients=0") ==
        "has room 'vip' with 'max_clients=0' (allowed: max_clients=1..10000000)");
  CHECK(problem_for("rooms", "vip:max_clients=x") != "");
  CHECK(problem_for("rooms", "vip:max_clients=1:max_clients=2") != "");
  CHECK(problem_for("rooms", "vip:") != "");
  CHECK(problem_for("rooms", ":private") == "has an empty room name");
  CHECK(problem_for("rooms", "a,b,a:private") == "declares room 'a' twice");
  CHECK(problem_for("rooms", "bad\xff") == "has room name 'bad\xff', which is not valid UTF-8");
  CHECK(problem_for("rooms", "c1\xc2\x85x") ==
        "has room name 'c1\xc2\x85x' with a control character");
}

TEST_CASE("join/leave notices: room_notices and a room's :notices=") {
  CHECK(value_of("room_notices", "batched") == Value(std::string("batched")));
  CHECK(value_of("room_notices", " each ") == Value(std::string("each")));
  CHECK(value_of("room_notices", "off") == Value(std::string("off")));
  CHECK(problem_for("room_notices", "sometimes") ==
        "'sometimes' is not a notice mode (allowed: each, batched or off)");
  CHECK(problem_for("room_notices", "") != "");
  RoomSpec orders{"orders", false, 0};
  orders.notices = "batched";
  RoomSpec vip{"vip", true, 5};
  vip.notices = "off";
  CHECK(value_of("rooms", "orders:notices=batched,vip:private:notices=off:max_clients=5") ==
        Value(std::vector<RoomSpec>{orders, vip}));
  CHECK(problem_for("rooms", "orders:notices=loud") ==
        "has room 'orders' with 'notices=loud' (allowed: notices=each, notices=batched or notices=off)");
  CHECK(problem_for("rooms", "orders:notices=off:notices=each") ==
        "has room 'orders' with option 'notices=each' given twice (allowed: "
        "name[:private][:max_clients=N][:notices=MODE])");
}

TEST_CASE("default_room: a room name or empty") {
  CHECK(value_of("default_room", "") == Value(std::string()));
  CHECK(value_of("default_room", " lobby ") == Value(std::string("lobby")));
  CHECK(value_of("default_room", "a:b") == Value(std::string("a:b")));  // no spec syntax here
  CHECK(problem_for("default_room", "a\tb") == "has room name 'a\\x09b' with a control character");
}

TEST_CASE("URLs: publish_url and redis_url") {
  CHECK(value_of("publish_url", "https://ws.example.com:8443/prefix") ==
        Value(std::string("https://ws.example.com:8443/prefix")));
  CHECK(value_of("publish_url", "http://[::1]:8080") == Value(std::string("http://[::1]:8080")));
  CHECK(problem_for("publish_url", "ws://x") == "'ws://x' is not an http:// or https:// URL");
  CHECK(problem_for("publish_url", "") == "'' is not an http:// or https:// URL");
  CHECK(problem_for("publish_url", "http://host:99999") ==
        "'http://host:99999' has '99999' as port (allowed: 1..65535)");
  CHECK(problem_for("publish_url", "http://a b") != "");
  CHECK(value_of("redis_url", "") == Value(std::string()));
  CHECK(value_of("redis_url", "redis://10.0.0.5:6379") ==
        Value(std::string("redis://10.0.0.5:6379")));
  CHECK(problem_for("redis_url", "redis://cache") ==
        "'redis://cache' has no port (allowed: redis://[:password@]host:port[/db])");
  CHECK(problem_for("redis_url", "http://cache:6379") ==
        "'http://cache:6379' is not a Redis URL (allowed: redis://[:password@]host:port[/db], "
        "unix:///path[?db=N])");
  CHECK(value_of("redis_url", "redis://:pw@cache:6379/2") == Value(std::string("redis://:pw@cache:6379/2")));
  CHECK(value_of("redis_url", "unix:///run/redis.sock?db=1") == Value(std::string("unix:///run/redis.sock?db=1")));
  // A refused URL is quoted with its password masked.
  CHECK(problem_for("redis_url", "redis://:hunter2@cache:6379/x").find("hunter2") == std::string::npos);
  CHECK(problem_for("redis_url", "rediss://cache:6379").find("TLS") != std::string::npos);
  CHECK(value_of("cluster_prefix", "app1:prod") == Value(std::string("app1:prod")));
  CHECK(problem_for("cluster_prefix", "") ==
        "'' is not a key prefix (allowed: 1 to 64 letters, digits, '.', '_', '-' or ':')");
  CHECK(problem_for("cluster_prefix", "a b") != "");
}

TEST_CASE("node_id and ignore_env") {
  CHECK(value_of("node_id", "node-1.eu_west") == Value(std::string("node-1.eu_west")));
  CHECK(problem_for("node_id", "node 1") ==
        "'node 1' is not a node id (allowed: 1 to 64 letters, digits, '.', '_' or '-', or empty)");
  CHECK(problem_for("node_id", std::string(65, 'n')) != "");
  CHECK(value_of("ignore_env", "WEBSOCKET_URL, WEBSOCKET_APP_KEY") ==
        Value(std::vector<std::string>{"WEBSOCKET_URL", "WEBSOCKET_APP_KEY"}));
  CHECK(value_of("ignore_env", "*") == Value(std::vector<std::string>{"*"}));
  CHECK(problem_for("ignore_env", "WEBSOCKET_PORT") ==
        "'WEBSOCKET_PORT' is a setting; only variables that are not settings can be ignored");
  CHECK(problem_for("ignore_env", "WEBSOCKET_CONFIG") != "");
  CHECK(problem_for("ignore_env", "URL") ==
        "'URL' is not a WEBSOCKET_* variable name (allowed: * or names such as WEBSOCKET_URL)");
  CHECK(problem_for("ignore_env", "WEBSOCKET_url") != "");
  CHECK(problem_for("ignore_env", "WEBSOCKET_") != "");
}

TEST_CASE("format_value gives canonical text that parses back") {
  const KeyInfo& rooms = *find_key("rooms");
  const Value value = value_of("rooms", " a:max_clients=3:private , b ");
  CHECK(format_value(rooms, value) == "a:private:max_clients=3,b");
  CHECK(format_value(*find_key("debug"), value_of("debug", "YES")) == "true");
  CHECK(format_value(*find_key("max_message_size"), value_of("max_message_size", "1k")) == "1024");
  CHECK(format_value(*find_key("log_level"), value_of("log_level", "WARN")) == "warn");
}

TEST_CASE("helpers: trim, split_list, quote") {
  CHECK(trim("  a b \t\r\n") == "a b");
  CHECK(trim("   ") == "");
  CHECK(split_list(" a , b,,c ,") == std::vector<std::string>{"a", "b", "c"});
  CHECK(split_list("").empty());
  CHECK(quote("a\nb") == "'a\\x0ab'");
  CHECK(quote(std::string(100, 'x')) == "'" + std::string(60, 'x') + "...'");
}

TEST_CASE("random values: accepted ones round-trip, refused ones explain, secrets stay hidden") {
  const char* const fragments[] = {"0",
                                   "1",
                                   "9",
                                   "65535",
                                   "-",
                                   "+",
                                   "K",
                                   "m",
                                   "G",
                                   " ",
                                   ",",
                                   ":",
                                   "/",
                                   ".",
                                   "::",
                                   "[",
                                   "]",
                                   "*",
                                   "http",
                                   "https://",
                                   "redis://",
                                   "private",
                                   "max_clients=",
                                   "true",
                                   "off",
                                   "a",
                                   "WEBSOCKET_",
                                   "\t",
                                   "\x01",
                                   "\xc3\xa9",
                                   "\xff",
                                   "10.0.0.0",
                                   "debug",
                                   "="};
  std::mt19937 random(777);
  for (const KeyInfo& key : all_keys()) {
    for (int round = 0; round < 300; ++round) {
      std::string text;
      const size_t pieces = random() % 8;
      for (size_t i = 0; i < pieces; ++i) text += fragments[random() % std::size(fragments)];
      Value value;
      std::string problem;
      INFO("key " << key.name << " text " << quote(text));
      if (parse_value(key, text, value, problem)) {
        Value again;
        REQUIRE(parse_value(key, format_value(key, value), again, problem));
        CHECK(again == value);
      } else {
        CHECK_FALSE(problem.empty());
        if (key.kind == Kind::kSecret && !text.empty())
          CHECK(problem.find(text) == std::string::npos);
      }
    }
  }
}
