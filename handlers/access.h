// Who sees what beyond a card (issue 15, item 3): portal administrators, and the people the
// portal's settings name as viewers (reports.viewers) see the reports, the decisions journal
// and the settings; everyone else sees the journey of the card they opened.
// Thread-safety: as Deps.
#pragma once

#include "handlers/deps.h"
#include "handlers/page_session.h"

namespace handlers {

// True for an admin's session, or a user the current settings name; false when the settings
// cannot be read.
bool SeesPortalWide(Deps& deps, const PageSession& session);

}  // namespace handlers
