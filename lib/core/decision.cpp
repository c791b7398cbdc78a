#include "lib/core/decision.h"

namespace core {

nlohmann::json CandidatesJson(const Choice& choice) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& c : choice.candidates) {
    rows.push_back({{"user_id", c.user_id},
                    {"verdict", VerdictName(c.verdict)},
                    {"presence", PresenceName(c.presence)},
                    {"open_items", c.open_items},
                    {"cap", c.cap},
                    {"weight", c.weight},
                    {"load", c.load}});
  }
  return rows;
}

}  // namespace core
