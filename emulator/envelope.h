// How Bitrix24 prints answers: PHP json_encode quirks (empty maps as `[]`, `\/` in strings),
// the `time` object and ISO-8601 dates with the portal's offset. REST.md §4.3–4.5.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace emu {

// Serialises like PHP's json_encode of arrays: an empty object prints as `[]`, slashes as `\/`.
// Takes the value to rewrite it in place: pass it moved when it is not needed afterwards.
std::string PhpJson(nlohmann::ordered_json value);

// "2024-08-30T14:29:00+03:00" for a unix time, in a zone `tz_minutes` east of UTC.
std::string FormatIsoTime(double unix_seconds, int tz_minutes);

// Parses ISO-8601 ("2024-08-30T14:29:00+03:00", "2024-08-30T14:29:00", "2024-08-30",
// "2024-08-30 14:29:00") into unix seconds; local forms are read in the portal zone.
// Returns false on anything else.
bool ParseIsoTime(const std::string& text, int tz_minutes, double& unix_seconds);

struct TimeInfo {
  double start = 0;
  double finish = 0;
  double operating = 0;
  long operating_reset_at = 0;
};

// Keys in the order Bitrix prints them (operating_reset_at before operating).
nlohmann::ordered_json TimeObject(const TimeInfo& time, int tz_minutes);

// The success envelope with keys in Bitrix's order: result, next, total, time.
std::string SuccessBody(nlohmann::ordered_json result, const long* next, const long* total,
                        const nlohmann::ordered_json& time);

}  // namespace emu
