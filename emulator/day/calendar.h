// The portal's calendar for the simulated day: virtual time is unix seconds, shown and
// reasoned about in the portal's zone (minutes east of UTC); the working week is Monday to
// Friday, 09:00-18:00. Pure functions. Thread-safety: stateless.
#pragma once

#include <string>

namespace day {

struct LocalTime {
  int year = 1970;
  int month = 1;    // 1..12
  int day = 1;      // 1..31
  int weekday = 3;  // 0 Monday .. 6 Sunday
  int hour = 0;
  int minute = 0;
  int second = 0;
};

struct Calendar {
  int tz_minutes = 180;  // Moscow
  int day_start_minute = 9 * 60;
  int day_end_minute = 18 * 60;

  LocalTime Local(double unix_seconds) const;
  // The instant of hh:mm on the local day of `t`.
  double At(double t, int hour, int minute) const;
  // The first Monday hh:mm strictly after `t`.
  double NextMondayAt(double t, int hour, int minute) const;
  // hh:mm of the first working day after the local day of `t`.
  double NextWorkingDayAt(double t, int hour, int minute) const;
  bool IsWorkingDay(double t) const;
  // `start` plus `seconds` of working time: time outside 09:00-18:00 on working days does not
  // count, so that what is due after hours happens the next working morning.
  double AddWorkingTime(double start, double seconds) const;

  std::string HourMinute(double t) const;  // "11:42"
  std::string DayTime(double t) const;     // "Tue 09:00:12"
  std::string Date(double t) const;        // "2026-12-08"
  std::string Iso(double t) const;         // "2026-12-08T09:00:12+03:00"
};

}  // namespace day
