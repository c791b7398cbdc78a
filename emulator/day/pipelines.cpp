#include "emulator/day/pipelines.h"

#include "emulator/day/rows.h"

namespace day {
namespace {

PipelineStages StagesOf(long category, const json& statuses) {
  PipelineStages out;
  out.id = category;
  const std::string entity = "DEAL_STAGE_" + std::to_string(category);
  long free_sort = 0, lose_sort = 0;
  for (const auto& row : statuses) {
    if (row.value("ENTITY_ID", std::string()) != entity) continue;
    const std::string id = row.value("STATUS_ID", std::string());
    const long sort = row.contains("SORT") ? IdOf(row["SORT"]) : 0;
    const json semantics = row.value("SEMANTICS", json());
    if (semantics == "S") {
      out.won = id;
    } else if (semantics == "F") {
      if (out.lose.empty() || sort < lose_sort) {
        out.lose = id;
        lose_sort = sort;
      }
    } else if (out.free.empty() || sort < free_sort) {
      out.free = id;
      free_sort = sort;
    }
  }
  const std::string prefix = "C" + std::to_string(category) + ":";
  if (out.free.empty()) out.free = prefix + "FREE";
  if (out.won.empty()) out.won = prefix + "WON";
  if (out.lose.empty()) out.lose = prefix + "LOSE";
  return out;
}

}  // namespace

std::string PipelineStages::StageId(const std::string& role) const {
  if (role == "FREE") return free;
  if (role == "WON") return won;
  if (role == "LOSE") return lose;
  return "C" + std::to_string(id) + ":" + role;
}

std::string PipelineStages::Role(const std::string& stage_id) const {
  if (stage_id == free) return "FREE";
  if (stage_id == won) return "WON";
  if (stage_id == lose) return "LOSE";
  return StageSuffix(stage_id);
}

Pipelines FindPipelines(const json& categories, const json& statuses) {
  Pipelines out;
  for (const auto& row : categories) {
    const std::string name = row.value("name", std::string());
    const long id = row.contains("id") ? IdOf(row["id"]) : 0;
    if (id <= 0) continue;  // the default pipeline is never one of the app's
    if (name == kSalesPipeline && out.sales.id < 0) out.sales = StagesOf(id, statuses);
    if (name == kProductionPipeline && out.production.id < 0) {
      out.production = StagesOf(id, statuses);
    }
  }
  return out;
}

}  // namespace day
