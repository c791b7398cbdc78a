// The set-up page's routes (issue 16, items 1, 2 and 8):
//   GET  /api/portals/{member_id}/setup             the portal's departments, people, pipelines
//        and stages by name, each queue's state, what is missing, how many items wait
//        (admins, viewers, and heads of departments, who may mark their people away)
//   POST /api/portals/{member_id}/setup/distribute  hands the waiting items to the conveyor
//        (admins)
//   PUT    /api/portals/{member_id}/away/{user}  {"until": "YYYY-MM-DD"} or {"paused": true}
//   DELETE /api/portals/{member_id}/away/{user}  back at work
//        (admins, and the heads of a department the person is in): a new settings version
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void GetSetUp(Deps& deps, const httplib::Request& req, httplib::Response& res);
void DistributeWaiting(Deps& deps, const httplib::Request& req, httplib::Response& res);
void MarkAway(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
