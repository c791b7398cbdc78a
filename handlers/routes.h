// The one route table of the conveyor server; paths come from bitrix24-manifest.json.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// Registers every route and the cross-cutting hooks (JSON 404s, exception handler).
void RegisterRoutes(httplib::Server& server, Deps& deps);

}  // namespace handlers
