// The pages Bitrix24 loads in an iframe (issue #5, item 3): the journey tab of the deal and lead
// cards and the app page. A page request is served only for a known portal whose stored
// APPLICATION_TOKEN it carries, and for the user that user.current names on its AUTH_ID; the
// page then carries a short-lived signed session (handlers/page_session.h) in its API calls.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

// POST of a page request; `file` is the page under placements/ ("journey.html", "app.html").
void Page(Deps& deps, const httplib::Request& req, httplib::Response& res, const char* file);
// GET /assets/<name>: the pages' scripts and styles.
void Asset(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
