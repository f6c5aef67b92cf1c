#include "http/url.hpp"

#include "ws/utf8.hpp"

namespace wsrelay::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool starts_with_ignore_case(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    char c = text[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool percent_decode(std::string_view text, std::string& out) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return false;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return true;
}

std::string_view describe(PathProblem problem) {
  switch (problem) {
    case PathProblem::kNone: return "ok";
    case PathProblem::kNotAPath: return "request target is not a path";
    case PathProblem::kBadEscape: return "malformed percent-escape in path";
    case PathProblem::kDotSegment: return "'.' and '..' path segments are not allowed";
    case PathProblem::kForbiddenByte: return "NUL and backslash are not allowed in a path";
    case PathProblem::kNotUtf8: return "path is not UTF-8";
  }
  return "bad path";
}

std::string_view target_path(std::string_view target) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (starts_with_ignore_case(target, scheme)) {
      const size_t slash = target.find('/', scheme.size());
      if (slash == std::string_view::npos) return "/";  // "http://host" means the root
      target.remove_prefix(slash);
      break;
    }
  }
  if (target.empty() || target.front() != '/') return {};
  return target.substr(0, target.find('?'));
}

PathProblem split_path(std::string_view path, std::vector<std::string>& segments) {
  segments.clear();
  if (path.empty() || path.front() != '/') return PathProblem::kNotAPath;
  path.remove_prefix(1);
  while (true) {
    const size_t slash = path.find('/');
    const std::string_view raw = path.substr(0, slash);
    std::string& segment = segments.emplace_back();
    if (!percent_decode(raw, segment)) return PathProblem::kBadEscape;
    if (segment == "." || segment == "..") return PathProblem::kDotSegment;
    // Checked after decoding, so "%00" and "%5C" are caught as well as the raw bytes.
    if (segment.find('\0') != std::string::npos || segment.find('\\') != std::string::npos) {
      return PathProblem::kForbiddenByte;
    }
    if (!ws::is_valid_utf8(segment)) return PathProblem::kNotUtf8;
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return PathProblem::kNone;
}

}  // namespace wsrelay::http
