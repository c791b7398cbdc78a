#include "lib/core/working_time.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>

namespace core {
namespace {

constexpr int64_t kSecondsPerDay = 24 * 60 * 60;
constexpr int kMinutesPerDay = 24 * 60;
constexpr int kMaxOffsetMinutes = 14 * 60;  // the widest offset in use (Kiribati, +14:00)
constexpr double kMaxHours = 1e6;

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// Monday = 0; day 0 (1970-01-01) was a Thursday.
size_t Weekday(int64_t day) { return static_cast<size_t>(FloorMod(day + 3, 7)); }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// The schedule in seconds. An invalid one is replaced by the default: with no working day the
// loops below would never end.
struct Calendar {
  explicit Calendar(const WorkSchedule& requested)
      : schedule(IsValidSchedule(requested) ? requested : WorkSchedule{}),
        offset(int64_t{schedule.tz_minutes} * 60),
        start(int64_t{schedule.day_start_minute} * 60),
        end(int64_t{schedule.day_end_minute} * 60),
        days_per_week(std::count(schedule.workdays.begin(), schedule.workdays.end(), true)) {}

  bool IsWorkday(int64_t day) const { return schedule.workdays[Weekday(day)]; }

  int64_t FirstWorkdayFrom(int64_t day) const {
    while (!IsWorkday(day)) ++day;
    return day;
  }

  int64_t Day(int64_t t) const { return FloorDiv(t + offset, kSecondsPerDay); }
  int64_t SecondOfDay(int64_t t) const { return FloorMod(t + offset, kSecondsPerDay); }
  int64_t At(int64_t day, int64_t second) const { return day * kSecondsPerDay + second - offset; }

  WorkSchedule schedule;
  int64_t offset;
  int64_t start;
  int64_t end;
  int64_t days_per_week;
};

// A working day and a second of it within [start, end]: `t` itself when it is there, else the
// next working day's start.
struct WorkingMoment {
  int64_t day;
  int64_t second;
};

WorkingMoment Clamp(int64_t t, const Calendar& calendar) {
  const int64_t day = calendar.Day(t);
  const int64_t second = calendar.SecondOfDay(t);
  if (!calendar.IsWorkday(day) || second > calendar.end) {
    return {calendar.FirstWorkdayFrom(day + 1), calendar.start};
  }
  return {day, std::max(second, calendar.start)};
}

// Reads exactly `count` ASCII digits at `pos`.
bool ReadNumber(std::string_view text, size_t pos, size_t count, int& out) {
  if (pos + count > text.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// "hh:mm:ss" followed by nothing, "Z" or "±hh:mm".
bool IsTimeWithOffset(std::string_view text) {
  int hour = 0, minute = 0, second = 0;
  if (text.size() < 8 || text[2] != ':' || text[5] != ':' || !ReadNumber(text, 0, 2, hour) ||
      !ReadNumber(text, 3, 2, minute) || !ReadNumber(text, 6, 2, second) || hour > 23 ||
      minute > 59 || second > 60) {
    return false;
  }
  const std::string_view zone = text.substr(8);
  if (zone.empty() || zone == "Z") return true;
  int zone_hour = 0, zone_minute = 0;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':' &&
         ReadNumber(zone, 1, 2, zone_hour) && ReadNumber(zone, 4, 2, zone_minute) &&
         zone_hour * 60 + zone_minute <= kMaxOffsetMinutes && zone_minute < 60;
}

}  // namespace

bool IsValidSchedule(const WorkSchedule& schedule) {
  return std::find(schedule.workdays.begin(), schedule.workdays.end(), true) !=
             schedule.workdays.end() &&
         schedule.day_start_minute >= 0 && schedule.day_start_minute < schedule.day_end_minute &&
         schedule.day_end_minute <= kMinutesPerDay &&
         std::abs(schedule.tz_minutes) <= kMaxOffsetMinutes;
}

int64_t DaysFromCivil(int year, int month, int day) {
  // Howard Hinnant's days_from_civil, on a year that starts in March so that the leap day is
  // the last day of its year.
  int64_t y = int64_t{year} + FloorDiv(int64_t{month} - 1, 12);
  const int64_t m = FloorMod(int64_t{month} - 1, 12) + 1;
  y -= m <= 2 ? 1 : 0;
  const int64_t era = FloorDiv(y, 400);
  const int64_t year_of_era = y - era * 400;
  const int64_t day_of_year = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
  const int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + day_of_era - 719468 + (int64_t{day} - 1);
}

std::string FormatLocalTime(int64_t t, int tz_minutes) {
  const int64_t local = t + int64_t{tz_minutes} * 60;
  const int64_t days = FloorDiv(local, 86400);
  const int64_t second = FloorMod(local, 86400);
  // Howard Hinnant's civil_from_days, the inverse of DaysFromCivil.
  const int64_t z = days + 719468;
  const int64_t era = FloorDiv(z, 146097);
  const int64_t day_of_era = z - era * 146097;
  const int64_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const int64_t mp = (5 * day_of_year + 2) / 153;
  const int64_t day = day_of_year - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = year_of_era + era * 400 + (month <= 2 ? 1 : 0);
  const int offset = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char text[160];  // room for any int64 field, so the output is never cut
  std::snprintf(text, sizeof text, "%04lld-%02lld-%02lldT%02lld:%02lld:%02lld%c%02d:%02d",
                static_cast<long long>(year), static_cast<long long>(month),
                static_cast<long long>(day), static_cast<long long>(second / 3600),
                static_cast<long long>(second / 60 % 60), static_cast<long long>(second % 60),
                tz_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return text;
}

bool IsWorkingTime(int64_t t, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  const int64_t second = calendar.SecondOfDay(t);
  return calendar.IsWorkday(calendar.Day(t)) && second >= calendar.start && second < calendar.end;
}

int64_t LocalDayStart(int64_t t, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  return calendar.At(calendar.Day(t), 0);
}

int64_t NextWorkdayStart(int64_t t, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  int64_t day = calendar.Day(t);
  if (calendar.SecondOfDay(t) > calendar.start) ++day;  // today's start has passed
  return calendar.At(calendar.FirstWorkdayFrom(day), calendar.start);
}

int64_t WorkdayStartOfDate(int year, int month, int day, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  return calendar.At(calendar.FirstWorkdayFrom(DaysFromCivil(year, month, day)), calendar.start);
}

int64_t AddWorkingHours(int64_t t, double hours, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  // Written as a negation so that NaN counts as nothing.
  if (!(hours > 0)) hours = 0;
  int64_t remaining = static_cast<int64_t>(std::llround(std::min(hours, kMaxHours) * 3600));
  WorkingMoment moment = Clamp(t, calendar);
  // Any seven consecutive days hold the same working time, so whole weeks are skipped at once.
  const int64_t per_week = calendar.days_per_week * (calendar.end - calendar.start);
  if (remaining > per_week) {
    const int64_t weeks = (remaining - 1) / per_week;
    moment.day += weeks * 7;
    remaining -= weeks * per_week;
  }
  while (remaining > calendar.end - moment.second) {
    remaining -= calendar.end - moment.second;
    moment = {calendar.FirstWorkdayFrom(moment.day + 1), calendar.start};
  }
  return calendar.At(moment.day, moment.second + remaining);
}

int64_t AddWorkingDays(int64_t t, int days, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  WorkingMoment moment = Clamp(t, calendar);
  int64_t remaining = std::max(days, 0);
  if (remaining > calendar.days_per_week) {
    const int64_t weeks = (remaining - 1) / calendar.days_per_week;
    moment.day += weeks * 7;
    remaining -= weeks * calendar.days_per_week;
  }
  for (; remaining > 0; --remaining) moment.day = calendar.FirstWorkdayFrom(moment.day + 1);
  return calendar.At(moment.day, moment.second);
}

Result<int64_t> ParseLocalTime(std::string_view text) {
  int hour = 0, minute = 0, second = 0, offset_hours = 0, offset_minutes = 0;
  const bool shape = text.size() == 25 && text[10] == 'T' && text[13] == ':' && text[16] == ':' &&
                     (text[19] == '+' || text[19] == '-') && text[22] == ':' &&
                     ReadNumber(text, 11, 2, hour) && ReadNumber(text, 14, 2, minute) &&
                     ReadNumber(text, 17, 2, second) && ReadNumber(text, 20, 2, offset_hours) &&
                     ReadNumber(text, 23, 2, offset_minutes);
  auto date = shape ? ParseDate(text.substr(0, 10)) : Result<std::tuple<int, int, int>>{};
  if (!shape || !date || hour > 23 || minute > 59 || second > 59 || offset_minutes > 59) {
    return tl::make_unexpected(
        Error{ErrorCode::kInvalidArgument, "not a time: expected YYYY-MM-DDThh:mm:ss+hh:mm"});
  }
  const auto [year, month, day] = *date;
  const int64_t offset = (text[19] == '-' ? -1 : 1) * (offset_hours * 3600 + offset_minutes * 60);
  return DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
}

Result<std::tuple<int, int, int>> ParseDate(std::string_view text) {
  int year = 0, month = 0, day = 0;
  bool shape = false;
  if (text.size() >= 10 && text[4] == '-' && text[7] == '-') {
    shape = ReadNumber(text, 0, 4, year) && ReadNumber(text, 5, 2, month) &&
            ReadNumber(text, 8, 2, day) &&
            (text.size() == 10 || (text[10] == 'T' && IsTimeWithOffset(text.substr(11))));
  } else if (text.size() == 10 && text[2] == '.' && text[5] == '.') {
    shape = ReadNumber(text, 0, 2, day) && ReadNumber(text, 3, 2, month) &&
            ReadNumber(text, 6, 4, year);
  }
  // The text itself stays out of the message: it may be anything, even invalid UTF-8.
  if (!shape) {
    return tl::make_unexpected(
        Error{ErrorCode::kInvalidArgument,
              "not a date: expected YYYY-MM-DD, YYYY-MM-DDThh:mm:ss+hh:mm or DD.MM.YYYY"});
  }
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) {
    return Fail(ErrorCode::kInvalidArgument, "no such date");
  }
  return std::make_tuple(year, month, day);
}

}  // namespace core
