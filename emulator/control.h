// The control API under /_emulator/: scripting scenarios, kept apart from the Bitrix24 surface.
// Every endpoint takes and returns JSON; `portal` (a member_id) selects a portal, the default
// portal otherwise. docs/emulator.md lists the endpoints.
#pragma once

#include <functional>
#include <string>

#include "emulator/deliverer.h"
#include "emulator/state.h"

namespace httplib {
class Server;
}

namespace emu {

// `open_listener` starts another listener and returns its "host:port" ("" on failure).
void RegisterControlRoutes(httplib::Server& server, State& state, Deliverer& deliverer,
                           std::function<std::string()> open_listener);

}  // namespace emu
