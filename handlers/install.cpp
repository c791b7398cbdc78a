#include "handlers/install.h"

#include "handlers/reply.h"
#include "lib/core/payloads.h"
#include "lib/engine/provisioner.h"

namespace handlers {
namespace {

int64_t Now(const Deps& deps) { return static_cast<int64_t>(deps.clock->Now()); }

// The page a browser runs inside Bitrix24: it tells the portal the installation is finished.
const char* kFinishedPage =
    "<!doctype html><html><head><meta charset=\"utf-8\"><title>Conveyor</title>"
    "<script src=\"//api.bitrix24.com/api/v1/\"></script></head><body>"
    "<p>Conveyor is installed.</p>"
    "<script>if (window.BX24) { BX24.init(function () { BX24.installFinish(); }); }</script>"
    "</body></html>";

// A stored installation may be replaced only by a caller that knows its application_token, or
// (after an update, which issues a new application_token) proves its access token on the
// portal address we already trust.
bool MayReplace(Deps& deps, const std::optional<store::PortalRecord>& stored,
                const std::string& application_token, const std::string& access_token) {
  if (!stored || stored->state == "uninstalled" ||
      core::ConstantTimeEquals(stored->application_token, application_token)) {
    return true;
  }
  const nlohmann::json probe = {{"auth", access_token}};
  const auto reply = deps.transport->Post(stored->client_endpoint + "app.info.json",
                                          "application/json", probe.dump(), 10);
  return reply.status == 200;
}

}  // namespace

void Installer(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  auto page = core::ParsePageRequest(QueryOf(req), req.body);
  if (!page) return JsonError(res, 400, "invalid_request", page.error().message);
  std::lock_guard<std::mutex> lock(deps.install_mutex);
  auto stored = deps.portals->Find(page->member_id);
  if (!stored) return JsonError(res, 500, "storage_error", "The installation could not be read");
  if (!MayReplace(deps, *stored, page->application_token, page->auth_id)) {
    return JsonError(res, 401, "invalid_token",
                     "application_token does not match this installation");
  }
  store::PortalRecord record = store::InstalledRecord(*page, Now(deps));
  if (*stored) record.installed_at = (*stored)->installed_at;  // a reinstall keeps the first
  if (auto saved = deps.portals->Upsert(record); !saved) {
    return JsonError(res, 500, "storage_error", "The installation could not be stored");
  }
  deps.client->Forget(page->member_id);
  auto report =
      engine::Provision(*deps.client, page->member_id, deps.spec, deps.manifest, deps.public_url);
  if (!report || !report->failures.empty()) {
    const std::string why =
        !report ? b24::ToCoreError(report.error()).message : report->failures.front();
    res.status = 502;
    res.set_content(
        "<!doctype html><meta charset=\"utf-8\"><p>Conveyor could not prepare the portal: " +
            EscapeHtml(why) + "</p><p>Open the app again to retry.</p>",
        "text/html; charset=utf-8");
    return;
  }
  // From here on a lost event is recovered by the sweep; an error only delays the mark.
  if (deps.sweeper != nullptr) (void)deps.sweeper->SweepPortal(page->member_id);
  // The portal's history, for the journeys and reports; it runs behind the events.
  if (deps.backfills != nullptr) (void)deps.backfills->Start(page->member_id);
  res.set_content(kFinishedPage, "text/html; charset=utf-8");
}

void InstallEvent(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  auto event = core::ParseEvent(req.body);
  if (!event) return JsonError(res, 400, "invalid_request", event.error().message);
  if (event->name != "ONAPPINSTALL" && event->name != "ONAPPUPDATE") {
    return JsonError(res, 400, "invalid_request", "Expected ONAPPINSTALL or ONAPPUPDATE");
  }
  if (event->auth.access_token.empty() || event->auth.refresh_token.empty()) {
    return JsonError(res, 400, "invalid_request", "The event carries no tokens");
  }
  std::lock_guard<std::mutex> lock(deps.install_mutex);
  auto stored = deps.portals->Find(event->auth.member_id);
  if (!stored) return JsonError(res, 500, "storage_error", "The installation could not be read");
  if (!MayReplace(deps, *stored, event->auth.application_token, event->auth.access_token))
    return JsonError(res, 401, "invalid_token",
                     "application_token does not match this installation");
  store::PortalRecord record = *stored ? **stored : store::PortalRecord{};
  record.member_id = event->auth.member_id;
  if (!*stored) {
    record.domain = event->auth.domain;
    record.client_endpoint = event->auth.client_endpoint;
    record.installed_at = Now(deps);
  }
  record.server_endpoint = event->auth.server_endpoint;
  record.scope = event->auth.scope;
  record.status = event->auth.status;
  record.application_token = event->auth.application_token;
  record.access_token = event->auth.access_token;
  record.refresh_token = event->auth.refresh_token;
  record.expires = event->auth.expires;
  record.state = "installed";
  record.updated_at = Now(deps);
  if (auto saved = deps.portals->Upsert(record); !saved) {
    return JsonError(res, 500, "storage_error", "The installation could not be stored");
  }
  deps.client->Forget(record.member_id);
  Json(res, {{"status", "ok"}});
}

}  // namespace handlers
