#include "lib/engine/set_up.h"

#include <algorithm>
#include <map>
#include <vector>

#include "lib/b24/failure.h"
#include "lib/core/change.h"
#include "lib/core/handover.h"

namespace engine {
namespace {

using json = nlohmann::json;

// One direction's waiting items as a list read: its key ("leads", "sales", "production"), the
// method, and the filter.
struct WaitingList {
  std::string key;
  std::string entity_type;
  std::string method;
  json filter;
};

std::vector<WaitingList> WaitingListsOf(const core::Settings& settings,
                                        const std::vector<core::DirectoryPipeline>& pipelines) {
  std::vector<std::string> statuses = {"NEW"};
  for (const auto& s : {settings.lead.duplicate_check, settings.lead.free}) {
    if (!s.empty() && std::find(statuses.begin(), statuses.end(), s) == statuses.end())
      statuses.push_back(s);
  }
  // A field given a list means "any of these" (REST.md §6).
  std::vector<WaitingList> lists = {{"leads", "lead", "crm.lead.list", {{"STATUS_ID", statuses}}}};
  for (const auto& [key, stages] :
       {std::pair<std::string, const core::PipelineStages*>{"sales", &settings.sales},
        {"production", &settings.production}}) {
    for (const auto& pipeline : pipelines) {
      if (pipeline.name != stages->pipeline || stages->free.empty()) continue;
      lists.push_back({key,
                       "deal",
                       "crm.deal.list",
                       {{"CATEGORY_ID", pipeline.id},
                        {"STAGE_ID", core::StageId(pipeline.id, stages->free)},
                        {"CLOSED", "N"}}});
      break;
    }
  }
  return lists;
}

b24::BatchCommand PageOf(const WaitingList& list, long start) {
  return {
      list.key + ":" + std::to_string(start),
      list.method,
      {{"filter", list.filter}, {"select", {"ID"}}, {"order", {{"ID", "ASC"}}}, {"start", start}}};
}

int64_t& CountOf(core::WaitingCounts& counts, const std::string& key) {
  return key == "leads" ? counts.leads : key == "sales" ? counts.sales : counts.production;
}

}  // namespace

core::Result<core::PortalDirectory> SetUp::Directory(const std::string& member_id) {
  // Docs: departments/department-get.md and user/user-get.md (50 a page, `start`),
  // crm/universal/category/crm-category-list.md (entityTypeId 2 = deals),
  // crm/status/crm-status-list.md (ENTITY_ID STATUS, DEAL_STAGE, DEAL_STAGE_<n>),
  // crm/leads/crm-lead-fields.md, crm/deals/crm-deal-fields.md.
  // Two requests for most portals: the first pages with the dictionaries, then every other page
  // with the pipelines' stages (a portal of 2,000 people costs two requests, not forty).
  const json people_filter = {{"ACTIVE", true}};
  auto first = client_.Batch(member_id,
                             {{"departments:0", "department.get", {{"start", 0}}},
                              {"people:0", "user.get", {{"FILTER", people_filter}, {"start", 0}}},
                              {"categories", "crm.category.list", {{"entityTypeId", 2}}},
                              {"lead", "crm.status.list", {{"filter", {{"ENTITY_ID", "STATUS"}}}}},
                              {"lead_fields", "crm.lead.fields", json::object()},
                              {"deal_fields", "crm.deal.fields", json::object()}});
  if (!first) return tl::unexpected(b24::ToCoreError(first.error(), "the portal's directory"));
  for (const auto& item : *first) {
    if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, item.key));
  }
  json departments = (*first)[0].result.is_array() ? (*first)[0].result : json::array();
  json people = (*first)[1].result.is_array() ? (*first)[1].result : json::array();
  const json& answer = (*first)[2].result;
  const json categories =
      answer.is_object() ? answer.value("categories", json::array()) : json::array();
  std::vector<b24::BatchCommand> second;
  for (const auto& [key, index] :
       {std::pair<const char*, size_t>{"departments", 0}, {"people", 1}}) {
    const long total = (*first)[index].total.value_or(0);
    for (long start = 50; start < std::min<long>(total, kMostListed); start += 50) {
      json params = {{"start", start}};
      if (index == 1) params["FILTER"] = people_filter;
      second.push_back({std::string(key) + ":" + std::to_string(start),
                        index == 0 ? "department.get" : "user.get", params});
    }
  }
  for (const auto& row : categories) {
    if (!row.is_object() || !row.contains("id")) continue;
    const int64_t id = core::IdValue(row["id"]);
    if (id < 0 || (id == 0 && row["id"] != 0 && row["id"] != "0")) continue;
    const std::string entity = id == 0 ? "DEAL_STAGE" : "DEAL_STAGE_" + std::to_string(id);
    second.push_back(
        {"stages:" + std::to_string(id), "crm.status.list", {{"filter", {{"ENTITY_ID", entity}}}}});
  }
  std::map<int64_t, json> stages;
  if (!second.empty()) {
    auto read = client_.Batch(member_id, second);
    if (!read) return tl::unexpected(b24::ToCoreError(read.error(), "the portal's directory"));
    for (const auto& item : *read) {
      if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, item.key));
      const std::string kind = item.key.substr(0, item.key.find(':'));
      if (kind == "stages") {
        stages[std::stoll(item.key.substr(item.key.find(':') + 1))] = item.result;
        continue;
      }
      json& rows = kind == "departments" ? departments : people;
      for (const auto& row : item.result.is_array() ? item.result : json::array())
        rows.push_back(row);
    }
  }
  auto directory = core::DirectoryOf(departments, people, (*first)[3].result, categories, stages);
  directory.lead_fields = core::FieldsOfDescription((*first)[4].result);
  directory.deal_fields = core::FieldsOfDescription((*first)[5].result);
  return directory;
}

core::Result<nlohmann::json> SetUp::View(const std::string& member_id,
                                         const core::PortalDirectory& directory) {
  auto settings = settings_.For(member_id);
  if (!settings) return tl::unexpected(settings.error());
  std::vector<b24::BatchCommand> counts;
  for (const auto& list : WaitingListsOf(*settings, directory.pipelines))
    counts.push_back(PageOf(list, 0));
  auto read = client_.Batch(member_id, counts);
  if (!read) return tl::unexpected(b24::ToCoreError(read.error(), "waiting items"));
  core::WaitingCounts waiting;
  for (const auto& item : *read) {
    if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "waiting items"));
    CountOf(waiting, item.key.substr(0, item.key.find(':'))) =
        item.total ? *item.total
                   : static_cast<int64_t>(item.result.is_array() ? item.result.size() : 0);
  }
  auto queues = rules_.QueuesNow(member_id);
  if (!queues) return tl::unexpected(queues.error());
  return core::SetUpViewJson(*settings, directory, *queues, waiting,
                             static_cast<int64_t>(clock_.Now()));
}

core::Result<Distributed> SetUp::Distribute(const std::string& member_id) {
  auto settings = settings_.For(member_id);
  if (!settings) return tl::unexpected(settings.error());
  // Only the pipelines' ids are needed here, not the whole directory: one request.
  auto categories =
      client_.Call(member_id, "crm.category.list", {{"entityTypeId", 2}}, b24::Lane::kInteractive);
  if (!categories) return tl::unexpected(b24::ToCoreError(categories.error(), "pipelines"));
  const json rows = categories->result.is_object()
                        ? categories->result.value("categories", json::array())
                        : json::array();
  const auto lists = WaitingListsOf(
      *settings,
      core::DirectoryOf(json::array(), json::array(), json::array(), rows, {}).pipelines);
  std::map<std::string, std::string> entity_types;  // by list key
  for (const auto& list : lists) entity_types[list.key] = list.entity_type;
  std::vector<b24::BatchCommand> pages;
  for (const auto& list : lists) {
    for (long start = 0; start < kMostDistributedAtOnce; start += 50)
      pages.push_back(PageOf(list, start));
  }
  auto read = client_.Batch(member_id, pages);
  if (!read) return tl::unexpected(b24::ToCoreError(read.error(), "waiting items"));
  Distributed out;
  const auto now = static_cast<int64_t>(clock_.Now());
  std::map<std::string, int64_t> totals;
  for (size_t i = 0; i < read->size(); ++i) {
    const auto& item = (*read)[i];
    if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "waiting items"));
    const std::string key = item.key.substr(0, item.key.find(':'));
    const std::string& entity_type = entity_types[key];
    if (item.total) totals[key] = *item.total;
    for (const auto& row : item.result.is_array() ? item.result : json::array()) {
      const int64_t id = core::IdField(row, "ID");
      if (id <= 0) continue;
      const json payload = {{"kind", "distribute"},
                            {"entity_type", entity_type},
                            {"entity_id", id},
                            {"data", json::object()}};
      // One pending hand-out per item, however often the button is pressed.
      auto set = timers_.Schedule(member_id, "distribute:" + entity_type + ":" + std::to_string(id),
                                  "distribute", now, payload.dump());
      if (!set) return tl::unexpected(set.error());
      ++CountOf(out.queued, key);
    }
  }
  for (const auto& [key, total] : totals)
    CountOf(out.left, key) = std::max<int64_t>(0, total - CountOf(out.queued, key));
  return out;
}

}  // namespace engine
