// The app's two deal pipelines on the portal («Продажи», «Производство») and their stage ids by
// role. Stages the app provisions are "C<n>:<ID>" as install/conveyor.json names them, except
// where the provisioner reuses what a new pipeline already has: the free stage is the
// pipeline's first stage (C<n>:NEW, renamed), won and lost are its success and first failure
// stage. Thread-safety: plain values.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace day {

inline constexpr const char* kSalesPipeline = "Продажи";
inline constexpr const char* kProductionPipeline = "Производство";

struct PipelineStages {
  long id = -1;  // the category; -1 until the pipeline exists
  std::string free;
  std::string won;
  std::string lose;

  // "MEETING" -> "C3:MEETING"; "FREE", "WON", "LOSE" -> the stages found for those roles.
  std::string StageId(const std::string& role) const;
  // The inverse: "C3:NEW" (the free stage) -> "FREE", "C3:MEETING" -> "MEETING".
  std::string Role(const std::string& stage_id) const;
};

struct Pipelines {
  PipelineStages sales;
  PipelineStages production;

  bool Found() const { return sales.id >= 0 && production.id >= 0; }
};

// Reads the state sections `categories` and `statuses`.
Pipelines FindPipelines(const nlohmann::ordered_json& categories,
                        const nlohmann::ordered_json& statuses);

}  // namespace day
