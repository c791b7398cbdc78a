// Operations routes: GET /health (liveness), GET /healthz (liveness and the state of every
// installation: installed or needing a reinstall, inbox depth, last event) and GET /metrics
// (Prometheus text format). None of them shows a token.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void Health(const Deps& deps, const httplib::Request& req, httplib::Response& res);
void Healthz(Deps& deps, const httplib::Request& req, httplib::Response& res);
void Metrics(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
