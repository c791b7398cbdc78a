#include "emulator/control.h"

#include <httplib.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <vector>

#include "emulator/crm_store.h"
#include "emulator/dispatcher.h"
#include "emulator/envelope.h"
#include "emulator/lifecycle.h"

namespace emu {
namespace {

using Handler = std::function<tl::expected<json, RestError>(const json& body)>;

void Send(httplib::Response& res, int status, const json& body) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void SendError(httplib::Response& res, const RestError& e) {
  Send(res, e.status, {{"error", e.code}, {"error_description", e.description}});
}

// Parses the JSON body (or the query string for GET) and runs the handler.
void Run(const httplib::Request& req, httplib::Response& res, const Handler& handler) {
  json body = json::object();
  if (!req.body.empty()) {
    body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      SendError(res, RestError{400, "INVALID_JSON", "The body must be a JSON object", {}});
      return;
    }
  }
  for (const auto& [key, value] : req.params) {
    if (!body.contains(key)) body[key] = value;
  }
  auto result = handler(body);
  if (!result) {
    SendError(res, result.error());
  } else {
    Send(res, 200, *result);
  }
}

double Number(const json& body, const char* key, double fallback) {
  auto it = body.find(key);
  if (it == body.end()) return fallback;
  if (it->is_number()) return it->get<double>();
  if (it->is_string()) {
    try {
      return std::stod(it->get<std::string>());
    } catch (...) {
      return fallback;
    }
  }
  return fallback;
}

tl::expected<Portal*, RestError> PortalOf(State& state, const json& body) {
  const std::string id = TextField(body, "portal");
  Portal* portal = id.empty() ? &state.DefaultPortal() : state.FindPortal(id);
  if (portal == nullptr) return Fail(404, "PORTAL_NOT_FOUND", "No such portal: " + id);
  return portal;
}

void SetPlan(Portal& portal, const std::string& plan) {
  portal.plan = plan;
  portal.limits.bucket = plan == "enterprise" ? 250 : 50;
  portal.limits.drain = plan == "enterprise" ? 5 : 2;
}

json PortalSummary(const State& state, const Portal& p) {
  json apps = json::object();
  for (const auto& [client_id, app] : p.installations) {
    apps[client_id] = {
        {"installed", app.installed}, {"version", app.version}, {"scope", app.scope}};
  }
  json counts = json::object();
  for (const auto& [name, rows] : p.crm) counts[name] = rows.size();
  json history = json::object();
  for (const auto& [name, rows] : p.stage_history) history[name] = rows.size();
  return {{"member_id", p.member_id},
          {"domain", p.domain},
          {"rest", state.RestEndpoint(p)},
          {"plan", p.plan},
          {"limits",
           {{"bucket", p.limits.bucket},
            {"drain", p.limits.drain},
            {"operating_limit", p.limits.operating_limit}}},
          {"apps", apps},
          {"users", p.users.size()},
          {"crm", counts},
          {"stage_history", history},
          {"bindings", p.bindings.size()},
          {"placements", p.placements.size()},
          {"offline_events", p.offline_events.size()}};
}

// A whole section of a portal's state, for tests and the demo to inspect.
// `modified_since` (>= 0) keeps only the CRM rows modified since then: a watcher of a large
// portal (b24-day) reads what changed instead of everything at every look.
tl::expected<json, RestError> Section(const Portal& p, const std::string& name,
                                      double modified_since) {
  auto rows = [](const std::map<long, json>& m) {
    json out = json::array();
    for (const auto& [id, row] : m) out.push_back(row);
    return out;
  };
  auto crm_rows = [&p, modified_since](const char* kind) {
    json out = json::array();
    const auto it = p.crm.find(kind);
    if (it == p.crm.end()) return out;
    for (const auto& [id, row] : it->second) {
      const auto modified = row.find("DATE_MODIFY");
      if (modified_since >= 0 && modified != row.end() && modified->is_number() &&
          modified->get<double>() < modified_since)
        continue;
      out.push_back(row);
    }
    return out;
  };
  if (name == "users") return rows(p.users);
  if (name == "departments") return rows(p.departments);
  if (name == "notifications") return rows(p.notifications);
  if (name == "tasks") return rows(p.tasks);
  if (name == "comments") return rows(p.timeline_comments);
  if (name == "activities") return rows(p.activities);
  if (name == "statuses") return rows(p.statuses);
  if (name == "categories") return rows(p.categories);
  if (name == "userfields") return rows(p.userfields);
  if (name == "leads") return crm_rows("LEAD");
  if (name == "deals") return crm_rows("DEAL");
  auto history = [&p, &rows](const char* kind) {
    auto it = p.stage_history.find(kind);
    return it == p.stage_history.end() ? json::array() : rows(it->second);
  };
  if (name == "lead_history") return history("LEAD");
  if (name == "deal_history") return history("DEAL");
  if (name == "contacts") return crm_rows("CONTACT");
  if (name == "bindings") {
    json out = json::array();
    for (const auto& b : p.bindings) {
      out.push_back({{"id", b.id},
                     {"event", b.event},
                     {"handler", b.handler},
                     {"offline", b.offline},
                     {"auth_type", b.auth_type},
                     {"connector", b.connector}});
    }
    return out;
  }
  if (name == "placements") {
    json out = json::array();
    for (const auto& b : p.placements) {
      out.push_back(
          {{"id", b.id}, {"placement", b.placement}, {"handler", b.handler}, {"title", b.title}});
    }
    return out;
  }
  if (name == "installations") {
    json out = json::array();
    for (const auto& [id, app] : p.installations) {
      out.push_back({{"client_id", id},
                     {"installed", app.installed},
                     {"version", app.version},
                     {"scope", app.scope},
                     {"application_token", app.application_token}});
    }
    return out;
  }
  return Fail(404, "NO_SUCH_SECTION", "Unknown section: " + name);
}

json ClockJson(const Clock& clock) {
  const Clock::Reading reading = clock.Read();
  return {{"now", reading.now}, {"frozen", reading.frozen}, {"speed", reading.speed}};
}

Caller ActorOf(const json& body) {
  Caller caller;
  const std::string as = TextField(body, "as", "user");
  caller.kind = as == "automation" ? Caller::Kind::kAutomation : Caller::Kind::kUser;
  caller.user_id = static_cast<long>(Number(body, "user_id", 1));
  caller.auth_connector = TextField(body, "auth_connector");
  return caller;
}

}  // namespace

void RegisterControlRoutes(httplib::Server& server, State& state, Deliverer& deliverer,
                           std::function<std::string()> open_listener) {
  auto post = [&server](const std::string& path, Handler handler) {
    server.Post(path, [handler](const httplib::Request& req, httplib::Response& res) {
      Run(req, res, handler);
    });
  };
  auto get = [&server](const std::string& path, Handler handler) {
    server.Get(path, [handler](const httplib::Request& req, httplib::Response& res) {
      Run(req, res, handler);
    });
  };
  State* s = &state;
  Deliverer* d = &deliverer;

  get("/_emulator/health", [](const json&) -> tl::expected<json, RestError> {
    return json{{"status", "ok"}};
  });

  get("/_emulator/state", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    const std::string section = TextField(body, "section");
    if (!section.empty()) {
      auto portal = PortalOf(*s, body);
      if (!portal) return tl::unexpected(portal.error());
      const double since = Number(body, "modified_since", -1);
      if (body.contains("modified_since") && since < 0) {
        return Fail(400, "BAD_MODIFIED_SINCE",
                    "modified_since: a portal time in Unix seconds, 0 or more");
      }
      return Section(**portal, section, since);
    }
    json portals = json::array();
    for (const auto& [id, p] : s->portals) portals.push_back(PortalSummary(*s, p));
    return json{
        {"now", s->clock.Now()}, {"default_portal", s->default_member_id}, {"portals", portals}};
  });

  post("/_emulator/portals", [s, open_listener](const json& body) -> tl::expected<json, RestError> {
    const std::string plan = TextField(body, "plan", "basic");
    if (plan != "free" && plan != "basic" && plan != "enterprise")
      return Fail(400, "BAD_PLAN", "plan: free, basic or enterprise");
    std::string member_id;
    {
      std::lock_guard<std::mutex> lock(s->mutex);
      member_id = TextField(body, "member_id", s->RandomHex(32));
      if (s->FindPortal(member_id) != nullptr)
        return Fail(409, "PORTAL_EXISTS", "Portal exists: " + member_id);
    }
    const std::string domain = open_listener();  // a portal of its own has an address of its own
    if (domain.empty()) return Fail(503, "NO_PORT", "No free port for a new portal");
    std::lock_guard<std::mutex> lock(s->mutex);
    Portal& p = s->CreatePortal(member_id, domain, plan);
    s->listener_owner[domain] = member_id;
    return PortalSummary(*s, p);
  });

  // The portal moves to a new address; the old one answers 302 to the new one (REST.md §1.6).
  post("/_emulator/domain", [s, open_listener](const json& body) -> tl::expected<json, RestError> {
    const std::string domain = open_listener();
    if (domain.empty()) return Fail(503, "NO_PORT", "No free port for the new domain");
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    (*portal)->previous_domains.push_back((*portal)->domain);
    (*portal)->domain = domain;
    s->listener_owner[domain] = (*portal)->member_id;
    s->dirty = true;
    return PortalSummary(*s, **portal);
  });

  post("/_emulator/plan", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    const std::string plan = TextField(body, "plan");
    if (plan != "free" && plan != "basic" && plan != "enterprise")
      return Fail(400, "BAD_PLAN", "plan: free, basic or enterprise");
    SetPlan(**portal, plan);
    return PortalSummary(*s, **portal);
  });

  post("/_emulator/limits", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    Limits& l = (*portal)->limits;
    l.bucket = Number(body, "bucket", l.bucket);
    l.drain = Number(body, "drain", l.drain);
    l.operating_limit = Number(body, "operating_limit", l.operating_limit);
    if (body.contains("method_seconds") && body["method_seconds"].is_object()) {
      for (const auto& item : body["method_seconds"].items()) {
        if (item.value().is_number()) l.method_seconds[item.key()] = item.value().get<double>();
      }
    }
    if (body.value("reset", false)) {
      (*portal)->bucket_level = 0;
      (*portal)->operating.clear();
    }
    return PortalSummary(*s, **portal);
  });

  post("/_emulator/users", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    Portal& p = **portal;
    if (TextField(body, "NAME").empty()) return Fail(400, "NAME_REQUIRED", "NAME is required");
    const long id = p.NextId("user");
    json departments = body.value("UF_DEPARTMENT", json::array({1}));
    if (!departments.is_array()) departments = json::array({departments});
    for (const auto& dep : departments) {
      if (!dep.is_number_integer() || p.departments.count(dep.get<long>()) == 0) {
        return Fail(400, "NO_SUCH_DEPARTMENT", "Unknown department in UF_DEPARTMENT");
      }
    }
    const std::string now = FormatIsoTime(s->clock.Now(), p.tz_minutes);
    p.users[id] = {
        {"ID", std::to_string(id)},
        {"ACTIVE", body.value("ACTIVE", true)},
        {"NAME", TextField(body, "NAME")},
        {"LAST_NAME", TextField(body, "LAST_NAME")},
        {"SECOND_NAME", ""},
        {"EMAIL", TextField(body, "EMAIL", "user" + std::to_string(id) + "@example.com")},
        {"LAST_LOGIN", now},
        {"DATE_REGISTER", now},
        {"IS_ONLINE", body.value("IS_ONLINE", "N")},
        {"LAST_ACTIVITY_DATE", ""},
        {"UF_DEPARTMENT", departments},
        {"WORK_POSITION", TextField(body, "WORK_POSITION")},
        {"PERSONAL_GENDER", ""},
        {"USER_TYPE", "employee"},
        {"TIME_ZONE", TextField(body, "TIME_ZONE")},  // the user's own; "" = the portal's
        {"ADMIN", body.value("ADMIN", false)}};
    s->dirty = true;
    return p.users[id];
  });

  post("/_emulator/departments", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    Portal& p = **portal;
    // With an ID: the department's head (UF_HEAD) or name changes, as an admin changes them.
    if (body.contains("ID")) {
      const auto found = p.departments.find(static_cast<long>(Number(body, "ID", 0)));
      if (found == p.departments.end())
        return Fail(400, "NO_SUCH_DEPARTMENT", "Unknown department ID");
      if (!TextField(body, "NAME").empty()) found->second["NAME"] = TextField(body, "NAME");
      if (body.contains("UF_HEAD")) found->second["UF_HEAD"] = TextField(body, "UF_HEAD");
      s->dirty = true;
      return found->second;
    }
    if (TextField(body, "NAME").empty()) return Fail(400, "NAME_REQUIRED", "NAME is required");
    const long parent = static_cast<long>(Number(body, "PARENT", 1));
    if (p.departments.count(parent) == 0) return Fail(400, "NO_SUCH_DEPARTMENT", "Unknown PARENT");
    const long id = p.NextId("department");
    p.departments[id] = {
        {"ID", std::to_string(id)},
        {"NAME", TextField(body, "NAME")},
        {"SORT", static_cast<long>(Number(body, "SORT", 500))},
        {"PARENT", std::to_string(parent)},
        {"UF_HEAD", body.contains("UF_HEAD") ? json(TextField(body, "UF_HEAD")) : json(nullptr)}};
    s->dirty = true;
    return p.departments[id];
  });

  post("/_emulator/presence", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    Portal& p = **portal;
    const long user = static_cast<long>(Number(body, "user_id", 0));
    if (p.users.count(user) == 0) return Fail(404, "USER_NOT_FOUND", "No such user");
    const std::string status = TextField(body, "status", "");
    const double now = s->clock.Now();
    if (!status.empty()) {
      if (status != "OPENED" && status != "PAUSED" && status != "CLOSED" && status != "EXPIRED") {
        return Fail(400, "BAD_STATUS", "status: OPENED, PAUSED, CLOSED or EXPIRED");
      }
      json& record = p.presence[user];
      if (status == "OPENED" &&
          (!record.contains("TIME_START") || record.value("STATUS", "") == "CLOSED")) {
        record = {{"STATUS", "OPENED"}, {"TIME_START", now}, {"TIME_FINISH", nullptr}};
      } else {
        if (!record.contains("TIME_START")) record["TIME_START"] = now;
        record["STATUS"] = status;
        record["TIME_FINISH"] = status == "CLOSED" ? json(now) : json(nullptr);
      }
    }
    if (body.contains("online"))
      p.users[user]["IS_ONLINE"] = body.value("online", false) ? "Y" : "N";
    s->dirty = true;
    return json{{"user_id", user},
                {"presence", p.presence[user]},
                {"IS_ONLINE", p.users[user]["IS_ONLINE"]}};
  });

  post("/_emulator/webhooks", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    const long user = static_cast<long>(Number(body, "user_id", 1));
    if ((*portal)->users.count(user) == 0) return Fail(404, "USER_NOT_FOUND", "No such user");
    const std::string code = TextField(body, "code", s->RandomHex(16));
    (*portal)->webhooks[code] = user;
    s->dirty = true;
    return json{{"url", s->RestEndpoint(**portal) + std::to_string(user) + "/" + code + "/"}};
  });

  // Seeds crm.stagehistory.list rows with explicit past times (backfill scenarios):
  // {"portal"?, "entityTypeId": 1|2, "replace"?: false, "rows": [{"OWNER_ID",
  //  "STATUS_ID" (lead) | "STAGE_ID" (deal), "CATEGORY_ID"?, "CREATED_TIME", "TYPE_ID"?}]}.
  // CREATED_TIME: ISO-8601 or unix seconds. CATEGORY_ID defaults to the deal's pipeline; TYPE_ID
  // (1, 2, 3, 5) to what the stage's semantics make of a move: P -> 2, S/F -> 3. Owners must exist
  // and stages be in their dictionary; one bad row adds nothing. Rows are added in CREATED_TIME
  // order, so IDs follow time; `replace` first drops the named owners' rows (such as the creation
  // row written at virtual now). The leads and deals themselves are not changed.
  post("/_emulator/stagehistory", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    Portal& p = **portal;
    const long type_id = static_cast<long>(Number(body, "entityTypeId", 0));
    if (type_id != 1 && type_id != 2) {
      return Fail(400, "BAD_ENTITY_TYPE", "entityTypeId: 1 (lead) or 2 (deal)");
    }
    const EntityKind& kind = type_id == 1 ? LeadKind() : DealKind();
    const json rows = body.value("rows", json::array());
    if (!rows.is_array() || rows.empty()) return Fail(400, "NO_ROWS", "rows: a non-empty array");
    struct Seeded {
      long owner;
      long category;
      std::string stage;
      HistoryType type;
      double time;
    };
    std::vector<Seeded> seeded;
    for (size_t i = 0; i < rows.size(); ++i) {
      const json& row = rows[i];
      const std::string where = "rows[" + std::to_string(i) + "]: ";
      if (!row.is_object()) return Fail(400, "BAD_ROW", where + "not an object");
      const long owner = static_cast<long>(Number(row, "OWNER_ID", 0));
      const json* entity = FindEntity(p, kind, owner);
      if (entity == nullptr) {
        return Fail(404, "OWNER_NOT_FOUND",
                    where + "no " + kind.lower + " " + std::to_string(owner));
      }
      const long category =
          type_id == 2
              ? static_cast<long>(Number(row, "CATEGORY_ID",
                                         static_cast<double>(IntField(*entity, "CATEGORY_ID"))))
              : 0;
      const std::string stage = TextField(row, type_id == 1 ? "STATUS_ID" : "STAGE_ID");
      if (FindStatus(p, type_id == 1 ? "STATUS" : StageEntityId(category), stage) == nullptr) {
        return Fail(400, "BAD_STAGE", where + "no stage '" + stage + "' here");
      }
      double time = 0;
      const json when = row.value("CREATED_TIME", json(nullptr));
      if (when.is_number()) {
        time = when.get<double>();
      } else if (!when.is_string() || !ParseIsoTime(when.get<std::string>(), p.tz_minutes, time)) {
        return Fail(400, "BAD_TIME", where + "CREATED_TIME: ISO-8601 or unix seconds");
      }
      const bool final_stage = StageSemanticOf(p, kind, category, stage) != "P";
      const int type = static_cast<int>(Number(row, "TYPE_ID", final_stage ? 3 : 2));
      if (type != 1 && type != 2 && type != 3 && type != 5) {
        return Fail(400, "BAD_TYPE", where + "TYPE_ID: 1, 2, 3 or 5");
      }
      seeded.push_back({owner, category, stage, static_cast<HistoryType>(type), time});
    }
    std::stable_sort(seeded.begin(), seeded.end(),
                     [](const Seeded& a, const Seeded& b) { return a.time < b.time; });
    if (body.contains("replace") && body["replace"] == true) {
      std::set<long> owners;
      for (const auto& row : seeded) owners.insert(row.owner);
      auto& table = p.stage_history[kind.name];
      for (auto it = table.begin(); it != table.end();) {
        it = owners.count(IntField(it->second, "OWNER_ID")) ? table.erase(it) : std::next(it);
      }
    }
    long first = 0, last = 0;
    for (const auto& row : seeded) {
      last = AppendStageHistory(p, kind, row.owner, row.category, row.stage, row.type, row.time);
      if (first == 0) first = last;
    }
    s->dirty = true;
    return json{{"added", seeded.size()}, {"first_id", first}, {"last_id", last}};
  });

  server.Post("/_emulator/act", [s, d](const httplib::Request& req, httplib::Response& res) {
    json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object() || TextField(body, "method").empty()) {
      SendError(res,
                RestError{400, "INVALID_JSON", "Expected {\"method\":..., \"params\":{...}}", {}});
      return;
    }
    const HttpOut out = ActAs(*s, *d, TextField(body, "portal"), ActorOf(body),
                              TextField(body, "method"), body.value("params", json::object()));
    res.status = out.status;
    res.set_content(out.body, out.content_type);
  });

  post("/_emulator/apps/install", [s, d](const json& body) -> tl::expected<json, RestError> {
    InstallRequest request;
    request.application_url = TextField(body, "application_url");
    request.installer_url = TextField(body, "installer_url");
    request.install_event_url = TextField(body, "install_event_url");
    request.scope = TextField(body, "scope", request.scope);
    request.version = static_cast<int>(Number(body, "version", 1));
    request.admin_user_id = static_cast<long>(Number(body, "admin_user_id", 1));
    request.status = TextField(body, "status", "L");
    if (request.application_url.empty() && request.installer_url.empty() &&
        request.install_event_url.empty()) {
      return Fail(400, "NO_URLS", "Give application_url, installer_url or install_event_url");
    }
    return InstallApp(*s, *d, TextField(body, "portal"), request);
  });
  post("/_emulator/apps/finish",
       [s](const json& body) { return FinishInstall(*s, TextField(body, "portal")); });
  post("/_emulator/apps/update", [s, d](const json& body) {
    return UpdateApp(*s, *d, TextField(body, "portal"),
                     static_cast<int>(Number(body, "version", 2)));
  });
  post("/_emulator/apps/uninstall", [s, d](const json& body) {
    return UninstallApp(*s, *d, TextField(body, "portal"), body.value("clean", false));
  });

  post("/_emulator/placements/open", [s](const json& body) {
    PlacementOpen request;
    request.placement = TextField(body, "placement", "DEFAULT");
    request.entity_id = TextField(body, "id");
    request.user_id = static_cast<long>(Number(body, "user_id", 1));
    request.lang = TextField(body, "lang");
    request.handler = TextField(body, "handler");
    return OpenPlacement(*s, TextField(body, "portal"), request);
  });

  // Checked before anything changes: a refused request leaves the clock as it was.
  post("/_emulator/clock", [s](const json& body) -> tl::expected<json, RestError> {
    const double seconds = Number(body, "advance", 0);
    if (seconds < 0) return Fail(400, "BAD_ADVANCE", "The clock only moves forward");
    const double speed = Number(body, "speed", 0);
    if (body.contains("speed") && !(speed > 0)) {
      return Fail(400, "BAD_SPEED", "speed: a number of virtual seconds per real second, > 0");
    }
    if (body.contains("speed")) s->clock.SetSpeed(speed);
    if (seconds > 0) s->clock.Advance(seconds);
    if (body.contains("freeze")) s->clock.SetFrozen(body.value("freeze", false));
    return ClockJson(s->clock);
  });
  get("/_emulator/clock",
      [s](const json&) -> tl::expected<json, RestError> { return ClockJson(s->clock); });

  post("/_emulator/faults", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    if (body.contains("event_drop_rate"))
      s->delivery.drop_rate = Number(body, "event_drop_rate", 0);
    if (body.contains("event_delay_ms")) s->delivery.delay_ms = Number(body, "event_delay_ms", 0);
    if (body.contains("method")) {
      auto portal = PortalOf(*s, body);
      if (!portal) return tl::unexpected(portal.error());
      Fault fault;
      fault.method = TextField(body, "method");
      fault.remaining = static_cast<int>(Number(body, "count", 1));
      fault.status = static_cast<int>(Number(body, "status", 503));
      fault.code = TextField(body, "error", "QUERY_LIMIT_EXCEEDED");
      fault.description = TextField(body, "description", "Too many requests");
      fault.after = body.value("after", false);
      fault.delay_ms = Number(body, "delay_ms", 0);
      fault.skip = static_cast<int>(Number(body, "skip", 0));
      if (!(fault.delay_ms >= 0 && fault.delay_ms <= 600000))
        return Fail(400, "BAD_DELAY", "delay_ms: 0 to 600000");
      (*portal)->faults.push_back(fault);
    }
    return json{{"event_drop_rate", s->delivery.drop_rate},
                {"event_delay_ms", s->delivery.delay_ms}};
  });
  post("/_emulator/hostile", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    const std::string mode = TextField(body, "mode");
    if (mode != "" && mode != "off" && mode != "wrong_types" && mode != "huge_operating" &&
        mode != "redirect" && mode != "html" && mode != "slow") {
      return Fail(400, "BAD_MODE",
                  "mode: off, wrong_types, huge_operating, redirect, html or slow");
    }
    (*portal)->hostile = mode == "off" ? "" : mode;
    (*portal)->hostile_delay_ms = Number(body, "delay_ms", 60000);
    return json{{"mode", (*portal)->hostile}, {"delay_ms", (*portal)->hostile_delay_ms}};
  });
  server.Delete("/_emulator/faults", [s](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(s->mutex);
    s->delivery = DeliveryFaults{};
    for (auto& [id, p] : s->portals) p.faults.clear();
    Send(res, 200, {{"cleared", true}});
  });

  post("/_emulator/tokens/expire", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    auto portal = PortalOf(*s, body);
    if (!portal) return tl::unexpected(portal.error());
    long count = 0;
    for (auto& [token, info] : s->access_tokens) {
      if (info.member_id == (*portal)->member_id) {
        info.expires = s->clock.Now() - 1;
        ++count;
      }
    }
    return json{{"expired", count}};
  });

  get("/_emulator/log", [s](const json& body) -> tl::expected<json, RestError> {
    std::lock_guard<std::mutex> lock(s->mutex);
    return s->log.ToJson(static_cast<size_t>(Number(body, "last", 100)));
  });
  post("/_emulator/log/clear", [s, d](const json&) -> tl::expected<json, RestError> {
    {
      std::lock_guard<std::mutex> lock(s->mutex);
      s->log.Clear();
    }
    d->ClearLog();
    return json{{"cleared", true}};
  });
  get("/_emulator/deliveries", [d](const json& body) -> tl::expected<json, RestError> {
    return d->Log(static_cast<size_t>(Number(body, "last", 100)));
  });
  post("/_emulator/deliveries/drain", [d](const json& body) -> tl::expected<json, RestError> {
    return json{{"drained", d->Drain(Number(body, "timeout", 10))}};
  });
}

}  // namespace emu
