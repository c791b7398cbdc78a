// The OAuth server (oauth.bitrix.info stand-in): /oauth/token/ with the refresh_token grant.
// Refresh tokens rotate: each is good for one exchange. Docs: settings/oauth/index.md,
// settings/oauth/auto-renewal.md, settings/oauth/error-codes.md
#pragma once

#include "emulator/dispatcher.h"

namespace emu {

HttpOut HandleOAuthToken(State& state, const json& params);

}  // namespace emu
