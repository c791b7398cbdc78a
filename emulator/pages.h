// The portal as a browser sees it, so that an app's pages can be loaded the way Bitrix24 loads
// them: the placement frame page (GET /_emulator/placements/frame), lead and deal cards
// (GET /crm/{lead|deal}/details/{id}/) with the app's tab, and the stand-in BX24 library
// (GET /_emulator/bx24.js). The app's page is loaded by the browser itself: the page holds an
// iframe and a hidden form that POSTs the placement request into it (REST.md §1.2, §3.3).
// Thread-safety: the handlers take State::mutex themselves and release it before answering.
#pragma once

#include <string>
#include <string_view>

#include "emulator/state.h"

namespace httplib {
class Server;
}

namespace emu {

// `host` is the address the listeners bind, so that a card names the portal of the listener it
// was asked on, as each portal has a domain of its own.
void RegisterPageRoutes(httplib::Server& server, State& state, const std::string& host);

// Text made safe for HTML content and quoted attribute values: & < > " ' escaped.
std::string HtmlEscape(std::string_view text);

}  // namespace emu
