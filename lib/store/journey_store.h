// Journeys (issue #5, item 1): every lead and deal of a portal with the facts that place it in
// its journey, and its stage transitions, from events, from the app's own writes and from the
// backfill of a portal's history. Read by journey for the cards' tab.
// Thread-safety: safe to share between threads. The Database must outlive the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "lib/core/backfill_plan.h"
#include "lib/core/error.h"
#include "lib/core/journey.h"
#include "lib/store/database.h"

namespace store {

struct JourneyView {
  std::vector<core::ItemFacts> items;         // leads first, then deals, by id
  std::vector<core::Transition> transitions;  // oldest first
};

// What changed since a point: items whose facts changed (seq above), transitions added (rowid
// above), each at most `limit`; `more` when a page was full.
struct JourneyChanges {
  std::vector<core::ItemFacts> items;
  std::vector<core::Transition> transitions;
  int64_t seq = 0;    // the last item change read: the next call's after_seq
  int64_t rowid = 0;  // the last transition read: the next call's after_rowid
  bool more = false;
};

class JourneyStore {
 public:
  explicit JourneyStore(Database& db) : db_(db) {}

  // The item's latest facts, and its transition when there is one, in one transaction. A
  // transition already recorded (same item, time and stage) is kept as it was. Fails with
  // kNotFound when the portal is unknown.
  [[nodiscard]] core::Result<void> Record(std::string_view member_id, const core::ItemFacts& facts,
                                          const std::optional<core::Transition>& transition);
  // The journey an item belongs to, if the item is known.
  [[nodiscard]] core::Result<std::optional<int64_t>> JourneyOf(std::string_view member_id,
                                                               std::string_view entity_type,
                                                               int64_t entity_id);
  [[nodiscard]] core::Result<JourneyView> Journey(std::string_view member_id, int64_t journey_id);
  // For the reports' index: start with after_seq = -1 and after_rowid = 0.
  [[nodiscard]] core::Result<JourneyChanges> ChangesSince(std::string_view member_id,
                                                          int64_t after_seq, int64_t after_rowid,
                                                          int limit);

  // A backfill step: its rows and the lists' progress, in one transaction.
  [[nodiscard]] core::Result<void> RecordBackfill(std::string_view member_id,
                                                  const core::BackfillRows& rows,
                                                  const std::vector<core::BackfillList>& lists);
  // The lists' saved progress; empty when no backfill began.
  [[nodiscard]] core::Result<std::vector<core::BackfillList>> BackfillProgress(
      std::string_view member_id);
  // Forgets the progress, so the next backfill starts over.
  [[nodiscard]] core::Result<void> ResetBackfill(std::string_view member_id);

 private:
  Database& db_;
};

}  // namespace store
