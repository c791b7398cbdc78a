#include "lib/engine/logging_rules.h"

#include "lib/engine/log.h"

namespace engine {
namespace {

using json = nlohmann::json;

// Names only: field values may be personal data.
json ChangedFields(const json& before, const json& after) {
  json names = json::array();
  if (!after.is_object()) return names;
  for (const auto& [key, value] : after.items()) {
    if (!before.is_object() || !before.contains(key) || before[key] != value) names.push_back(key);
  }
  return names;
}

}  // namespace

std::vector<core::Result<core::Outcome>> LoggingRules::PlanAll(
    const std::vector<core::EntityChange>& changes, const std::vector<core::Answer>& read_ahead) {
  auto plans = inner_.PlanAll(changes, read_ahead);
  for (size_t i = 0; i < changes.size() && i < plans.size(); ++i) {
    const auto& change = changes[i];
    const auto& plan = plans[i];
    if (!plan) continue;
    Log(spdlog::level::debug, "change",
        {{"member_id", change.member_id},
         {"entity", change.entity_type},
         {"id", change.entity_id},
         {"event", change.event},
         {"created", change.before.is_null()},
         {"deleted", change.after.is_null()},
         {"fields", ChangedFields(change.before, change.after)},
         {"actions", plan->actions.size()},
         {"decisions", plan->decisions.size()}});
  }
  return plans;
}

}  // namespace engine
