// The Conveyor app's counters, read from its Prometheus-style GET /metrics: the decision
// counters (`conveyor_decisions_total{kind="assigned"} 123`) and plain counters such as
// `conveyor_rest_commands_total 6617`. Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "emulator/day/summary.h"

namespace day {

// The conveyor_decisions_total lines of a /metrics page, in page order.
std::vector<Decision> ParseDecisions(const std::string& page);

// The value of the counter `name` without labels on a /metrics page; -1 when absent.
long ParseCounter(const std::string& page, const std::string& name);

// Reads `base_url`/metrics; on failure returns "" and says why in `error`.
std::string FetchMetrics(const std::string& base_url, std::string& error);

}  // namespace day
