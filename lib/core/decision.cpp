#include "lib/core/decision.h"

namespace core {

nlohmann::json CandidatesJson(const Choice& choice) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : choice.candidates) {
    rows.push_back({{"user_id", c.user_id},
                    {"verdict", VerdictName(c.verdict)},
                    {"presence", PresenceName(c.presence)},
                    {"presence_source", PresenceSourceName(c.presence_source)},
                    {"handed_out_today", c.handed_out_today},
                    {"open_items", c.open_items},
                    {"cap", c.cap},
                    {"weight", c.weight},
                    {"load", c.load}});
  }
  return rows;
}

bool IsHandOut(const Decision& decision) {
  if (decision.assignee <= 0) return false;
  const std::string& k = decision.kind;
  return k == "assigned" || k == "handover" || k == "carried_over" || k == "fallback_queue";
}

}  // namespace core
