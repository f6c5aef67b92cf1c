// Room and signal names: what a valid one looks like.
//
// A name is 1..max_length bytes of UTF-8 (the server has already validated text frames) with no
// control characters: no C0 controls (U+0000-U+001F), no DEL (U+007F) and no C1 controls
// (U+0080-U+009F). Names are echoed into logs, stats and other clients' messages, so a name
// that could forge a log line or hide in a terminal is refused with `invalid_name`.
#pragma once

#include <cstddef>
#include <string_view>

namespace wsrelay::app {

enum class NameProblem : unsigned char { kNone, kEmpty, kTooLong, kControlCharacter };

NameProblem check_name(std::string_view name, size_t max_length);

// "room name is empty" and so on, for error messages.
std::string_view describe(NameProblem problem);

}  // namespace wsrelay::app
