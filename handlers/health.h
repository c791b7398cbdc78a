// Public operations routes: GET /health (liveness), GET /healthz (liveness and whether the
// database answers) and GET /metrics (Prometheus text format). None of them names a tenant or
// shows a token; each installation's health is GET /api/portals (handlers/api.h).
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void Health(const Deps& deps, const httplib::Request& req, httplib::Response& res);
void Healthz(Deps& deps, const httplib::Request& req, httplib::Response& res);
void Metrics(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
