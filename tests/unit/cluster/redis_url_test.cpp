// redis_url: every accepted shape, every refusal with its reason, and the password never shown.
#include "cluster/redis_url.hpp"

#include <doctest/doctest.h>

using namespace wsrelay::cluster;

namespace {
RedisEndpoint parse_ok(std::string_view text) {
  RedisEndpoint e;
  std::string problem;
  INFO("url: " << std::string(text) << " problem: " << problem);
  CHECK(parse_redis_url(text, e, problem));
  CHECK(problem.empty());
  return e;
}
std::string problem_of(std::string_view text) {
  RedisEndpoint e;
  std::string problem;
  CHECK_FALSE(parse_redis_url(text, e, problem));
  return problem;
}
}  // namespace

TEST_CASE("redis_url: TCP shapes") {
  RedisEndpoint e = parse_ok("redis://127.0.0.1:6379");
  CHECK(e.host == "127.0.0.1");
  CHECK(e.port == 6379);
  CHECK(e.db == 0);
  CHECK(e.password.empty());
  CHECK_FALSE(e.is_unix());

  e = parse_ok("redis://:s3cret@cache.internal:6380/2");
  CHECK(e.host == "cache.internal");
  CHECK(e.port == 6380);
  CHECK(e.password == "s3cret");
  CHECK(e.user.empty());
  CHECK(e.db == 2);

  e = parse_ok("redis://app:p%40ss%3Aword@10.0.0.5:6379/");
  CHECK(e.user == "app");
  CHECK(e.password == "p@ss:word");
  CHECK(e.db == 0);

  e = parse_ok("redis://secret@[::1]:6379/15");
  CHECK(e.host == "::1");
  CHECK(e.password == "secret");
  CHECK(e.db == 15);
  CHECK(describe(e) == "[::1]:6379 db 15");
}

TEST_CASE("redis_url: unix sockets") {
  RedisEndpoint e = parse_ok("unix:///run/redis/redis.sock");
  CHECK(e.is_unix());
  CHECK(e.unix_path == "/run/redis/redis.sock");
  CHECK(e.db == 0);
  e = parse_ok("unix://:pw@/tmp/r.sock?db=3");
  CHECK(e.unix_path == "/tmp/r.sock");
  CHECK(e.password == "pw");
  CHECK(e.db == 3);
  CHECK(describe(e) == "unix:/tmp/r.sock db 3");
}

TEST_CASE("redis_url: refusals say why") {
  CHECK(problem_of("rediss://cache:6379").find("TLS") != std::string::npos);
  CHECK(problem_of("http://cache:6379").find("not a Redis URL") != std::string::npos);
  CHECK(problem_of("redis://cache").find("no port") != std::string::npos);
  CHECK(problem_of("redis://cache:0").find("port") != std::string::npos);
  CHECK(problem_of("redis://cache:70000").find("port") != std::string::npos);
  CHECK(problem_of("redis://:6379").find("no host") != std::string::npos);
  CHECK(problem_of("redis://ca che:6379").find("host name") != std::string::npos);
  CHECK(problem_of("redis://cache:6379/x").find("db") != std::string::npos);
  CHECK(problem_of("redis://cache:6379/99999").find("db") != std::string::npos);
  CHECK(problem_of("redis://:bad%zz@cache:6379").find("%") != std::string::npos);
  CHECK(problem_of("redis://[::1:6379").find("IPv6") != std::string::npos);
  CHECK(problem_of("unix://relative.sock").find("absolute") != std::string::npos);
  CHECK(problem_of("unix:///tmp/r.sock?database=1").find("?db=N") != std::string::npos);
  CHECK(problem_of("unix:///" + std::string(200, 'a')).find("longer") != std::string::npos);
  CHECK(problem_of("").find("not a Redis URL") != std::string::npos);
}

TEST_CASE("redis_url: the password is masked for logs and check-config") {
  CHECK(redact_redis_url("redis://:s3cret@cache:6379/1") == "redis://:***@cache:6379/1");
  CHECK(redact_redis_url("redis://app:s3cret@cache:6379") == "redis://app:***@cache:6379");
  CHECK(redact_redis_url("redis://s3cret@cache:6379") == "redis://***@cache:6379");
  CHECK(redact_redis_url("unix://:pw@/tmp/r.sock?db=1") == "unix://:***@/tmp/r.sock?db=1");
  CHECK(redact_redis_url("redis://cache:6379/1") == "redis://cache:6379/1");
  CHECK(redact_redis_url("unix:///tmp/r.sock") == "unix:///tmp/r.sock");
  // Even text that does not parse keeps its secret.
  CHECK(redact_redis_url("redis://:pw@@host").find("pw") == std::string::npos);
}
