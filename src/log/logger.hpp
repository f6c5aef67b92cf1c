// The logger: one timestamped, levelled, redacted line per event, written with one write(2).
//
//   2024-05-01T12:34:56.789Z INFO  listening on 127.0.0.1:8080
//
// Contract:
// - Lines go to stderr until open() names a file; open("") goes back to stderr.
// - log_path naming a folder (an existing directory, or any path ending in '/') means
//   <folder>/wsrelay.log. Missing folders are created (mode 0750); the file is opened
//   O_APPEND (mode 0640) so several processes and logrotate's copytruncate stay safe.
// - reopen() closes and reopens the same path: logrotate renames the file, sends SIGHUP, and the
//   server's loop calls reopen() (from the loop, never from inside a signal handler).
// - Every message passes through the Redactor (secrets and credential shapes masked, see
//   redact.hpp), then control characters are escaped (\n, \r, \t, \xNN) so a peer-supplied string
//   can never forge a second line, then it is capped at kMaxMessageBytes.
// - A disabled level costs one comparison: log()/debug()/... check the level before any
//   argument is formatted. (Arguments are still evaluated by the caller, so do not build
//   expensive strings for debug lines outside an `if (logger.enabled(Level::kDebug))`.)
// - Single-threaded: the server runs on one thread, so there are no locks. Not for use from
//   signal handlers.
#pragma once

#include <charconv>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

#include "log/level.hpp"
#include "log/redact.hpp"

namespace wsrelay::log {

// File name used when log_path names a folder.
inline constexpr std::string_view kLogFileName = "wsrelay.log";
// Longest message kept in one line (after redaction, before escaping); the rest is replaced by
// a note saying how many bytes were cut. Debug lines may quote whole client messages.
inline constexpr size_t kMaxMessageBytes = 16 * 1024;

using TimePoint = std::chrono::system_clock::time_point;

// "2024-05-01T12:34:56.789Z": ISO 8601, UTC, millisecond precision. Appended to `out`.
void append_timestamp(std::string& out, TimePoint when);

// One complete line, newline included, appended to `out`: timestamp, level, then `message`
// redacted, escaped and capped. Pure apart from the Redactor's scratch buffer.
void append_line(std::string& out, TimePoint when, Level level, std::string_view message,
                 const Redactor& redactor);

// The file a log_path means: "" for stderr, "<dir>/wsrelay.log" for a folder, else the path.
// Looks at the file system (is it an existing directory?) but changes nothing.
std::string resolve_log_file(std::string_view log_path);

namespace detail {
// How each kind of argument becomes text in a message. Integers and floats via to_chars
// (no locale, no allocation).
inline void append_part(std::string& out, std::string_view text) {
  out.append(text);
}
inline void append_part(std::string& out, const std::string& text) {
  out.append(text);
}
inline void append_part(std::string& out, const char* text) {
  out.append(text != nullptr ? std::string_view(text) : std::string_view("(null)"));
}
inline void append_part(std::string& out, char c) {
  out.push_back(c);
}
inline void append_part(std::string& out, bool value) {
  out.append(value ? "true" : "false");
}
template <typename T>
requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
         !std::is_same_v<T, char>) void append_part(std::string& out, T value) {
  char buffer[64];
  std::to_chars_result result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}
}  // namespace detail

class Logger {
 public:
  Logger() = default;
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  void set_level(Level level) { level_ = level; }
  Level level() const { return level_; }
  bool enabled(Level level) const { return level >= level_; }

  // Send lines to the file `log_path` means (see the contract above); "" = stderr. On failure
  // returns false, sets `error` to a sentence naming the path and the reason, and keeps
  // writing where it wrote before.
  bool open(std::string_view log_path, std::string& error);
  // Reopen the current file (after logrotate renamed it). Writing to stderr: nothing to do.
  // On failure the old descriptor is kept, so lines still go somewhere.
  bool reopen(std::string& error);
  // The file being written, "" while writing to stderr.
  const std::string& file_path() const { return file_path_; }

  // Mask this exact value in every future line if it is long enough to mask safely (call with
  // the configured api_key and auth_secret at start-up; see Redactor::add_secret).
  void add_secret(std::string_view secret) { redactor_.add_secret(secret); }

  // Log the concatenation of `parts` (strings, numbers, bools, chars) at `level`.
  template <typename... Parts>
  void log(Level level, const Parts&... parts) {
    if (!enabled(level)) return;
    message_.clear();
    // Unqualified on purpose: a type can teach the logger to print itself by declaring
    // append_part(std::string&, const T&) in its own namespace (found by ADL).
    using detail::append_part;
    (append_part(message_, parts), ...);
    emit(level, message_);
  }
  template <typename... Parts>
  void debug(const Parts&... parts) {
    log(Level::kDebug, parts...);
  }
  template <typename... Parts>
  void info(const Parts&... parts) {
    log(Level::kInfo, parts...);
  }
  template <typename... Parts>
  void warn(const Parts&... parts) {
    log(Level::kWarn, parts...);
  }
  template <typename... Parts>
  void error(const Parts&... parts) {
    log(Level::kError, parts...);
  }

  uint64_t lines_written() const { return lines_written_; }
  // Lines lost because write(2) failed (disk full, stderr closed, non-blocking pipe full).
  uint64_t lines_dropped() const { return lines_dropped_; }

  // Tests substitute a fixed clock; nullptr restores the system clock.
  using Clock = TimePoint (*)();
  void set_clock(Clock clock) { clock_ = clock; }

 private:
  void emit(Level level, std::string_view message);
  bool open_file(const std::string& file, std::string& error);

  Level level_ = Level::kInfo;
  int fd_ = 2;             // stderr until open()
  bool owns_fd_ = false;   // true for a file we opened (and must close)
  std::string file_path_;  // resolved file, "" for stderr
  Redactor redactor_;
  Clock clock_ = nullptr;
  std::string message_;  // reused buffers: no allocation per line once warmed up
  std::string line_;
  std::string scratch_;
  uint64_t lines_written_ = 0;
  uint64_t lines_dropped_ = 0;
};

// The process-wide logger: stderr at info until main configures it.
Logger& logger();

template <typename... Parts>
void debug(const Parts&... parts) {
  logger().log(Level::kDebug, parts...);
}
template <typename... Parts>
void info(const Parts&... parts) {
  logger().log(Level::kInfo, parts...);
}
template <typename... Parts>
void warn(const Parts&... parts) {
  logger().log(Level::kWarn, parts...);
}
template <typename... Parts>
void error(const Parts&... parts) {
  logger().log(Level::kError, parts...);
}

}  // namespace wsrelay::log
