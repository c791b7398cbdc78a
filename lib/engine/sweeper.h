// Reconciliation (issue #3, item 7): Bitrix24 never redelivers an event its queue lost, so each
// portal's leads and deals modified since the last sweep are listed (DATE_MODIFY filter, keyset
// paging by ID, backfill lane) and every one whose DATE_MODIFY differs from its snapshot is
// queued as a SWEEP event. The inbox worker then treats it like any other event; one that was
// processed already compares equal and costs nothing more.
// A portal's first sweep only marks where it stands — the newest modification and the highest
// id, the portal's horizon (store::Horizon): history is not replayed as news, and an item of
// before the install that nobody touched since is never queued (the inclusive filter lists the
// items of the mark's very second again).
// Deletions are not listed by Bitrix24; a lost delete event stays lost (the entity's snapshot
// remains, and the next event about it, if any, finds it gone).
// Thread-safety: SweepPortal may run concurrently for different portals.
#pragma once

#include <string>

#include "lib/b24/rest_client.h"
#include "lib/core/clock.h"
#include "lib/store/inbox.h"
#include "lib/store/portal_store.h"
#include "lib/store/snapshot_store.h"
#include "lib/store/sweep_marks.h"

namespace engine {

struct SweepReport {
  long listed = 0;  // rows the portal returned
  long queued = 0;  // SWEEP events added to the inbox
  long failed_portals = 0;
};

class Sweeper {
 public:
  Sweeper(store::PortalStore& portals, store::SnapshotStore& snapshots, store::SweepMarks& marks,
          store::Inbox& inbox, b24::RestClient& client, core::Clock& clock)
      : portals_(portals),
        snapshots_(snapshots),
        marks_(marks),
        inbox_(inbox),
        client_(client),
        clock_(clock) {}

  // Fails with the REST or storage error that stopped it; the mark only moves past what was
  // queued, so the next sweep resumes.
  core::Result<SweepReport> SweepPortal(const std::string& member_id);
  // Every installed portal; one failing portal does not stop the others. Fails only when the
  // portal list cannot be read.
  core::Result<SweepReport> SweepAll();

 private:
  core::Result<void> SweepType(const std::string& member_id, const std::string& entity_type,
                               SweepReport& report);

  store::PortalStore& portals_;
  store::SnapshotStore& snapshots_;
  store::SweepMarks& marks_;
  store::Inbox& inbox_;
  b24::RestClient& client_;
  core::Clock& clock_;
};

}  // namespace engine
