// The CRM event handler (docs api-reference/events/index.md, safe-event-handlers.md): checks
// that the portal is a known installation and the application_token matches, stores the event
// in the durable inbox and answers at once; ONAPPUNINSTALL removes the installation.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void Event(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
