#include "lib/core/set_up_view.h"

#include <algorithm>
#include <set>

#include "lib/core/change.h"
#include "lib/core/first_settings.h"

namespace core {
namespace {

using json = nlohmann::json;

long SortKeyOf(const json& row) {
  const json& sort = row.value("SORT", json());
  if (sort.is_number()) return sort.get<long>();
  if (sort.is_string()) return std::strtol(sort.get<std::string>().c_str(), nullptr, 10);
  return 0;
}

// A stage id as the settings write it: without the `C<n>:` of a pipeline other than the first.
std::string StageRoleId(const std::string& id) {
  const auto colon = id.find(':');
  return colon == std::string::npos ? id : id.substr(colon + 1);
}

std::vector<int64_t> IdsOf(const json& value) {
  std::vector<int64_t> ids;
  if (value.is_array()) {
    for (const auto& v : value) {
      if (const int64_t id = IdValue(v); id > 0) ids.push_back(id);
    }
  } else if (const int64_t id = IdValue(value); id > 0) {
    ids.push_back(id);
  }
  return ids;
}

json StagesJson(const std::vector<CatalogStage>& stages) {
  json out = json::array();
  for (const auto& s : stages) {
    out.push_back(
        {{"id", StageRoleId(s.id)}, {"name", s.name}, {"semantic", std::string(1, s.semantic)}});
  }
  return out;
}

json DirectoryJson(const PortalDirectory& d) {
  json departments = json::array(), people = json::array(), pipelines = json::array();
  for (const auto& dep : d.departments) {
    departments.push_back(
        {{"id", dep.id}, {"name", dep.name}, {"parent", dep.parent}, {"head", dep.head}});
  }
  for (const auto& p : d.people)
    people.push_back({{"id", p.id}, {"name", p.name}, {"departments", p.departments}});
  for (const auto& p : d.pipelines)
    pipelines.push_back({{"id", p.id}, {"name", p.name}, {"stages", StagesJson(p.stages)}});
  const auto fields = [](const std::vector<DirectoryField>& list) {
    json out = json::array();
    for (const auto& f : list) {
      out.push_back(
          {{"code", f.code}, {"label", f.label}, {"type", f.type}, {"read_only", f.read_only}});
    }
    return out;
  };
  return {{"departments", departments},
          {"people", people},
          {"lead_stages", StagesJson(d.lead_stages)},
          {"pipelines", pipelines},
          {"lead_fields", fields(d.lead_fields)},
          {"deal_fields", fields(d.deal_fields)}};
}

const DirectoryPipeline* PipelineNamed(const PortalDirectory& d, const std::string& name) {
  for (const auto& p : d.pipelines) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool HasStage(const std::vector<CatalogStage>& stages, const std::string& id) {
  return std::any_of(stages.begin(), stages.end(),
                     [&id](const CatalogStage& s) { return StageRoleId(s.id) == id; });
}

bool AtWork(const Candidate& c, const QueueRules& rules) {
  return c.active && c.presence == Presence::kOpened && (!rules.require_online || c.online == true);
}

json QueueStateJson(const Settings& settings, const std::string& queue,
                    const std::vector<Candidate>& members, const PortalDirectory& directory,
                    int64_t now) {
  std::map<int64_t, std::string> names;
  for (const auto& p : directory.people) names[p.id] = p.name;
  const QueueRules rules = QueueRulesOf(settings, queue);
  json list = json::array(), away = json::array();
  int people = 0, at_work = 0;
  for (const auto& c : members) {
    if (!c.active) continue;  // a dismissed employee is no longer one of the queue's people
    ++people;
    const bool working = AtWork(c, rules);
    at_work += working ? 1 : 0;
    const bool marked = IsMarkedAway(settings, c.user_id, now);
    const json until = marked ? json(settings.away.at(c.user_id)) : json(nullptr);
    if (marked) away.push_back({{"user", c.user_id}, {"until", until}});
    const auto name = names.find(c.user_id);
    list.push_back({{"id", c.user_id},
                    {"name", name != names.end() ? name->second : "#" + std::to_string(c.user_id)},
                    {"at_work", working},
                    {"presence", PresenceName(c.presence)},
                    {"source", PresenceSourceName(c.presence_source)},
                    {"online", c.online ? json(*c.online) : json(nullptr)},
                    {"open_items", c.open_items},
                    {"cap", c.cap},
                    {"weight", c.weight},
                    {"handed_out_today", c.handed_out_today},
                    {"away", until}});
  }
  json named = json::array();
  const auto q = settings.queues.find(queue);
  if (q != settings.queues.end()) {
    for (const auto& dep : directory.departments) {
      if (std::find(q->second.departments.begin(), q->second.departments.end(), dep.id) !=
              q->second.departments.end() &&
          QueueOfDepartmentName(dep.name) == queue)
        named.push_back(dep.id);
    }
  }
  return {{"people", people},
          {"at_work", at_work},
          {"away", away},
          {"members", list},
          {"named_after_role", named}};
}

}  // namespace

std::string PersonName(const json& user) {
  std::string name = TextField(user, "NAME");
  const std::string last = TextField(user, "LAST_NAME");
  if (!last.empty()) name += (name.empty() ? "" : " ") + last;
  return name;
}

std::vector<CatalogStage> StagesOfRows(const json& rows) {
  std::vector<std::pair<long, CatalogStage>> sorted;
  if (!rows.is_array()) return {};
  for (const auto& row : rows) {
    if (!row.is_object()) continue;
    CatalogStage stage;
    stage.id = TextField(row, "STATUS_ID");
    if (stage.id.empty()) continue;
    stage.name = TextField(row, "NAME");
    const std::string semantics = TextField(row, "SEMANTICS");
    stage.semantic = semantics == "S" ? 'S' : semantics == "F" ? 'F' : 'P';
    sorted.emplace_back(SortKeyOf(row), std::move(stage));
  }
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<CatalogStage> stages;
  for (auto& [sort, stage] : sorted) stages.push_back(std::move(stage));
  return stages;
}

PortalDirectory DirectoryOf(const json& departments, const json& users, const json& lead_statuses,
                            const json& categories, const std::map<int64_t, json>& stages) {
  PortalDirectory d;
  for (const auto& row : departments.is_array() ? departments : json::array()) {
    const int64_t id = IdField(row, "ID");
    if (id <= 0) continue;
    d.departments.push_back(
        {id, TextField(row, "NAME"), IdField(row, "PARENT"), IdField(row, "UF_HEAD")});
  }
  for (const auto& row : users.is_array() ? users : json::array()) {
    const int64_t id = IdField(row, "ID");
    // Docs: user/user-get.md — USER_TYPE tells employees from extranet and e-mail users, who
    // are no one's queue.
    const std::string type = TextField(row, "USER_TYPE");
    if (id <= 0 || (!type.empty() && type != "employee")) continue;
    std::string name = PersonName(row);
    if (name.empty()) name = TextField(row, "EMAIL");
    if (name.empty()) name = "#" + std::to_string(id);
    d.people.push_back({id, name, IdsOf(row.value("UF_DEPARTMENT", json()))});
  }
  std::sort(d.people.begin(), d.people.end(),
            [](const DirectoryPerson& a, const DirectoryPerson& b) { return a.name < b.name; });
  d.lead_stages = StagesOfRows(lead_statuses);
  for (const auto& row : categories.is_array() ? categories : json::array()) {
    if (!row.is_object() || !row.contains("id")) continue;
    const int64_t id = IdValue(row["id"]);
    if (id < 0) continue;
    const auto rows = stages.find(id);
    d.pipelines.push_back(
        {id, TextField(row, "name"),
         rows == stages.end() ? std::vector<CatalogStage>{} : StagesOfRows(rows->second)});
  }
  return d;
}

std::vector<DirectoryField> FieldsOfDescription(const json& fields) {
  std::vector<DirectoryField> out;
  if (!fields.is_object()) return out;
  for (const auto& [code, d] : fields.items()) {
    if (!d.is_object()) continue;
    // Docs: crm/leads/crm-lead-fields.md — a user field's `title` is its code; its names are
    // the labels, which may be missing or empty.
    std::string label;
    for (const char* key : {"formLabel", "listLabel", "title"}) {
      if (label.empty() && d.contains(key) && d[key].is_string()) label = d[key].get<std::string>();
    }
    out.push_back({code, label.empty() ? code : label, TextField(d, "type"),
                   d.value("isReadOnly", false) == true});
  }
  return out;
}

bool HeadsDepartmentOf(const PortalDirectory& directory, int64_t user, int64_t person) {
  if (user <= 0) return false;
  std::map<int64_t, const DirectoryDepartment*> by_id;
  for (const auto& dep : directory.departments) by_id[dep.id] = &dep;
  for (const auto& p : directory.people) {
    if (p.id != person) continue;
    for (int64_t dep : p.departments) {
      // Up the tree: the head of a parent department heads its children's people too. The
      // step limit keeps a cycle in the portal's answer from looping.
      for (int step = 0; step < 64 && by_id.count(dep) != 0; ++step) {
        if (by_id[dep]->head == user) return true;
        dep = by_id[dep]->parent;
      }
    }
  }
  return false;
}

bool HeadsAnyDepartment(const PortalDirectory& directory, int64_t user) {
  return user > 0 &&
         std::any_of(directory.departments.begin(), directory.departments.end(),
                     [user](const DirectoryDepartment& dep) { return dep.head == user; });
}

json MissingOf(const Settings& settings, const PortalDirectory& directory,
               const std::map<std::string, std::vector<Candidate>>& members) {
  json missing = json::array();
  for (const char* queue : {"hunters", "closers", "production"}) {
    const auto found = members.find(queue);
    const bool anyone =
        found != members.end() && std::any_of(found->second.begin(), found->second.end(),
                                              [](const Candidate& c) { return c.active; });
    if (!anyone) missing.push_back({{"code", "queue_empty"}, {"queue", queue}});
  }
  const auto need_stage = [&](const std::string& direction, const std::string& role,
                              const std::string& id, const std::vector<CatalogStage>& stages,
                              bool required) {
    if (id.empty() ? required : !HasStage(stages, id)) {
      missing.push_back(
          {{"code", "no_stage"}, {"direction", direction}, {"role", role}, {"stage", id}});
    }
  };
  const LeadStages& l = settings.lead;
  for (const auto& [role, id] :
       std::vector<std::pair<std::string, std::string>>{{"duplicate_check", l.duplicate_check},
                                                        {"free", l.free},
                                                        {"assigned", l.assigned},
                                                        {"ready_now", l.ready_now},
                                                        {"ready_later", l.ready_later},
                                                        {"converted", l.converted},
                                                        {"junk", l.junk}}) {
    need_stage("lead", role, id, directory.lead_stages, true);
  }
  for (const auto& [direction, stages] :
       {std::pair<std::string, const PipelineStages*>{"sales", &settings.sales},
        {"production", &settings.production}}) {
    const DirectoryPipeline* pipeline = PipelineNamed(directory, stages->pipeline);
    if (pipeline == nullptr) {
      missing.push_back(
          {{"code", "no_pipeline"}, {"direction", direction}, {"name", stages->pipeline}});
      continue;
    }
    need_stage(direction, "free", stages->free, pipeline->stages, true);
    need_stage(direction, "assigned", stages->assigned, pipeline->stages, true);
    need_stage(direction, "meeting", stages->meeting, pipeline->stages, false);
    need_stage(direction, "carry_over", stages->carry_over, pipeline->stages, false);
    need_stage(direction, "lost", stages->lost, pipeline->stages, false);
  }
  return missing;
}

json SetUpViewJson(const Settings& settings, const PortalDirectory& directory,
                   const std::map<std::string, std::vector<Candidate>>& members,
                   const WaitingCounts& waiting, int64_t now) {
  json queues = json::object();
  for (const auto& [name, queue] : settings.queues) {
    const auto found = members.find(name);
    queues[name] = QueueStateJson(settings, name,
                                  found != members.end() ? found->second : std::vector<Candidate>{},
                                  directory, now);
  }
  return {
      {"directory", DirectoryJson(directory)},
      {"queues", queues},
      {"missing", MissingOf(settings, directory, members)},
      {"waiting",
       {{"leads", waiting.leads}, {"sales", waiting.sales}, {"production", waiting.production}}}};
}

}  // namespace core
