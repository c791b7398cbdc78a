// GET /health: liveness and version, for load balancers and the demo.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void Health(const Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
