#include "emulator/envelope.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

namespace emu {
namespace {

void EmptyMapsAsLists(nlohmann::ordered_json& value) {
  if (value.is_object()) {
    if (value.empty()) {
      value = nlohmann::ordered_json::array();
      return;
    }
    for (auto& item : value.items()) EmptyMapsAsLists(item.value());
  } else if (value.is_array()) {
    for (auto& item : value) EmptyMapsAsLists(item);
  }
}

// Days since 1970-01-01 for a civil date (Howard Hinnant's algorithm).
long DaysFromCivil(long y, long m, long d) {
  y -= m <= 2 ? 1 : 0;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const long yoe = y - era * 400;
  const long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

}  // namespace

// Re-escapes dumped JSON text as Bitrix prints it.
static std::string PhpEscape(const std::string& text) {
  // Bitrix encodes with JSON_HEX_TAG|AMP|APOS|QUOT and escaped slashes; non-ASCII stays raw.
  std::string out;
  out.reserve(text.size() + 16);
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (!in_string) {
      if (c == '"') in_string = true;
      out.push_back(c);
      continue;
    }
    switch (c) {
      case '"':
        in_string = false;
        out.push_back(c);
        break;
      case '\\':
        if (i + 1 < text.size() && text[i + 1] == '"') {
          out += "\\u0022";
        } else {
          out.push_back(c);
          if (i + 1 < text.size()) out.push_back(text[i + 1]);
        }
        ++i;
        break;
      case '/':
        out += "\\/";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '\'':
        out += "\\u0027";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string PhpJson(nlohmann::ordered_json value) {
  EmptyMapsAsLists(value);
  return PhpEscape(value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace));
}

std::string FormatIsoTime(double unix_seconds, int tz_minutes) {
  const auto local = static_cast<time_t>(std::floor(unix_seconds)) + tz_minutes * 60;
  std::tm tm{};
  gmtime_r(&local, &tm);
  const int offset = tz_minutes < 0 ? -tz_minutes : tz_minutes;
  char buffer[96];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                tz_minutes < 0 ? '-' : '+', offset / 60, offset % 60);
  return buffer;
}

bool ParseIsoTime(const std::string& text, int tz_minutes, double& unix_seconds) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, oh = 0, om = 0;
  char sep = 0, sign = 0;
  int consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &consumed) != 3 || consumed != 10) {
    return false;
  }
  long offset_minutes = tz_minutes;
  if (text.size() > 10) {
    int more = 0;
    if (std::sscanf(text.c_str() + 10, "%c%2d:%2d:%2d%n", &sep, &h, &mi, &s, &more) != 4 ||
        (sep != 'T' && sep != ' ')) {
      return false;
    }
    const std::string rest = text.substr(10 + static_cast<size_t>(more));
    if (rest == "Z") {
      offset_minutes = 0;
    } else if (!rest.empty()) {
      if (std::sscanf(rest.c_str(), "%c%2d:%2d", &sign, &oh, &om) != 3 ||
          (sign != '+' && sign != '-')) {
        return false;
      }
      offset_minutes = (sign == '-' ? -1 : 1) * (oh * 60 + om);
    }
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  const long days = DaysFromCivil(y, mo, d);
  unix_seconds = static_cast<double>(days * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60);
  return true;
}

nlohmann::ordered_json TimeObject(const TimeInfo& time, int tz_minutes) {
  return {
      {"start", time.start},
      {"finish", time.finish},
      {"duration", time.finish - time.start},
      {"processing", time.finish - time.start},
      {"date_start", FormatIsoTime(time.start, tz_minutes)},
      {"date_finish", FormatIsoTime(time.finish, tz_minutes)},
      {"operating_reset_at", time.operating_reset_at},
      {"operating", time.operating},
  };
}

std::string SuccessBody(nlohmann::ordered_json result, const long* next, const long* total,
                        const nlohmann::ordered_json& time) {
  std::string out = "{\"result\":" + PhpJson(std::move(result));
  if (next != nullptr) out += ",\"next\":" + std::to_string(*next);
  if (total != nullptr) out += ",\"total\":" + std::to_string(*total);
  out += ",\"time\":" + PhpEscape(time.dump());
  return out + "}";
}

}  // namespace emu
