// Drains the durable inbox: claims events (per portal and entity in order, leased so that a
// crash re-delivers them), re-reads the entities in one batch per portal, compares them with
// the last snapshot, hands real changes to the rules and acknowledges. Processing is
// at-least-once: an event is acknowledged only after its snapshot is stored.
// Thread-safety: RunOnce may run on several threads at once (the inbox leases keep them apart).
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/change.h"
#include "lib/core/clock.h"
#include "lib/store/inbox.h"
#include "lib/store/snapshot_store.h"

namespace engine {

struct WorkerOptions {
  int64_t lease_seconds = 60;
  int max_claims = 50;  // events per round: one batch read per portal
  int64_t retry_seconds = 5;
};

struct RoundReport {
  int claimed = 0;
  int changed = 0;    // handed to the rules
  int unchanged = 0;  // echoes and saves that changed nothing
  int retried = 0;
};

class InboxWorker {
 public:
  InboxWorker(store::Inbox& inbox, store::SnapshotStore& snapshots, b24::RestClient& client,
              core::Rules& rules, core::Clock& clock, WorkerOptions options = {})
      : inbox_(inbox),
        snapshots_(snapshots),
        client_(client),
        rules_(rules),
        clock_(clock),
        options_(options) {}

  // One round: claim what is available, process it. Fails only when storage fails.
  core::Result<RoundReport> RunOnce();

 private:
  store::Inbox& inbox_;
  store::SnapshotStore& snapshots_;
  b24::RestClient& client_;
  core::Rules& rules_;
  core::Clock& clock_;
  WorkerOptions options_;
};

}  // namespace engine
