// The reports of a portal (issue #5, item 2), answered from an in-memory index of its journeys
// that each request brings up to date with what the journey store recorded since the last one
// (the first request of a portal loads it whole). The stage and user names come from the portal,
// read through REST and kept for a few minutes.
// Thread-safety: safe to share; requests for one portal are served one at a time.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "lib/b24/rest_client.h"
#include "lib/core/clock.h"
#include "lib/core/report.h"
#include "lib/engine/portal_settings.h"
#include "lib/store/decision_log.h"
#include "lib/store/journey_store.h"

namespace engine {

class Reports {
 public:
  // `client` may be null (the benchmark): then the catalog must be given with UseCatalog.
  Reports(store::JourneyStore& journeys, store::DecisionLog& decisions, PortalSettings& settings,
          b24::RestClient* client, core::Clock& clock)
      : journeys_(journeys),
        decisions_(decisions),
        settings_(settings),
        client_(client),
        clock_(clock) {}

  // The report for `query` (core::BuildReport's JSON) with people's names filled in.
  [[nodiscard]] core::Result<nlohmann::json> Report(const std::string& member_id,
                                                    const core::ReportQuery& query);
  // The portal's directions, stages and the names of `users` (read when not known yet).
  [[nodiscard]] core::Result<core::Catalog> CatalogFor(const std::string& member_id,
                                                       const std::set<int64_t>& users = {});
  // A fixed catalog for a portal, never read from REST (benchmarks, tests without a portal).
  void UseCatalog(const std::string& member_id, core::Catalog catalog);
  // Drops what is kept of a portal (its index and catalog) when it uninstalls: a clean uninstall
  // deletes its journeys, and the index must not outlive them. The next report rebuilds it.
  void Forget(const std::string& member_id);

 private:
  struct PortalIndex {
    std::mutex mutex;
    core::ReportIndex index;
    int64_t seq = -1;
    int64_t rowid = 0;
  };
  struct KnownCatalog {
    core::Catalog catalog;
    double read_at = 0;
    bool fixed = false;
  };

  std::shared_ptr<PortalIndex> IndexFor(const std::string& member_id);
  core::Result<void> CatchUp(const std::string& member_id, PortalIndex& portal);
  core::Result<core::Catalog> ReadCatalog(const std::string& member_id,
                                          const core::Settings& settings);
  // Skipped candidates in decisions of [from, to); to = 0: up to now.
  core::Result<core::SkipCounts> Skips(const std::string& member_id, int64_t from, int64_t to);

  store::JourneyStore& journeys_;
  store::DecisionLog& decisions_;
  PortalSettings& settings_;
  b24::RestClient* client_;
  core::Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<PortalIndex>> indexes_;  // GUARDED_BY(mutex_)
  std::map<std::string, KnownCatalog> catalogs_;                 // GUARDED_BY(mutex_)
};

}  // namespace engine
