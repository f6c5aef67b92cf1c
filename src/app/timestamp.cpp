#include "app/timestamp.hpp"

namespace wsrelay::app {
namespace {

// Days since 1970-01-01 -> proleptic Gregorian year/month/day. Howard Hinnant's
// civil_from_days: shift the year to start in March so the leap day is the last day of the
// "year", then split into 400-year eras of 146097 days.
void civil_from_days(int64_t days, int64_t& year, unsigned& month, unsigned& day) {
  days += 719468;  // 1970-01-01 -> 0000-03-01
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto day_of_era = static_cast<unsigned>(days - era * 146097);                     // [0, 146096]
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;  // [0, 399]
  const unsigned day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned month_from_march = (5 * day_of_year + 2) / 153;  // [0, 11]
  day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
  month = month_from_march < 10 ? month_from_march + 3 : month_from_march - 9;
  year = static_cast<int64_t>(year_of_era) + era * 400 + (month <= 2 ? 1 : 0);
}

void put_digits(char* out, int64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

Timestamp::Timestamp(int64_t unix_ms) {
  constexpr int64_t kMin = -62167219200000;  // 0000-01-01T00:00:00.000Z
  constexpr int64_t kMax = 253402300799999;  // 9999-12-31T23:59:59.999Z
  if (unix_ms < kMin) unix_ms = kMin;
  if (unix_ms > kMax) unix_ms = kMax;
  constexpr int64_t kMsPerDay = 86400000;
  int64_t days = unix_ms / kMsPerDay;
  int64_t ms_of_day = unix_ms % kMsPerDay;
  if (ms_of_day < 0) {  // floor division for instants before 1970
    ms_of_day += kMsPerDay;
    days -= 1;
  }
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, year, month, day);

  char* out = text_.data();
  put_digits(out, year, 4);
  out[4] = '-';
  put_digits(out + 5, month, 2);
  out[7] = '-';
  put_digits(out + 8, day, 2);
  out[10] = 'T';
  put_digits(out + 11, ms_of_day / 3600000, 2);
  out[13] = ':';
  put_digits(out + 14, ms_of_day / 60000 % 60, 2);
  out[16] = ':';
  put_digits(out + 17, ms_of_day / 1000 % 60, 2);
  out[19] = '.';
  put_digits(out + 20, ms_of_day % 1000, 3);
  out[23] = 'Z';
}

}  // namespace wsrelay::app
