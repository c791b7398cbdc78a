#include "handlers/pages.h"

#include "handlers/access.h"
#include "handlers/reply.h"
#include "lib/b24/vouch.h"
#include "lib/core/change.h"
#include "lib/core/payloads.h"
#include "placements/files.h"

namespace handlers {
namespace {

using json = nlohmann::json;

void Refuse(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content("<!doctype html><meta charset=\"utf-8\"><title>Conveyor</title><p>" +
                      EscapeHtml(message) + "</p>",
                  "text/html; charset=utf-8");
}

// "https://portal.bitrix24.ru/rest/" -> "https://portal.bitrix24.ru".
std::string OriginOf(const std::string& url) {
  const auto scheme = url.find("//");
  const auto path = url.find('/', scheme == std::string::npos ? 0 : scheme + 2);
  return path == std::string::npos ? url : url.substr(0, path);
}

// JSON inside <script type="application/json">: nothing in it can close the element.
std::string ScriptSafe(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void Replace(std::string& text, const std::string& placeholder, const std::string& value) {
  const auto at = text.find(placeholder);
  if (at != std::string::npos) text.replace(at, placeholder.size(), value);
}

// Scripts only from the app and from the BX24 library's origin; frames by anyone (Bitrix24
// portals have their own domains).
std::string ContentSecurityPolicy(const std::string& bx24_url) {
  std::string scripts = "'self'";
  if (!bx24_url.empty()) scripts += " " + OriginOf(bx24_url);
  return "default-src 'self'; script-src " + scripts +
         "; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors *";
}

}  // namespace

void Page(Deps& deps, const httplib::Request& req, httplib::Response& res, const char* file) {
  auto page = core::ParsePageRequest(QueryOf(req), req.body);
  if (!page) return Refuse(res, 400, "Open this page from your Bitrix24: " + page.error().message);
  auto portal = deps.portals->Find(page->member_id);
  if (!portal) return Refuse(res, 503, "The installation could not be read; try again");
  // Real portals send no APPLICATION_TOKEN to a page (REST.md §1.2); one that is sent must match.
  if (!*portal || (*portal)->state != "installed" ||
      (!page->application_token.empty() &&
       !core::ConstantTimeEquals((*portal)->application_token, page->application_token))) {
    return Refuse(res, 401,
                  "This portal has not installed Conveyor, or the request is not its own");
  }
  // Who opened the page, asked of the address stored at installation — never of the DOMAIN
  // the request names (REST.md §3.3). A token of another app on that portal names another CODE.
  const auto holder = b24::WhoHolds(*deps.transport, (*portal)->client_endpoint, page->auth_id, 10);
  if (!holder || (!holder->app_code.empty() && !deps.client_id.empty() &&
                  !core::ConstantTimeEquals(holder->app_code, deps.client_id))) {
    return Refuse(res, 401, "Bitrix24 did not confirm who opened this page");
  }
  PageSession session;
  session.member_id = page->member_id;
  session.user_id = holder->user_id;
  session.admin = holder->admin;
  json boot = {{"member_id", page->member_id},
               {"lang", page->lang == "en" ? "en" : "ru"},
               {"placement", page->placement},
               {"entity_type", ""},
               {"entity_id", 0},
               {"portal_url", OriginOf((*portal)->client_endpoint)},
               {"user", {{"id", holder->user_id}, {"admin", holder->admin}}},
               {"version", deps.version}};
  if (page->placement == "CRM_DEAL_DETAIL_TAB" || page->placement == "CRM_LEAD_DETAIL_TAB") {
    const int64_t id = core::IdValue(page->placement_options.value("ID", json()));
    if (id <= 0) return Refuse(res, 400, "PLACEMENT_OPTIONS has no card ID");
    session.entity_type = page->placement == "CRM_DEAL_DETAIL_TAB" ? "deal" : "lead";
    session.entity_id = id;
    boot["entity_type"] = session.entity_type;
    boot["entity_id"] = id;
  }
  boot["user"]["wide"] = SeesPortalWide(deps, session);
  boot["session"] = deps.sessions->Issue(session, static_cast<int64_t>(deps.clock->Now()));
  const placements::File* found = placements::Find(file);
  if (found == nullptr) return Refuse(res, 500, "The page is missing from this build");
  std::string html(found->content);
  Replace(html, "{{BOOT}}", ScriptSafe(boot.dump()));
  Replace(
      html, "{{BX24_SCRIPT}}",
      deps.bx24_url.empty() ? "" : "<script src=\"" + EscapeHtml(deps.bx24_url) + "\"></script>");
  res.set_header("Content-Security-Policy", ContentSecurityPolicy(deps.bx24_url));
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

void Asset(Deps&, const httplib::Request& req, httplib::Response& res) {
  const placements::File* found = placements::Find("assets/" + req.matches[1].str());
  if (found == nullptr) return JsonError(res, 404, "not_found", "No such asset");
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Cache-Control", "public, max-age=300");
  res.set_content(std::string(found->content), std::string(found->content_type));
}

}  // namespace handlers
