// Logger: line format, level filtering, escaping, capping, redaction, files and reopen().
#include <doctest/doctest.h>

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>

#include "log/level.hpp"
#include "log/logger.hpp"

namespace fs = std::filesystem;
using namespace std::chrono;
using wsrelay::log::Level;
using wsrelay::log::Logger;
using wsrelay::log::Redactor;
using wsrelay::log::TimePoint;

namespace {

TimePoint fixed_time() {
  return sys_days{year{2024} / 5 / 1} + hours{12} + minutes{34} + seconds{56} + milliseconds{789};
}

std::string read_all(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// A fresh folder under /tmp, removed when the test ends.
struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/wsrelay-log-test-XXXXXX";
    const char* made = ::mkdtemp(pattern);
    REQUIRE(made != nullptr);
    path = made;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// Modes as the kernel applies them: the requested mode minus the process umask.
unsigned with_umask(unsigned mode) {
  const mode_t mask = ::umask(0);
  ::umask(mask);
  return mode & ~static_cast<unsigned>(mask);
}

std::string line_for(Level level, std::string_view message) {
  std::string out;
  wsrelay::log::append_line(out, fixed_time(), level, message, Redactor{});
  return out;
}

}  // namespace

// A type that prints itself through the ADL hook and counts how often it was asked to.
namespace probe {
struct Counted {
  int* calls;
};
inline void append_part(std::string& out, const Counted& value) {
  ++*value.calls;
  out.append("counted");
}
}  // namespace probe

TEST_CASE("log level names round-trip and parse case-insensitively") {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    CHECK(wsrelay::log::parse_level(wsrelay::log::level_name(level)) == level);
  }
  CHECK(wsrelay::log::parse_level("WARN") == Level::kWarn);
  CHECK(wsrelay::log::parse_level("Error") == Level::kError);
  CHECK_FALSE(wsrelay::log::parse_level("warning").has_value());
  CHECK_FALSE(wsrelay::log::parse_level("").has_value());
  CHECK_FALSE(wsrelay::log::parse_level("infos").has_value());
}

TEST_CASE("timestamps are ISO 8601 UTC with milliseconds") {
  std::string out;
  wsrelay::log::append_timestamp(out, fixed_time());
  CHECK(out == "2024-05-01T12:34:56.789Z");
  out.clear();
  wsrelay::log::append_timestamp(out, TimePoint{});
  CHECK(out == "1970-01-01T00:00:00.000Z");
  out.clear();
  wsrelay::log::append_timestamp(out, sys_days{year{1999} / 12 / 31} + hours{23} + minutes{59} +
                                          seconds{59} + milliseconds{999});
  CHECK(out == "1999-12-31T23:59:59.999Z");
  out.clear();
  // Sub-millisecond parts are truncated, not rounded up into the next second.
  wsrelay::log::append_timestamp(out, sys_days{year{2024} / 2 / 29} + microseconds{999'999});
  CHECK(out == "2024-02-29T00:00:00.999Z");
}

TEST_CASE("a line is timestamp, fixed-width level, message, newline") {
  CHECK(line_for(Level::kInfo, "hello") == "2024-05-01T12:34:56.789Z INFO  hello\n");
  CHECK(line_for(Level::kDebug, "d") == "2024-05-01T12:34:56.789Z DEBUG d\n");
  CHECK(line_for(Level::kWarn, "w") == "2024-05-01T12:34:56.789Z WARN  w\n");
  CHECK(line_for(Level::kError, "e") == "2024-05-01T12:34:56.789Z ERROR e\n");
}

TEST_CASE("control characters are escaped so a message stays one line") {
  CHECK(line_for(Level::kInfo, std::string_view("a\nb\r\tc\x01\x7f\0z", 10)) ==
        "2024-05-01T12:34:56.789Z INFO  a\\nb\\r\\tc\\x01\\x7f\\x00z\n");
  // UTF-8 passes through untouched.
  CHECK(line_for(Level::kInfo, "caf\xc3\xa9") == "2024-05-01T12:34:56.789Z INFO  caf\xc3\xa9\n");
}

TEST_CASE("long messages are capped without splitting a UTF-8 sequence") {
  const size_t cap = wsrelay::log::kMaxMessageBytes;
  const std::string prefix = "2024-05-01T12:34:56.789Z INFO  ";
  std::string long_message(cap + 100, 'a');
  CHECK(line_for(Level::kInfo, long_message) ==
        prefix + std::string(cap, 'a') + " ...[100 more bytes]\n");
  // A two-byte character straddling the cut is dropped whole.
  std::string straddling(cap - 1, 'b');
  straddling += "\xc3\xa9tail";
  CHECK(line_for(Level::kInfo, straddling) ==
        prefix + std::string(cap - 1, 'b') + " ...[6 more bytes]\n");
  // Exactly at the cap: nothing is cut.
  CHECK(line_for(Level::kInfo, std::string(cap, 'c')) == prefix + std::string(cap, 'c') + "\n");
}

TEST_CASE("messages are built from mixed parts") {
  TempDir dir;
  Logger logger;
  logger.set_clock(&fixed_time);
  std::string error;
  REQUIRE(logger.open((dir.path / "parts.log").string(), error));
  const std::string owned = "str";
  logger.info("s=", std::string_view("sv"), ' ', owned, " i=", -42,
              " u=", std::numeric_limits<uint64_t>::max(), " b=", true, " d=", 1.5,
              " n=", static_cast<const char*>(nullptr));
  CHECK(read_all(dir.path / "parts.log") ==
        "2024-05-01T12:34:56.789Z INFO  s=sv str i=-42 u=18446744073709551615 b=true d=1.5 "
        "n=(null)\n");
}

TEST_CASE("disabled levels write nothing and format nothing") {
  TempDir dir;
  Logger logger;
  std::string error;
  REQUIRE(logger.open((dir.path / "levels.log").string(), error));
  logger.set_level(Level::kWarn);
  CHECK_FALSE(logger.enabled(Level::kInfo));
  CHECK(logger.enabled(Level::kError));
  int calls = 0;
  logger.debug("d ", probe::Counted{&calls});
  logger.info("i ", probe::Counted{&calls});
  CHECK(calls == 0);  // the level check comes before any formatting
  logger.warn("w ", probe::Counted{&calls});
  logger.error("e");
  CHECK(calls == 1);
  CHECK(logger.lines_written() == 2);
  const std::string text = read_all(dir.path / "levels.log");
  CHECK(text.find("WARN  w counted\n") != std::string::npos);
  CHECK(text.find("ERROR e\n") != std::string::npos);
  CHECK(text.find("INFO") == std::string::npos);
  CHECK(text.find("DEBUG") == std::string::npos);

  logger.set_level(Level::kDebug);
  logger.debug("now visible");
  CHECK(read_all(dir.path / "levels.log").find("DEBUG now visible\n") != std::string::npos);
}

TEST_CASE("registered secrets and credential shapes never reach the file") {
  TempDir dir;
  Logger logger;
  std::string error;
  REQUIRE(logger.open((dir.path / "secret.log").string(), error));
  logger.add_secret("my-api-key-0123456789");
  logger.info("backend called with my-api-key-0123456789 and /ws?token=tok123&room=a");
  logger.info("header Authorization: Bearer zzz999");
  const std::string text = read_all(dir.path / "secret.log");
  CHECK(text.find("my-api-key-0123456789") == std::string::npos);
  CHECK(text.find("tok123") == std::string::npos);
  CHECK(text.find("zzz999") == std::string::npos);
  CHECK(text.find("backend called with [redacted] and /ws?token=[redacted]&room=a") !=
        std::string::npos);
}

TEST_CASE("log_path naming a folder writes wsrelay.log inside, creating folders") {
  TempDir dir;
  Logger logger;
  std::string error;
  // Trailing slash: a folder, even though it does not exist yet.
  const std::string nested = (dir.path / "a" / "b").string() + "/";
  REQUIRE(logger.open(nested, error));
  CHECK(logger.file_path() == (dir.path / "a" / "b" / "wsrelay.log").string());
  logger.info("into folder");
  CHECK(read_all(dir.path / "a" / "b" / "wsrelay.log").find("into folder") != std::string::npos);
  struct stat info;
  REQUIRE(::stat((dir.path / "a" / "b").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == with_umask(0750));

  // An existing folder without the slash.
  REQUIRE(logger.open(dir.path.string(), error));
  CHECK(logger.file_path() == (dir.path / "wsrelay.log").string());

  // A file path whose folder is missing: the folder is created.
  REQUIRE(logger.open((dir.path / "c" / "d" / "named.log").string(), error));
  CHECK(logger.file_path() == (dir.path / "c" / "d" / "named.log").string());
  logger.info("named");
  CHECK(read_all(dir.path / "c" / "d" / "named.log").find("named") != std::string::npos);
  REQUIRE(::stat((dir.path / "c" / "d" / "named.log").c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == with_umask(0640));

  CHECK(wsrelay::log::resolve_log_file("") == "");
  CHECK(wsrelay::log::resolve_log_file("/") == "/wsrelay.log");
  CHECK(wsrelay::log::resolve_log_file("logs//") == "logs/wsrelay.log");
}

TEST_CASE("open failure keeps the old destination and explains why") {
  TempDir dir;
  Logger logger;
  std::string error;
  REQUIRE(logger.open((dir.path / "good.log").string(), error));
  // A path below a regular file cannot be created.
  const std::string bad = (dir.path / "good.log" / "x.log").string();
  CHECK_FALSE(logger.open(bad, error));
  CHECK(error.find((dir.path / "good.log").string()) != std::string::npos);
  CHECK(logger.file_path() == (dir.path / "good.log").string());
  logger.info("still here");
  CHECK(read_all(dir.path / "good.log").find("still here") != std::string::npos);
  // Back to stderr.
  REQUIRE(logger.open("", error));
  CHECK(logger.file_path().empty());
}

TEST_CASE("reopen() after logrotate's rename sends new lines to a new file") {
  TempDir dir;
  Logger logger;
  std::string error;
  const fs::path live = dir.path / "app.log";
  const fs::path rotated = dir.path / "app.log.1";
  REQUIRE(logger.open(live.string(), error));
  logger.info("first");
  fs::rename(live, rotated);
  logger.info("second");  // still the old descriptor: follows the renamed file
  CHECK_FALSE(fs::exists(live));
  REQUIRE(logger.reopen(error));
  logger.info("third");
  const std::string old_text = read_all(rotated);
  const std::string new_text = read_all(live);
  CHECK(old_text.find("first") != std::string::npos);
  CHECK(old_text.find("second") != std::string::npos);
  CHECK(old_text.find("third") == std::string::npos);
  CHECK(new_text.find("third") != std::string::npos);
  CHECK(new_text.find("first") == std::string::npos);

  // The folder removed by a clean-up job is recreated by reopen().
  fs::remove_all(dir.path / "sub");
  REQUIRE(logger.open((dir.path / "sub" / "x.log").string(), error));
  fs::remove_all(dir.path / "sub");
  REQUIRE(logger.reopen(error));
  logger.info("recreated");
  CHECK(read_all(dir.path / "sub" / "x.log").find("recreated") != std::string::npos);
}

TEST_CASE("reopen() while writing to stderr is a no-op") {
  Logger logger;
  std::string error;
  CHECK(logger.reopen(error));
  CHECK(logger.file_path().empty());
}

TEST_CASE("lines that cannot be written are counted as dropped") {
  TempDir dir;
  Logger logger;
  std::string error;
  REQUIRE(logger.open("/dev/full", error));  // every write fails with ENOSPC
  logger.error("lost");
  CHECK(logger.lines_dropped() == 1);
  CHECK(logger.lines_written() == 0);
}

TEST_CASE("the process-wide logger is one instance") {
  CHECK(&wsrelay::log::logger() == &wsrelay::log::logger());
  CHECK(wsrelay::log::logger().level() == Level::kInfo);
}
