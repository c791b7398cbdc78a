#include "emulator/lifecycle.h"

#include <algorithm>

#include "emulator/events.h"
#include "emulator/form.h"
#include "emulator/http_post.h"

namespace emu {
namespace {

constexpr double kPageTimeoutSeconds = 30;

tl::expected<Portal*, RestError> PortalOf(State& state, const std::string& member_id) {
  Portal* portal = member_id.empty() ? &state.DefaultPortal() : state.FindPortal(member_id);
  if (portal == nullptr) return Fail(404, "PORTAL_NOT_FOUND", "No such portal: " + member_id);
  return portal;
}

tl::expected<Installation*, RestError> InstallationOf(State& state, Portal& portal) {
  auto it = portal.installations.find(state.app.client_id);
  if (it == portal.installations.end())
    return Fail(404, "NOT_INSTALLED", "The app is not installed");
  return &it->second;
}

// PLACEMENT_OPTIONS as sent; bytes that are not UTF-8 (an `id` given so) become U+FFFD.
std::string OptionsText(const json& options) {
  return options.dump(-1, ' ', false, json::error_handler_t::replace);
}

// The page request of REST.md §1.2 and E5: DOMAIN/PROTOCOL/LANG/APP_SID in the query, the user's
// tokens in the body — and nothing else. The portal's form posts no APPLICATION_TOKEN,
// SERVER_ENDPOINT or APPLICATION_SCOPE, and PLACEMENT_OPTIONS only when there are options
// (bitrix-core-business modules/rest/install/components/bitrix/app.layout/templates/.default/
// template.php; docs api-reference/widgets/_includes/widget_data.md).
PageCall PageRequest(State& state, const Portal& portal, const Installation& app, long user_id,
                     const std::string& url, const std::string& placement,
                     const json& placement_options, const std::string& lang) {
  auto [access, refresh] = state.IssueTokens(portal, app.client_id, user_id, true);
  FormPairs query = {{"DOMAIN", portal.domain},
                     {"PROTOCOL", "0"},
                     {"LANG", lang},
                     {"APP_SID", state.RandomHex(32)}};
  FormPairs body = {{"AUTH_ID", access},
                    {"AUTH_EXPIRES", std::to_string(static_cast<long>(state.token_lifetime))},
                    {"REFRESH_ID", refresh},
                    {"member_id", portal.member_id},
                    {"status", app.status},
                    {"PLACEMENT", placement}};
  if (!placement_options.empty())
    body.emplace_back("PLACEMENT_OPTIONS", OptionsText(placement_options));
  return {url, std::move(query), std::move(body)};
}

PostResult Post(const PageCall& call) {
  return PostForm(call.url, EncodeForm(call.query), EncodeForm(call.body), kPageTimeoutSeconds);
}

// "deal" for CRM_DEAL_DETAIL_TAB (a card's tab), "" for a placement of no card.
std::string DetailTabEntity(const std::string& placement) {
  const std::string prefix = "CRM_";
  const std::string suffix = "_DETAIL_TAB";
  if (placement.size() <= prefix.size() + suffix.size() ||
      placement.compare(0, prefix.size(), prefix) != 0 ||
      placement.compare(placement.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return "";
  }
  return AsciiLower(
      placement.substr(prefix.size(), placement.size() - prefix.size() - suffix.size()));
}

// A language id as Bitrix24 spells them: two lowercase letters (ru, en, de, ua...).
bool IsLanguageId(const std::string& lang) {
  return lang.size() == 2 &&
         std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; });
}

json PageResult(const PostResult& r) {
  return {{"status", r.status}, {"body", r.body}, {"content_type", r.content_type}};
}

bool CallsInstallFinish(const PostResult& r) {
  return r.status == 200 && r.body.find("BX24.installFinish()") != std::string::npos;
}

}  // namespace

tl::expected<json, RestError> InstallApp(State& state, Deliverer& deliverer,
                                         const std::string& member_id,
                                         const InstallRequest& request) {
  PageCall installer;
  std::string portal_id;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto portal = PortalOf(state, member_id);
    if (!portal) return tl::unexpected(portal.error());
    if ((*portal)->users.count(request.admin_user_id) == 0 ||
        !(*portal)->users[request.admin_user_id].value("ADMIN", false)) {
      return Fail(400, "NOT_ADMIN", "Only a portal administrator can install an app");
    }
    portal_id = (*portal)->member_id;
    Installation app;
    app.client_id = state.app.client_id;
    app.scope = request.scope;
    app.version = request.version;
    app.application_token = state.RandomHex(32);
    app.application_url = request.application_url;
    app.installer_url = request.installer_url;
    app.install_event_url = request.install_event_url;
    app.admin_user_id = static_cast<int>(request.admin_user_id);
    app.status = request.status;
    app.installed = request.installer_url.empty();
    (*portal)->installations[app.client_id] = app;
    state.dirty = true;
    std::vector<Outgoing> outgoing;
    if (!app.install_event_url.empty()) {
      const FormPairs data = {{"data[VERSION]", std::to_string(app.version)},
                              {"data[ACTIVE]", "Y"},
                              {"data[INSTALLED]", "Y"},
                              {"data[LANGUAGE_ID]", (*portal)->language}};
      outgoing.push_back(
          {app.install_event_url,
           EncodeForm(AppEventForm(state, **portal, app, "ONAPPINSTALL", 0, data, true)),
           "ONAPPINSTALL", portal_id});
    }
    deliverer.Enqueue(std::move(outgoing));
    if (!app.installer_url.empty()) {
      installer = PageRequest(state, **portal, app, request.admin_user_id, app.installer_url,
                              "DEFAULT", json::object(), (*portal)->language);
    }
  }
  json out = {{"member_id", portal_id}, {"installed", request.installer_url.empty()}};
  if (!installer.url.empty()) {
    const PostResult page = Post(installer);
    out["installer"] = PageResult(page);
    if (CallsInstallFinish(page)) {
      auto finished = FinishInstall(state, portal_id);
      if (!finished) return finished;
      out["installed"] = true;
    }
  }
  return out;
}

tl::expected<json, RestError> FinishInstall(State& state, const std::string& member_id) {
  std::lock_guard<std::mutex> lock(state.mutex);
  auto portal = PortalOf(state, member_id);
  if (!portal) return tl::unexpected(portal.error());
  auto app = InstallationOf(state, **portal);
  if (!app) return tl::unexpected(app.error());
  (*app)->installed = true;
  state.dirty = true;
  return json{{"member_id", (*portal)->member_id}, {"installed", true}};
}

tl::expected<json, RestError> UpdateApp(State& state, Deliverer& deliverer,
                                        const std::string& member_id, int version) {
  PageCall installer;
  std::string portal_id;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    auto portal = PortalOf(state, member_id);
    if (!portal) return tl::unexpected(portal.error());
    auto app = InstallationOf(state, **portal);
    if (!app) return tl::unexpected(app.error());
    portal_id = (*portal)->member_id;
    const int previous = (*app)->version;
    (*app)->version = version;
    (*app)->application_token = state.RandomHex(32);
    std::vector<Outgoing> outgoing;
    const FormPairs data = {{"data[VERSION]", std::to_string(version)},
                            {"data[PREVIOUS_VERSION]", std::to_string(previous)},
                            {"data[LANGUAGE_ID]", (*portal)->language}};
    std::vector<std::pair<std::string, long>> targets;
    if (!(*app)->install_event_url.empty()) targets.emplace_back((*app)->install_event_url, 0);
    for (const auto& b : (*portal)->bindings) {
      if (b.client_id == (*app)->client_id && b.event == "ONAPPUPDATE" && !b.offline) {
        targets.emplace_back(b.handler, b.id);
      }
    }
    for (const auto& [url, handler_id] : targets) {
      outgoing.push_back(
          {url,
           EncodeForm(AppEventForm(state, **portal, **app, "ONAPPUPDATE", handler_id, data, true)),
           "ONAPPUPDATE", portal_id});
    }
    // An update drops the app's event handlers: each version's installer binds them again.
    auto& bindings = (*portal)->bindings;
    bindings.erase(
        std::remove_if(bindings.begin(), bindings.end(),
                       [&](const Binding& b) { return b.client_id == (*app)->client_id; }),
        bindings.end());
    state.dirty = true;
    deliverer.Enqueue(std::move(outgoing));
    if (!(*app)->installer_url.empty()) {
      installer = PageRequest(state, **portal, **app, (*app)->admin_user_id, (*app)->installer_url,
                              "DEFAULT", json::object(), (*portal)->language);
    }
  }
  json out = {{"member_id", portal_id}, {"version", version}};
  if (!installer.url.empty()) {
    out["installer"] = PageResult(Post(installer));
  }
  return out;
}

tl::expected<json, RestError> UninstallApp(State& state, Deliverer& deliverer,
                                           const std::string& member_id, bool clean) {
  std::lock_guard<std::mutex> lock(state.mutex);
  auto portal = PortalOf(state, member_id);
  if (!portal) return tl::unexpected(portal.error());
  auto app = InstallationOf(state, **portal);
  if (!app) return tl::unexpected(app.error());
  const std::string client_id = (*app)->client_id;
  std::vector<Outgoing> outgoing;
  const FormPairs data = {{"data[LANGUAGE_ID]", (*portal)->language},
                          {"data[CLEAN]", clean ? "1" : "0"}};
  for (const auto& b : (*portal)->bindings) {
    if (b.client_id == client_id && b.event == "ONAPPUNINSTALL" && !b.offline) {
      outgoing.push_back(
          {b.handler,
           EncodeForm(AppEventForm(state, **portal, **app, "ONAPPUNINSTALL", b.id, data, false)),
           "ONAPPUNINSTALL", (*portal)->member_id});
    }
  }
  auto& p = **portal;
  p.bindings.erase(std::remove_if(p.bindings.begin(), p.bindings.end(),
                                  [&](const Binding& b) { return b.client_id == client_id; }),
                   p.bindings.end());
  p.placements.erase(
      std::remove_if(p.placements.begin(), p.placements.end(),
                     [&](const PlacementBinding& b) { return b.client_id == client_id; }),
      p.placements.end());
  p.offline_events.erase(
      std::remove_if(p.offline_events.begin(), p.offline_events.end(),
                     [&](const OfflineEvent& e) { return e.client_id == client_id; }),
      p.offline_events.end());
  for (auto* tokens : {&state.access_tokens}) {
    for (auto it = tokens->begin(); it != tokens->end();) {
      it = it->second.member_id == p.member_id && it->second.client_id == client_id
               ? tokens->erase(it)
               : std::next(it);
    }
  }
  for (auto it = state.refresh_tokens.begin(); it != state.refresh_tokens.end();) {
    it = it->second.member_id == p.member_id && it->second.client_id == client_id
             ? state.refresh_tokens.erase(it)
             : std::next(it);
  }
  p.installations.erase(client_id);
  state.dirty = true;
  deliverer.Enqueue(std::move(outgoing));
  return json{{"member_id", p.member_id}, {"uninstalled", true}};
}

tl::expected<PlacementPage, RestError> PreparePlacement(State& state, const std::string& member_id,
                                                        const PlacementOpen& request) {
  std::lock_guard<std::mutex> lock(state.mutex);
  auto portal = PortalOf(state, member_id);
  if (!portal) return tl::unexpected(portal.error());
  auto app = InstallationOf(state, **portal);
  if (!app) return tl::unexpected(app.error());
  if (!(*app)->installed) {
    return Fail(409, "NOT_INSTALLED", "The app's installation is not finished");
  }
  auto user = (*portal)->users.find(request.user_id);
  if (user == (*portal)->users.end()) return Fail(404, "USER_NOT_FOUND", "No such user");
  PlacementPage page;
  page.lang = request.lang.empty() ? (*portal)->language : request.lang;
  if (!IsLanguageId(page.lang))
    return Fail(400, "BAD_LANG", "lang: a language id such as ru or en");
  std::string url;
  if (request.placement == "DEFAULT") {
    url = (*app)->application_url;
  } else {
    for (const auto& p : (*portal)->placements) {
      if (p.client_id == (*app)->client_id && p.placement == request.placement &&
          (request.handler.empty() || p.handler == request.handler)) {
        url = p.handler;
        page.title = p.title;
        break;
      }
    }
    page.entity = DetailTabEntity(request.placement);
    if (!request.entity_id.empty()) {
      page.options["ID"] = request.entity_id;
      if (!page.entity.empty()) {
        page.options["URI"] = "/crm/" + page.entity + "/details/" + request.entity_id +
                              "/?IFRAME=Y&IFRAME_TYPE=SIDE_SLIDER";
      }
    }
  }
  if (url.empty())
    return Fail(404, "PLACEMENT_NOT_BOUND", "Nothing is bound to " + request.placement);
  page.call = PageRequest(state, **portal, **app, request.user_id, url, request.placement,
                          page.options, page.lang);
  page.member_id = (*portal)->member_id;
  page.domain = (*portal)->domain;
  page.placement = request.placement;
  page.entity_id = request.entity_id;
  page.user_id = request.user_id;
  page.admin = user->second.value("ADMIN", false);
  return page;
}

tl::expected<json, RestError> OpenPlacement(State& state, const std::string& member_id,
                                            const PlacementOpen& request) {
  auto page = PreparePlacement(state, member_id, request);
  if (!page) return tl::unexpected(page.error());
  return PageResult(Post(page->call));
}

}  // namespace emu
