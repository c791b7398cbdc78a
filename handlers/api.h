// The operations API (issue #4, item 3: the decisions journal "readable through the API"; and
// the way to change a portal's settings until the app page of step 4 exists). For the vendor's
// operators and scripts, authenticated with `Authorization: Bearer <CONVEYOR_API_TOKEN>`; off
// (403) when no token is configured.
//   GET /api/portals/{member_id}/decisions[?entity_type=lead&entity_id=5][&limit=100]
//   GET /api/portals/{member_id}/journey?entity_type=deal&entity_id=8 (the item's whole journey)
//   GET /api/portals/{member_id}/settings
//   PUT /api/portals/{member_id}/settings   (If-Match: <version> to refuse a lost update)
//   PATCH /api/portals/{member_id}/settings (a JSON merge patch, RFC 7386, on the current ones)
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// GET /api/portals (operations token): every installation with its health — who is installed,
// whether the portal answered the last call as a portal should (b24::PortalHealth), the inbox
// depth and the last event. Tenants are named here and nowhere public.
void Portals(Deps& deps, const httplib::Request& req, httplib::Response& res);
void Decisions(Deps& deps, const httplib::Request& req, httplib::Response& res);
void Journey(Deps& deps, const httplib::Request& req, httplib::Response& res);
void GetSettings(Deps& deps, const httplib::Request& req, httplib::Response& res);
void PutSettings(Deps& deps, const httplib::Request& req, httplib::Response& res);
// GET …/report and …/report.csv?section=: the reports across directions (README "Reports").
void Report(Deps& deps, const httplib::Request& req, httplib::Response& res);
void ReportCsv(Deps& deps, const httplib::Request& req, httplib::Response& res);
// GET …/backfill: its progress; POST …/backfill (admins; {"over": true} reads all again).
void GetBackfill(Deps& deps, const httplib::Request& req, httplib::Response& res);
void StartBackfill(Deps& deps, const httplib::Request& req, httplib::Response& res);
// POST …/settings/preview: would these settings be valid, and what would they change.
void PreviewSettings(Deps& deps, const httplib::Request& req, httplib::Response& res);
void PatchSettings(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
