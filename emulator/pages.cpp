#include "emulator/pages.h"

#include <httplib.h>

#include <charconv>
#include <optional>

#include "emulator/browser_scripts.h"
#include "emulator/crm_store.h"
#include "emulator/lifecycle.h"

namespace emu {
namespace {

constexpr const char* kStyle = R"CSS(
body { margin: 0; background: #eef2f4; color: #333;
       font: 14px/1.45 "Helvetica Neue", Helvetica, Arial, sans-serif; }
.slider { max-width: 1100px; margin: 0 auto; min-height: 100vh; background: #fff;
          box-shadow: 0 0 12px rgba(0, 0, 0, .12); }
.slider-header { padding: 16px 24px 8px; background: #f5f7f8; border-bottom: 1px solid #e1e5e8; }
.slider-header .portal { color: #80868e; font-size: 12px; }
.slider-header h1 { margin: 4px 0; font-size: 22px; font-weight: normal; }
.slider-header .placement { color: #80868e; font-size: 12px; }
.tabs { padding: 0 24px; border-bottom: 1px solid #e1e5e8; }
.tabs .tab { display: inline-block; padding: 10px 14px; color: #535c69; }
.tabs .tab.active { border-bottom: 2px solid #2fc6f6; color: #333; }
main { padding: 16px 24px; }
.fields { display: grid; grid-template-columns: 180px 1fr; gap: 8px 16px; margin: 0 0 24px; }
.fields dt { color: #80868e; }
.fields dd { margin: 0; }
.app-tab h2 { font-size: 16px; font-weight: normal; margin: 0 0 8px; }
#app-frame { display: block; width: 100%; height: 200px; border: 0; }
)CSS";

// Labels of the portal's interface in its two languages here.
struct Labels {
  const char* portal;
  const char* application;
  const char* lead;
  const char* deal;
  const char* contact;
  const char* company;
  const char* general;
  const char* stage;
  const char* responsible;
  const char* amount;
  const char* not_found;
};

const Labels& LabelsFor(const std::string& lang) {
  static const Labels ru = {"Битрикс24",     "Приложение", "Лид",       "Сделка",
                            "Контакт",       "Компания",   "Общие",     "Стадия",
                            "Ответственный", "Сумма",      "Не найдено"};
  static const Labels en = {"Bitrix24",    "Application", "Lead",     "Deal",
                            "Contact",     "Company",     "General",  "Stage",
                            "Responsible", "Amount",      "Not found"};
  return lang == "en" ? en : ru;
}

const char* EntityLabel(const Labels& labels, const std::string& entity) {
  if (entity == "lead") return labels.lead;
  if (entity == "deal") return labels.deal;
  if (entity == "contact") return labels.contact;
  if (entity == "company") return labels.company;
  return nullptr;
}

std::string Document(const std::string& lang, const std::string& title, const std::string& body) {
  return "<!DOCTYPE html>\n<html lang=\"" + HtmlEscape(lang) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + HtmlEscape(title) +
         "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n" + body + "</body>\n</html>\n";
}

std::string Header(const Labels& labels, const std::string& domain, const std::string& heading,
                   const std::string& subtitle) {
  return "<header class=\"slider-header\">\n<div class=\"portal\">" +
         HtmlEscape(std::string(labels.portal) + " · " + domain) + "</div>\n<h1 id=\"heading\">" +
         HtmlEscape(heading) + "</h1>\n<div class=\"placement\">" + HtmlEscape(subtitle) +
         "</div>\n</header>\n";
}

// PLACEMENT_OPTIONS as the request carries them.
std::string OptionsOf(const PageCall& call) {
  for (const auto& [name, value] : call.body) {
    if (name == "PLACEMENT_OPTIONS") return value;
  }
  return "{}";
}

// The app's frame: an iframe, a hidden form that POSTs the placement request into it, and the
// script that submits the form and answers BX24.js (browser_scripts.h).
std::string AppFrame(const PlacementPage& page) {
  const std::string& url = page.call.url;
  const std::string action =
      url + (url.find('?') == std::string::npos ? "?" : "&") + EncodeForm(page.call.query);
  std::string html = "<iframe name=\"app-frame\" id=\"app-frame\" src=\"about:blank\"";
  const std::pair<const char*, std::string> data[] = {{"domain", page.domain},
                                                      {"lang", page.lang},
                                                      {"member-id", page.member_id},
                                                      {"user-id", std::to_string(page.user_id)},
                                                      {"admin", page.admin ? "true" : "false"},
                                                      {"placement", page.placement},
                                                      {"options", OptionsOf(page.call)}};
  for (const auto& [name, value] : data) {
    html += std::string(" data-") + name + "=\"" + HtmlEscape(value) + "\"";
  }
  html += "></iframe>\n<form id=\"app-form\" method=\"post\" target=\"app-frame\" action=\"" +
          HtmlEscape(action) + "\" accept-charset=\"utf-8\" hidden>\n";
  for (const auto& [name, value] : page.call.body) {
    html += "<input type=\"hidden\" name=\"" + HtmlEscape(name) + "\" value=\"" +
            HtmlEscape(value) + "\">\n";
  }
  html += "</form>\n<script>\n" + std::string(FrameHostScript()) + "</script>\n";
  return html;
}

void SendJsonError(httplib::Response& res, const RestError& e) {
  res.status = e.status;
  const json body = {{"error", e.code}, {"error_description", e.description}};
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace),
                  "application/json; charset=utf-8");
}

void SendHtml(httplib::Response& res, int status, const std::string& html) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(html, "text/html; charset=utf-8");
}

// A positive integer parameter, `fallback` when absent; nullopt when malformed.
std::optional<long> PositiveParam(const httplib::Request& req, const char* name, long fallback) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || value <= 0) return std::nullopt;
  return value;
}

tl::expected<PlacementOpen, RestError> FrameRequest(const httplib::Request& req) {
  PlacementOpen request;
  if (req.has_param("placement")) request.placement = req.get_param_value("placement");
  request.entity_id = req.get_param_value("id");
  request.lang = req.get_param_value("lang");
  request.handler = req.get_param_value("handler");
  const auto user_id = PositiveParam(req, "user_id", 1);
  if (!user_id) return Fail(400, "BAD_USER_ID", "user_id: a positive integer");
  request.user_id = *user_id;
  return request;
}

std::string FramePage(const PlacementPage& page) {
  const Labels& labels = LabelsFor(page.lang);
  const char* entity = EntityLabel(labels, page.entity);
  std::string heading;
  if (entity != nullptr && !page.entity_id.empty()) {
    heading = std::string(entity) + " #" + page.entity_id;
  } else if (!page.title.empty()) {
    heading = page.title;
  } else {
    heading = page.placement == "DEFAULT" ? labels.application : page.placement;
  }
  const std::string tab = page.title.empty() ? heading : page.title;
  const std::string body =
      "<div class=\"slider\">\n" + Header(labels, page.domain, heading, page.placement) +
      "<nav class=\"tabs\"><span class=\"tab active\">" + HtmlEscape(tab) +
      "</span></nav>\n<main class=\"app-tab\">\n" + AppFrame(page) + "</main>\n</div>\n";
  return Document(page.lang, heading, body);
}

// What a card shows, read under the state's lock.
struct Card {
  std::string member_id;
  std::string domain;
  std::string lang;
  std::string title;
  std::string stage;
  std::string responsible;
  std::string amount;
};

std::string StringField(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// The portal asked for (`portal`), else the one whose address the request came to, else the
// default portal.
Portal* CardPortal(State& state, const httplib::Request& req, const std::string& host) {
  if (req.has_param("portal")) return state.FindPortal(req.get_param_value("portal"));
  auto owner = state.listener_owner.find(host + ":" + std::to_string(req.local_port));
  if (owner != state.listener_owner.end()) {
    if (Portal* portal = state.FindPortal(owner->second)) return portal;
  }
  return &state.DefaultPortal();
}

// The card of item `id` as user `user_id` sees it; what is missing otherwise (a 404 page).
tl::expected<Card, std::string> ReadCard(State& state, const httplib::Request& req,
                                         const std::string& host, const EntityKind& kind, long id,
                                         long user_id) {
  std::lock_guard<std::mutex> lock(state.mutex);
  Portal* portal = CardPortal(state, req, host);
  if (portal == nullptr) return tl::unexpected("portal " + req.get_param_value("portal"));
  const json* row = FindEntity(*portal, kind, id);
  if (row == nullptr) return tl::unexpected(kind.lower + " " + std::to_string(id));
  if (portal->users.count(user_id) == 0) {
    return tl::unexpected("user " + std::to_string(user_id));
  }
  const json shown = RenderLegacy(*portal, kind, *row);
  Card card;
  card.member_id = portal->member_id;
  card.domain = portal->domain;
  card.lang = portal->language;
  card.title = StringField(shown, "TITLE");
  const bool deal = kind.name == DealKind().name;
  const std::string stage = StringField(shown, deal ? "STAGE_ID" : "STATUS_ID");
  const json* status =
      FindStatus(*portal, deal ? StageEntityId(IntField(*row, "CATEGORY_ID")) : "STATUS", stage);
  card.stage = status != nullptr ? StringField(*status, "NAME") : stage;
  auto user = portal->users.find(IntField(*row, "ASSIGNED_BY_ID"));
  if (user != portal->users.end()) {
    card.responsible = StringField(user->second, "NAME");
    const std::string last = StringField(user->second, "LAST_NAME");
    if (!last.empty()) card.responsible += (card.responsible.empty() ? "" : " ") + last;
  }
  card.amount = StringField(shown, "OPPORTUNITY");
  const std::string currency = StringField(shown, "CURRENCY_ID");
  if (!currency.empty()) card.amount += " " + currency;
  return card;
}

std::string ErrorPage(const std::string& lang, const std::string& heading,
                      const std::string& what) {
  return Document(lang, heading,
                  "<div class=\"slider\">\n<main>\n<h1>" + HtmlEscape(heading) +
                      "</h1>\n<p id=\"error\">" + HtmlEscape(what) + "</p>\n</main>\n</div>\n");
}

void CardRoute(State& state, const std::string& host, const httplib::Request& req,
               httplib::Response& res) {
  const EntityKind& kind = req.matches[1] == "deal" ? DealKind() : LeadKind();
  const std::string id_text = req.matches[2];
  long id = 0;
  const auto parsed = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  const auto user_id = PositiveParam(req, "user_id", 1);
  if (!user_id) {
    return SendHtml(res, 400, ErrorPage("en", "Bad request", "user_id: a positive integer"));
  }
  const auto card = ReadCard(state, req, host, kind, parsed.ec == std::errc() ? id : 0, *user_id);
  if (!card) return SendHtml(res, 404, ErrorPage("ru", LabelsFor("ru").not_found, card.error()));
  const Labels& labels = LabelsFor(card->lang);
  PlacementOpen tab;
  tab.placement = "CRM_" + kind.name + "_DETAIL_TAB";
  tab.entity_id = std::to_string(id);
  tab.user_id = *user_id;
  const auto page = PreparePlacement(state, card->member_id, tab);
  const std::string subtitle = std::string(EntityLabel(labels, kind.lower)) + " #" + tab.entity_id;
  std::string body =
      "<div class=\"slider\">\n" + Header(labels, card->domain, card->title, subtitle) +
      "<nav class=\"tabs\"><span class=\"tab active\">" + HtmlEscape(labels.general) + "</span>";
  if (page) body += "<span class=\"tab\">" + HtmlEscape(page->title) + "</span>";
  body += "</nav>\n<main>\n<dl class=\"fields\">\n";
  struct Field {
    const char* element_id;
    const char* label;
    const std::string& value;
  };
  const Field fields[] = {{"card-stage", labels.stage, card->stage},
                          {"card-responsible", labels.responsible, card->responsible},
                          {"card-amount", labels.amount, card->amount}};
  for (const Field& field : fields) {
    body += "<dt>" + HtmlEscape(field.label) + "</dt><dd id=\"" + field.element_id + "\">" +
            HtmlEscape(field.value) + "</dd>\n";
  }
  body += "</dl>\n";
  // Nothing bound, or the app not (fully) installed: the card has no tab of the app, as in
  // Bitrix24; any other refusal is shown where the tab would be.
  if (page) {
    body += "<section class=\"app-tab\">\n<h2>" + HtmlEscape(page->title) + "</h2>\n" +
            AppFrame(*page) + "</section>\n";
  } else if (page.error().code != "PLACEMENT_NOT_BOUND" && page.error().code != "NOT_INSTALLED") {
    body += "<p class=\"app-error\">" + HtmlEscape(page.error().description) + "</p>\n";
  }
  body += "</main>\n</div>\n";
  SendHtml(res, 200, Document(card->lang, card->title, body));
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void RegisterPageRoutes(httplib::Server& server, State& state, const std::string& host) {
  State* s = &state;
  server.Get("/_emulator/placements/frame",
             [s](const httplib::Request& req, httplib::Response& res) {
               auto request = FrameRequest(req);
               if (!request) return SendJsonError(res, request.error());
               const auto page = PreparePlacement(*s, req.get_param_value("portal"), *request);
               if (!page) return SendJsonError(res, page.error());
               SendHtml(res, 200, FramePage(*page));
             });
  server.Get("/_emulator/bx24.js", [](const httplib::Request&, httplib::Response& res) {
    res.set_header("Cache-Control", "no-cache");
    res.set_content(std::string(Bx24Script()), "application/javascript; charset=utf-8");
  });
  // Card pages of the portal's interface, not REST: /rest/ is matched apart, and these paths
  // never start with it.
  server.Get(R"(/crm/(deal|lead)/details/(\d{1,18})/?)",
             [s, host](const httplib::Request& req, httplib::Response& res) {
               CardRoute(*s, host, req, res);
             });
}

}  // namespace emu
