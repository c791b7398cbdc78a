// The portal's working calendar: when a deal handed over "on another day" becomes due, when a
// stage norm counted in working hours runs out. Times are Unix seconds (UTC); the portal's zone
// is a fixed offset, and the civil calendar is computed here, not by the C library, so results
// do not depend on the machine's TZ. The caller passes `now`.
// Thread-safety: plain values and pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include "lib/core/error.h"

namespace core {

// One working interval a day, the same on every working day. Not representable: a day ending
// after midnight (night shifts) and public holidays (1 January counts as an ordinary Friday in
// 2027); a list of non-working dates would be a field of its own.
struct WorkSchedule {
  int tz_minutes = 180;  // local time minus UTC (Moscow +03:00 = 180)
  int day_start_minute = 9 * 60;
  int day_end_minute = 18 * 60;  // exclusive; at most 24 * 60
  std::array<bool, 7> workdays = {true, true, true, true, true, false, false};  // Monday first
};

// True when at least one day is a working day, 0 <= start < end <= 1440 and the offset is
// within ±14 hours. The functions below use the default schedule in place of an invalid one
// rather than loop or fail, so settings must be checked with this when they are saved.
bool IsValidSchedule(const WorkSchedule& schedule);

// Days from 1970-01-01 to the proleptic Gregorian date (negative before it). Months outside
// 1..12 carry into the year and days outside the month into the next or previous months, so
// 2026-02-30 is 2026-03-02.
int64_t DaysFromCivil(int year, int month, int day);

// Whether `t` falls inside a working interval [start, end) of a working day.
bool IsWorkingTime(int64_t t, const WorkSchedule& schedule);

// The portal's midnight that began the day `t` is in: where "today" starts for the rotation.
int64_t LocalDayStart(int64_t t, const WorkSchedule& schedule);

// `t` as the portal writes times: "2026-11-27T13:00:00+03:00" in the zone `tz_minutes`.
std::string FormatLocalTime(int64_t t, int tz_minutes);

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
