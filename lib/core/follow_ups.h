// What happens later to the items the conveyor hands out (issue #4, items 3 and 5), as durable
// timers set by the plans and answered by the rules when they are due:
// - wait: an item at a free stage with nobody chosen is offered again every
//   kWaitRecheckSeconds (kHeldRecheckSeconds once held; outside working time at the next
//   working day's start), so it goes to the first member who becomes available; once it has
//   waited its queue's fallback_after_minutes it goes down the fallback chain (the next queues,
//   a duty person), or is held and the queue's alert users are told, once;
// - sla: an item handed to someone at an "assigned" stage with an SLA is looked at after that
//   many minutes; still there, with the same person, who has not touched it: it goes to the
//   next candidate if that one is less busy, and both people are told;
// - ready_day: a sales deal whose client is ready on a later day waits at the free stage until
//   that working day starts (the portal's time zone and calendar).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/change.h"
#include "lib/core/deal_rules.h"
#include "lib/core/decision.h"
#include "lib/core/settings.h"

namespace core {

inline constexpr int64_t kWaitRecheckSeconds = 120;
inline constexpr int64_t kHeldRecheckSeconds = 600;

// The start of the working day a lead or deal's ready date (settings.ready_date_field) names,
// or 0 when it has none that parses.
int64_t ReadyDayStart(const nlohmann::json& entity, const Settings& settings);

// Adds the timers `outcome` calls for: SLA timers for what its actions hand to someone at an
// assigned stage; wait timers for what they put at a free stage, and for the changed entity when
// it stays free; ready-day timers instead for sales deals whose client is ready on a later day.
// A wait that continues keeps the time it started (from the change's timer).
void AddFollowUps(Outcome& outcome, const EntityChange& change, const Settings& settings,
                  const Pipelines& pipelines, int64_t now);

// The queues a waiting item of `queue` may go to, in order: its fallback queue, that queue's
// fallback queue, and so on (settings validation rules out cycles; a cycle stops anyway).
std::vector<std::string> FallbackChain(const std::string& queue, const Settings& settings);

struct WaitContext {
  // Members of each queue of the fallback chain, by queue name.
  std::map<std::string, std::vector<Candidate>> fallback_members;
  std::string portal_url;
};

// The fallback for an item that has waited at its free stage (`entity_type` "lead" or "deal" of
// `direction`) since `since`: to the first fallback queue with an available member, else the
// first duty user, else held with an alert (when `alerted` is false). Empty when it has not
// waited long enough yet.
Outcome PlanFallback(const nlohmann::json& entity, const std::string& entity_type,
                     const std::string& direction, const WaitContext& context,
                     const Settings& settings, const Pipelines& pipelines, int64_t since,
                     bool alerted, int64_t now);

struct SlaContext {
  std::vector<Candidate> members;  // the item's queue, the late person included
  std::map<int64_t, std::string> user_names;
  std::string portal_url;
};

// Whether an item an SLA timer was set for (`data` as AddFollowUps wrote it) was not taken into
// work: it is still at the same stage with the same person, who has not saved it since.
bool SlaBreached(const nlohmann::json& entity, const nlohmann::json& data);

// The SLA plan for a breached item: to the best other available member of its queue when that
// one is less busy than the late one (open items per weight), with both people told; else it
// stays, journaled (sla_kept, why).
Outcome PlanSlaReassign(const nlohmann::json& entity, const std::string& entity_type,
                        const std::string& direction, const nlohmann::json& data,
                        const SlaContext& context, const Settings& settings);

}  // namespace core
