#include "lib/engine/reports.h"

#include <algorithm>
#include <set>

#include "lib/b24/failure.h"
#include "lib/core/change.h"
#include "lib/core/set_up_view.h"

namespace engine {
namespace {

using json = nlohmann::json;

constexpr double kCatalogSeconds = 300;
constexpr int kPage = 200000;  // rows per read while catching up; the store is free in between
constexpr int kMostDecisions = 100000;

// Who was passed over, and why, in the decisions' candidate lists.
void CountSkips(const store::JournalEntry& entry, core::SkipCounts& out) {
  const json& candidates = entry.decision.body.value("candidates", json::array());
  if (!candidates.is_array()) return;
  for (const auto& c : candidates) {
    const std::string verdict = c.value("verdict", "");
    if (verdict.empty() || verdict == "chosen" || verdict == "eligible") continue;
    ++out[c.value("user_id", int64_t{0})][verdict];
  }
}

}  // namespace

void Reports::Forget(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  indexes_.erase(member_id);  // a request still holding it finishes on it
  catalogs_.erase(member_id);
}

std::shared_ptr<Reports::PortalIndex> Reports::IndexFor(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& index = indexes_[member_id];
  if (!index) index = std::make_shared<PortalIndex>();
  return index;
}

core::Result<void> Reports::CatchUp(const std::string& member_id, PortalIndex& portal) {
  for (;;) {
    auto changes = journeys_.ChangesSince(member_id, portal.seq, portal.rowid, kPage);
    if (!changes) return tl::make_unexpected(changes.error());
    for (const auto& item : changes->items) portal.index.Put(item);
    for (const auto& move : changes->transitions) portal.index.Add(move);
    portal.seq = changes->seq;
    portal.rowid = changes->rowid;
    if (!changes->more) return {};
  }
}

void Reports::UseCatalog(const std::string& member_id, core::Catalog catalog) {
  std::lock_guard<std::mutex> lock(mutex_);
  catalogs_[member_id] = {std::move(catalog), 0, true};
}

core::Result<core::Catalog> Reports::ReadCatalog(const std::string& member_id,
                                                 const core::Settings& settings) {
  // Docs: crm/universal/category/crm-category-list.md (entityTypeId 2 = deals).
  auto first = client_->Batch(
      member_id, {{"categories", "crm.category.list", {{"entityTypeId", 2}}},
                  {"lead", "crm.status.list", {{"filter", {{"ENTITY_ID", "STATUS"}}}}}});
  if (!first) return tl::make_unexpected(b24::ToCoreError(first.error(), "pipelines"));
  core::Catalog catalog;
  std::vector<b24::BatchCommand> stages;
  for (const auto& item : *first) {
    if (item.failure) return tl::make_unexpected(b24::ToCoreError(*item.failure, "pipelines"));
    if (item.key == "lead") {
      catalog.lead.stages = core::StagesOfRows(item.result);
      continue;
    }
    const json& rows =
        item.result.is_object() ? item.result.value("categories", json::array()) : item.result;
    for (const auto& row : rows) {
      const std::string name = core::TextField(row, "name");
      const int64_t id = core::IdValue(row.value("id", json()));
      for (auto [direction, wanted] : {std::pair<core::CatalogDirection*, const std::string*>{
                                           &catalog.sales, &settings.sales.pipeline},
                                       {&catalog.production, &settings.production.pipeline}}) {
        if (name != *wanted) continue;
        direction->category = id;
        const std::string entity = id == 0 ? "DEAL_STAGE" : "DEAL_STAGE_" + std::to_string(id);
        stages.push_back({direction == &catalog.sales ? "sales" : "production",
                          "crm.status.list",
                          {{"filter", {{"ENTITY_ID", entity}}}}});
      }
    }
  }
  if (!stages.empty()) {
    auto second = client_->Batch(member_id, stages);
    if (!second) return tl::make_unexpected(b24::ToCoreError(second.error(), "stages"));
    for (const auto& item : *second) {
      if (item.failure) return tl::make_unexpected(b24::ToCoreError(*item.failure, "stages"));
      (item.key == "sales" ? catalog.sales : catalog.production).stages =
          core::StagesOfRows(item.result);
    }
  }
  return catalog;
}

core::Result<core::Catalog> Reports::CatalogFor(const std::string& member_id,
                                                const std::set<int64_t>& users) {
  const double now = clock_.Now();
  core::Catalog catalog;
  bool fresh = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto found = catalogs_.find(member_id);
    if (found != catalogs_.end() &&
        (found->second.fixed || now - found->second.read_at < kCatalogSeconds)) {
      catalog = found->second.catalog;
      fresh = true;
    }
  }
  if (client_ == nullptr) return catalog;
  if (!fresh) {
    auto settings = settings_.For(member_id);
    if (!settings) return tl::make_unexpected(settings.error());
    auto read = ReadCatalog(member_id, *settings);
    if (!read) return read;
    catalog = std::move(*read);
  }
  // Docs: api-reference/users/user-get.md.
  std::vector<b24::BatchCommand> names;
  for (const int64_t user : users) {
    if (user > 0 && catalog.users.count(user) == 0)
      names.push_back({std::to_string(user), "user.get", {{"ID", user}}});
  }
  if (!names.empty()) {
    auto read = client_->Batch(member_id, names);
    if (!read) return tl::make_unexpected(b24::ToCoreError(read.error(), "user names"));
    for (const auto& item : *read) {
      const int64_t id = std::stoll(item.key);
      catalog.users[id] = "#" + item.key;  // unknown users are not asked again
      if (item.result.is_array() && !item.result.empty()) {
        const std::string name = core::PersonName(item.result.front());
        if (!name.empty()) catalog.users[id] = name;
      }
    }
  }
  std::lock_guard<std::mutex> lock(mutex_);
  KnownCatalog& kept = catalogs_[member_id];
  if (!kept.fixed) {
    if (!fresh) kept.read_at = now;
    kept.catalog = catalog;
  }
  return catalog;
}

core::Result<core::SkipCounts> Reports::Skips(const std::string& member_id, int64_t from,
                                              int64_t to) {
  auto entries = decisions_.Since(member_id, from, kMostDecisions);
  if (!entries) return tl::make_unexpected(entries.error());
  core::SkipCounts skips;
  for (const auto& entry : *entries) {
    if (to == 0 || entry.at < to) CountSkips(entry, skips);
  }
  return skips;
}

core::Result<json> Reports::Report(const std::string& member_id, const core::ReportQuery& query) {
  auto settings = settings_.For(member_id);
  if (!settings) return tl::make_unexpected(settings.error());
  auto catalog = CatalogFor(member_id);
  if (!catalog) return tl::make_unexpected(catalog.error());
  const auto now = static_cast<int64_t>(clock_.Now());
  // Skips over the report's period, or the last seven days when it has none.
  auto skips = Skips(member_id, query.from != 0 ? query.from : now - 7 * 86400, query.to);
  if (!skips) return tl::make_unexpected(skips.error());
  auto portal = IndexFor(member_id);
  json report;
  {
    std::lock_guard<std::mutex> lock(portal->mutex);
    if (auto caught = CatchUp(member_id, *portal); !caught)
      return tl::make_unexpected(caught.error());
    report = core::BuildReport(portal->index, *catalog, *settings, query, *skips, now);
  }
  // Names for the people the report shows.
  std::set<int64_t> people;
  for (const auto& row : report["load"]) people.insert(row["user_id"].get<int64_t>());
  for (const auto& row : report["stuck"]) people.insert(row["responsible"].get<int64_t>());
  for (const auto& row : report["reasons"]["by_person"])
    people.insert(row["user_id"].get<int64_t>());
  auto named = CatalogFor(member_id, people);
  if (!named) return tl::make_unexpected(named.error());
  const auto name = [&named](int64_t user) {
    const auto found = named->users.find(user);
    return found == named->users.end() ? "#" + std::to_string(user) : found->second;
  };
  for (auto& row : report["load"]) row["name"] = name(row["user_id"].get<int64_t>());
  for (auto& row : report["stuck"])
    row["responsible_name"] = name(row["responsible"].get<int64_t>());
  for (auto& row : report["reasons"]["by_person"])
    row["name"] = name(row["user_id"].get<int64_t>());
  report["filters"] = {{"from", query.from},         {"to", query.to},
                       {"source", query.source},     {"region", query.region},
                       {"employee", query.employee}, {"pipeline", query.pipeline}};
  return report;
}

}  // namespace engine
