#include "log/logger.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace wsrelay::log {

namespace {

// Fixed-width tags keep the messages aligned in a terminal.
std::string_view level_tag(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO ";
    case Level::kWarn:
      return "WARN ";
    case Level::kError:
      return "ERROR";
  }
  return "?????";
}

void append_digits(std::string& out, unsigned value, int width) {
  char buffer[8];
  for (int i = width - 1; i >= 0; --i) {
    buffer[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  out.append(buffer, static_cast<size_t>(width));
}

// Control characters would let a peer-supplied string (a close reason, a room name) end the
// line and forge the next one, or hide text in a terminal: write them as escapes.
void append_escaped(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x20 && byte != 0x7f) {
      out.push_back(c);
    } else if (c == '\n') {
      out.append("\\n");
    } else if (c == '\r') {
      out.append("\\r");
    } else if (c == '\t') {
      out.append("\\t");
    } else {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    }
  }
}

void append_line_using(std::string& out, TimePoint when, Level level, std::string_view message,
                       const Redactor& redactor, std::string& scratch) {
  append_timestamp(out, when);
  out.push_back(' ');
  out.append(level_tag(level));
  out.push_back(' ');
  // Redact before capping: a cut could otherwise leave half a secret that no longer
  // matches its pattern.
  scratch.clear();
  redactor.redact_into(message, scratch);
  std::string_view text = scratch;
  size_t cut_bytes = 0;
  if (text.size() > kMaxMessageBytes) {
    size_t keep = kMaxMessageBytes;
    // Do not split a UTF-8 sequence: back up over continuation bytes (10xxxxxx).
    while (keep > 0 && (static_cast<unsigned char>(text[keep]) & 0xC0) == 0x80) --keep;
    cut_bytes = text.size() - keep;
    text = text.substr(0, keep);
  }
  append_escaped(out, text);
  if (cut_bytes != 0) {
    out.append(" ...[");
    detail::append_part(out, cut_bytes);
    out.append(" more bytes]");
  }
  out.push_back('\n');
}

// One write(2) for the whole line; loops only if the kernel takes part of it (a pipe) or a
// signal interrupts it.
bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t written = ::write(fd, data.data(), data.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(written));
  }
  return true;
}

// mkdir -p, with mode 0750 for every folder created (logs may hold peer addresses).
bool make_directories(const std::string& dir, std::string& error) {
  for (size_t slash = dir.find('/', 1);; slash = dir.find('/', slash + 1)) {
    const std::string prefix = dir.substr(0, slash);
    if (::mkdir(prefix.c_str(), 0750) != 0 && errno != EEXIST) {
      error = "cannot create log folder " + prefix + ": " + std::strerror(errno);
      return false;
    }
    if (slash == std::string::npos) break;
  }
  struct stat info;
  if (::stat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    error = "log folder " + dir + " exists but is not a folder";
    return false;
  }
  return true;
}

}  // namespace

void append_timestamp(std::string& out, TimePoint when) {
  using namespace std::chrono;
  const auto day = floor<days>(when);
  const year_month_day date{day};
  const auto since_midnight = floor<milliseconds>(when - day).count();  // 0..86'399'999
  const auto ms = static_cast<unsigned>(since_midnight);
  append_digits(out, static_cast<unsigned>(static_cast<int>(date.year())), 4);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(date.month()), 2);
  out.push_back('-');
  append_digits(out, static_cast<unsigned>(date.day()), 2);
  out.push_back('T');
  append_digits(out, ms / 3'600'000, 2);
  out.push_back(':');
  append_digits(out, ms / 60'000 % 60, 2);
  out.push_back(':');
  append_digits(out, ms / 1000 % 60, 2);
  out.push_back('.');
  append_digits(out, ms % 1000, 3);
  out.push_back('Z');
}

void append_line(std::string& out, TimePoint when, Level level, std::string_view message,
                 const Redactor& redactor) {
  std::string scratch;
  append_line_using(out, when, level, message, redactor, scratch);
}

std::string resolve_log_file(std::string_view log_path) {
  if (log_path.empty()) return {};
  std::string path(log_path);
  bool folder = path.back() == '/';
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (!folder) {
    struct stat info;
    folder = ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
  }
  if (!folder) return path;
  if (path == "/") path.clear();
  return path + "/" + std::string(kLogFileName);
}

Logger::~Logger() {
  if (owns_fd_) ::close(fd_);
}

bool Logger::open(std::string_view log_path, std::string& error) {
  if (log_path.empty()) {
    if (owns_fd_) ::close(fd_);
    fd_ = 2;
    owns_fd_ = false;
    file_path_.clear();
    return true;
  }
  return open_file(resolve_log_file(log_path), error);
}

bool Logger::reopen(std::string& error) {
  if (file_path_.empty()) return true;
  const std::string file = file_path_;  // open_file assigns file_path_
  return open_file(file, error);
}

bool Logger::open_file(const std::string& file, std::string& error) {
  const size_t slash = file.rfind('/');
  if (slash != std::string::npos && slash != 0) {
    // The folder may have been removed by a clean-up job since the last open: recreate it.
    if (!make_directories(file.substr(0, slash), error)) return false;
  }
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0640);
  if (fd < 0) {
    error = "cannot open log file " + file + ": " + std::strerror(errno);
    return false;
  }
  if (owns_fd_) ::close(fd_);
  fd_ = fd;
  owns_fd_ = true;
  file_path_ = file;
  return true;
}

void Logger::emit(Level level, std::string_view message) {
  line_.clear();
  const TimePoint now = clock_ != nullptr ? clock_() : std::chrono::system_clock::now();
  append_line_using(line_, now, level, message, redactor_, scratch_);
  if (write_all(fd_, line_)) {
    ++lines_written_;
  } else {
    ++lines_dropped_;
  }
}

Logger& logger() {
  static Logger instance;
  return instance;
}

}  // namespace wsrelay::log
