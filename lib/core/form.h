// The url-encoded forms Bitrix24 POSTs (events, page requests): PHP bracket keys
// (`auth[member_id]=…`, `a[b][]=1`) read into JSON, every value a string. Anyone can POST to
// the app, so the parser has limits and runs in time linear in the body; what exceeds them is
// refused whole, never parsed in part.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/core/error.h"

namespace core {

struct FormLimits {
  size_t max_bytes = 64 * 1024;  // a real event or page request is well under 4 KiB
  size_t max_fields = 512;       // key=value pairs
  size_t max_key_bytes = 256;    // one key, brackets included, after decoding
  size_t max_depth = 8;          // brackets after the name: a[1][2]…[8]
};

// `a[b][]=1&c=2` -> {"a":{"b":["1"]},"c":"2"}; an object whose keys are 0..n-1 becomes a list.
// Fails with kInvalidArgument naming the limit a body exceeds ("the form is larger than 65536
// bytes", "… more than 512 fields", "a key is longer than 256 bytes", "a key is nested deeper
// than 8 brackets").
[[nodiscard]] Result<nlohmann::json> ParseForm(std::string_view body,
                                               const FormLimits& limits = {});

}  // namespace core
