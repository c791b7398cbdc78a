// Which queues' candidates a look at an item will likely need, judged from what the app last saw
// of it, before the round reads it again (REST economy, issue #4 item 9). The engine sends the
// queues' reads (presence, loads, names) with the round's reads of its items, so a hand-over, a
// carry-over or a distribution plans without a request of its own. A wrong guess costs some
// commands in that batch, or the request it would have cost anyway; never a wrong plan.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/deal_rules.h"
#include "lib/core/settings.h"

namespace core {

struct QueueNeed {
  std::string direction;   // "lead" (hunters), "sales" (closers), "production"
  bool names = false;      // the members' names too, for the texts of a hand-over
  int64_t also_named = 0;  // someone outside the queue whose name those texts use (0: none)
};

// `last_seen`: the item's last snapshot (null when never seen); `timer`: a due timer's
// {"kind", "data"}, or null. A new lead needs the hunters; a lead a hunter works on may be
// handed over (closers with names); an open sales deal may enter the carry-over stage
// (production); an item at its free stage, or a timer's, needs its own direction's queue.
std::vector<QueueNeed> LikelyQueueNeeds(const std::string& entity_type,
                                        const nlohmann::json& last_seen,
                                        const nlohmann::json& timer, const Settings& settings,
                                        const Pipelines& pipelines);

}  // namespace core
