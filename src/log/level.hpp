// Log levels: the four severities every log line carries, and their names.
//
// Pure. Shared by the logger (src/log/logger.hpp) and by configuration (the log_level key), so
// the names a user types are the names printed in every line.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wsrelay::log {

// Ordered: a logger set to kWarn prints kWarn and kError.
enum class Level : uint8_t { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error": the spelling used in configuration.
constexpr std::string_view level_name(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "?";
}

// The inverse of level_name, case-insensitive ("WARN" works). No aliases: "warning" is
// refused so that one spelling is used everywhere.
std::optional<Level> parse_level(std::string_view name);

}  // namespace wsrelay::log
