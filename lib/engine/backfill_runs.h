// The backfills of all portals, each in a thread of its own: started when a portal installs the
// app (or from the API), watched through the API, stopped at shutdown. A run ends when its lists
// are read, or at the first failure (a later start resumes from the saved progress).
// Thread-safety: safe to share between threads.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "lib/engine/backfill.h"

namespace engine {

struct BackfillStatus {
  bool running = false;
  std::vector<core::BackfillList> lists;  // the saved progress; empty before the first run
  long requests = 0;                      // of the latest run
  long rows = 0;                          // of the latest run
  std::string error;                      // why the latest run stopped early; "" otherwise
};

class BackfillRuns {
 public:
  BackfillRuns(Backfill& backfill, store::JourneyStore& journeys)
      : backfill_(backfill), journeys_(journeys) {}
  ~BackfillRuns() { StopAll(); }
  BackfillRuns(const BackfillRuns&) = delete;
  BackfillRuns& operator=(const BackfillRuns&) = delete;

  // Starts the portal's backfill unless one is running; `over` forgets the progress first, so
  // everything is read again. False when one was running already.
  [[nodiscard]] core::Result<bool> Start(const std::string& member_id, bool over = false);
  [[nodiscard]] core::Result<BackfillStatus> Status(const std::string& member_id);
  // Asks every run to stop after its current request, and waits for them.
  void StopAll();

 private:
  struct Run {
    std::thread thread;
    std::atomic<bool> running{false};
    BackfillReport report;  // GUARDED_BY(mutex_)
    std::string error;      // GUARDED_BY(mutex_)
  };

  Backfill& backfill_;
  store::JourneyStore& journeys_;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Run>> runs_;  // GUARDED_BY(mutex_)
};

}  // namespace engine
