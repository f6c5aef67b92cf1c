#include "http/url.hpp"

#include "common/percent_decode.hpp"
#include "ws/utf8.hpp"

namespace wsrelay::http {
namespace {

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
    if (!common::percent_decode(raw, segment)) return PathProblem::kBadEscape;
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
