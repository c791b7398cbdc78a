// Reading the rows of the emulator's state sections: ids, stored times and stage ids as the
// emulator keeps them (numbers or numeric strings). Thread-safety: stateless.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace day {

using json = nlohmann::ordered_json;

// "5", 5 -> 5; 0 when the value is not a positive id.
long IdOf(const json& value);
// A number stored in a state row (a unix time); `fallback` when absent.
double NumberOf(const json& row, const char* key, double fallback);
// "C3:MEETING" -> "MEETING".
std::string StageSuffix(const std::string& stage_id);

}  // namespace day
