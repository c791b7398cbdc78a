#include "handlers/pages.h"

#include "handlers/reply.h"
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

struct PageUser {
  int64_t id = 0;
  bool admin = false;
};

// Who opened the page: user.current and user.admin on the request's own AUTH_ID, asked of the
// portal address stored at installation (never of the DOMAIN the request names).
// Docs: api-reference/users/user-current.md, api-reference/users/user-admin.md.
std::optional<PageUser> ProveUser(Deps& deps, const std::string& client_endpoint,
                                  const std::string& auth_id) {
  const json call = {
      {"auth", auth_id}, {"halt", 1}, {"cmd", {{"me", "user.current"}, {"admin", "user.admin"}}}};
  const auto reply =
      deps.transport->Post(client_endpoint + "batch.json", "application/json", call.dump(), 10);
  if (reply.status != 200) return std::nullopt;
  const json body = json::parse(reply.body, nullptr, false);
  const json* result = body.is_object() && body.contains("result") && body["result"].is_object()
                           ? &body["result"]["result"]
                           : nullptr;
  if (result == nullptr || !result->is_object() || !result->contains("me")) return std::nullopt;
  PageUser user;
  user.id = core::IdValue(result->at("me").value("ID", json()));
  const json admin = result->value("admin", json(false));
  user.admin = admin == true || admin == "Y" || admin == "true";
  if (user.id <= 0) return std::nullopt;
  return user;
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
  if (!*portal || (*portal)->state == "uninstalled" ||
      !core::ConstantTimeEquals((*portal)->application_token, page->application_token)) {
    return Refuse(res, 401,
                  "This portal has not installed Conveyor, or the request is not its own");
  }
  const auto user = ProveUser(deps, (*portal)->client_endpoint, page->auth_id);
  if (!user) return Refuse(res, 401, "Bitrix24 did not confirm who opened this page");

  json boot = {{"member_id", page->member_id},
               {"lang", page->lang == "en" ? "en" : "ru"},
               {"placement", page->placement},
               {"entity_type", ""},
               {"entity_id", 0},
               {"portal_url", OriginOf((*portal)->client_endpoint)},
               {"user", {{"id", user->id}, {"admin", user->admin}}},
               {"version", deps.version}};
  if (page->placement == "CRM_DEAL_DETAIL_TAB" || page->placement == "CRM_LEAD_DETAIL_TAB") {
    const int64_t id = core::IdValue(page->placement_options.value("ID", json()));
    if (id <= 0) return Refuse(res, 400, "PLACEMENT_OPTIONS has no card ID");
    boot["entity_type"] = page->placement == "CRM_DEAL_DETAIL_TAB" ? "deal" : "lead";
    boot["entity_id"] = id;
  }
  boot["session"] = deps.sessions->Issue(page->member_id, user->id, user->admin,
                                         static_cast<int64_t>(deps.clock->Now()));
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
