// Fuzz target: the CRM items the conveyor's rules read (crm.lead.get / crm.deal.get answers),
// in any shape a portal might send — `{"before": …, "after": …}` or one item alone. Every pure
// rule that reads an item runs on it, a lead's and a deal's alike, and what its plans would send
// is encoded as the executor would; nothing may crash. (Timers' data is the app's own: it is
// made here as the app makes it.)
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/core/action.h"
#include "lib/core/change.h"
#include "lib/core/contact_normalize.h"
#include "lib/core/deal_rules.h"
#include "lib/core/follow_ups.h"
#include "lib/core/handover.h"
#include "lib/core/journey.h"
#include "lib/core/json_changes.h"
#include "lib/core/lead_intake.h"
#include "lib/core/query_encoding.h"
#include "lib/core/stage_tasks.h"

namespace {

using nlohmann::json;

core::Candidate Present(int64_t user_id) {
  core::Candidate c;
  c.user_id = user_id;
  c.presence = core::Presence::kOpened;
  return c;
}

void Plans(const core::Outcome& outcome) {
  for (const auto& action : outcome.actions) {
    // What a plan sends must be writable as a query and a key (the executor does both).
    (void)core::EncodeQuery(action.params);
    (void)core::ReferencedKeys(action.params);
    (void)core::ResolveKey(action.key, json::object());
  }
}

void RunRules(const json& before, const json& after) {
  static const core::Settings settings;
  const core::Pipelines pipelines{3, 5};
  const std::vector<core::Candidate> people = {Present(1), Present(2)};

  (void)core::ContentHash(after);
  (void)core::CommunicationKeys(after);
  (void)core::JsonChanges(before, after);
  for (const char* type : {"lead", "deal"}) {
    (void)core::FactsOf(type, after);
    (void)core::TransitionOf(type, before, after);
    if (const auto entry = core::EnteredStage(before, after, type, settings, pipelines)) {
      (void)core::PlanStageTasks(after.is_object() ? after.value("ID", json()) : json(), type,
                                 core::TextField(after, "TITLE"),
                                 core::IdField(after, "ASSIGNED_BY_ID"), *entry, "1", settings,
                                 1'700'000'000);
    }
  }

  core::LeadContext lead_context;
  lead_context.hunters = people;
  lead_context.duplicates.push_back({"lead", 9, 2, "Окна"});
  (void)core::IsLeadArrival(before, after, settings);
  (void)core::IsFreeLead(after, settings);
  Plans(core::PlanLeadArrival(after, lead_context, settings));
  Plans(core::PlanFreeLead(after, lead_context, settings));

  core::HandoverContext handover;
  handover.closers = people;
  handover.sales_category_id = pipelines.sales;
  (void)core::IsReadyNow(after, settings);
  (void)core::IsReadyLater(after, settings);
  Plans(core::PlanHandover(after, handover, settings));

  (void)core::DirectionOf(after, pipelines);
  (void)core::IsFreeDeal(after, settings, pipelines);
  (void)core::AnnouncedAsHandover(after, pipelines);
  (void)core::EntersCarryOver(before, after, settings, pipelines);
  if (core::MeetingRescheduled(before, after, settings, pipelines))
    (void)core::MeetingRescheduledDecision(before, after, settings);
  Plans(core::PlanFreeDeal(after, people, settings, pipelines));
  Plans(core::PlanCarryOver(after, people, settings, pipelines));

  core::SlaContext sla;
  sla.members = people;
  const json sla_timer = {{"assignee", core::IdField(after, "ASSIGNED_BY_ID")},
                          {"stage", core::TextField(after, "STAGE_ID")},
                          {"minutes", 30}};
  if (core::SlaBreached(after, sla_timer))
    Plans(core::PlanSlaReassign(after, "deal", "sales", sla_timer, sla, settings));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const json input = json::parse(text, nullptr, false);
  if (input.is_discarded()) return 0;
  const bool paired = input.is_object() && input.contains("after");
  RunRules(json(), paired ? input["after"] : input);  // first seen
  if (paired) RunRules(input.value("before", json()), input["after"]);
  return 0;
}
