// Fuzz target: the url-encoded form parser every event and page request goes through
// (lib/core/form.h). Any body either parses within the limits or is refused; never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/core/form.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto parsed = core::ParseForm(body);
  if (parsed) (void)parsed->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return 0;
}
