// The backfill of a portal's history into journeys (issue #5, item 1): leads and deals for their
// facts, then their stage histories (crm.stagehistory.list) for the transitions. Every list is
// read in ID ranges of one page each, 50 ranges to a batch request, so a request brings up to
// 2,500 rows without waiting for the previous page's last ID (keyset paging without the round
// trip); the ranges of the next list fill a batch the current one leaves short. The first request
// asks each list for its smallest and largest ID, so that ranges start where the rows do (a
// history whose oldest rows were deleted starts far above 1; rows deleted in between still cost
// their ranges).
// Pure: no I/O. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/journey.h"

namespace core {

// One list of the backfill and how far it got. Ranges run from next_id up to max_id inclusive;
// next_id starts at the list's smallest ID once that is known.
struct BackfillList {
  std::string kind;  // "lead", "deal", "lead_history", "deal_history"
  int64_t next_id = 1;
  int64_t max_id = -1;  // -1: not known yet
  int64_t rows = 0;     // read so far
  std::string skipped;  // why the portal does not offer it ("" while it is read)
  bool done() const { return !skipped.empty() || (max_id >= 0 && next_id > max_id); }
};

// The lists of a backfill, in the order they run.
std::vector<BackfillList> BackfillLists();

struct ListCommand {
  std::string key;  // "<kind>:<first id>", "<kind>:min" or "<kind>:max"
  std::string method;
  nlohmann::json params;
};

inline constexpr int kRowsPerPage = 50;
inline constexpr int kCommandsPerBatch = 50;

// The commands of the next request: the smallest and largest ID of every list whose largest is
// not known yet, or else the next ID ranges. Empty when every list is done.
std::vector<ListCommand> NextBackfillBatch(const std::vector<BackfillList>& lists);

// What one command's answer means for its list: the smallest or largest ID, or the rows of a
// range.
struct BackfillRows {
  std::vector<ItemFacts> items;
  std::vector<Transition> transitions;
};
// The list of a command's `key` is one the portal does not offer (`why`): it is left out, and the
// others are read.
void SkipBackfillList(std::vector<BackfillList>& lists, const std::string& key,
                      const std::string& why);

// Applies the answer of `key` to `lists` (next_id, max_id, rows) and returns what to record.
// Fails (nullopt) when the key is not one of NextBackfillBatch's.
std::optional<BackfillRows> ApplyBackfillAnswer(std::vector<BackfillList>& lists,
                                                const std::string& key,
                                                const nlohmann::json& result);

}  // namespace core
