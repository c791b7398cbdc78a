// The Conveyor app's decision counters, read from its Prometheus-style GET /metrics:
// lines `conveyor_decisions_total{kind="assigned"} 123`. Thread-safety: stateless.
#pragma once

#include <string>
#include <vector>

#include "emulator/day/summary.h"

namespace day {

// The conveyor_decisions_total lines of a /metrics page, in page order.
std::vector<Decision> ParseDecisions(const std::string& page);

// Reads `base_url`/metrics; on failure returns no decisions and says why in `error`.
std::vector<Decision> FetchDecisions(const std::string& base_url, std::string& error);

}  // namespace day
