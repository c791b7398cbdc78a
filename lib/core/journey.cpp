#include "lib/core/journey.h"

#include <cmath>
#include <cstdlib>

#include "lib/core/change.h"
#include "lib/core/working_time.h"

namespace core {
namespace {

using json = nlohmann::json;

std::string StageOf(const std::string& entity_type, const json& entity) {
  return TextField(entity, entity_type == "lead" ? "STATUS_ID" : "STAGE_ID");
}

int64_t CategoryOf(const std::string& entity_type, const json& entity) {
  return entity_type == "lead" ? -1 : IdField(entity, "CATEGORY_ID");
}

int64_t TimeField(const json& entity, const char* name) {
  auto t = ParseLocalTime(TextField(entity, name));
  return t ? *t : 0;
}

}  // namespace

ItemFacts FactsOf(const std::string& entity_type, const json& entity) {
  ItemFacts facts;
  facts.entity_type = entity_type;
  facts.entity_id = IdField(entity, "ID");
  facts.category_id = CategoryOf(entity_type, entity);
  facts.stage = StageOf(entity_type, entity);
  facts.semantic =
      TextField(entity, entity_type == "lead" ? "STATUS_SEMANTIC_ID" : "STAGE_SEMANTIC_ID");
  facts.responsible = IdField(entity, "ASSIGNED_BY_ID");
  facts.source = TextField(entity, "SOURCE_ID");
  facts.currency = TextField(entity, "CURRENCY_ID");
  facts.title = TextField(entity, "TITLE");
  facts.created_at = TimeField(entity, "DATE_CREATE");
  const std::string amount = TextField(entity, "OPPORTUNITY");
  char* end = nullptr;
  const double parsed = std::strtod(amount.c_str(), &end);
  // Empty, not a number, or no finite number: no money.
  facts.amount = end != amount.c_str() && std::isfinite(parsed) ? parsed : 0;
  if (entity_type == "lead") {
    facts.region = TextField(entity, "ADDRESS_REGION");
    facts.journey_id = facts.entity_id;
    return facts;
  }
  facts.sales_deal_id = IdField(entity, "UF_CRM_CONVEYOR_SALES_DEAL");
  const int64_t lead = IdField(entity, "LEAD_ID");
  facts.journey_id = lead > 0                  ? lead
                     : facts.sales_deal_id > 0 ? -facts.sales_deal_id
                                               : -facts.entity_id;
  return facts;
}

std::optional<Transition> TransitionOf(const std::string& entity_type, const json& before,
                                       const json& after) {
  if (!after.is_object()) return std::nullopt;
  const std::string stage = StageOf(entity_type, after);
  if (stage.empty()) return std::nullopt;
  const int64_t category = CategoryOf(entity_type, after);
  if (before.is_object() && StageOf(entity_type, before) == stage &&
      CategoryOf(entity_type, before) == category)
    return std::nullopt;
  Transition t{
      entity_type, IdField(after, "ID"), category, stage, IdField(after, "ASSIGNED_BY_ID"), 0};
  for (const char* field : {"MOVED_TIME", "DATE_MODIFY", "DATE_CREATE"}) {
    t.at = TimeField(after, field);
    if (t.at != 0) break;
  }
  return t;
}

}  // namespace core
