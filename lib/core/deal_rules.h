// The deal side of the conveyor (issue #4, items 3 and 7): a deal waiting at a pipeline's free
// stage goes to the least loaded member at work of that pipeline's queue (closers for
// «Продажи», production staff for «Производство») and moves to «Менеджер назначен»; a sales
// deal entering the carry-over stage gets its production deal — linked to it, the closer among
// the observers, handed to production staff at once when someone is at work, else waiting at
// «Свободная сделка». Never two production deals for one sales deal (found again by ORIGIN_ID).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/decision.h"
#include "lib/core/distribution.h"
#include "lib/core/settings.h"

namespace core {

struct Pipelines {
  int64_t sales = -1;  // crm.category ids; -1 when the portal has no such pipeline
  int64_t production = -1;
};

// The queue that serves a direction ("lead", "sales", "production"): "hunters", "closers",
// "production".
std::string QueueOfDirection(const std::string& direction);
// The crm.category id of a deal direction's pipeline; -1 for leads and unknown directions.
int64_t CategoryOf(const std::string& direction, const Pipelines& pipelines);

// "sales", "production" or "" for a deal of another pipeline.
std::string DirectionOf(const nlohmann::json& deal, const Pipelines& pipelines);

// A deal at its pipeline's free stage.
bool IsFreeDeal(const nlohmann::json& deal, const Settings& settings, const Pipelines& pipelines);
// A sales deal made from a lead: given out from its free stage, it is announced as a hand-over
// (comments naming its previous owner and the closer).
bool AnnouncedAsHandover(const nlohmann::json& deal, const Pipelines& pipelines);

// A sales deal that has just entered the carry-over stage (or is first seen there).
bool EntersCarryOver(const nlohmann::json& before, const nlohmann::json& deal,
                     const Settings& settings, const Pipelines& pipelines);

// A sales deal sent back from the meeting stage to the free or assigned stage: a rescheduled
// meeting on its journey (issue #4, item 8).
bool MeetingRescheduled(const nlohmann::json& before, const nlohmann::json& deal,
                        const Settings& settings, const Pipelines& pipelines);
// The journal entry for it.
Decision MeetingRescheduledDecision(const nlohmann::json& before, const nlohmann::json& deal,
                                    const Settings& settings);

// `candidates` are the members of the deal's direction's queue. A sales deal made from a lead
// (it waited for its day or for a closer) is announced as a hand-over from the one who kept it
// to the closer, with `names` and `portal_url` for the texts.
Outcome PlanFreeDeal(const nlohmann::json& deal, const std::vector<Candidate>& candidates,
                     const Settings& settings, const Pipelines& pipelines,
                     const std::map<int64_t, std::string>& names = {},
                     const std::string& portal_url = "");

// `production` are the production queue's members.
Outcome PlanCarryOver(const nlohmann::json& deal, const std::vector<Candidate>& production,
                      const Settings& settings, const Pipelines& pipelines);

}  // namespace core
