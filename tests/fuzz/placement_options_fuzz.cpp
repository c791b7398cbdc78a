// Fuzz target: PLACEMENT_OPTIONS of a page request. Whatever the portal (or anyone) sends, the
// request parses and its options are a JSON object — {} when they are not one (REST.md §1.2).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lib/core/form.h"
#include "lib/core/payloads.h"
#include "lib/core/query_encoding.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view options(reinterpret_cast<const char*>(data), size);
  const std::string body =
      "AUTH_ID=a&member_id=m&PLACEMENT=CRM_DEAL_DETAIL_TAB&PLACEMENT_OPTIONS=" +
      core::PercentEncode(options);
  const auto page = core::ParsePageRequest("DOMAIN=x.bitrix24.ru", body);
  // Within the form's limits every such request parses, and its options are an object.
  if (body.size() <= core::FormLimits{}.max_bytes &&
      (!page || !page->placement_options.is_object()))
    std::abort();
  return 0;
}
