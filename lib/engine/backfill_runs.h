// The backfills of all portals: started when a portal installs the app (or from the API),
// watched through the API, stopped at shutdown. At most `threads` run at once on a pool of
// that many threads; the others wait their turn in the order they were started, so a burst of
// installations never means a thread per portal. A run ends when its lists are read, or at
// the first failure (a later start resumes from the saved progress).
// Thread-safety: safe to share between threads.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "lib/engine/backfill.h"

namespace engine {

struct BackfillStatus {
  bool running = false;                   // reading now, or waiting for a free thread
  std::vector<core::BackfillList> lists;  // the saved progress; empty before the first run
  long requests = 0;                      // of the latest run
  long rows = 0;                          // of the latest run
  std::string error;  // what kind of failure stopped the latest run early (core::ErrorName)
};

class BackfillRuns {
 public:
  BackfillRuns(Backfill& backfill, store::JourneyStore& journeys, int threads = 2);
  ~BackfillRuns() { StopAll(); }
  BackfillRuns(const BackfillRuns&) = delete;
  BackfillRuns& operator=(const BackfillRuns&) = delete;

  // Queues the portal's backfill unless it is queued or running; `over` forgets the progress
  // first, so everything is read again. False when it was queued or running already, or
  // after StopAll.
  [[nodiscard]] core::Result<bool> Start(const std::string& member_id, bool over = false);
  [[nodiscard]] core::Result<BackfillStatus> Status(const std::string& member_id);
  // Asks every run to stop after its current request, drops the queue and waits.
  void StopAll();

 private:
  struct Run {
    bool running = false;  // queued or reading
    BackfillReport report;
    std::string error;
  };
  void Serve();
  void RunOne(const std::string& member_id);

  Backfill& backfill_;
  store::JourneyStore& journeys_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  std::map<std::string, Run> runs_;  // GUARDED_BY(mutex_)
  std::deque<std::string> queue_;    // GUARDED_BY(mutex_)
  std::vector<std::thread> threads_;
};

}  // namespace engine
