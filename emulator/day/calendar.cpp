#include "emulator/day/calendar.h"

#include <cmath>
#include <cstdio>

namespace day {
namespace {

constexpr long kDay = 86400;

// The civil date of a count of days since 1970-01-01 (H. Hinnant's algorithm).
void CivilFromDays(long z, int& y, int& m, int& d) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  y = static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0));
}

long LocalDays(double t, int tz_minutes) {
  return static_cast<long>(std::floor((t + tz_minutes * 60.0) / kDay));
}

}  // namespace

LocalTime Calendar::Local(double unix_seconds) const {
  const double local = unix_seconds + tz_minutes * 60.0;
  const long days = LocalDays(unix_seconds, tz_minutes);
  const auto of_day = static_cast<long>(std::floor(local - static_cast<double>(days) * kDay));
  LocalTime out;
  CivilFromDays(days, out.year, out.month, out.day);
  out.weekday = static_cast<int>(((days % 7) + 7 + 3) % 7);  // 1970-01-01 was a Thursday
  out.hour = static_cast<int>(of_day / 3600);
  out.minute = static_cast<int>(of_day / 60 % 60);
  out.second = static_cast<int>(of_day % 60);
  return out;
}

double Calendar::At(double t, int hour, int minute) const {
  const long days = LocalDays(t, tz_minutes);
  return static_cast<double>(days * kDay + hour * 3600L + minute * 60L) - tz_minutes * 60.0;
}

double Calendar::NextMondayAt(double t, int hour, int minute) const {
  double candidate = At(t, hour, minute);
  const int weekday = Local(t).weekday;
  candidate += static_cast<double>((7 - weekday) % 7) * kDay;  // this week's or next Monday
  if (candidate <= t) candidate += 7.0 * kDay;
  return candidate;
}

double Calendar::NextWorkingDayAt(double t, int hour, int minute) const {
  double candidate = At(t, hour, minute) + kDay;
  while (!IsWorkingDay(candidate)) candidate += kDay;
  return candidate;
}

bool Calendar::IsWorkingDay(double t) const { return Local(t).weekday < 5; }

double Calendar::AddWorkingTime(double start, double seconds) const {
  const int start_h = day_start_minute / 60, start_m = day_start_minute % 60;
  const int end_h = day_end_minute / 60, end_m = day_end_minute % 60;
  double t = start;
  if (!IsWorkingDay(t) || t >= At(t, end_h, end_m)) {
    t = NextWorkingDayAt(t, start_h, start_m);
  } else if (t < At(t, start_h, start_m)) {
    t = At(t, start_h, start_m);
  }
  double left = seconds;
  for (;;) {
    const double end = At(t, end_h, end_m);
    if (t + left < end) return t + left;
    left -= end - t;
    t = NextWorkingDayAt(t, start_h, start_m);
  }
}

std::string Calendar::HourMinute(double t) const {
  const LocalTime l = Local(t);
  char out[8];
  std::snprintf(out, sizeof out, "%02d:%02d", l.hour, l.minute);
  return out;
}

std::string Calendar::DayTime(double t) const {
  static const char* kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  const LocalTime l = Local(t);
  char out[24];
  std::snprintf(out, sizeof out, "%s %02d:%02d:%02d", kDays[l.weekday], l.hour, l.minute, l.second);
  return out;
}

std::string Calendar::Date(double t) const {
  const LocalTime l = Local(t);
  char out[16];
  std::snprintf(out, sizeof out, "%04d-%02d-%02d", l.year, l.month, l.day);
  return out;
}

std::string Calendar::Iso(double t) const {
  const LocalTime l = Local(t);
  const int offset = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char out[40];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", l.year, l.month, l.day,
                l.hour, l.minute, l.second, tz_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return out;
}

}  // namespace day
