#include "app/names.hpp"

#include <cstdint>

namespace wsrelay::app {

NameProblem check_name(std::string_view name, size_t max_length) {
  if (name.empty()) return NameProblem::kEmpty;
  if (name.size() > max_length) return NameProblem::kTooLong;
  for (size_t i = 0; i < name.size(); ++i) {
    auto byte = static_cast<uint8_t>(name[i]);
    if (byte < 0x20 || byte == 0x7f) return NameProblem::kControlCharacter;
    // U+0080..U+009F are encoded as C2 80..C2 9F.
    if (byte == 0xc2 && i + 1 < name.size()) {
      auto next = static_cast<uint8_t>(name[i + 1]);
      if (next >= 0x80 && next <= 0x9f) return NameProblem::kControlCharacter;
    }
  }
  return NameProblem::kNone;
}

std::string_view describe(NameProblem problem) {
  switch (problem) {
    case NameProblem::kNone: return "valid";
    case NameProblem::kEmpty: return "is empty";
    case NameProblem::kTooLong: return "is too long";
    case NameProblem::kControlCharacter: return "contains a control character";
  }
  return "is invalid";
}

}  // namespace wsrelay::app
