// The Conveyor app's counters, read from its Prometheus-style GET /metrics: the decision
// counters (`conveyor_decisions_total{kind="assigned"} 123`) and plain counters such as
// `conveyor_rest_commands_total 6617`. Thread-safety: stateless.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "emulator/day/summary.h"

namespace day {

// The lines of the labelled counter `name` (conveyor_decisions_total{kind="assigned"} 123) on
// a /metrics page, in page order.
std::vector<Decision> ParseLabelled(const std::string& page, const std::string& name);

// What `label` (method="crm.lead.get") of the labelled counter `name` grew by from `before` to
// `after`, largest first; the counter is read as 0 where a page lacks it.
std::vector<std::pair<std::string, long>> GrowthByLabel(const std::string& before,
                                                        const std::string& after,
                                                        const std::string& name,
                                                        const std::string& label);

// The value of the counter `name` without labels on a /metrics page; -1 when absent.
long ParseCounter(const std::string& page, const std::string& name);

// Reads `base_url`/metrics; on failure returns "" and says why in `error`.
std::string FetchMetrics(const std::string& base_url, std::string& error);

}  // namespace day
