// Auto-tasks on stage entry (issue #4, item 6): when a lead or deal enters a stage that has task
// templates, a task bound to the card (UF_CRM_TASK) is made for its responsible person (or the
// template's user), titled from the template, due after the template's working hours and days
// in the portal's calendar — once per entry. An entry the conveyor itself causes (it hands a
// lead to a hunter) gets its tasks in the same plan, as the event of our own write is ignored.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/action.h"
#include "lib/core/deal_rules.h"
#include "lib/core/settings.h"

namespace core {

struct StageEntry {
  std::string direction;  // "lead", "sales", "production"
  std::string role;       // "assigned", "meeting", …
};

// The field holding an entity's stage: STATUS_ID for leads, STAGE_ID for deals.
std::string StageField(const std::string& entity_type);

// The stage role `after` has entered since `before` (null before: a new entity); nullopt when
// the stage did not change or plays no role.
std::optional<StageEntry> EnteredStage(const nlohmann::json& before, const nlohmann::json& after,
                                       const std::string& entity_type, const Settings& settings,
                                       const Pipelines& pipelines);

// The tasks of the templates for that entry. `entity_id` may be a "$result[key]" reference to
// a deal the same plan creates; `entered_at` tells one entry from the next.
std::vector<Action> PlanStageTasks(const nlohmann::json& entity_id, const std::string& entity_type,
                                   const std::string& title, int64_t responsible,
                                   const StageEntry& entry, const std::string& entered_at,
                                   const Settings& settings, int64_t now);

// The outcome with the tasks of every stage its own updates make their entity enter (`after`
// is that entity before the plan, with its type) and of the first stage of each deal it creates.
void AddTasksForOwnMoves(Outcome& outcome, const nlohmann::json& after,
                         const std::string& entity_type, const Settings& settings,
                         const Pipelines& pipelines, int64_t now);

}  // namespace core
