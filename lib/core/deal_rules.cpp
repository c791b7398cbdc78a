#include "lib/core/deal_rules.h"

#include "lib/core/change.h"
#include "lib/core/handover.h"

namespace core {
namespace {

using json = nlohmann::json;

const PipelineStages& StagesOf(const std::string& direction, const Settings& settings) {
  return direction == "sales" ? settings.sales : settings.production;
}

}  // namespace

std::string QueueOfDirection(const std::string& direction) {
  return direction == "lead" ? "hunters" : direction == "sales" ? "closers" : "production";
}

int64_t CategoryOf(const std::string& direction, const Pipelines& pipelines) {
  return direction == "sales"        ? pipelines.sales
         : direction == "production" ? pipelines.production
                                     : -1;
}

std::string DirectionOf(const json& deal, const Pipelines& pipelines) {
  if (!deal.is_object()) return "";
  const int64_t category = IdField(deal, "CATEGORY_ID");
  if (pipelines.sales >= 0 && category == pipelines.sales) return "sales";
  if (pipelines.production >= 0 && category == pipelines.production) return "production";
  return "";
}

bool IsFreeDeal(const json& deal, const Settings& settings, const Pipelines& pipelines) {
  const std::string direction = DirectionOf(deal, pipelines);
  if (direction.empty()) return false;
  return TextField(deal, "STAGE_ID") ==
         StageId(CategoryOf(direction, pipelines), StagesOf(direction, settings).free);
}

bool AnnouncedAsHandover(const json& deal, const Pipelines& pipelines) {
  return DirectionOf(deal, pipelines) == "sales" && IdField(deal, "LEAD_ID") > 0;
}

bool EntersCarryOver(const json& before, const json& deal, const Settings& settings,
                     const Pipelines& pipelines) {
  if (DirectionOf(deal, pipelines) != "sales" || settings.sales.carry_over.empty()) return false;
  const std::string stage = StageId(pipelines.sales, settings.sales.carry_over);
  return TextField(deal, "STAGE_ID") == stage &&
         (!before.is_object() || TextField(before, "STAGE_ID") != stage);
}

bool MeetingRescheduled(const json& before, const json& deal, const Settings& settings,
                        const Pipelines& pipelines) {
  if (!before.is_object() || DirectionOf(deal, pipelines) != "sales" ||
      settings.sales.meeting.empty())
    return false;
  const auto stage = [&](const std::string& role) { return StageId(pipelines.sales, role); };
  const std::string now_at = TextField(deal, "STAGE_ID");
  return TextField(before, "STAGE_ID") == stage(settings.sales.meeting) &&
         (now_at == stage(settings.sales.assigned) || now_at == stage(settings.sales.free));
}

Decision MeetingRescheduledDecision(const json& before, const json& deal,
                                    const Settings& settings) {
  return {"meeting_rescheduled",
          "deal",
          IdField(deal, "ID"),
          IdField(deal, "ASSIGNED_BY_ID"),
          settings.version,
          {{"from", TextField(before, "STAGE_ID")}, {"to", TextField(deal, "STAGE_ID")}}};
}

Outcome PlanFreeDeal(const json& deal, const std::vector<Candidate>& candidates,
                     const Settings& settings, const Pipelines& pipelines,
                     const std::map<int64_t, std::string>& names, const std::string& portal_url) {
  const std::string direction = DirectionOf(deal, pipelines);
  const int64_t id = IdField(deal, "ID");
  const std::string queue = QueueOfDirection(direction);
  const Choice choice = ChooseAssignee(candidates, QueueRulesOf(settings, queue));
  Outcome out;
  json body = {{"queue", queue}, {"candidates", CandidatesJson(choice)}};
  if (!choice.assignee) {
    body["why"] = std::string(WaitingReason(choice));
    out.decisions.push_back({"waiting", "deal", id, 0, settings.version, body});
    return out;
  }
  // One hand-out per stay at the free stage: the modification time tells stays apart.
  const std::string key =
      "assign:deal:" + std::to_string(id) + ":" + TextField(deal, "DATE_MODIFY");
  out.actions.push_back({key,
                         "crm.deal.update",
                         {{"id", id},
                          {"fields",
                           {{"STAGE_ID", StageId(CategoryOf(direction, pipelines),
                                                 StagesOf(direction, settings).assigned)},
                            {"ASSIGNED_BY_ID", *choice.assignee}}}},
                         "assigned to a member of " + queue,
                         std::nullopt,
                         {{"deal", id}}});
  const int64_t lead = IdField(deal, "LEAD_ID");
  if (direction == "sales" && lead > 0) {
    AnnounceHandover(out, key, lead, TextField(deal, "TITLE"), std::to_string(id),
                     IdField(deal, "ASSIGNED_BY_ID"), *choice.assignee, names, portal_url,
                     settings);
  }
  out.decisions.push_back({"assigned", "deal", id, *choice.assignee, settings.version, body});
  return out;
}

Outcome PlanCarryOver(const json& deal, const std::vector<Candidate>& production,
                      const Settings& settings, const Pipelines& pipelines) {
  const int64_t id = IdField(deal, "ID");
  const int64_t closer = IdField(deal, "ASSIGNED_BY_ID");
  const std::string key = "carry:deal:" + std::to_string(id);
  const std::string origin = "conveyor:deal:" + std::to_string(id);
  const Choice choice = ChooseAssignee(production, QueueRulesOf(settings, "production"));
  const int64_t master = choice.assignee.value_or(0);
  json fields = {
      {"TITLE", TextField(deal, "TITLE")},
      {"CATEGORY_ID", pipelines.production},
      {"STAGE_ID", StageId(pipelines.production,
                           master > 0 ? settings.production.assigned : settings.production.free)},
      {"ASSIGNED_BY_ID", master > 0 ? master : closer},
      {"ORIGIN_ID", origin},
      {"UF_CRM_CONVEYOR_SALES_DEAL", id},
      {"OPENED", "Y"}};
  for (const char* field :
       {"OPPORTUNITY", "CURRENCY_ID", "CONTACT_ID", "COMPANY_ID", "SOURCE_ID", "LEAD_ID"}) {
    if (!TextField(deal, field).empty()) fields[field] = TextField(deal, field);
  }
  const std::string ref = "$result[" + key + "]";
  Outcome out;
  out.actions.push_back({key,
                         "crm.deal.add",
                         {{"fields", fields}},
                         "carried over into production",
                         Lookup{"crm.deal.list", {{"filter", {{"ORIGIN_ID", origin}}}}},
                         {}});
  // Observers are set through the universal item API (crm.deal.* has no such field); the
  // re-read after it is the deal's snapshot.
  if (closer > 0) {
    out.actions.push_back(
        {key + ":observer",
         "crm.item.update",
         {{"entityTypeId", 2}, {"id", ref}, {"fields", {{"observers", {closer}}}}},
         "the closer stays on as an observer",
         std::nullopt,
         {{"deal", ref}}});
  }
  out.decisions.push_back(
      {master > 0 ? "carried_over" : "carried_over_waiting",
       "deal",
       id,
       master,
       settings.version,
       {{"queue", "production"}, {"closer", closer}, {"candidates", CandidatesJson(choice)}}});
  return out;
}

}  // namespace core
