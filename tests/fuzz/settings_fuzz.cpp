// Fuzz target: a portal's settings JSON as the operations API and the settings page send it
// (core::ParseSettings). Valid settings written back read back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/core/settings.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const nlohmann::json input = nlohmann::json::parse(text, nullptr, false);
  if (input.is_discarded()) return 0;
  const auto settings = core::ParseSettings(input);
  if (!settings) return 0;
  const nlohmann::json written = core::SettingsToJson(*settings);
  const auto again = core::ParseSettings(written);
  if (!again || core::SettingsToJson(*again) != written) std::abort();
  return 0;
}
