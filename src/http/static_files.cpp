// The I/O half of static files: reading web_root into memory at start-up (see static_files.hpp
// for why). Nothing here runs once the server is serving.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "http/static_files.hpp"

namespace wsrelay::http {
namespace fs = std::filesystem;
namespace {

// Reads the regular file at `path` whole. False with `error` set otherwise.
bool read_file(const fs::path& path, std::string& body, int64_t& modified, std::string& error) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    error = "cannot open " + path.string() + ": " + std::strerror(errno);
    return false;
  }
  struct stat info {};
  bool ok = ::fstat(fd, &info) == 0;
  if (!ok) error = "cannot stat " + path.string() + ": " + std::strerror(errno);
  if (ok && !S_ISREG(info.st_mode)) {
    error = path.string() + " is not a regular file";
    ok = false;
  }
  if (ok) {
    modified = info.st_mtime;
    body.resize(static_cast<size_t>(info.st_size));
    size_t done = 0;
    while (ok && done < body.size()) {
      const ssize_t n = ::read(fd, body.data() + done, body.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        error = "cannot read " + path.string() + (n < 0 ? std::string(": ") + std::strerror(errno) : ": file shrank");
        ok = false;
      } else {
        done += static_cast<size_t>(n);
      }
    }
  }
  ::close(fd);
  return ok;
}

// True when `path` is `root` or below it (both canonical).
bool is_inside(const fs::path& path, const fs::path& root) {
  return std::mismatch(root.begin(), root.end(), path.begin(), path.end()).first == root.end();
}

}  // namespace

bool load_static_files(const std::string& root, const StaticLimits& limits, std::vector<StaticFile>& files,
                       std::string& error) {
  files.clear();
  std::error_code ec;
  const fs::path canonical_root = fs::canonical(root, ec);
  if (ec) {
    error = "web_root " + root + ": " + ec.message();
    return false;
  }
  if (!fs::is_directory(canonical_root, ec)) {
    error = "web_root " + root + " is not a directory";
    return false;
  }
  size_t total_bytes = 0;
  fs::recursive_directory_iterator it(canonical_root, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    const std::string leaf = entry.path().filename().string();
    if (leaf.empty() || leaf.front() == '.') {
      // Hidden files and folders (.git, .env, editor swap files) are never published.
      if (entry.is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    if (!entry.is_regular_file(ec)) continue;  // folders are walked, sockets and fifos skipped
    // A symbolic link is followed only when it stays inside the root.
    const fs::path target = fs::canonical(entry.path(), ec);
    if (ec || !is_inside(target, canonical_root)) {
      ec.clear();
      continue;
    }
    if (files.size() == limits.max_files) {
      error = "web_root " + root + " has more than " + std::to_string(limits.max_files) + " files";
      return false;
    }
    std::string body;
    int64_t modified = 0;
    if (!read_file(target, body, modified, error)) return false;
    total_bytes += body.size();
    if (total_bytes > limits.max_bytes) {
      error = "web_root " + root + " holds more than " + std::to_string(limits.max_bytes) + " bytes";
      return false;
    }
    // generic_string: '/' separators, as in URLs.
    std::string name = entry.path().lexically_relative(canonical_root).generic_string();
    files.push_back(make_static_file(std::move(name), std::move(body), modified));
  }
  if (ec) {
    error = "web_root " + root + ": " + ec.message();
    return false;
  }
  std::sort(files.begin(), files.end(), [](const StaticFile& a, const StaticFile& b) { return a.name < b.name; });
  return true;
}

}  // namespace wsrelay::http
