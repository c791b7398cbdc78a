// Drains the durable inbox: claims events (per portal and entity in order, leased so that a
// crash re-delivers them), re-reads the entities in one batch per portal, compares them with
// the last snapshot, hands real changes to the rules, executes their plans and acknowledges.
// Processing is at-least-once: an event is acknowledged only after its snapshot is stored.
// Thread-safety: RunOnce may run on several threads at once (the inbox leases keep them apart).
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/change.h"
#include "lib/core/clock.h"
#include "lib/engine/echo_expectations.h"
#include "lib/engine/executor.h"
#include "lib/store/decision_log.h"
#include "lib/store/inbox.h"
#include "lib/store/journey_store.h"
#include "lib/store/snapshot_store.h"
#include "lib/store/timer_store.h"

namespace engine {

struct WorkerOptions {
  int64_t lease_seconds = 60;
  int max_claims = 200;  // events per round, all of one portal: their reads in batches of 50
  // A round that would take only a few events waits for more of them, so that their reads
  // and writes share batch requests (REST economy, issue #4): this long (clock time) while the
  // portal's rate-limit bucket is empty, up to 4 times as long as it fills, so a busy portal
  // sends fewer, fuller batches and keeps room in its bucket instead of queueing for it.
  double gather_seconds = 1.0;
  int64_t retry_seconds = 5;  // the first retry's delay; it doubles with each attempt
  int max_attempts = 12;      // then the event is given up (logged as an error), ~3 h in all
};

struct RoundReport {
  std::string member_id;  // the portal whose events the round claimed
  int claimed = 0;
  int changed = 0;    // handed to the rules
  int actions = 0;    // REST writes the rules' plans sent
  int decisions = 0;  // journaled
  int unchanged = 0;  // echoes and saves that changed nothing
  int settled = 0;    // of those, the ones known without a read (expected echoes, stale timers)
  int retried = 0;
  int given_up = 0;
  int timers_fired = 0;  // due timers turned into inbox events
  int timers_set = 0;
  std::map<std::string, int> decisions_by_kind;
};

class InboxWorker {
 public:
  InboxWorker(store::Inbox& inbox, store::SnapshotStore& snapshots, b24::RestClient& client,
              core::Rules& rules, Executor& executor, store::DecisionLog& decisions,
              store::TimerStore& timers, core::Clock& clock, WorkerOptions options = {},
              EchoExpectations* echoes = nullptr, store::JourneyStore* journeys = nullptr)
      : inbox_(inbox),
        snapshots_(snapshots),
        decisions_(decisions),
        timers_(timers),
        client_(client),
        rules_(rules),
        executor_(executor),
        clock_(clock),
        options_(options),
        echoes_(echoes),
        journeys_(journeys) {}

  // One round: due timers become inbox events (CONVEYOR_TIMER), then claim what is available and
  // process it. Fails only when storage fails.
  core::Result<RoundReport> RunOnce();
  const WorkerOptions& options() const { return options_; }
  // How long the next round of the portal waits for more events: see gather_seconds.
  double GatherSeconds(const std::string& member_id) {
    return options_.gather_seconds * (1 + 3 * client_.BucketUse(member_id));
  }
  core::Result<int64_t> PurgeDone(int64_t received_before) {
    return inbox_.PurgeDone(received_before);
  }

 private:
  // Puts a failed event back with a growing delay, or gives it up after max_attempts.
  core::Result<void> Defer(const store::InboxEvent& e, const std::string& why, int64_t now,
                           RoundReport& report);
  core::Result<void> FireDueTimers(int64_t now, RoundReport& report);
  // An event that needs no look at the portal: an expected echo of our own write, or a timer
  // whose item has moved on according to its snapshot.
  bool Settled(const store::InboxEvent& e, int64_t now);
  // Sets the timers of a plan that was carried out; `results` resolve references to what the
  // plan created.
  core::Result<void> SetTimers(const std::string& member_id, const std::vector<core::Timer>& timers,
                               const nlohmann::json& results, RoundReport& report);

  store::Inbox& inbox_;
  store::SnapshotStore& snapshots_;
  store::DecisionLog& decisions_;
  store::TimerStore& timers_;
  b24::RestClient& client_;
  core::Rules& rules_;
  Executor& executor_;
  core::Clock& clock_;
  WorkerOptions options_;
  EchoExpectations* echoes_;       // the executor's; events it expects are not re-read
  store::JourneyStore* journeys_;  // every change's facts and transition, when given
};

// Runs InboxWorker rounds on background threads until stopped; idles briefly when the inbox is
// empty and purges processed events after `keep_done_seconds`.
class WorkerPool {
 public:
  WorkerPool(InboxWorker& worker, core::Clock& clock, int threads, double idle_seconds = 0.1,
             int64_t keep_done_seconds = 7 * 86400);
  ~WorkerPool() { Stop(); }
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;
  void Stop();
  // New events arrived: an idle thread starts a round now rather than at its next poll.
  void Wake();

  struct Totals {
    long rounds = 0;
    long processed = 0;
    long changed = 0;
    long settled = 0;
    long retried = 0;
    long given_up = 0;
    long storage_errors = 0;
    long timers_fired = 0;
    long timers_set = 0;
    std::map<std::string, long> decisions_by_kind;  // journaled since the start
  };
  Totals totals() const;

 private:
  void Run(bool purges);

  std::atomic<long> rounds_{0}, processed_{0}, changed_{0}, settled_{0}, retried_{0}, given_up_{0},
      storage_errors_{0}, timers_fired_{0}, timers_set_{0};
  mutable std::mutex kinds_mutex_;
  std::map<std::string, long> decisions_by_kind_;  // GUARDED_BY(kinds_mutex_)

  InboxWorker& worker_;
  core::Clock& clock_;
  double idle_seconds_;
  int64_t keep_done_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;   // GUARDED_BY(mutex_)
  bool woken_ = false;  // GUARDED_BY(mutex_): a Wake not yet answered by a round
  std::vector<std::thread> threads_;
};

}  // namespace engine
