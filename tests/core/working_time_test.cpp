#include "lib/core/working_time.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <catch2/catch.hpp>

namespace working_time_test {

namespace {

// Moscow, Monday to Friday 09:00–18:00: the default.
const core::WorkSchedule kMoscow{};

// -05:00 on the November dates below (daylight saving ends on 1 November 2026).
core::WorkSchedule NewYork() {
  core::WorkSchedule schedule;
  schedule.time_zone = "America/New_York";
  return schedule;
}

// Yekaterinburg (+05:00 all year), Tuesday to Saturday 10:00–19:00.
core::WorkSchedule TuesdayToSaturday() {
  core::WorkSchedule schedule;
  schedule.time_zone = "Asia/Yekaterinburg";
  schedule.day_start_minute = 10 * 60;
  schedule.day_end_minute = 19 * 60;
  schedule.workdays = {false, true, true, true, true, true, false};
  return schedule;
}

// Unix seconds of a local wall-clock time at the given offset. The calendar under it is checked
// against `date -u` in the first test.
int64_t At(int year, int month, int day, int hour, int minute, int tz_minutes = 180) {
  return core::DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 -
         tz_minutes * 60;
}

// Dates used below: 2026-11-23 is a Monday, 2026-11-27 a Friday, 2026-12-31 a Thursday,
// 2026-01-30 a Friday, 2026-02-28 a Saturday.
struct Row {
  const char* what;
  core::WorkSchedule schedule;
  int64_t t;
  int64_t expected;
};

}  // namespace

TEST_CASE("civil dates convert to days since the epoch") {
  struct DateRow {
    int year, month, day;
    int64_t days;  // from `date -u -d YYYY-MM-DD +%s` / 86400 (and Python for 2400)
  };
  const DateRow rows[] = {
      {1970, 1, 1, 0},       {1969, 12, 31, -1},    {2000, 3, 1, 11017},  {2024, 2, 29, 19782},
      {2026, 11, 27, 20784}, {2026, 11, 23, 20780}, {1900, 3, 1, -25508}, {2400, 2, 29, 157113},
  };
  for (const auto& row : rows) {
    INFO(row.year << "-" << row.month << "-" << row.day);
    CHECK(core::DaysFromCivil(row.year, row.month, row.day) == row.days);
  }
  // Out-of-range months and days carry over.
  CHECK(core::DaysFromCivil(2026, 2, 30) == core::DaysFromCivil(2026, 3, 2));
  CHECK(core::DaysFromCivil(2026, 13, 1) == core::DaysFromCivil(2027, 1, 1));
  CHECK(core::DaysFromCivil(2026, 0, 1) == core::DaysFromCivil(2025, 12, 1));
  CHECK(core::DaysFromCivil(2026, 3, 0) == core::DaysFromCivil(2026, 2, 28));
  CHECK(core::DaysFromCivil(2024, 3, 0) == core::DaysFromCivil(2024, 2, 29));
}

TEST_CASE("a schedule is valid only when it can ever be at work") {
  auto with = [](auto change) {
    core::WorkSchedule schedule;
    change(schedule);
    return schedule;
  };
  struct ValidityRow {
    const char* what;
    core::WorkSchedule schedule;
    bool valid;
  };
  const ValidityRow rows[] = {
      {"default", kMoscow, true},
      {"other zone and days", TuesdayToSaturday(), true},
      {"no working day", with([](auto& s) { s.workdays = {}; }), false},
      {"empty day", with([](auto& s) { s.day_end_minute = s.day_start_minute; }), false},
      {"ends before it starts", with([](auto& s) { s.day_end_minute = 8 * 60; }), false},
      {"whole day", with([](auto& s) {
         s.day_start_minute = 0;
         s.day_end_minute = 1440;
       }),
       true},
      {"starts before midnight", with([](auto& s) { s.day_start_minute = -1; }), false},
      {"ends after midnight", with([](auto& s) { s.day_end_minute = 1441; }), false},
      {"fixed UTC-14", with([](auto& s) {
         s.time_zone.clear();
         s.tz_minutes = -840;
       }),
       true},
      {"fixed UTC+14:01", with([](auto& s) {
         s.time_zone.clear();
         s.tz_minutes = 841;
       }),
       false},
      {"a zone makes the offset unused", with([](auto& s) { s.tz_minutes = 841; }), true},
      {"unknown zone", with([](auto& s) { s.time_zone = "Europe/Atlantis"; }), false},
      {"zone names are case-sensitive", with([](auto& s) { s.time_zone = "europe/berlin"; }),
       false},
      {"a path is not a zone", with([](auto& s) { s.time_zone = "../../../etc/passwd"; }), false},
      {"days off", with([](auto& s) {
         s.days_off = {20819, 20820};
       }),
       true},
      {"days off out of order", with([](auto& s) {
         s.days_off = {20820, 20819};
       }),
       false},
      {"a day off twice", with([](auto& s) {
         s.days_off = {20819, 20819};
       }),
       false},
      {"too many days off", with([](auto& s) {
         for (int64_t d = 0; d <= static_cast<int64_t>(core::kMaxDaysOff); ++d) {
           s.days_off.push_back(d);
         }
       }),
       false},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::IsValidSchedule(row.schedule) == row.valid);
  }
  // An invalid schedule behaves as the default instead of looping.
  const int64_t t = At(2026, 11, 27, 19, 0);
  CHECK(core::NextWorkdayStart(t, rows[2].schedule) == core::NextWorkdayStart(t, kMoscow));
  CHECK(core::AddWorkingHours(t, 3, rows[3].schedule) == core::AddWorkingHours(t, 3, kMoscow));
  CHECK(core::AddWorkingDays(t, 3, rows[4].schedule) == core::AddWorkingDays(t, 3, kMoscow));
  // So does one whose zone the tz database does not know, and nothing throws.
  core::WorkSchedule atlantis;
  atlantis.time_zone = "Europe/Atlantis";
  atlantis.tz_minutes = 0;
  CHECK(core::AddWorkingHours(t, 3, atlantis) == core::AddWorkingHours(t, 3, kMoscow));
  CHECK(core::LocalDayStart(t, atlantis) == core::LocalDayStart(t, kMoscow));
  CHECK_FALSE(core::IsKnownTimeZone("Europe/Atlantis"));
  CHECK_FALSE(core::IsKnownTimeZone(""));
  CHECK(core::IsKnownTimeZone("Europe/Berlin"));
}

TEST_CASE("a day starts at the portal's midnight, not UTC's") {
  const Row rows[] = {
      {"Moscow noon", kMoscow, At(2026, 11, 24, 12, 0), At(2026, 11, 24, 0, 0)},
      {"Moscow 00:30 is 21:30 UTC the day before", kMoscow, At(2026, 11, 24, 0, 30),
       At(2026, 11, 24, 0, 0)},
      {"midnight itself", kMoscow, At(2026, 11, 24, 0, 0), At(2026, 11, 24, 0, 0)},
      {"New York 23:30", NewYork(), At(2026, 11, 23, 23, 30, -300), At(2026, 11, 23, 0, 0, -300)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::LocalDayStart(row.t, row.schedule) == row.expected);
  }
}

TEST_CASE("working time is inside the day's interval of a working day") {
  struct TimeRow {
    const char* what;
    core::WorkSchedule schedule;
    int64_t t;
    bool working;
  };
  const TimeRow rows[] = {
      {"Tuesday 09:00", kMoscow, At(2026, 11, 24, 9, 0), true},
      {"Tuesday 08:59", kMoscow, At(2026, 11, 24, 8, 59), false},
      {"Tuesday 17:59", kMoscow, At(2026, 11, 24, 17, 59), true},
      {"Tuesday 18:00 (the end is exclusive)", kMoscow, At(2026, 11, 24, 18, 0), false},
      {"Saturday noon", kMoscow, At(2026, 11, 28, 12, 0), false},
      {"Monday 06:00 UTC is 09:00 in Moscow", kMoscow, At(2026, 11, 23, 6, 0, 0), true},
      {"and 01:00 in New York", NewYork(), At(2026, 11, 23, 6, 0, 0), false},
      {"New York Monday 23:30 is Tuesday in UTC", NewYork(), At(2026, 11, 23, 23, 30, -300), false},
      {"New York Friday 17:30 is Friday 22:30 UTC", NewYork(), At(2026, 11, 27, 17, 30, -300),
       true},
      {"Saturday noon, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 28, 12, 0, 300),
       true},
      {"Monday noon, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 23, 12, 0, 300),
       false},
      {"Tuesday 09:30, days start at 10:00", TuesdayToSaturday(), At(2026, 11, 24, 9, 30, 300),
       false},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::IsWorkingTime(row.t, row.schedule) == row.working);
  }
}

TEST_CASE("the next workday start is the first start at or after t") {
  const Row rows[] = {
      {"Tuesday 08:00", kMoscow, At(2026, 11, 24, 8, 0), At(2026, 11, 24, 9, 0)},
      {"Tuesday 09:00 exactly", kMoscow, At(2026, 11, 24, 9, 0), At(2026, 11, 24, 9, 0)},
      {"Tuesday 10:00", kMoscow, At(2026, 11, 24, 10, 0), At(2026, 11, 25, 9, 0)},
      {"Friday 19:00", kMoscow, At(2026, 11, 27, 19, 0), At(2026, 11, 30, 9, 0)},
      {"Saturday 08:00", kMoscow, At(2026, 11, 28, 8, 0), At(2026, 11, 30, 9, 0)},
      {"Sunday 23:59", kMoscow, At(2026, 11, 29, 23, 59), At(2026, 11, 30, 9, 0)},
      {"Monday 23:00 UTC is Tuesday 02:00 in Moscow", kMoscow, At(2026, 11, 23, 23, 0, 0),
       At(2026, 11, 24, 9, 0)},
      {"year end", kMoscow, At(2026, 12, 31, 12, 0), At(2027, 1, 1, 9, 0)},
      {"new year's Friday afternoon", kMoscow, At(2027, 1, 1, 10, 0), At(2027, 1, 4, 9, 0)},
      {"month end", kMoscow, At(2026, 1, 30, 12, 0), At(2026, 2, 2, 9, 0)},
      {"New York Friday 20:00 is Saturday in UTC", NewYork(), At(2026, 11, 27, 20, 0, -300),
       At(2026, 11, 30, 9, 0, -300)},
      {"New York Monday 08:00", NewYork(), At(2026, 11, 30, 8, 0, -300),
       At(2026, 11, 30, 9, 0, -300)},
      {"Friday 12:00, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 27, 12, 0, 300),
       At(2026, 11, 28, 10, 0, 300)},
      {"Saturday 12:00, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 28, 12, 0, 300),
       At(2026, 12, 1, 10, 0, 300)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::NextWorkdayStart(row.t, row.schedule) == row.expected);
  }
}

TEST_CASE("a date's workday start moves past days off") {
  struct DateRow {
    const char* what;
    core::WorkSchedule schedule;
    int year, month, day;
    int64_t expected;
  };
  const DateRow rows[] = {
      {"Friday", kMoscow, 2026, 11, 27, At(2026, 11, 27, 9, 0)},
      {"Saturday", kMoscow, 2026, 11, 28, At(2026, 11, 30, 9, 0)},
      {"Sunday", kMoscow, 2026, 11, 29, At(2026, 11, 30, 9, 0)},
      {"year's last day", kMoscow, 2026, 12, 31, At(2026, 12, 31, 9, 0)},
      {"first Saturday of the year", kMoscow, 2027, 1, 2, At(2027, 1, 4, 9, 0)},
      {"last day of February, a Saturday", kMoscow, 2026, 2, 28, At(2026, 3, 2, 9, 0)},
      {"leap day", kMoscow, 2024, 2, 29, At(2024, 2, 29, 9, 0)},
      {"New York", NewYork(), 2026, 11, 27, At(2026, 11, 27, 14, 0, 0)},
      {"Monday, Tuesday to Saturday", TuesdayToSaturday(), 2026, 11, 30,
       At(2026, 12, 1, 10, 0, 300)},
      {"Saturday, Tuesday to Saturday", TuesdayToSaturday(), 2026, 11, 28,
       At(2026, 11, 28, 5, 0, 0)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::WorkdayStartOfDate(row.year, row.month, row.day, row.schedule) == row.expected);
  }
}

TEST_CASE("working hours are counted inside working intervals only") {
  struct HoursRow {
    const char* what;
    core::WorkSchedule schedule;
    int64_t t;
    double hours;
    int64_t expected;
  };
  const HoursRow rows[] = {
      {"Friday 17:00 + 2h", kMoscow, At(2026, 11, 27, 17, 0), 2, At(2026, 11, 30, 10, 0)},
      {"Friday 17:00 + 1h ends the day", kMoscow, At(2026, 11, 27, 17, 0), 1,
       At(2026, 11, 27, 18, 0)},
      {"Tuesday 10:00 + 3.5h", kMoscow, At(2026, 11, 24, 10, 0), 3.5, At(2026, 11, 24, 13, 30)},
      {"Tuesday 17:30 + 45 min", kMoscow, At(2026, 11, 24, 17, 30), 0.75, At(2026, 11, 25, 9, 15)},
      {"Friday 17:59 + 1 min", kMoscow, At(2026, 11, 27, 17, 59), 1.0 / 60,
       At(2026, 11, 27, 18, 0)},
      {"before the start", kMoscow, At(2026, 11, 24, 8, 0), 1, At(2026, 11, 24, 10, 0)},
      {"after the end", kMoscow, At(2026, 11, 24, 19, 0), 1, At(2026, 11, 25, 10, 0)},
      {"Saturday + a whole day", kMoscow, At(2026, 11, 28, 12, 0), 9, At(2026, 11, 30, 18, 0)},
      {"a whole day", kMoscow, At(2026, 11, 24, 10, 0), 9, At(2026, 11, 25, 10, 0)},
      {"a whole week", kMoscow, At(2026, 11, 24, 10, 0), 45, At(2026, 12, 1, 10, 0)},
      {"two weeks", kMoscow, At(2026, 11, 24, 10, 0), 90, At(2026, 12, 8, 10, 0)},
      {"a week from Monday's start ends on Friday", kMoscow, At(2026, 11, 23, 9, 0), 45,
       At(2026, 11, 27, 18, 0)},
      {"two weeks from Monday's start", kMoscow, At(2026, 11, 23, 9, 0), 90,
       At(2026, 12, 4, 18, 0)},
      {"over the year end", kMoscow, At(2026, 12, 31, 17, 0), 2, At(2027, 1, 1, 10, 0)},
      {"over the month end", kMoscow, At(2026, 1, 30, 17, 0), 2, At(2026, 2, 2, 10, 0)},
      {"zero hours in working time", kMoscow, At(2026, 11, 24, 12, 0), 0, At(2026, 11, 24, 12, 0)},
      {"zero hours at the end of the day", kMoscow, At(2026, 11, 24, 18, 0), 0,
       At(2026, 11, 24, 18, 0)},
      {"zero hours on Saturday", kMoscow, At(2026, 11, 28, 12, 0), 0, At(2026, 11, 30, 9, 0)},
      {"negative hours", kMoscow, At(2026, 11, 24, 12, 0), -5, At(2026, 11, 24, 12, 0)},
      {"not a number", kMoscow, At(2026, 11, 24, 12, 0), std::nan(""), At(2026, 11, 24, 12, 0)},
      {"New York Friday 17:00 + 2h", NewYork(), At(2026, 11, 27, 17, 0, -300), 2,
       At(2026, 11, 30, 10, 0, -300)},
      {"Saturday 18:00 + 2h, Tuesday to Saturday", TuesdayToSaturday(),
       At(2026, 11, 28, 18, 0, 300), 2, At(2026, 12, 1, 11, 0, 300)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::AddWorkingHours(row.t, row.hours, row.schedule) == row.expected);
  }
  // Absurd amounts are capped instead of overflowing.
  const int64_t t = At(2026, 11, 24, 12, 0);
  CHECK(core::AddWorkingHours(t, 1e300, kMoscow) == core::AddWorkingHours(t, 1e6, kMoscow));
  CHECK(core::AddWorkingHours(t, 1e6, kMoscow) > t);
}

TEST_CASE("working days keep the time of day") {
  struct DaysRow {
    const char* what;
    core::WorkSchedule schedule;
    int64_t t;
    int days;
    int64_t expected;
  };
  const DaysRow rows[] = {
      {"Tuesday noon + 1", kMoscow, At(2026, 11, 24, 12, 0), 1, At(2026, 11, 25, 12, 0)},
      {"Friday noon + 1", kMoscow, At(2026, 11, 27, 12, 0), 1, At(2026, 11, 30, 12, 0)},
      {"Friday 19:00 + 1 counts from Monday's start", kMoscow, At(2026, 11, 27, 19, 0), 1,
       At(2026, 12, 1, 9, 0)},
      {"Tuesday 08:00 + 1 is clamped to the start", kMoscow, At(2026, 11, 24, 8, 0), 1,
       At(2026, 11, 25, 9, 0)},
      {"Tuesday 18:00 + 1 keeps the end", kMoscow, At(2026, 11, 24, 18, 0), 1,
       At(2026, 11, 25, 18, 0)},
      {"Saturday noon + 1", kMoscow, At(2026, 11, 28, 12, 0), 1, At(2026, 12, 1, 9, 0)},
      {"Tuesday noon + 5", kMoscow, At(2026, 11, 24, 12, 0), 5, At(2026, 12, 1, 12, 0)},
      {"Tuesday noon + 6", kMoscow, At(2026, 11, 24, 12, 0), 6, At(2026, 12, 2, 12, 0)},
      {"Tuesday noon + 10", kMoscow, At(2026, 11, 24, 12, 0), 10, At(2026, 12, 8, 12, 0)},
      {"Tuesday noon + 1000 is 200 weeks later", kMoscow, At(2026, 11, 24, 12, 0), 1000,
       At(2030, 9, 24, 12, 0)},
      {"over the year end", kMoscow, At(2026, 12, 31, 15, 0), 1, At(2027, 1, 1, 15, 0)},
      {"over the year end and a weekend", kMoscow, At(2026, 12, 31, 15, 0), 2,
       At(2027, 1, 4, 15, 0)},
      {"over the month end", kMoscow, At(2026, 1, 30, 10, 0), 1, At(2026, 2, 2, 10, 0)},
      {"zero days in working time", kMoscow, At(2026, 11, 24, 12, 0), 0, At(2026, 11, 24, 12, 0)},
      {"zero days on Saturday", kMoscow, At(2026, 11, 28, 12, 0), 0, At(2026, 11, 30, 9, 0)},
      {"negative days only clamp", kMoscow, At(2026, 11, 24, 7, 0), -3, At(2026, 11, 24, 9, 0)},
      {"New York Friday 16:00 + 1", NewYork(), At(2026, 11, 27, 16, 0, -300), 1,
       At(2026, 11, 30, 16, 0, -300)},
      {"New York Friday 20:00 (Saturday in UTC) + 1", NewYork(), At(2026, 11, 27, 20, 0, -300), 1,
       At(2026, 12, 1, 9, 0, -300)},
      {"Saturday noon + 1, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 28, 12, 0, 300),
       1, At(2026, 12, 1, 12, 0, 300)},
      {"Monday noon + 1, Tuesday to Saturday", TuesdayToSaturday(), At(2026, 11, 30, 12, 0, 300), 1,
       At(2026, 12, 2, 10, 0, 300)},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::AddWorkingDays(row.t, row.days, row.schedule) == row.expected);
  }
}

TEST_CASE("Bitrix24 date values parse into a calendar date") {
  struct DateRow {
    const char* text;
    int year, month, day;  // 0: refused
  };
  const DateRow rows[] = {
      {"2026-11-27", 2026, 11, 27},
      {"2026-11-27T00:00:00+03:00", 2026, 11, 27},
      {"2026-11-27T23:59:59-05:00", 2026, 11, 27},
      {"2026-11-27T00:00:00Z", 2026, 11, 27},
      {"2026-11-27T00:00:00", 2026, 11, 27},
      {"27.11.2026", 2026, 11, 27},
      {"01.01.2027", 2027, 1, 1},
      {"29.02.2024", 2024, 2, 29},
      {"2024-02-29", 2024, 2, 29},
      {"", 0, 0, 0},
      {"29.02.2026", 0, 0, 0},
      {"2026-02-29", 0, 0, 0},
      {"2026-11-31", 0, 0, 0},
      {"2026-13-01", 0, 0, 0},
      {"2026-00-10", 0, 0, 0},
      {"2026-11-00", 0, 0, 0},
      {"0000-01-01", 0, 0, 0},
      {" 2026-11-27", 0, 0, 0},
      {"2026-11-27 ", 0, 0, 0},
      {"2026/11/27", 0, 0, 0},
      {"2026-1-27", 0, 0, 0},
      {"+026-11-27", 0, 0, 0},
      {"27.11.26", 0, 0, 0},
      {"27-11-2026", 0, 0, 0},
      {"2026-11-27T", 0, 0, 0},
      {"2026-11-27 00:00:00", 0, 0, 0},
      {"2026-11-27T24:00:00+03:00", 0, 0, 0},
      {"2026-11-27T00:00:00+3", 0, 0, 0},
      {"2026-11-27T00:00:00+15:00", 0, 0, 0},
      {"2026-11-27T00:00:00+03:00x", 0, 0, 0},
      {"завтра", 0, 0, 0},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto date = core::ParseDate(row.text);
    if (row.year == 0) {
      REQUIRE_FALSE(date);
      CHECK(date.error().code == core::ErrorCode::kInvalidArgument);
    } else {
      REQUIRE(date);
      CHECK(*date == std::make_tuple(row.year, row.month, row.day));
    }
  }
}

TEST_CASE("a lead ready on another day is due at that day's start") {
  // The date field arrives as the portal writes it; the hand-over is due when the closers'
  // working day begins, or on the next working day.
  struct DueRow {
    const char* value;
    int64_t due;
  };
  const DueRow rows[] = {
      {"2026-11-27T00:00:00+03:00", At(2026, 11, 27, 9, 0)},
      {"28.11.2026", At(2026, 11, 30, 9, 0)},
      {"2026-12-31", At(2026, 12, 31, 9, 0)},
  };
  for (const auto& row : rows) {
    INFO(row.value);
    const auto date = core::ParseDate(row.value);
    REQUIRE(date);
    const auto [year, month, day] = *date;
    CHECK(core::WorkdayStartOfDate(year, month, day, kMoscow) == row.due);
  }
}

// Issue 16, item 7: the portal's zone with its daylight saving. Berlin is +01:00 in winter and
// +02:00 from 02:00 on the last Sunday of March (2027-03-28) to 03:00 on the last Sunday of
// October (2027-10-31).
core::WorkSchedule Berlin() {
  core::WorkSchedule schedule;
  schedule.time_zone = "Europe/Berlin";
  return schedule;
}

TEST_CASE("issue 16: working time follows the zone's daylight saving") {
  const core::WorkSchedule berlin = Berlin();
  CHECK(core::UtcOffsetMinutes(At(2027, 1, 15, 12, 0, 60), berlin) == 60);
  CHECK(core::UtcOffsetMinutes(At(2027, 7, 15, 12, 0, 120), berlin) == 120);
  // The switch at 01:00 UTC.
  CHECK(core::UtcOffsetMinutes(At(2027, 3, 28, 1, 0, 0) - 1, berlin) == 60);
  CHECK(core::UtcOffsetMinutes(At(2027, 3, 28, 1, 0, 0), berlin) == 120);

  const Row hours[] = {
      // Friday 17:00 (+01:00) + 2 working hours is Monday 10:00 (+02:00): 08:00 UTC, an hour
      // earlier in UTC than a fixed offset would say.
      {"Friday 17:00 + 2h across the March switch", berlin, At(2027, 3, 26, 17, 0, 60),
       At(2027, 3, 29, 10, 0, 120)},
      {"Friday 17:00 + 2h across the October switch", berlin, At(2027, 10, 29, 17, 0, 120),
       At(2027, 11, 1, 10, 0, 60)},
  };
  for (const auto& row : hours) {
    INFO(row.what);
    CHECK(core::AddWorkingHours(row.t, 2, row.schedule) == row.expected);
  }
  // A week of working days from winter into summer keeps the local time of day.
  CHECK(core::AddWorkingDays(At(2027, 3, 24, 15, 0, 60), 5, berlin) == At(2027, 3, 31, 15, 0, 120));
  CHECK(core::NextWorkdayStart(At(2027, 3, 26, 19, 0, 60), berlin) == At(2027, 3, 29, 9, 0, 120));

  // Midnights after the switch are 22:00 UTC, before it 23:00 UTC.
  CHECK(core::LocalDayStart(At(2027, 3, 29, 12, 0, 120), berlin) == At(2027, 3, 29, 0, 0, 120));
  CHECK(core::LocalDayStart(At(2027, 3, 28, 12, 0, 120), berlin) == At(2027, 3, 28, 0, 0, 60));
  CHECK(core::LocalDateStart(2027, 3, 29, berlin) == At(2027, 3, 29, 0, 0, 120));
  CHECK(core::LocalDateStart(2027, 11, 1, berlin) == At(2027, 11, 1, 0, 0, 60));
  CHECK(core::FormatLocalTime(At(2027, 3, 29, 10, 0, 120), berlin) == "2027-03-29T10:00:00+02:00");
  CHECK(core::FormatLocalTime(At(2027, 3, 26, 10, 0, 60), berlin) == "2027-03-26T10:00:00+01:00");
}

TEST_CASE("issue 16: a working start the clocks skip or repeat") {
  core::WorkSchedule night = Berlin();
  night.workdays = {true, true, true, true, true, true, true};
  night.day_start_minute = 2 * 60 + 30;
  // 02:30 does not happen on 2027-03-28: the day starts when the clocks jump, 01:00 UTC.
  CHECK(core::WorkdayStartOfDate(2027, 3, 28, night) == At(2027, 3, 28, 1, 0, 0));
  // 02:30 happens twice on 2027-10-31: the first time, in summer time.
  CHECK(core::WorkdayStartOfDate(2027, 10, 31, night) == At(2027, 10, 31, 2, 30, 120));
}

TEST_CASE("issue 16: days off are not working days") {
  // The Russian new-year holidays of 2027: Friday 1 January and Monday 4 to Friday 8 January.
  core::WorkSchedule holidays;
  for (int day : {1, 2, 3, 4, 5, 6, 7, 8})
    holidays.days_off.push_back(core::DaysFromCivil(2027, 1, day));
  const int64_t thursday_noon = At(2026, 12, 31, 12, 0);
  CHECK(core::IsWorkingTime(thursday_noon, holidays));
  CHECK_FALSE(core::IsWorkingTime(At(2027, 1, 5, 12, 0), holidays));
  CHECK(core::IsWorkingTime(At(2027, 1, 5, 12, 0), kMoscow));
  CHECK(core::AddWorkingDays(thursday_noon, 1, holidays) == At(2027, 1, 11, 12, 0));
  CHECK(core::AddWorkingDays(thursday_noon, 1, kMoscow) == At(2027, 1, 1, 12, 0));
  CHECK(core::AddWorkingDays(At(2027, 1, 5, 12, 0), 0, holidays) == At(2027, 1, 11, 9, 0));
  CHECK(core::NextWorkdayStart(At(2026, 12, 31, 19, 0), holidays) == At(2027, 1, 11, 9, 0));
  CHECK(core::WorkdayStartOfDate(2027, 1, 4, holidays) == At(2027, 1, 11, 9, 0));
  CHECK(core::AddWorkingHours(At(2026, 12, 31, 17, 0), 2, holidays) == At(2027, 1, 11, 10, 0));
}

// Days counted one by one, for the whole-week shortcut to be checked against: Monday to
// Friday, `off` excluded.
int64_t WorkingDayAfterOracle(int64_t day, int64_t count, const std::vector<int64_t>& off) {
  while (count > 0) {
    ++day;
    const int64_t weekday = ((day % 7) + 7 + 3) % 7;
    if (weekday < 5 && std::find(off.begin(), off.end(), day) == off.end()) --count;
  }
  return day;
}

TEST_CASE("issue 16: whole weeks are skipped only up to a day off") {
  core::WorkSchedule schedule;
  schedule.days_off = {core::DaysFromCivil(2026, 12, 31), core::DaysFromCivil(2027, 1, 1),
                       core::DaysFromCivil(2027, 3, 8), core::DaysFromCivil(2027, 5, 3)};
  const int64_t monday = core::DaysFromCivil(2026, 11, 23);
  for (int days = 0; days <= 200; ++days) {
    INFO(days << " working days");
    const int64_t day = WorkingDayAfterOracle(monday, days, schedule.days_off);
    CHECK(core::AddWorkingDays(At(2026, 11, 23, 11, 0), days, schedule) ==
          day * 86400 + 11 * 3600 - 180 * 60);
    // Nine working hours a day: 9 * n hours from 09:00 end at 18:00 of the n-th working day
    // counting this one.
    if (days > 0) {
      CHECK(core::AddWorkingHours(At(2026, 11, 23, 9, 0), 9.0 * days, schedule) ==
            WorkingDayAfterOracle(monday - 1, days, schedule.days_off) * 86400 + 18 * 3600 -
                180 * 60);
    }
  }
}

TEST_CASE("issue 16: a calendar of days off only still ends") {
  // Mondays only, and the next 1000 Mondays off: the first working day is 1000 weeks away.
  core::WorkSchedule mondays;
  mondays.workdays = {true, false, false, false, false, false, false};
  const int64_t first = core::DaysFromCivil(2026, 11, 30);
  for (int64_t week = 0; week < static_cast<int64_t>(core::kMaxDaysOff); ++week) {
    mondays.days_off.push_back(first + week * 7);
  }
  REQUIRE(core::IsValidSchedule(mondays));
  const int64_t free_monday = first + static_cast<int64_t>(core::kMaxDaysOff) * 7;
  const int64_t t = At(2026, 11, 27, 12, 0);
  CHECK(core::NextWorkdayStart(t, mondays) == free_monday * 86400 + 9 * 3600 - 180 * 60);
  CHECK(core::AddWorkingDays(t, 1, mondays) == (free_monday + 7) * 86400 + 9 * 3600 - 180 * 60);
  CHECK(core::AddWorkingHours(t, 10, mondays) == (free_monday + 7) * 86400 + 10 * 3600 - 180 * 60);
  CHECK(core::AddWorkingHours(t, 1e6, mondays) > t);
  CHECK(core::AddWorkingDays(t, 1 << 30, mondays) > t);
}

}  // namespace working_time_test
