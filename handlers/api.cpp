#include "handlers/api.h"

#include <cstdlib>
#include <set>

#include "handlers/access.h"
#include "handlers/reply.h"
#include "handlers/routes.h"
#include "lib/core/json_changes.h"
#include "lib/core/payloads.h"
#include "lib/core/report.h"
#include "lib/core/settings.h"

namespace handlers {
namespace {

using json = nlohmann::json;

// A positive whole query parameter, `fallback` when absent; false when present but invalid.
bool PositiveParam(const httplib::Request& req, const char* name, int64_t fallback, int64_t& out) {
  out = fallback;
  if (!req.has_param(name)) return true;
  return ParseWhole(req.get_param_value(name), out) && out > 0;
}

json EntryJson(const store::JournalEntry& entry) {
  const auto& d = entry.decision;
  return {{"id", entry.id},
          {"at", entry.at},
          {"kind", d.kind},
          {"entity_type", d.entity_type},
          {"entity_id", d.entity_id},
          {"assignee", d.assignee},
          {"settings_version", d.settings_version},
          {"reasons", d.body}};
}

// The names the card's tab shows: stages, people, and which direction each item is in. Without
// the portal (it is unreachable) the tab still has the ids.
void AddNames(Deps& deps, const std::string& member_id, const std::set<int64_t>& people,
              const store::JourneyView& view, json& body) {
  json stages = json::object(), users = json::object(), directions = json::object();
  core::Catalog catalog;
  if (deps.reports != nullptr) {
    if (auto read = deps.reports->CatalogFor(member_id, people)) catalog = std::move(*read);
  }
  for (const auto* direction : {&catalog.lead, &catalog.sales, &catalog.production}) {
    for (const auto& stage : direction->stages) stages[stage.id] = stage.name;
  }
  for (const auto& [id, name] : catalog.users) {
    if (people.count(id) != 0) users[std::to_string(id)] = name;
  }
  for (const auto& i : view.items) {
    std::string direction = "lead";
    if (i.entity_type == "deal") {
      direction = i.category_id == catalog.sales.category        ? "sales"
                  : i.category_id == catalog.production.category ? "production"
                                                                 : "other";
    }
    directions[i.entity_type + ":" + std::to_string(i.entity_id)] = direction;
  }
  body["stages"] = std::move(stages);
  body["users"] = std::move(users);
  body["directions"] = std::move(directions);
}

}  // namespace

void Portals(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!AdmitOperator(deps, req, res)) return;
  auto portals = deps.portals->All();
  if (!portals) return JsonError(res, 503, "storage_error", "The installations could not be read");
  json list = json::array();
  for (const auto& p : *portals) {
    auto depth = deps.inbox->Depth(p.member_id);
    auto last = deps.inbox->LastReceivedAt(p.member_id);
    const auto health = deps.client->Health(p.member_id);
    list.push_back({{"member_id", p.member_id},
                    {"domain", p.domain},
                    {"state", p.state},
                    {"healthy", health.healthy},
                    {"last_failure", health.last_failure},
                    {"inbox_depth", depth ? *depth : -1},
                    {"last_event_at", last ? *last : 0}});
  }
  Json(res, {{"portals", list}});
}

void Decisions(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kPortalWide)) return;
  const std::string member_id = req.matches[1].str();
  int64_t limit = 0, entity_id = 0;
  if (!PositiveParam(req, "limit", 100, limit) || limit > 1000) {
    return JsonError(res, 400, "invalid_request", "limit must be a whole number from 1 to 1000");
  }
  const std::string type = req.get_param_value("entity_type");
  const bool by_entity = req.has_param("entity_type") || req.has_param("entity_id");
  if (by_entity && ((type != "lead" && type != "deal") ||
                    !PositiveParam(req, "entity_id", 0, entity_id) || entity_id == 0)) {
    return JsonError(res, 400, "invalid_request",
                     "entity_type (lead or deal) and a positive entity_id go together");
  }
  auto entries = by_entity ? deps.decisions->ForEntity(member_id, type, entity_id)
                           : deps.decisions->Recent(member_id, static_cast<int>(limit));
  if (!entries) return JsonError(res, 503, "storage_error", "The journal could not be read");
  json list = json::array();
  for (const auto& entry : *entries) list.push_back(EntryJson(entry));
  Json(res, {{"decisions", list}});
}

void Journey(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  const auto caller = Admit(deps, req, res, Need::kCard);
  if (!caller) return;
  const std::string member_id = req.matches[1].str();
  const std::string type = req.get_param_value("entity_type");
  int64_t entity_id = 0;
  if ((type != "lead" && type != "deal") || !PositiveParam(req, "entity_id", 0, entity_id) ||
      entity_id == 0) {
    return JsonError(res, 400, "invalid_request",
                     "entity_type (lead or deal) and a positive entity_id are required");
  }
  // A card's tab sees the journey of its own card, and nothing wider.
  if (!caller->wide &&
      (caller->session.entity_type != type || caller->session.entity_id != entity_id)) {
    return JsonError(res, 403, "access_required",
                     "This page may show the journey of the card it was opened on only");
  }
  auto journey_id = deps.journeys->JourneyOf(member_id, type, entity_id);
  if (!journey_id) return JsonError(res, 503, "storage_error", "The journey could not be read");
  if (!*journey_id)
    return JsonError(res, 404, "unknown_item", "The conveyor has not seen this item yet");
  auto view = deps.journeys->Journey(member_id, **journey_id);
  if (!view) return JsonError(res, 503, "storage_error", "The journey could not be read");
  json items = json::array(), transitions = json::array();
  for (const auto& i : view->items) {
    items.push_back({{"entity_type", i.entity_type},
                     {"entity_id", i.entity_id},
                     {"category_id", i.category_id},
                     {"stage", i.stage},
                     {"semantic", i.semantic},
                     {"responsible", i.responsible},
                     {"title", i.title},
                     {"source", i.source},
                     {"amount", i.amount},
                     {"currency", i.currency},
                     {"sales_deal_id", i.sales_deal_id},
                     {"created_at", i.created_at}});
  }
  std::set<int64_t> people;
  for (const auto& t : view->transitions) {
    transitions.push_back({{"entity_type", t.entity_type},
                           {"entity_id", t.entity_id},
                           {"category_id", t.category_id},
                           {"stage", t.stage},
                           {"responsible", t.responsible},
                           {"at", t.at}});
    people.insert(t.responsible);
  }
  // "Why this person": the decisions about every item of the journey.
  json decisions = json::array();
  for (const auto& i : view->items) {
    people.insert(i.responsible);
    auto entries = deps.decisions->ForEntity(member_id, i.entity_type, i.entity_id);
    if (!entries) return JsonError(res, 503, "storage_error", "The journal could not be read");
    for (const auto& entry : *entries) {
      decisions.push_back(EntryJson(entry));
      people.insert(entry.decision.assignee);
      for (const auto& c : entry.decision.body.value("candidates", json::array()))
        people.insert(c.value("user_id", int64_t{0}));
    }
  }
  json body = {{"now", static_cast<int64_t>(deps.clock->Now())},  // the current stage's "so far"
               {"journey_id", **journey_id},
               {"items", items},
               {"transitions", transitions},
               {"decisions", decisions}};
  AddNames(deps, member_id, people, *view, body);
  Json(res, body);
}

void GetSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kPortalWide)) return;
  auto settings = deps.settings->For(req.matches[1].str());
  if (!settings) return JsonError(res, 503, "storage_error", "The settings could not be read");
  // The version is the store's to give: it stands beside the settings, not inside them.
  json body = core::SettingsToJson(*settings);
  body.erase("version");
  res.set_header("ETag", std::to_string(settings->version));
  Json(res, {{"version", settings->version}, {"settings", std::move(body)}});
}

namespace {

// Validates and stores `body` as the portal's next settings version.
void SaveSettings(Deps& deps, const httplib::Request& req, httplib::Response& res, json body) {
  body.erase("version");  // the store numbers versions
  auto parsed = core::ParseSettings(body);
  if (!parsed) return JsonError(res, 400, "invalid_settings", parsed.error().message);
  std::optional<int> expected;
  if (req.has_header("If-Match")) {
    int64_t version = 0;
    if (!ParseWhole(req.get_header_value("If-Match"), version) || version > 1'000'000'000) {
      return JsonError(res, 400, "invalid_request", "If-Match takes a settings version");
    }
    expected = static_cast<int>(version);
  }
  // What is stored is the settings as read (defaults filled in), so every version is complete.
  auto saved = deps.settings_store->Save(req.matches[1].str(), core::SettingsToJson(*parsed).dump(),
                                         static_cast<int64_t>(deps.clock->Now()), 0, expected);
  if (!saved) {
    if (saved.error().code == core::ErrorCode::kConflict) {
      return JsonError(res, 409, "version_conflict",
                       "The settings changed since that version; read them again");
    }
    return JsonError(res, 503, "storage_error", "The settings could not be saved");
  }
  res.set_header("ETag", std::to_string(*saved));
  Json(res, {{"version", *saved}});
}

json BodyObject(const httplib::Request& req) {
  if (!core::JsonNestingWithin(req.body, kMostJsonNesting)) return json();
  json body = json::parse(req.body, nullptr, false);
  return body.is_object() ? body : json();
}

}  // namespace

void PutSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kAdmin)) return;
  json body = BodyObject(req);
  if (body.is_null()) {
    return JsonError(res, 400, "invalid_request",
                     "The body must be a JSON object of settings, nested at most 32 deep");
  }
  SaveSettings(deps, req, res, std::move(body));
}

void PatchSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kAdmin)) return;
  json patch = BodyObject(req);
  if (patch.is_null()) {
    return JsonError(res, 400, "invalid_request",
                     "The body must be a JSON merge patch object, nested at most 32 deep");
  }
  auto current = deps.settings->For(req.matches[1].str());
  if (!current) return JsonError(res, 503, "storage_error", "The settings could not be read");
  json body = core::SettingsToJson(*current);
  body.merge_patch(patch);  // RFC 7386: objects merge, anything else replaces, null deletes
  SaveSettings(deps, req, res, std::move(body));
}

void PreviewSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kPortalWide)) return;
  json body = BodyObject(req);
  if (body.is_null()) {
    return JsonError(res, 400, "invalid_request",
                     "The body must be a JSON object of settings, nested at most 32 deep");
  }
  body.erase("version");
  auto current = deps.settings->For(req.matches[1].str());
  if (!current) return JsonError(res, 503, "storage_error", "The settings could not be read");
  auto parsed = core::ParseSettings(body);
  if (!parsed) return Json(res, {{"valid", false}, {"error", parsed.error().message}});
  json before = core::SettingsToJson(*current), after = core::SettingsToJson(*parsed);
  before.erase("version");
  after.erase("version");
  json changes = json::array();
  for (const auto& change : core::JsonChanges(before, after)) {
    changes.push_back({{"path", change.path}, {"before", change.before}, {"after", change.after}});
  }
  Json(res, {{"valid", true}, {"changes", changes}});
}

namespace {

// The report the request asks for, or nothing when the refusal was answered.
std::optional<json> ReportFor(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kPortalWide)) return std::nullopt;
  const std::string member_id = req.matches[1].str();
  auto settings = deps.settings->For(member_id);
  if (!settings) {
    JsonError(res, 503, "storage_error", "The settings could not be read");
    return std::nullopt;
  }
  std::map<std::string, std::string> params;
  for (const auto& [key, value] : req.params) params[key] = value;
  auto query = core::ParseReportQuery(params, settings->schedule);
  if (!query) {
    JsonError(res, 400, "invalid_request", query.error().message);
    return std::nullopt;
  }
  auto report = deps.reports->Report(member_id, *query);
  if (!report) {
    JsonError(res, 503, "unavailable", "The report could not be made; try again");
    return std::nullopt;
  }
  return std::move(*report);
}

}  // namespace

void Report(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (auto report = ReportFor(deps, req, res)) Json(res, *report);
}

void ReportCsv(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  const std::string section = req.get_param_value("section");
  if (section.empty()) {
    return JsonError(res, 400, "invalid_request",
                     "section (funnel, revenue, stage_times, stuck, load or reasons) is required");
  }
  auto report = ReportFor(deps, req, res);
  if (!report) return;
  auto csv = core::ReportCsv(*report, section);
  if (!csv) return JsonError(res, 400, "invalid_request", csv.error().message);
  res.set_header("Content-Disposition", "attachment; filename=\"conveyor-" + section + ".csv\"");
  res.set_content(*csv, "text/csv; charset=utf-8");
}

namespace {

json BackfillJson(const engine::BackfillStatus& status) {
  json lists = json::array();
  bool done = !status.lists.empty();
  for (const auto& list : status.lists) {
    done = done && list.done();
    // Share of the list's ID range read; ids are not dense, so this is a guide, not a count.
    const double share = list.done()       ? 1.0
                         : list.max_id > 0 ? std::min(1.0, static_cast<double>(list.next_id - 1) /
                                                               static_cast<double>(list.max_id))
                                           : 0.0;
    lists.push_back({{"kind", list.kind},
                     {"next_id", list.next_id},
                     {"max_id", list.max_id},
                     {"rows", list.rows},
                     {"done", list.done()},
                     {"share", list.skipped.empty() ? share : 0.0},
                     // A list the portal does not offer is left out, and says why.
                     {"skipped", list.skipped.empty() ? json(nullptr) : json(list.skipped)}});
  }
  return {{"running", status.running}, {"done", done},          {"requests", status.requests},
          {"rows", status.rows},       {"error", status.error}, {"lists", lists}};
}

}  // namespace

void GetBackfill(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kPortalWide)) return;
  auto status = deps.backfills->Status(req.matches[1].str());
  if (!status) return JsonError(res, 503, "storage_error", "The progress could not be read");
  Json(res, BackfillJson(*status));
}

void StartBackfill(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kAdmin)) return;
  json body = req.body.empty() ? json::object() : BodyObject(req);
  if (body.is_null() || (body.contains("over") && !body["over"].is_boolean())) {
    return JsonError(res, 400, "invalid_request", R"(The body is {} or {"over": true})");
  }
  const std::string member_id = req.matches[1].str();
  auto started = deps.backfills->Start(member_id, body.value("over", false));
  if (!started) return JsonError(res, 503, "storage_error", "The backfill could not be started");
  auto status = deps.backfills->Status(member_id);
  if (!status) return JsonError(res, 503, "storage_error", "The progress could not be read");
  json out = BackfillJson(*status);
  out["started"] = *started;
  Json(res, out, *started ? 202 : 200);
}

}  // namespace handlers
