#include "emulator/day/rows.h"

namespace day {

long IdOf(const json& value) {
  if (value.is_number_integer()) return value.get<long>();
  if (value.is_number()) return static_cast<long>(value.get<double>());
  if (value.is_string()) {
    const std::string text = value.get<std::string>();
    if (!text.empty() && text.size() < 12 &&
        text.find_first_not_of("0123456789") == std::string::npos) {
      return std::stol(text);
    }
  }
  return 0;
}

double NumberOf(const json& row, const char* key, double fallback) {
  const auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<double>() : fallback;
}

std::string StageSuffix(const std::string& stage_id) {
  const auto colon = stage_id.find(':');
  return colon == std::string::npos ? stage_id : stage_id.substr(colon + 1);
}

}  // namespace day
