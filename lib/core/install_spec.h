// What installing Conveyor creates in a portal (install/conveyor.json) and what the app is
// registered with (bitrix24-manifest.json), parsed into plain values.
// Thread-safety: plain values and pure functions.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/error.h"

namespace core {

struct StageSpec {
  std::string role;
  std::string id;  // STATUS_ID without the C<n>: prefix
  std::string name;
  long sort = 0;
  // "" in progress, "F" failure: a junk reason of a lead or a lost stage of a pipeline. Bitrix24
  // keeps a failure stage after the success one (crm-status-add.md, "Restrictions for SORT").
  std::string semantics;
};

struct PipelineSpec {
  std::string role;  // "sales", "production"
  std::string name;
  long sort = 500;
  std::string success_name;
  std::vector<StageSpec> stages;
};

struct UserFieldSpec {
  std::string name;  // without UF_CRM_
  std::string type;
  std::string label;
};

struct InstallSpec {
  int version = 0;
  std::vector<StageSpec> lead_statuses;
  std::vector<PipelineSpec> pipelines;
  std::vector<UserFieldSpec> lead_fields;
  std::vector<UserFieldSpec> deal_fields;
};

struct Manifest {
  std::string code;
  int version = 0;
  std::vector<std::string> scopes;
  std::vector<std::string> events;
  std::map<std::string, std::string> placement_titles;  // code -> Russian title
  std::string app_path;
  std::string installer_path;
  std::string install_event_path;
  std::string events_path;                             // one path for every CRM event
  std::map<std::string, std::string> placement_paths;  // placement code -> path
};

// Fail with kInvalidArgument naming the first missing or malformed key.
[[nodiscard]] Result<InstallSpec> ParseInstallSpec(const nlohmann::json& spec);
[[nodiscard]] Result<Manifest> ParseManifest(const nlohmann::json& manifest);

}  // namespace core
