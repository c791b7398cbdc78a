// Event emission (REST.md §2): online bindings get a url-encoded POST with exactly the keys of
// real traffic; offline bindings queue the latest state per object (MESSAGE_ID merge).
// Nothing is emitted for an app whose installation is not finished.
// Thread-safety: runs inside a Call, under State::mutex; the POSTs leave through Call::outgoing.
#pragma once

#include <string>

#include "emulator/call.h"
#include "emulator/form.h"

namespace emu {

void FireEvent(Call& call, const std::string& event, const json& data);

// The form of an app lifecycle event (ONAPPINSTALL, ONAPPUPDATE: full tokens including the
// refresh token; ONAPPUNINSTALL: no tokens at all).
FormPairs AppEventForm(State& state, const Portal& portal, const Installation& installation,
                       const std::string& event, long handler_id, const FormPairs& data,
                       bool with_tokens);

// md5 hex of a string (offline event MESSAGE_ID).
std::string Md5Hex(const std::string& text);

}  // namespace emu
