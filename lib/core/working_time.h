// The portal's working calendar: when a deal handed over "on another day" becomes due, when a
// stage norm counted in working hours runs out. Times are Unix seconds (UTC); the portal's zone
// is an IANA zone with its daylight saving, read through Howard Hinnant's date/tz from the
// system's tz database (/usr/share/zoneinfo), never from the machine's TZ. The caller passes
// `now`.
// Thread-safety: plain values and pure functions (date/tz loads a zone once, thread-safely).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "lib/core/error.h"

namespace core {

// At most this many non-working dates in a schedule.
inline constexpr size_t kMaxDaysOff = 1000;

// One working interval a day, the same on every working day, in the portal's local time. Not
// representable: a day ending after midnight (night shifts). Working time is counted on the
// wall clock: an interval that contains a daylight-saving switch counts its nominal length.
struct WorkSchedule {
  // An IANA zone name ("Europe/Moscow", "Europe/Berlin"). Empty only in settings written before
  // zones existed; then `tz_minutes` is the zone, a fixed offset.
  std::string time_zone = "Europe/Moscow";
  // Local time minus UTC in minutes, read only when `time_zone` is empty (and, for the default
  // schedule, on a machine without a tz database).
  int tz_minutes = 180;
  int day_start_minute = 9 * 60;
  int day_end_minute = 18 * 60;  // exclusive; at most 24 * 60
  std::array<bool, 7> workdays = {true, true, true, true, true, false, false};  // Monday first
  // Local dates that are not working days whatever their weekday (public holidays), as days
  // since 1970-01-01 (DaysFromCivil), ascending, without repeats, at most kMaxDaysOff.
  std::vector<int64_t> days_off;
};

// True when at least one weekday is a working day, 0 <= start < end <= 1440, the zone is one the
// tz database knows (or, with no zone, the offset is within ±14 hours) and days_off is as
// described above. The functions below use the default schedule in place of an invalid one
// rather than loop or fail, so settings must be checked with this when they are saved.
bool IsValidSchedule(const WorkSchedule& schedule);

// Whether the tz database knows the IANA zone `name`. False for an empty name, and when the
// system has no tz database.
bool IsKnownTimeZone(std::string_view name);

// Local time minus UTC at `t`, in minutes, in the schedule's zone.
int UtcOffsetMinutes(int64_t t, const WorkSchedule& schedule);

// The first moment of the local date (its midnight, or the end of a daylight-saving gap that
// swallows midnight). Dates out of range carry as in DaysFromCivil.
int64_t LocalDateStart(int year, int month, int day, const WorkSchedule& schedule);

// Days from 1970-01-01 to the proleptic Gregorian date (negative before it). Months outside
// 1..12 carry into the year and days outside the month into the next or previous months, so
// 2026-02-30 is 2026-03-02.
int64_t DaysFromCivil(int year, int month, int day);

// Whether `t` falls inside a working interval [start, end) of a working day (a working weekday
// not in days_off; the same meaning below).
bool IsWorkingTime(int64_t t, const WorkSchedule& schedule);

// The portal's midnight that began the day `t` is in: where "today" starts for the rotation.
int64_t LocalDayStart(int64_t t, const WorkSchedule& schedule);

// `t` as the portal writes times: "2026-11-27T13:00:00+03:00" in the zone `tz_minutes`.
std::string FormatLocalTime(int64_t t, int tz_minutes);

// `t` as above with the schedule zone's offset at `t`.
std::string FormatLocalTime(int64_t t, const WorkSchedule& schedule);

// Unix seconds of a time the portal wrote ("2026-11-27T13:00:00+03:00", the inverse of
// FormatLocalTime). Fails with kInvalidArgument for anything else.
[[nodiscard]] Result<int64_t> ParseLocalTime(std::string_view text);

// The start of the first working day whose start is at or after `t`: 08:00 Tuesday gives 09:00
// Tuesday, 10:00 Tuesday gives 09:00 Wednesday.
int64_t NextWorkdayStart(int64_t t, const WorkSchedule& schedule);

// The start of the working day on the given local date, or of the next working day when the
// date is a day off.
int64_t WorkdayStartOfDate(int year, int month, int day, const WorkSchedule& schedule);

// The moment when `hours` of working time have passed since `t`, counting none outside working
// intervals: Friday 17:00 + 2 hours is Monday 10:00. Running out exactly at the end of a day
// gives that end (Friday 18:00), not the next start. Hours of 0 or less give `t` itself when it
// is inside [start, end] of a working day, else the next start; more than a million hours
// count as a million.
int64_t AddWorkingHours(int64_t t, double hours, const WorkSchedule& schedule);

// The same local time of day `days` working days later. `t` is first clamped into working
// hours: before the start it counts as the start, after the end or on a day off as the next
// working day's start, so Friday 19:00 + 1 day is Tuesday 09:00. Days of 0 or less only clamp.
int64_t AddWorkingDays(int64_t t, int days, const WorkSchedule& schedule);

// (year, month, day) of a Bitrix24 date value: "2026-11-27", "2026-11-27T00:00:00+03:00" (the
// date as written; the time and offset are checked but not applied) or "27.11.2026". Fails with
// kInvalidArgument for anything else, including an empty value and dates that do not exist.
[[nodiscard]] Result<std::tuple<int, int, int>> ParseDate(std::string_view text);

}  // namespace core
