// The one route table of the conveyor server.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// Registers every route and the cross-cutting hooks (JSON 404s, exception handler).
void RegisterRoutes(httplib::Server& server, const Deps& deps);

}  // namespace handlers
