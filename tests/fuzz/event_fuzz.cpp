// Fuzz target: an event as Bitrix24's queue POSTs it (core::ParseEvent), and what the event
// route reads of a parsed one.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "lib/core/payloads.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto event = core::ParseEvent(body);
  if (event) {
    (void)event->EntityId();
    (void)event->data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return 0;
}
