// Installation routes (REST.md §1.2, §1.4; docs settings/app-installation/*):
// - the installer page: stores the portal's tokens, provisions the portal, finishes the
//   installation with BX24.installFinish();
// - the installation event handler: ONAPPINSTALL / ONAPPUPDATE with full tokens.
#pragma once

#include <httplib.h>

#include "handlers/deps.h"

namespace handlers {

void Installer(Deps& deps, const httplib::Request& req, httplib::Response& res);
void InstallEvent(Deps& deps, const httplib::Request& req, httplib::Response& res);

}  // namespace handlers
