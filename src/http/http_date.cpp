#include "http/http_date.hpp"

#include <array>

namespace wsrelay::http {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int64_t era = floor_div(year, 400);
  const auto year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int64_t>(day_of_era) - 719468;
}

struct Civil {
  int64_t year;
  unsigned month;
  unsigned day;
};

Civil civil_from_days(int64_t days) {
  days += 719468;
  const int64_t era = floor_div(days, 146097);
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);
  const unsigned year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  const unsigned day = day_of_year - (153 * mp + 2) / 5 + 1;
  const unsigned month = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2), month, day};
}

void append_two(std::string& out, unsigned value) {
  out += static_cast<char>('0' + value / 10);
  out += static_cast<char>('0' + value % 10);
}

// Exactly `count` digits at `text[at]`.
bool read_digits(std::string_view text, size_t at, size_t count, unsigned& out) {
  out = 0;
  for (size_t i = 0; i < count; ++i) {
    const char c = text[at + i];
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<unsigned>(c - '0');
  }
  return true;
}

}  // namespace

std::string format_http_date(int64_t unix_seconds) {
  const int64_t days = floor_div(unix_seconds, 86400);
  const auto second_of_day = static_cast<unsigned>(unix_seconds - days * 86400);
  const Civil date = civil_from_days(days);
  std::string out;
  out.reserve(29);
  out += kWeekdays[static_cast<size_t>(((days % 7) + 7) % 7)];  // 1970-01-01 was a Thursday
  out += ", ";
  append_two(out, date.day);
  out += ' ';
  out += kMonths[date.month - 1];
  out += ' ';
  const auto year = static_cast<unsigned>(date.year < 0 ? 0 : date.year > 9999 ? 9999 : date.year);
  append_two(out, year / 100);
  append_two(out, year % 100);
  out += ' ';
  append_two(out, second_of_day / 3600);
  out += ':';
  append_two(out, second_of_day / 60 % 60);
  out += ':';
  append_two(out, second_of_day % 60);
  out += " GMT";
  return out;
}

std::optional<int64_t> parse_http_date(std::string_view text) {
  // "Sun, 06 Nov 1994 08:49:37 GMT": 29 bytes at fixed positions.
  if (text.size() != 29 || text.substr(3, 2) != ", " || text[7] != ' ' || text[11] != ' ' ||
      text[16] != ' ' || text[19] != ':' || text[22] != ':' || text.substr(25) != " GMT") {
    return std::nullopt;
  }
  bool weekday_known = false;
  for (std::string_view weekday : kWeekdays) weekday_known = weekday_known || text.substr(0, 3) == weekday;
  if (!weekday_known) return std::nullopt;
  unsigned month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (text.substr(8, 3) == kMonths[i]) month = static_cast<unsigned>(i + 1);
  }
  unsigned day = 0, year = 0, hour = 0, minute = 0, second = 0;
  if (month == 0 || !read_digits(text, 5, 2, day) || !read_digits(text, 12, 4, year) ||
      !read_digits(text, 17, 2, hour) || !read_digits(text, 20, 2, minute) || !read_digits(text, 23, 2, second)) {
    return std::nullopt;
  }
  // second 60 is allowed for leap seconds (RFC 9110 §5.6.7); it reads as the next second.
  if (day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  return days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second;
}

}  // namespace wsrelay::http
