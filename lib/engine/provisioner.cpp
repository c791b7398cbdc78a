#include "lib/engine/provisioner.h"

#include <set>

namespace engine {
namespace {

using json = nlohmann::json;

b24::Result<void> Apply(b24::RestClient& client, const std::string& member_id,
                        const std::vector<core::RestStep>& steps, ProvisionReport& report,
                        std::set<long>* created) {
  if (steps.empty()) return {};
  std::vector<b24::BatchCommand> commands;
  for (size_t i = 0; i < steps.size(); ++i) {
    commands.push_back({"s" + std::to_string(i), steps[i].method, steps[i].params});
  }
  auto items = client.Batch(member_id, commands, b24::Lane::kInteractive);
  if (!items) return tl::unexpected(items.error());
  for (size_t i = 0; i < steps.size(); ++i) {
    const auto& item = (*items)[i];
    if (item.failure) {
      report.failures.push_back(steps[i].method + ": " + item.failure->code + " " +
                                item.failure->description);
      continue;
    }
    report.applied.push_back(steps[i]);
    if (created != nullptr && steps[i].method == "crm.category.add") {
      created->insert(item.result.value("category", json::object()).value("id", -1L));
    }
  }
  return {};
}

}  // namespace

b24::Result<core::PortalLayout> ReadLayout(b24::RestClient& client, const std::string& member_id) {
  const std::vector<b24::BatchCommand> reads = {
      {"statuses", "crm.status.list", {{"filter", {{"ENTITY_ID", "STATUS"}}}}},
      {"categories", "crm.category.list", {{"entityTypeId", 2}}},
      {"lead_fields", "crm.lead.userfield.list", json::object()},
      {"deal_fields", "crm.deal.userfield.list", json::object()},
      {"bindings", "event.get", json::object()},
      {"placements", "placement.get", json::object()},
  };
  auto items = client.Batch(member_id, reads, b24::Lane::kInteractive);
  if (!items) return tl::unexpected(items.error());
  for (const auto& item : *items) {
    if (item.failure) return tl::unexpected(*item.failure);
  }
  core::PortalLayout layout;
  layout.lead_statuses = (*items)[0].result;
  layout.categories = (*items)[1].result.value("categories", json::array());
  layout.lead_fields = (*items)[2].result;
  layout.deal_fields = (*items)[3].result;
  layout.bindings = (*items)[4].result;
  layout.placements = (*items)[5].result;
  std::vector<b24::BatchCommand> stage_reads;
  std::vector<long> ids;
  for (const auto& category : layout.categories) {
    const long id = category.value("id", -1L);
    if (id <= 0) continue;
    ids.push_back(id);
    stage_reads.push_back({"c" + std::to_string(id),
                           "crm.status.list",
                           {{"filter", {{"ENTITY_ID", "DEAL_STAGE_" + std::to_string(id)}}}}});
  }
  auto stages = client.Batch(member_id, stage_reads, b24::Lane::kInteractive);
  if (!stages) return tl::unexpected(stages.error());
  for (size_t i = 0; i < ids.size(); ++i) {
    if ((*stages)[i].failure) return tl::unexpected(*(*stages)[i].failure);
    layout.stages[ids[i]] = (*stages)[i].result;
  }
  return layout;
}

b24::Result<ProvisionReport> Provision(b24::RestClient& client, const std::string& member_id,
                                       const core::InstallSpec& spec,
                                       const core::Manifest& manifest,
                                       const std::string& public_url) {
  ProvisionReport report;
  auto layout = ReadLayout(client, member_id);
  if (!layout) return tl::unexpected(layout.error());
  std::set<long> created;
  if (auto ok = Apply(client, member_id, core::PlanPipelines(spec, *layout), report, &created);
      !ok) {
    return tl::unexpected(ok.error());
  }
  if (!created.empty()) {
    layout = ReadLayout(client, member_id);
    if (!layout) return tl::unexpected(layout.error());
  }
  auto steps = core::PlanRest(spec, manifest, *layout, created, public_url);
  if (auto ok = Apply(client, member_id, steps, report, nullptr); !ok)
    return tl::unexpected(ok.error());
  return report;
}

}  // namespace engine
