// The app's life in a portal (REST.md §1, §3.3): install (installer page POST + ONAPPINSTALL),
// the end of installation, update, uninstall, and opening a placement for a user.
// Thread-safety: each function takes State::mutex itself and releases it before calling the
// app, which calls back into the REST API while it answers.
#pragma once

#include <string>

#include "emulator/deliverer.h"
#include "emulator/form.h"
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
  std::string lang;     // empty: the portal's language
  std::string handler;  // when several handlers are bound, which one
};

// A page request ready to be sent (REST.md §1.2): DOMAIN, PROTOCOL, LANG and APP_SID in the
// query, the user's tokens and the placement in the body.
struct PageCall {
  std::string url;  // the handler
  FormPairs query;
  FormPairs body;
};

// A placement opened for a user: the request to the app, and what the page around the app's
// frame shows and tells BX24.js.
struct PlacementPage {
  PageCall call;
  std::string member_id;
  std::string domain;
  std::string lang;
  std::string placement;
  std::string title;      // the binding's TITLE; empty for DEFAULT
  std::string entity;     // "deal" for CRM_DEAL_DETAIL_TAB, "" for a placement of no card
  std::string entity_id;  // as requested
  json options = json::object();
  long user_id = 0;
  bool admin = false;  // the user's ADMIN flag (BX24.isAdmin)
};

// Resolves the handler of a placement and builds its request for a user, issuing the user's
// tokens, as the portal does each time a page is shown. Takes State::mutex. Errors: 404
// PORTAL_NOT_FOUND, 404 NOT_INSTALLED (no app), 409 NOT_INSTALLED (installation unfinished),
// 404 USER_NOT_FOUND, 404 PLACEMENT_NOT_BOUND, 400 BAD_LANG.
tl::expected<PlacementPage, RestError> PreparePlacement(State& state, const std::string& member_id,
                                                        const PlacementOpen& request);

// PreparePlacement, then POSTs the request from the emulator itself and returns
// {status, body, content_type}.
tl::expected<json, RestError> OpenPlacement(State& state, const std::string& member_id,
                                            const PlacementOpen& request);

}  // namespace emu
