#include "log/level.hpp"

namespace wsrelay::log {

namespace {
bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (x != b[i]) return false;  // b is always one of our lowercase names
  }
  return true;
}
}  // namespace

std::optional<Level> parse_level(std::string_view name) {
  for (Level level : {Level::kDebug, Level::kInfo, Level::kWarn, Level::kError}) {
    if (equals_ignoring_case(name, level_name(level))) return level;
  }
  return std::nullopt;
}

}  // namespace wsrelay::log
