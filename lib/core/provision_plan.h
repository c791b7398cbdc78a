// Provisioning as a pure plan: from what a portal has (read through REST) and what Conveyor
// needs (install spec + manifest), the REST calls that make it right — and none when it is
// right already, so installing again or updating changes nothing (issue #3, item 5).
// Existing pipelines, stages and fields with the same name are reused, never duplicated.
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/install_spec.h"

namespace core {

struct RestStep {
  std::string method;
  nlohmann::json params;
  std::string why;  // for the decisions journal
};

// What the portal has, as the REST API answers.
struct PortalLayout {
  nlohmann::json lead_statuses = nlohmann::json::array();  // crm.status.list, ENTITY_ID=STATUS
  nlohmann::json categories = nlohmann::json::array();     // crm.category.list categories
  std::map<long, nlohmann::json> stages;                   // category id -> its crm.status rows
  nlohmann::json lead_fields = nlohmann::json::array();    // crm.lead.userfield.list
  nlohmann::json deal_fields = nlohmann::json::array();    // crm.deal.userfield.list
  nlohmann::json bindings = nlohmann::json::array();       // event.get
  nlohmann::json placements = nlohmann::json::array();     // placement.get
};

// The pipeline (deal category) id with this name, or -1.
long CategoryByName(const PortalLayout& layout, const std::string& name);

// The STATUS_ID of the portal's stage playing `stage` — of the pipeline named `pipeline`, or a
// lead status when `pipeline` is empty — as provisioning matches them (by Conveyor's id or by
// name), without the C<n>: prefix; "" when the portal has none.
std::string FoundStage(const PortalLayout& layout, const std::string& pipeline,
                       const StageSpec& stage);

// Phase 1: the pipelines that do not exist yet.
std::vector<RestStep> PlanPipelines(const InstallSpec& spec, const PortalLayout& layout);

// Phase 2, once every pipeline exists: lead statuses, stages, user fields, event bindings and
// placements. `created` holds the pipelines phase 1 just made: their default stages are
// reshaped into Conveyor's (the first renamed, the spare process stages removed).
std::vector<RestStep> PlanRest(const InstallSpec& spec, const Manifest& manifest,
                               const PortalLayout& layout, const std::set<long>& created,
                               const std::string& public_url);

}  // namespace core
