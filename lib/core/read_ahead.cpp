#include "lib/core/read_ahead.h"

#include "lib/core/change.h"
#include "lib/core/lead_intake.h"

namespace core {
namespace {

using json = nlohmann::json;

// A free item's own direction; a sales deal from a lead is announced as a hand-over, whose texts
// name the closers and the deal's previous owner.
QueueNeed FreeItemNeed(const std::string& direction, const json& item, const Pipelines& pipelines) {
  const bool announced = AnnouncedAsHandover(item, pipelines);
  return {direction, announced, announced ? IdField(item, "ASSIGNED_BY_ID") : 0};
}

std::vector<QueueNeed> TimerNeeds(const std::string& entity_type, const json& item,
                                  const json& timer, const Pipelines& pipelines) {
  const std::string kind = timer.value("kind", "");
  const std::string direction = entity_type == "lead" ? "lead" : DirectionOf(item, pipelines);
  if (direction.empty()) return {};
  if (kind == "sla") return {{direction, true, 0}};  // the reassignment's texts name people
  if (kind != "wait" && kind != "ready_day" && kind != "distribute") return {};
  return {FreeItemNeed(direction, item, pipelines)};
}

}  // namespace

std::vector<QueueNeed> LikelyQueueNeeds(const std::string& entity_type, const json& last_seen,
                                        const json& timer, const Settings& settings,
                                        const Pipelines& pipelines) {
  if (timer.is_object())
    return last_seen.is_object() ? TimerNeeds(entity_type, last_seen, timer, pipelines)
                                 : std::vector<QueueNeed>{};
  if (entity_type == "lead") {
    if (!last_seen.is_object()) return {{"lead", false, 0}};  // a new lead
    const std::string status = TextField(last_seen, "STATUS_ID");
    if (status == settings.lead.converted || status == settings.lead.junk) return {};
    if (IsFreeLead(last_seen, settings) || status == settings.lead.duplicate_check)
      return {{"lead", false, 0}};
    return {{"sales", true, IdField(last_seen, "ASSIGNED_BY_ID")}};  // a hand-over may come
  }
  if (entity_type != "deal" || !last_seen.is_object()) return {};
  if (TextField(last_seen, "CLOSED") == "Y") return {};
  const std::string direction = DirectionOf(last_seen, pipelines);
  if (IsFreeDeal(last_seen, settings, pipelines))
    return {FreeItemNeed(direction, last_seen, pipelines)};
  if (direction == "sales") return {{"production", false, 0}};  // a carry-over may come
  return {};
}

}  // namespace core
