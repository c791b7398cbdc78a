// The one route table of the conveyor server; paths come from bitrix24-manifest.json.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// The largest request body accepted (413 JSON beyond it).
constexpr size_t kMaxBodyBytes = 1 << 20;

// Registers every route and the cross-cutting hooks (JSON 404/405/413, exception handler).
void RegisterRoutes(httplib::Server& server, Deps& deps);

}  // namespace handlers
