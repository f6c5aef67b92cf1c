// ISO 8601 UTC timestamps with milliseconds ("2024-05-01T12:34:56.789Z"), the form every
// message the application sends carries. Pure arithmetic on the Unix-epoch milliseconds the
// Host supplies: no gmtime, no time zone database, no syscalls.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace wsrelay::app {

constexpr size_t kTimestampLength = 24;  // "YYYY-MM-DDTHH:MM:SS.mmmZ"

class Timestamp {
 public:
  // Years 0000..9999; earlier or later instants are clamped to that range.
  explicit Timestamp(int64_t unix_ms);
  std::string_view view() const { return {text_.data(), text_.size()}; }

 private:
  std::array<char, kTimestampLength> text_{};
};

}  // namespace wsrelay::app
