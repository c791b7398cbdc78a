#include "lib/core/lead_intake.h"

#include <algorithm>
#include <map>

#include "lib/core/change.h"
#include "lib/core/contact_normalize.h"
#include "lib/core/template_text.h"

namespace core {
namespace {

using json = nlohmann::json;

std::string Status(const json& lead) { return TextField(lead, "STATUS_ID"); }

}  // namespace

const DuplicateHit* OriginalOf(const std::vector<DuplicateHit>& hits, int64_t lead_id) {
  const DuplicateHit* best = nullptr;
  const auto rank = [](const DuplicateHit& h) { return h.entity_type == "lead" ? 0 : 1; };
  for (const auto& hit : hits) {
    // A newer lead is never the original of an older one: two enquiries arriving together
    // would otherwise each be the other's duplicate.
    if (hit.id <= 0 || (hit.entity_type == "lead" && hit.id >= lead_id)) continue;
    if (best == nullptr || rank(hit) < rank(*best) ||
        (rank(hit) == rank(*best) && hit.id < best->id)) {
      best = &hit;
    }
  }
  return best;
}

namespace {

Action LeadUpdate(const std::string& key, int64_t id, json fields, const std::string& why) {
  return Action{key, "crm.lead.update", {{"id", id}, {"fields", std::move(fields)}},
                why, std::nullopt,      {{"lead", id}}};
}

Decision LeadDecision(const std::string& kind, int64_t id, int64_t assignee,
                      const Settings& settings, json body) {
  return Decision{kind, "lead", id, assignee, settings.version, std::move(body)};
}

// Hand the lead to the chosen hunter, or journal that it waits.
Outcome Distribute(const json& lead, const LeadContext& context, const Settings& settings,
                   const std::string& key, bool set_free_when_waiting) {
  const int64_t id = IdField(lead, "ID");
  const Choice choice = ChooseAssignee(context.hunters, QueueRulesOf(settings, "hunters"));
  Outcome out;
  json body = {{"queue", "hunters"}, {"candidates", CandidatesJson(choice)}};
  if (choice.assignee) {
    out.actions.push_back(LeadUpdate(
        key, id, {{"STATUS_ID", settings.lead.assigned}, {"ASSIGNED_BY_ID", *choice.assignee}},
        "assigned to a hunter"));
    out.decisions.push_back(LeadDecision("assigned", id, *choice.assignee, settings, body));
    return out;
  }
  if (set_free_when_waiting) {
    out.actions.push_back(
        LeadUpdate(key, id, {{"STATUS_ID", settings.lead.free}}, "no hunter available"));
  }
  body["why"] = std::string(WaitingReason(choice));
  out.decisions.push_back(LeadDecision("waiting", id, 0, settings, body));
  return out;
}

}  // namespace

bool IsLeadArrival(const json& before, const json& lead, const Settings& settings) {
  if (!lead.is_object()) return false;
  const std::string status = Status(lead);
  return status == settings.lead.duplicate_check || (before.is_null() && status == "NEW");
}

bool IsWaitingNewLead(const json& lead, const Settings& settings) {
  if (!lead.is_object()) return false;
  const std::string status = Status(lead);
  return status == "NEW" || status == settings.lead.duplicate_check;
}

bool IsFreeLead(const json& lead, const Settings& settings) {
  return lead.is_object() && Status(lead) == settings.lead.free;
}

Outcome PlanLeadArrival(const json& lead, const LeadContext& context, const Settings& settings) {
  const int64_t id = IdField(lead, "ID");
  const std::string key = "arrival:lead:" + std::to_string(id);
  const DuplicateHit* original = OriginalOf(context.duplicates, id);
  if (original == nullptr) return Distribute(lead, context, settings, key, true);

  // A repeat enquiry, linked to the original. Its owner takes it when they could now; else the
  // hunters' queue does, as with any lead.
  const json link = original->entity_type == "lead"
                        ? json{{"UF_CRM_CONVEYOR_DUPLICATE_OF", original->id}}
                        : json::object();
  const json of = {{"entity_type", original->entity_type}, {"id", original->id}};
  const bool owner_known = context.owner && context.owner->user_id == original->owner_id;
  const bool owner_can = original->owner_id > 0 && owner_known && context.owner->active &&
                         context.owner->presence == Presence::kOpened;
  Outcome out;
  if (owner_can) {
    json fields = {{"STATUS_ID", settings.lead.assigned}, {"ASSIGNED_BY_ID", original->owner_id}};
    fields.update(link);
    out.actions.push_back(LeadUpdate(key, id, fields,
                                     "repeat of " + original->entity_type + " #" +
                                         std::to_string(original->id) + ": to its owner"));
  } else {
    out = Distribute(lead, context, settings, key, true);
    for (auto& action : out.actions) action.params["fields"].update(link);
    const std::string why_not = !owner_known ? "unknown"
                                : !context.owner->active
                                    ? "inactive"
                                    : std::string(PresenceName(context.owner->presence));
    for (auto& decision : out.decisions) {
      decision.body["repeat_of"] = of;
      decision.body["owner"] = {{"user_id", original->owner_id}, {"why_not", why_not}};
    }
  }
  if (original->owner_id > 0) {
    const std::string url = context.portal_url + "/crm/" + original->entity_type + "/details/" +
                            std::to_string(original->id) + "/";
    const std::string message = RenderTemplate(TextOf(settings, "duplicate_notify"),
                                               {{"lead.id", std::to_string(id)},
                                                {"lead.title", TextField(lead, "TITLE")},
                                                {"original.id", std::to_string(original->id)},
                                                {"original.title", original->title},
                                                {"original.url", url}});
    out.actions.push_back(Action{key + ":notify",
                                 "im.notify.system.add",
                                 {{"USER_ID", original->owner_id}, {"MESSAGE", message}},
                                 "the original's owner is told",
                                 std::nullopt,
                                 {}});
  }
  if (owner_can) {
    out.decisions.push_back(LeadDecision("duplicate", id, original->owner_id, settings,
                                         {{"original", of}, {"keys", CommunicationKeys(lead)}}));
  }
  return out;
}

Outcome PlanFreeLead(const json& lead, const LeadContext& context, const Settings& settings) {
  // One hand-out per stay at the free stage: the modification time tells stays apart.
  const std::string key =
      "assign:lead:" + std::to_string(IdField(lead, "ID")) + ":" + TextField(lead, "DATE_MODIFY");
  return Distribute(lead, context, settings, key, false);
}

}  // namespace core
