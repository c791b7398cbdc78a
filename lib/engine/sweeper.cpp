#include "lib/engine/sweeper.h"

#include "lib/core/change.h"
#include "lib/engine/log.h"

namespace engine {

using json = nlohmann::json;

core::Result<void> Sweeper::SweepType(const std::string& member_id, const std::string& entity_type,
                                      SweepReport& report) {
  const std::string method = "crm." + entity_type + ".list";
  auto mark = marks_.Get(member_id, entity_type);
  if (!mark) return tl::unexpected(mark.error());
  if (!*mark) {
    // First sweep: remember the newest modification and the highest id, replay nothing — what
    // is there now existed before the install (the horizon), and stays untouched.
    auto newest = client_.Batch(
        member_id,
        {{"m",
          method,
          {{"order", {{"DATE_MODIFY", "DESC"}}}, {"select", {"ID", "DATE_MODIFY"}}, {"start", -1}}},
         {"i", method, {{"order", {{"ID", "DESC"}}}, {"select", {"ID"}}, {"start", -1}}}},
        b24::Lane::kBackfill);
    if (!newest) return tl::unexpected(b24::ToCoreError(newest.error(), "sweep"));
    for (const auto& item : *newest) {
      if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "sweep"));
    }
    const auto first_row = [](const json& rows) {
      return rows.is_array() && !rows.empty() && rows[0].is_object() ? rows[0] : json::object();
    };
    const std::string since = core::TextField(first_row((*newest)[0].result), "DATE_MODIFY");
    const int64_t up_to = core::IdField(first_row((*newest)[1].result), "ID");
    if (auto ok = snapshots_.SetHorizon(member_id, entity_type, {up_to, since}); !ok) return ok;
    return marks_.Set(member_id, entity_type, since);
  }
  auto horizon = snapshots_.HorizonOf(member_id, entity_type);
  if (!horizon) return tl::unexpected(horizon.error());
  // Inclusive: a change in the same second as the mark is not missed; one already processed
  // is skipped by its snapshot.
  json params = {{"select", {"ID", "DATE_MODIFY"}}, {"filter", json::object()}};
  if (!(*mark)->empty()) params["filter"][">=DATE_MODIFY"] = **mark;
  std::string newest = **mark;
  core::Result<void> stored;
  const auto now = static_cast<int64_t>(clock_.Now());
  auto scanned = client_.ScanById(member_id, method, params, [&](const json& rows) {
    for (const auto& row : rows) {
      const int64_t id = core::IdField(row, "ID");
      const std::string modified = core::TextField(row, "DATE_MODIFY");
      if (id <= 0) continue;
      auto snapshot = snapshots_.Get(member_id, entity_type, id);
      if (!snapshot) {
        stored = tl::unexpected(snapshot.error());
        return false;
      }
      // An item of before the install, untouched since: not news (the inclusive filter lists
      // the items modified in the install's last second again).
      const bool old_untouched =
          !*snapshot && *horizon && id <= (*horizon)->up_to_id && modified <= (*horizon)->modified;
      if (old_untouched) continue;
      if (!*snapshot || (*snapshot)->modified != modified) {
        const std::string key = "SWEEP:" + entity_type + ":" + std::to_string(id) + ":" + modified;
        auto queued = inbox_.Enqueue(member_id, key, "SWEEP", entity_type, id, "{}", now);
        if (!queued) {
          stored = tl::unexpected(queued.error());
          return false;
        }
        if (*queued) ++report.queued;
      }
      // One portal answers in one time zone, so ISO times order as strings.
      if (modified > newest) newest = modified;
    }
    report.listed += static_cast<long>(rows.size());
    return true;
  });
  if (!stored) return stored;
  if (!scanned) return tl::unexpected(b24::ToCoreError(scanned.error(), "sweep"));
  return marks_.Set(member_id, entity_type, newest);
}

core::Result<SweepReport> Sweeper::SweepPortal(const std::string& member_id) {
  SweepReport report;
  for (const char* type : {"lead", "deal"}) {
    if (auto ok = SweepType(member_id, type, report); !ok) return tl::unexpected(ok.error());
  }
  return report;
}

core::Result<SweepReport> Sweeper::SweepAll() {
  auto all = portals_.All();
  if (!all) return tl::unexpected(all.error());
  SweepReport total;
  for (const auto& portal : *all) {
    if (portal.state != "installed") continue;
    auto report = SweepPortal(portal.member_id);
    if (!report) {
      ++total.failed_portals;
      Log(spdlog::level::warn, "sweep failed",
          {{"member_id", portal.member_id}, {"why", report.error().message}});
      continue;
    }
    total.listed += report->listed;
    total.queued += report->queued;
    if (report->queued > 0) {
      Log(spdlog::level::info, "sweep recovered changes",
          {{"member_id", portal.member_id}, {"queued", report->queued}});
    }
  }
  return total;
}

}  // namespace engine
