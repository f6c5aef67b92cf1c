// HTTP dates (RFC 9110 §5.6.7) for Last-Modified and If-Modified-Since. We send IMF-fixdate
// ("Sun, 06 Nov 1994 08:49:37 GMT") and understand only IMF-fixdate: a recipient MAY accept the
// two obsolete forms, and ignoring an If-Modified-Since we cannot read is always safe (the full
// response is sent). Pure arithmetic, no time-zone database.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsrelay::http {

// Seconds since the Unix epoch -> IMF-fixdate.
std::string format_http_date(int64_t unix_seconds);

// IMF-fixdate -> seconds since the Unix epoch; nothing when `text` is not one.
std::optional<int64_t> parse_http_date(std::string_view text);

}  // namespace wsrelay::http
