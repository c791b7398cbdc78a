// The decisions journal: every automatic decision with its reasons, per portal, readable by
// entity (the card's journey tab, "why this person") and by time (the API, analytics).
// Thread-safety: safe to share between threads. The Database must outlive the log.
#pragma once

#include <cstdint>
#include <map>
#include <string_view>
#include <vector>

#include "lib/core/decision.h"
#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

// A person's turns of the rotation in a period.
struct HandOuts {
  int count = 0;
  int64_t last_at = 0;  // Unix seconds
};

struct JournalEntry {
  int64_t id = 0;
  int64_t at = 0;  // Unix seconds
  core::Decision decision;
};

class DecisionLog {
 public:
  explicit DecisionLog(Database& db) : db_(db) {}

  // Fails with kNotFound when the portal is unknown.
  [[nodiscard]] core::Result<void> Append(std::string_view member_id,
                                          const core::Decision& decision, int64_t at);
  // The entity's decisions, oldest first.
  [[nodiscard]] core::Result<std::vector<JournalEntry>> ForEntity(std::string_view member_id,
                                                                  std::string_view entity_type,
                                                                  int64_t entity_id);
  // The newest `limit` decisions of the portal, newest first.
  [[nodiscard]] core::Result<std::vector<JournalEntry>> Recent(std::string_view member_id,
                                                               int limit);
  // Per person, the hand-outs (core::IsHandOut) from `since` on.
  [[nodiscard]] core::Result<std::map<int64_t, HandOuts>> HandOutsSince(std::string_view member_id,
                                                                        int64_t since);
  // The portal's decisions from `at` on, oldest first, at most `limit`.
  [[nodiscard]] core::Result<std::vector<JournalEntry>> Since(std::string_view member_id,
                                                              int64_t at, int limit);

 private:
  Database& db_;
};

}  // namespace store
