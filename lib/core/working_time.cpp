#include "lib/core/working_time.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <string>

#include <date/tz.h>

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

// The tz database's zone of that name, or nullptr. locate_zone throws std::runtime_error for an
// unknown name (and get_tzdb when the database is missing); the first get_info reads the zone's
// file, which may fail too. Once loaded, a zone answers get_info and to_sys without throwing.
const date::time_zone* FindWorkTimeZone(std::string_view name) {
  if (name.empty()) return nullptr;
  try {
    const date::time_zone* zone = date::locate_zone(std::string(name));
    zone->get_info(date::sys_seconds{});
    return zone;
  } catch (const std::exception&) {
    return nullptr;
  }
}

// Everything IsValidSchedule checks except that the zone exists.
bool HasValidWorkScheduleShape(const WorkSchedule& schedule) {
  const auto& off = schedule.days_off;
  return std::find(schedule.workdays.begin(), schedule.workdays.end(), true) !=
             schedule.workdays.end() &&
         schedule.day_start_minute >= 0 && schedule.day_start_minute < schedule.day_end_minute &&
         schedule.day_end_minute <= kMinutesPerDay &&
         (!schedule.time_zone.empty() || std::abs(schedule.tz_minutes) <= kMaxOffsetMinutes) &&
         off.size() <= kMaxDaysOff &&
         std::adjacent_find(off.begin(), off.end(), std::greater_equal<int64_t>()) == off.end();
}

const WorkSchedule& DefaultWorkSchedule() {
  static const auto* const kDefault = new WorkSchedule{};
  return *kDefault;
}

// The schedule in seconds, with its zone looked up once. An invalid one is replaced by the
// default: with no working day the loops below would never end. Without a tz database even
// the default zone is missing; then the default's fixed offset stands in.
struct Calendar {
  explicit Calendar(const WorkSchedule& requested) {
    const date::time_zone* found = FindWorkTimeZone(requested.time_zone);
    const bool valid =
        HasValidWorkScheduleShape(requested) && (requested.time_zone.empty() || found != nullptr);
    schedule = valid ? &requested : &DefaultWorkSchedule();
    zone = valid ? found : FindWorkTimeZone(schedule->time_zone);
    fixed_offset = int64_t{schedule->tz_minutes} * 60;
    start = int64_t{schedule->day_start_minute} * 60;
    end = int64_t{schedule->day_end_minute} * 60;
    days_per_week = std::count(schedule->workdays.begin(), schedule->workdays.end(), true);
  }

  bool IsWorkday(int64_t day) const {
    return schedule->workdays[Weekday(day)] &&
           !std::binary_search(schedule->days_off.begin(), schedule->days_off.end(), day);
  }

  // Ends: every week holds a working weekday and at most kMaxDaysOff of them are taken away.
  int64_t FirstWorkdayFrom(int64_t day) const {
    while (!IsWorkday(day)) ++day;
    return day;
  }

  // How many whole weeks after `day` hold no day off: a span of weeks without one holds
  // days_per_week working days and as many working intervals per week.
  int64_t WeeksBeforeDayOff(int64_t day) const {
    const auto next = std::upper_bound(schedule->days_off.begin(), schedule->days_off.end(), day);
    if (next == schedule->days_off.end()) return std::numeric_limits<int64_t>::max();
    return (*next - day - 1) / 7;
  }

  // Local time minus UTC at `t`, in seconds.
  int64_t OffsetAt(int64_t t) const {
    if (zone == nullptr) return fixed_offset;
    return zone->get_info(date::sys_seconds{std::chrono::seconds{t}}).offset.count();
  }

  int64_t Day(int64_t t) const { return FloorDiv(t + OffsetAt(t), kSecondsPerDay); }
  int64_t SecondOfDay(int64_t t) const { return FloorMod(t + OffsetAt(t), kSecondsPerDay); }

  // The UTC moment of a local time. A local time skipped by a daylight-saving switch gives the
  // switch; one that happens twice gives its first occurrence.
  int64_t At(int64_t day, int64_t second) const {
    const int64_t local = day * kSecondsPerDay + second;
    if (zone == nullptr) return local - fixed_offset;
    return zone->to_sys(date::local_seconds{std::chrono::seconds{local}}, date::choose::earliest)
        .time_since_epoch()
        .count();
  }

  const WorkSchedule* schedule = nullptr;
  const date::time_zone* zone = nullptr;
  int64_t fixed_offset = 0;
  int64_t start = 0;
  int64_t end = 0;
  int64_t days_per_week = 0;
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
  return HasValidWorkScheduleShape(schedule) &&
         (schedule.time_zone.empty() || FindWorkTimeZone(schedule.time_zone) != nullptr);
}

bool IsKnownTimeZone(std::string_view name) { return FindWorkTimeZone(name) != nullptr; }

int UtcOffsetMinutes(int64_t t, const WorkSchedule& schedule) {
  return static_cast<int>(Calendar(schedule).OffsetAt(t) / 60);
}

int64_t LocalDateStart(int year, int month, int day, const WorkSchedule& schedule) {
  return Calendar(schedule).At(DaysFromCivil(year, month, day), 0);
}

std::string FormatLocalTime(int64_t t, const WorkSchedule& schedule) {
  return FormatLocalTime(t, UtcOffsetMinutes(t, schedule));
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
  const int64_t per_week = calendar.days_per_week * (calendar.end - calendar.start);
  while (remaining > calendar.end - moment.second) {
    // Whole weeks at once up to the next day off; the loop steps over that one day by day.
    if (remaining > per_week) {
      const int64_t weeks =
          std::min((remaining - 1) / per_week, calendar.WeeksBeforeDayOff(moment.day));
      if (weeks > 0) {
        moment.day += weeks * 7;
        remaining -= weeks * per_week;
        continue;
      }
    }
    remaining -= calendar.end - moment.second;
    moment = {calendar.FirstWorkdayFrom(moment.day + 1), calendar.start};
  }
  return calendar.At(moment.day, moment.second + remaining);
}

int64_t AddWorkingDays(int64_t t, int days, const WorkSchedule& schedule) {
  const Calendar calendar(schedule);
  WorkingMoment moment = Clamp(t, calendar);
  int64_t remaining = std::max(days, 0);
  while (remaining > 0) {
    if (remaining > calendar.days_per_week) {
      const int64_t weeks = std::min((remaining - 1) / calendar.days_per_week,
                                     calendar.WeeksBeforeDayOff(moment.day));
      if (weeks > 0) {
        moment.day += weeks * 7;
        remaining -= weeks * calendar.days_per_week;
        continue;
      }
    }
    moment.day = calendar.FirstWorkdayFrom(moment.day + 1);
    --remaining;
  }
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
