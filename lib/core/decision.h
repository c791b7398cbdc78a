// What an automatic decision was and why (issue #4, item 3: every decision is journaled with
// the candidates, their presence, load and weight, who was skipped and why, and the settings
// version), and the outcome of a rule: the actions to execute and the decisions to journal.
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/action.h"
#include "lib/core/distribution.h"

namespace core {

struct Decision {
  std::string kind;  // "duplicate", "assigned", "waiting", …
  std::string entity_type;
  int64_t entity_id = 0;
  int64_t assignee = 0;  // 0 when nobody was chosen
  int settings_version = 0;
  nlohmann::json body = nlohmann::json::object();  // the reasons
};

struct Outcome {
  std::vector<Action> actions;
  std::vector<Decision> decisions;
  std::vector<Timer> timers;  // set once the actions are done
};

// The journal's view of a choice: each candidate with presence, load, weight, cap and verdict.
nlohmann::json CandidatesJson(const Choice& choice);

// Whether the decision handed its item to `assignee` by the conveyor's rotation: a queue's
// choice ("assigned", "handover", "carried_over", "fallback_queue"). A duplicate going to its
// owner, a duty person and an SLA reassignment are not turns of the rotation.
bool IsHandOut(const Decision& decision);

}  // namespace core
