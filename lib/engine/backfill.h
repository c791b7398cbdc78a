// Runs a portal's backfill (issue #5, item 1): the plan's batch requests one after another in
// the client's backfill lane (so events go first), each request's rows and progress saved in one
// transaction. Resumes from the saved progress; a failed request stops the run, keeping what came
// before it.
// Thread-safety: one run per portal at a time; runs of different portals may overlap.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/backfill_plan.h"
#include "lib/store/journey_store.h"

namespace engine {

struct BackfillReport {
  std::vector<core::BackfillList> lists;  // the progress when the run ended
  long requests = 0;                      // sent by this run
  long rows = 0;                          // items and transitions saved by this run
  bool done = false;                      // every list read to its end
};

// Told after each request whose rows were saved, with the report so far (progress, benchmarks).
using BackfillObserver = std::function<void(const BackfillReport&)>;

class Backfill {
 public:
  Backfill(b24::RestClient& client, store::JourneyStore& journeys)
      : client_(client), journeys_(journeys) {}

  // Until done, a failure, or `stop` set (checked between requests).
  core::Result<BackfillReport> Run(const std::string& member_id,
                                   const std::atomic<bool>* stop = nullptr,
                                   const BackfillObserver& observer = {});

 private:
  b24::RestClient& client_;
  store::JourneyStore& journeys_;
};

}  // namespace engine
