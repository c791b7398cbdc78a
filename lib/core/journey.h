// Journeys (issue #5, item 1): a lead and the deals made from it — the sales deal it was handed
// over as, the production deal that deal was carried into — are one client's journey across
// the three directions. From what a lead or deal looks like after a change: the facts that
// place it in its journey and the reports, and the stage transition the change made.
// Pure: no I/O. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace core {

struct ItemFacts {
  std::string entity_type;  // "lead", "deal"
  int64_t entity_id = 0;
  // The journey: its lead's id, or minus the id of the deal it began with (a deal made without
  // a lead; its production deal joins it through the sales-deal link).
  int64_t journey_id = 0;
  int64_t sales_deal_id = 0;  // a production deal's sales deal (UF_CRM_CONVEYOR_SALES_DEAL)
  int64_t category_id = -1;   // the deal's pipeline; -1 for leads
  std::string stage;          // STATUS_ID of a lead, STAGE_ID of a deal
  std::string semantic;       // "P" in progress, "S" won, "F" lost
  int64_t responsible = 0;
  std::string source;  // SOURCE_ID
  std::string region;  // ADDRESS_REGION of a lead, "" otherwise
  double amount = 0;   // OPPORTUNITY
  std::string currency;
  std::string title;
  int64_t created_at = 0;  // Unix seconds
};

// A move of an item to a stage (its creation counts as the move to its first stage).
struct Transition {
  std::string entity_type;
  int64_t entity_id = 0;
  int64_t category_id = -1;
  std::string stage;
  int64_t responsible = 0;  // who had the item when it arrived there
  int64_t at = 0;           // Unix seconds
};

// The facts of a lead or deal as Bitrix24 answers crm.lead.get / crm.deal.get.
ItemFacts FactsOf(const std::string& entity_type, const nlohmann::json& entity);

// The transition `after` shows against `before` (null: first seen), or none when the stage and
// pipeline stayed. Its time is when the portal says the item moved (MOVED_TIME), else when it
// was last modified or created.
std::optional<Transition> TransitionOf(const std::string& entity_type, const nlohmann::json& before,
                                       const nlohmann::json& after);

}  // namespace core
