// The app's life in a portal (REST.md §1, §3.3): install (installer page POST + ONAPPINSTALL),
// the end of installation, update, uninstall, and opening a placement for a user.
// Thread-safety: each function takes State::mutex itself and releases it before calling the
// app, which calls back into the REST API while it answers.
#pragma once

#include <string>

#include "emulator/deliverer.h"
#include "emulator/rest_error.h"
#include "emulator/state.h"

namespace emu {

struct InstallRequest {
  std::string application_url;    // the app page (PLACEMENT=DEFAULT)
  std::string installer_url;      // opened until installation is finished; may be empty
  std::string install_event_url;  // gets ONAPPINSTALL (the "installation callback" flow)
  std::string scope = "crm,user,department,task,timeman,im,placement";
  int version = 1;
  long admin_user_id = 1;
  std::string status = "L";
};

// Installs the emulator's app into a portal. Without an installer URL the installation is
// finished at once (callback flow). With one, the installer page is POSTed and the
// installation is finished when the page answers 200 with a call to BX24.installFinish(),
// which a browser would run; FinishInstall does the same explicitly.
tl::expected<json, RestError> InstallApp(State& state, Deliverer& deliverer,
                                         const std::string& member_id,
                                         const InstallRequest& request);
tl::expected<json, RestError> FinishInstall(State& state, const std::string& member_id);
// A new version: bindings are dropped, a new application_token, ONAPPUPDATE, installer again.
tl::expected<json, RestError> UpdateApp(State& state, Deliverer& deliverer,
                                        const std::string& member_id, int version);
// ONAPPUNINSTALL to bound handlers, then bindings, placements and tokens are dropped.
tl::expected<json, RestError> UninstallApp(State& state, Deliverer& deliverer,
                                           const std::string& member_id, bool clean);

struct PlacementOpen {
  std::string placement = "DEFAULT";
  std::string entity_id;  // PLACEMENT_OPTIONS.ID for CRM tabs
  long user_id = 1;
  std::string lang = "ru";
  std::string handler;  // when several handlers are bound, which one
};
// POSTs the placement request to the bound handler and returns {status, body, content_type}.
tl::expected<json, RestError> OpenPlacement(State& state, const std::string& member_id,
                                            const PlacementOpen& request);

}  // namespace emu
