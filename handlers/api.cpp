#include "handlers/api.h"

#include <cstdlib>

#include "handlers/reply.h"
#include "lib/core/payloads.h"
#include "lib/core/settings.h"

namespace handlers {
namespace {

using json = nlohmann::json;

// The caller holds the operations token, and the portal is one we know. Answers the refusal
// itself and returns false otherwise.
bool Admit(Deps& deps, const httplib::Request& req, httplib::Response& res) {
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
  auto portal = deps.portals->Find(req.matches[1].str());
  if (!portal) {
    JsonError(res, 503, "storage_error", "The installation could not be read");
    return false;
  }
  if (!*portal) {
    JsonError(res, 404, "unknown_portal", "No installation with this member_id");
    return false;
  }
  return true;
}

// A whole number written in decimal digits only.
bool ParseWhole(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos)
    return false;
  out = std::strtoll(text.c_str(), nullptr, 10);
  return true;
}

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

}  // namespace

void Decisions(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res)) return;
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
  if (!Admit(deps, req, res)) return;
  const std::string member_id = req.matches[1].str();
  const std::string type = req.get_param_value("entity_type");
  int64_t entity_id = 0;
  if ((type != "lead" && type != "deal") || !PositiveParam(req, "entity_id", 0, entity_id) ||
      entity_id == 0) {
    return JsonError(res, 400, "invalid_request",
                     "entity_type (lead or deal) and a positive entity_id are required");
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
  for (const auto& t : view->transitions) {
    transitions.push_back({{"entity_type", t.entity_type},
                           {"entity_id", t.entity_id},
                           {"category_id", t.category_id},
                           {"stage", t.stage},
                           {"responsible", t.responsible},
                           {"at", t.at}});
  }
  Json(res, {{"journey_id", **journey_id}, {"items", items}, {"transitions", transitions}});
}

void GetSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res)) return;
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
  json body = json::parse(req.body, nullptr, false);
  return body.is_object() ? body : json();
}

}  // namespace

void PutSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res)) return;
  json body = BodyObject(req);
  if (body.is_null()) {
    return JsonError(res, 400, "invalid_request", "The body must be a JSON object of settings");
  }
  SaveSettings(deps, req, res, std::move(body));
}

void PatchSettings(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res)) return;
  json patch = BodyObject(req);
  if (patch.is_null()) {
    return JsonError(res, 400, "invalid_request", "The body must be a JSON merge patch object");
  }
  auto current = deps.settings->For(req.matches[1].str());
  if (!current) return JsonError(res, 503, "storage_error", "The settings could not be read");
  json body = core::SettingsToJson(*current);
  body.merge_patch(patch);  // RFC 7386: objects merge, anything else replaces, null deletes
  SaveSettings(deps, req, res, std::move(body));
}

}  // namespace handlers
