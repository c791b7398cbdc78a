#include "lib/core/provision_plan.h"

#include "lib/core/change.h"

namespace core {
namespace {

using json = nlohmann::json;

std::string Str(const json& row, const char* key) {
  auto it = row.find(key);
  if (it == row.end() || it->is_null()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// A status/stage row matching the spec by name or by Conveyor's own STATUS_ID (an admin may
// have renamed it).
const json* FindStage(const json& rows, const std::string& status_id, const std::string& name) {
  for (const auto& row : rows) {
    if (Str(row, "STATUS_ID") == status_id || Str(row, "NAME") == name) return &row;
  }
  return nullptr;
}

const json* FindStatusId(const json& rows, const std::string& status_id) {
  for (const auto& row : rows) {
    if (Str(row, "STATUS_ID") == status_id) return &row;
  }
  return nullptr;
}

std::string Prefixed(long category, const std::string& id) {
  std::string out = "C" + std::to_string(category) + ":" + id;
  if (out.size() > 21) out.resize(21);  // as Bitrix24 cuts default stage IDs
  return out;
}

// The SORT of the rows' success stage (SEMANTICS "S"), or -1.
long ProvisionSuccessSort(const json& rows) {
  for (const auto& row : rows) {
    if (Str(row, "SEMANTICS") != "S") continue;
    const std::string sort = Str(row, "SORT");
    return sort.empty() || sort.size() > 9 ||
                   sort.find_first_not_of("0123456789") != std::string::npos
               ? -1
               : std::stol(sort);
  }
  return -1;
}

// The crm.status.add fields of a stage. A failure stage carries SEMANTICS "F" and must sort
// after the success stage, or Bitrix24 refuses it (crm-status-add.md, "Restrictions for SORT"):
// on a portal whose success stage sorts later than the spec expects, the failure stages are
// shifted past it in their order.
json ProvisionStageFields(const std::string& entity, const StageSpec& stage, long success_sort) {
  json fields = {
      {"ENTITY_ID", entity}, {"STATUS_ID", stage.id}, {"NAME", stage.name}, {"SORT", stage.sort}};
  if (stage.semantics == "F") {
    fields["SEMANTICS"] = "F";
    if (success_sort >= 0 && stage.sort <= success_sort) fields["SORT"] = success_sort + stage.sort;
  }
  return fields;
}

void PlanStages(const PipelineSpec& pipeline, long category, const json& rows, bool created,
                std::vector<RestStep>& steps) {
  const std::string entity = "DEAL_STAGE_" + std::to_string(category);
  size_t first = 0;
  if (created) {
    // A pipeline we just made: its start stage becomes our first stage, spare defaults go.
    if (const json* start = FindStatusId(rows, Prefixed(category, "NEW"))) {
      const auto& spec = pipeline.stages.front();
      if (Str(*start, "NAME") != spec.name) {
        steps.push_back(
            {"crm.status.update",
             {{"id", Str(*start, "ID")}, {"fields", {{"NAME", spec.name}, {"SORT", spec.sort}}}},
             "«" + pipeline.name + "»: the start stage becomes «" + spec.name + "»"});
      }
      first = 1;
    }
    for (const char* spare : {"PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE"}) {
      if (const json* row = FindStatusId(rows, Prefixed(category, spare))) {
        steps.push_back(
            {"crm.status.delete",
             {{"id", Str(*row, "ID")}},
             "«" + pipeline.name + "»: default stage «" + Str(*row, "NAME") + "» is not used"});
      }
    }
    const json* won = FindStatusId(rows, Prefixed(category, "WON"));
    if (won != nullptr && !pipeline.success_name.empty() &&
        Str(*won, "NAME") != pipeline.success_name) {
      steps.push_back(
          {"crm.status.update",
           {{"id", Str(*won, "ID")}, {"fields", {{"NAME", pipeline.success_name}}}},
           "«" + pipeline.name + "»: the success stage is «" + pipeline.success_name + "»"});
    }
  }
  const long success_sort = ProvisionSuccessSort(rows);
  for (size_t i = first; i < pipeline.stages.size(); ++i) {
    const auto& s = pipeline.stages[i];
    if (FindStage(rows, Prefixed(category, s.id), s.name) != nullptr) continue;
    steps.push_back({"crm.status.add",
                     {{"fields", ProvisionStageFields(entity, s, success_sort)}},
                     "«" + pipeline.name + "» has no stage «" + s.name + "»"});
  }
}

void PlanFields(const std::vector<UserFieldSpec>& fields, const json& existing,
                const std::string& entity, std::vector<RestStep>& steps) {
  for (const auto& f : fields) {
    const std::string name = "UF_CRM_" + f.name;
    bool found = false;
    for (const auto& row : existing) found = found || Str(row, "FIELD_NAME") == name;
    if (found) continue;
    steps.push_back(
        {"crm." + entity + ".userfield.add",
         {{"fields", {{"FIELD_NAME", f.name}, {"USER_TYPE_ID", f.type}, {"LABEL", f.label}}}},
         entity + " field " + name + " is missing"});
  }
}

}  // namespace

long CategoryByName(const PortalLayout& layout, const std::string& name) {
  for (const auto& row : layout.categories) {
    if (Str(row, "name") == name && row.contains("id") && IdValue(row["id"]) > 0)
      return static_cast<long>(IdValue(row["id"]));
  }
  return -1;
}

std::string FoundStage(const PortalLayout& layout, const std::string& pipeline,
                       const StageSpec& stage) {
  if (pipeline.empty()) {
    const json* row = FindStage(layout.lead_statuses, stage.id, stage.name);
    return row == nullptr ? "" : Str(*row, "STATUS_ID");
  }
  const long category = CategoryByName(layout, pipeline);
  const auto rows = layout.stages.find(category);
  if (category < 0 || rows == layout.stages.end()) return "";
  const json* row = FindStage(rows->second, Prefixed(category, stage.id), stage.name);
  if (row == nullptr) return "";
  const std::string id = Str(*row, "STATUS_ID");
  const std::string prefix = "C" + std::to_string(category) + ":";
  return id.rfind(prefix, 0) == 0 ? id.substr(prefix.size()) : id;
}

std::vector<RestStep> PlanPipelines(const InstallSpec& spec, const PortalLayout& layout) {
  std::vector<RestStep> steps;
  for (const auto& p : spec.pipelines) {
    if (CategoryByName(layout, p.name) >= 0) continue;
    steps.push_back({"crm.category.add",
                     {{"entityTypeId", 2}, {"fields", {{"name", p.name}, {"sort", p.sort}}}},
                     "pipeline «" + p.name + "» does not exist"});
  }
  return steps;
}

std::vector<RestStep> PlanRest(const InstallSpec& spec, const Manifest& manifest,
                               const PortalLayout& layout, const std::set<long>& created,
                               const std::string& public_url) {
  std::vector<RestStep> steps;
  const long lead_success_sort = ProvisionSuccessSort(layout.lead_statuses);
  for (const auto& s : spec.lead_statuses) {
    if (FindStage(layout.lead_statuses, s.id, s.name) != nullptr) continue;
    steps.push_back({"crm.status.add",
                     {{"fields", ProvisionStageFields("STATUS", s, lead_success_sort)}},
                     "lead status «" + s.name + "» is missing"});
  }
  for (const auto& p : spec.pipelines) {
    const long category = CategoryByName(layout, p.name);
    if (category < 0) continue;  // phase 1 failed for it; the caller reports that
    auto rows = layout.stages.find(category);
    PlanStages(p, category, rows == layout.stages.end() ? json::array() : rows->second,
               created.count(category) != 0, steps);
  }
  PlanFields(spec.lead_fields, layout.lead_fields, "lead", steps);
  PlanFields(spec.deal_fields, layout.deal_fields, "deal", steps);

  const std::string events_handler = public_url + manifest.events_path;
  for (const auto& event : manifest.events) {
    bool ours = false;
    for (const auto& row : layout.bindings) {
      if (Str(row, "event") != event || Str(row, "offline") == "1") continue;
      if (Str(row, "handler") == events_handler) {
        ours = true;
      } else {  // an old address (the app moved): unbind it
        steps.push_back({"event.unbind",
                         {{"event", event}, {"handler", Str(row, "handler")}},
                         event + " is bound to an old address"});
      }
    }
    if (!ours) {
      steps.push_back(
          {"event.bind", {{"event", event}, {"handler", events_handler}}, event + " is not bound"});
    }
  }
  for (const auto& [placement, path] : manifest.placement_paths) {
    const std::string handler = public_url + path;
    bool ours = false;
    for (const auto& row : layout.placements) {
      if (Str(row, "placement") != placement) continue;
      if (Str(row, "handler") == handler) {
        ours = true;
      } else {
        steps.push_back({"placement.unbind",
                         {{"PLACEMENT", placement}, {"HANDLER", Str(row, "handler")}},
                         placement + " is bound to an old address"});
      }
    }
    if (!ours) {
      const auto title = manifest.placement_titles.count(placement)
                             ? manifest.placement_titles.at(placement)
                             : placement;
      steps.push_back({"placement.bind",
                       {{"PLACEMENT", placement}, {"HANDLER", handler}, {"TITLE", title}},
                       placement + " is not bound"});
    }
  }
  return steps;
}

}  // namespace core
