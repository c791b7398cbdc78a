// Who may call what (issue 15, item 3): portal administrators, and the people the portal's
// settings name as viewers (reports.viewers), see the reports, the decisions journal and the
// settings; everyone else sees the journey of the card they opened. The operations token
// (CONVEYOR_API_TOKEN) may do everything, on any portal.
// Thread-safety: as Deps.
#pragma once

#include <optional>

#include <httplib.h>

#include "handlers/deps.h"
#include "handlers/page_session.h"

namespace handlers {

// What a route needs of its caller.
enum class Need {
  kCard,        // a page session of this portal (the route then checks the card), or wider
  kPortalWide,  // the report, the journal, the settings: an admin or a viewer the settings name
  kAdmin,       // changing the settings, starting a backfill
};

// Who calls: an operator with the operations token (any portal, all rights), or a page of the
// portal in the path with its session (its user; for a card's tab, that card).
struct Caller {
  PageSession session;  // empty for an operator
  bool admin = false;
  bool wide = false;
};

// True for an admin's session, or a user the current settings name; false when the settings
// cannot be read.
bool SeesPortalWide(Deps& deps, const PageSession& session);

// The caller holds the operations token. Answers the refusal itself otherwise.
bool AdmitOperator(Deps& deps, const httplib::Request& req, httplib::Response& res);

// The caller holds the operations token or a page session of the portal in the path
// (req.matches[1]), the portal is one we know (for a session: installed now), and the caller
// has what the route needs. Answers the refusal itself and returns nothing otherwise.
std::optional<Caller> Admit(Deps& deps, const httplib::Request& req, httplib::Response& res,
                            Need need);

}  // namespace handlers
