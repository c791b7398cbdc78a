// The reports across the three directions (issue #5, item 2), from the report index: the
// end-to-end funnel, revenue once per journey beside the per-pipeline sums, time in each stage
// and the cycle time, items stuck past their stage's norm, load and fairness per employee, and
// the reasons items were lost for (their failure stages) per direction and per person.
// Pure: no I/O. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/error.h"
#include "lib/core/report_index.h"
#include "lib/core/settings.h"

namespace core {

struct CatalogStage {
  std::string id;  // as items carry it: "CONV_FREE", "C3:NEW"
  std::string name;
  char semantic = 'P';  // 'P', 'S' won, 'F' lost
};

// One direction's stages in the portal's order.
struct CatalogDirection {
  int64_t category = -1;  // the deal pipeline; -1 for leads (and for a pipeline not found)
  std::vector<CatalogStage> stages;
};

// The portal's directions and people, as the reports name them.
struct Catalog {
  CatalogDirection lead, sales, production;
  std::map<int64_t, std::string> users;  // id -> name
};

struct ReportQuery {
  int64_t from = 0;  // journeys begun in [from, to); 0 = open
  int64_t to = 0;
  std::string source;    // the journey's SOURCE_ID
  std::string region;    // its lead's region
  int64_t employee = 0;  // journeys this person had at some stage
  std::string pipeline;  // "lead", "sales" or "production": journeys reaching it, its stages only
};

// Skipped candidates per user and verdict ("absent", "at_cap", …), from the decisions journal.
using SkipCounts = std::map<int64_t, std::map<std::string, int>>;

// Fails with kInvalidArgument naming a bad parameter: from/to as YYYY-MM-DD (portal time),
// employee a positive id, pipeline one of lead/sales/production.
[[nodiscard]] Result<ReportQuery> ParseReportQuery(const std::map<std::string, std::string>& params,
                                                   const WorkSchedule& schedule);

// The whole report as the API answers it (README: "Reports").
nlohmann::json BuildReport(const ReportIndex& index, const Catalog& catalog,
                           const Settings& settings, const ReportQuery& query,
                           const SkipCounts& skipped, int64_t now);

// One section of a report as CSV (RFC 4180, a header row first): funnel, revenue, stage_times,
// stuck, load or reasons (a row per direction, failure stage and person). Fails with
// kInvalidArgument for another name.
[[nodiscard]] Result<std::string> ReportCsv(const nlohmann::json& report,
                                            const std::string& section);

}  // namespace core
