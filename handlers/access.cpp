#include "handlers/access.h"

#include <algorithm>

#include "handlers/reply.h"
#include "lib/core/payloads.h"

namespace handlers {

bool SeesPortalWide(Deps& deps, const PageSession& session) {
  if (session.admin) return true;
  if (deps.settings == nullptr || session.user_id <= 0) return false;
  auto settings = deps.settings->For(session.member_id);
  if (!settings) return false;
  const auto& viewers = settings->reports.viewers;
  return std::find(viewers.begin(), viewers.end(), session.user_id) != viewers.end();
}

bool AdmitOperator(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (deps.api_token.empty()) {
    JsonError(res, 403, "api_disabled", "Set CONVEYOR_API_TOKEN to use the operations API");
    return false;
  }
  const std::string header = req.get_header_value("Authorization");
  const std::string prefix = "Bearer ";
  if (header.rfind(prefix, 0) != 0 ||
      !core::ConstantTimeEquals(header.substr(prefix.size()), deps.api_token)) {
    res.set_header("WWW-Authenticate", "Bearer");
    JsonError(res, 401, "invalid_token", "A valid Bearer token is required");
    return false;
  }
  return true;
}

std::optional<Caller> Admit(Deps& deps, const httplib::Request& req, httplib::Response& res,
                            Need need) {
  const std::string header = req.get_header_value("Authorization");
  const std::string session_prefix = "Session ";
  Caller caller;
  const bool by_session = header.rfind(session_prefix, 0) == 0 && deps.sessions != nullptr;
  if (by_session) {
    auto session = deps.sessions->Verify(header.substr(session_prefix.size()),
                                         static_cast<int64_t>(deps.clock->Now()));
    if (!session) {
      JsonError(res, 401, "invalid_session", "The page session expired; open the page again");
      return std::nullopt;
    }
    if (session->member_id != req.matches[1].str()) {
      JsonError(res, 403, "other_portal", "This session belongs to another portal");
      return std::nullopt;
    }
    caller.session = *session;
    caller.admin = session->admin;
  } else {
    if (!AdmitOperator(deps, req, res)) return std::nullopt;
    caller.admin = true;
  }
  auto portal = deps.portals->Find(req.matches[1].str());
  if (!portal) {
    JsonError(res, 503, "storage_error", "The installation could not be read");
    return std::nullopt;
  }
  if (!*portal) {
    JsonError(res, 404, "unknown_portal", "No installation with this member_id");
    return std::nullopt;
  }
  if (by_session && (*portal)->state != "installed") {
    JsonError(res, 401, "invalid_session", "Conveyor is not installed on this portal now");
    return std::nullopt;
  }
  caller.wide = caller.admin || SeesPortalWide(deps, caller.session);
  if (need == Need::kAdmin && !caller.admin) {
    JsonError(res, 403, "admin_required", "Only a portal administrator may do this");
    return std::nullopt;
  }
  if (need == Need::kPortalWide && !caller.wide) {
    JsonError(res, 403, "access_required",
              "Reports, the journal and the settings are open to portal administrators and to "
              "the people they name in the settings");
    return std::nullopt;
  }
  return caller;
}

}  // namespace handlers
