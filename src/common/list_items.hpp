// Splitting a configuration list written as one line of text ("10.0.0.0/8, ::1",
// "https://a.com https://b.com") into its items: separated by commas and/or ASCII whitespace,
// empty items dropped. Pure; the views point into `text`.
//
// config::split_list (commas only, items trimmed) is what configuration files use; this looser
// form is for lists given directly as text, by tests and by programs that embed the server.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wsrelay::common {

constexpr bool is_list_separator(char c) {
  return c == ',' || c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

inline std::vector<std::string> split_list_items(std::string_view text) {
  std::vector<std::string> items;
  size_t i = 0;
  while (i < text.size()) {
    if (is_list_separator(text[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < text.size() && !is_list_separator(text[end])) ++end;
    items.emplace_back(text.substr(i, end - i));
    i = end;
  }
  return items;
}

}  // namespace wsrelay::common
