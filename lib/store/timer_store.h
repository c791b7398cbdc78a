// Durable timers (issue #4, items 3 and 5): what the conveyor must look at again later — a
// waiting item, an SLA, a deal whose client is ready on a later day. They live in SQLite so a
// restart loses none, and each portal has at most one pending timer per key.
// Thread-safety: safe to share between threads. The Database must outlive the store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

struct StoredTimer {
  int64_t id = 0;
  std::string member_id;
  int64_t due_at = 0;
  std::string kind;
  std::string payload;  // JSON, as scheduled
};

class TimerStore {
 public:
  explicit TimerStore(Database& db) : db_(db) {}

  // Sets a timer unless one with this key is still pending for the portal. Returns whether it
  // was set. Fails with kNotFound for an unknown portal.
  [[nodiscard]] core::Result<bool> Schedule(std::string_view member_id, std::string_view key,
                                            std::string_view kind, int64_t due_at,
                                            std::string_view payload);
  // Pending timers due at `now` or before, earliest first, at most `max`.
  [[nodiscard]] core::Result<std::vector<StoredTimer>> Due(int64_t now, int max);
  // Marks a timer fired; its key is free again.
  [[nodiscard]] core::Result<void> Done(int64_t id);
  // Pending timers of a portal (for health and tests).
  [[nodiscard]] core::Result<int64_t> Pending(std::string_view member_id);

 private:
  Database& db_;
};

}  // namespace store
