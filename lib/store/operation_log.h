// Idempotency keys for REST writes: a key is recorded as 'started' before the write is sent,
// marked sent as the request leaves, and 'done' with its result after, so a retried event can
// tell "never sent" from "sent, maybe applied" and not, say, create the same task twice.
//
// One process uses a database at a time: at its start, keys begun but never sent belong to a
// process that is gone (ForgetUnsent).
//
// Thread-safety: safe to share between threads. The Database must outlive the log.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

enum class OperationState { kStarted, kDone };

struct Operation {
  OperationState state = OperationState::kStarted;
  std::string result;  // empty until done
  int64_t at = 0;      // when it was begun, Unix seconds
  bool sent = false;   // its request left (or may have): its outcome is the portal's
};

class OperationLog {
 public:
  explicit OperationLog(Database& db) : db_(db) {}

  // Records the key as started. Returns false, changing nothing, when the key exists already
  // (whatever its state). Fails with kNotFound when the portal is unknown.
  [[nodiscard]] core::Result<bool> Begin(std::string_view member_id, std::string_view op_key,
                                         int64_t now);
  // Marks begun keys as sent: their request is leaving now.
  [[nodiscard]] core::Result<void> MarkSent(std::string_view member_id,
                                            const std::vector<std::string>& op_keys);
  // Forgets every key begun and never sent (a process killed while it waited for its turn).
  // Returns how many.
  [[nodiscard]] core::Result<long> ForgetUnsent();
  // Marks a begun key done with its result. Fails with kNotFound when it was never begun.
  [[nodiscard]] core::Result<void> Finish(std::string_view member_id, std::string_view op_key,
                                          std::string_view result);
  // Forgets a begun key whose write certainly did not run, so it can be sent again.
  [[nodiscard]] core::Result<void> Abandon(std::string_view member_id, std::string_view op_key);
  // nullopt when the key was never begun.
  [[nodiscard]] core::Result<std::optional<Operation>> Find(std::string_view member_id,
                                                            std::string_view op_key);

 private:
  Database& db_;
};

}  // namespace store
