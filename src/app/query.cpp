#include "app/query.hpp"

#include "common/percent_decode.hpp"

namespace wsrelay::app {

QueryValue query_parameter(std::string_view query, std::string_view name, std::string& value) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const size_t eq = pair.find('=');
    if (pair.substr(0, eq) != name) continue;
    const std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    value.clear();
    return common::percent_decode(raw, value) ? QueryValue::kFound : QueryValue::kMalformed;
  }
  return QueryValue::kAbsent;
}

}  // namespace wsrelay::app
