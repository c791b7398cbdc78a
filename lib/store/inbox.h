// The durable queue between the HTTP handlers (which enqueue Bitrix24 events and answer at once)
// and the engine's workers (which claim, process and ack them).
//
// Guarantees: an event is enqueued at most once per (member_id, dedup_key) while it is pending;
// events of one entity (member_id, entity_type, entity_id) are handed out one at a time in
// arrival order; delivery is at least once: a claim is a lease, and an event whose lease ran out
// (its worker crashed or hung) is handed out again. Events without an entity share the empty key
// ("", 0) and so are also processed one at a time per portal.
//
// Enqueue commits in groups: callers arriving while a commit is in progress are written
// together by the next one (one transaction, one WAL append), and each returns only once its
// row is committed — durability per event at a fraction of the cost.
//
// Thread-safety: safe to share between threads and with other processes on the same file.
// The Database must outlive the Inbox.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

// Times are Unix seconds, passed in by the caller.
struct InboxEvent {
  int64_t id = 0;
  std::string member_id;
  std::string dedup_key;
  std::string event;
  std::string entity_type;
  int64_t entity_id = 0;
  std::string payload;
  int64_t received_at = 0;
  int attempts = 0;  // failed attempts so far (Retry calls)
  int64_t available_at = 0;
  int64_t leased_until = 0;
  std::string last_error;
};

class Inbox {
 public:
  explicit Inbox(Database& db) : db_(db) {}

  // Returns false, changing nothing, when (member_id, dedup_key) is already pending or was
  // processed and not yet purged. Fails with
  // kNotFound when the portal is unknown.
  [[nodiscard]] core::Result<bool> Enqueue(std::string_view member_id, std::string_view dedup_key,
                                           std::string_view event, std::string_view entity_type,
                                           int64_t entity_id, std::string_view payload,
                                           int64_t now);
  // Leases the oldest event that is available at `now`, not leased, and has no older pending
  // event for its entity, until now + lease_seconds. nullopt when there is none.
  [[nodiscard]] core::Result<std::optional<InboxEvent>> Claim(int64_t now, int64_t lease_seconds);
  // The same for up to `max` events in one transaction, oldest first, at most one per entity,
  // all of one portal: the portal of the oldest such event among those with no live lease.
  [[nodiscard]] core::Result<std::vector<InboxEvent>> ClaimMany(int64_t now, int64_t lease_seconds,
                                                                int max);
  // A round still at work keeps its claim: the leases of these events, where they are still
  // pending and leased, run until `leased_until`.
  [[nodiscard]] core::Result<void> Extend(const std::vector<int64_t>& ids, int64_t leased_until);
  // Done with the event: marks it done (kept for deduplication until PurgeDone). Acking an
  // event that is done or gone already is not an error.
  [[nodiscard]] core::Result<void> Ack(int64_t id);
  // Failed: counts the attempt, records the error (which must not hold secrets), releases the
  // lease and makes the event available again at `available_at`. Retrying an event that is gone
  // already is not an error.
  [[nodiscard]] core::Result<void> Retry(int64_t id, std::string_view error, int64_t available_at);
  // Pending events (leased or not) of one portal, or of all portals.
  [[nodiscard]] core::Result<int64_t> Depth(std::string_view member_id);
  // Every event of the portal still on record, pending or done.
  [[nodiscard]] core::Result<int64_t> Received(std::string_view member_id);
  // Ends every lease. Called once at start-up: one process owns the database, so nothing is
  // being processed yet and events leased by a killed process are available at once.
  [[nodiscard]] core::Result<int64_t> ReleaseLeases();
  // When the portal's newest event on record arrived; 0 when none.
  [[nodiscard]] core::Result<int64_t> LastReceivedAt(std::string_view member_id);
  // Deletes done events received before the given time; returns how many.
  [[nodiscard]] core::Result<int64_t> PurgeDone(int64_t received_before);
  [[nodiscard]] core::Result<int64_t> Depth();

 private:
  struct PendingEnqueue;
  // Writes the group in one transaction, each row's outcome into its entry.
  void CommitGroup(const std::vector<PendingEnqueue*>& group);

  Database& db_;
  std::mutex group_mutex_;
  std::condition_variable group_done_;
  std::vector<PendingEnqueue*> waiting_;  // GUARDED_BY(group_mutex_)
  bool committing_ = false;               // GUARDED_BY(group_mutex_)
};

}  // namespace store
