// A new installation's first settings (issue 16, items 1 and 6): once provisioning is done and
// before anyone has saved settings, the portal's departments named after the roles go into the
// queues and every stage role follows the stage provisioning found or made
// (core::FirstSettings). Saved as version 1 and journaled ("set_up"), so a portal organised as
// the conveyor expects works with no configuration; an admin changes it on the app page.
// Thread-safety: stateless; run under the installation's per-portal lock.
#pragma once

#include <string>

#include "lib/b24/rest_client.h"
#include "lib/core/install_spec.h"
#include "lib/core/settings.h"
#include "lib/store/decision_log.h"
#include "lib/store/settings_store.h"

namespace engine {

struct FirstSetupWiring {
  b24::RestClient* client = nullptr;
  store::SettingsStore* settings = nullptr;
  store::DecisionLog* decisions = nullptr;  // optional
  core::Settings defaults;
  core::InstallSpec spec;
};

// Does nothing when the portal has settings already. Fails when the portal cannot be read or
// the settings cannot be stored; nothing is saved then, and the next install event tries again.
[[nodiscard]] core::Result<void> SetUpFirst(const FirstSetupWiring& w, const std::string& member_id,
                                            int64_t now);

}  // namespace engine
