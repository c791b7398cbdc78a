// Keeps a round's claim on its inbox events while the round works (issue 15): every third of the
// lease it extends their leases, so a round that a slow portal holds up (timeouts, a rate-limit
// hold) never has its events claimed by another round at the same time. The clock may be a
// virtual one running many times faster than real time (the demo's day; its lease is then
// lengthened by the clock's pace): the keeper looks every 0.1 s of real time at most, more often
// should the lease be short in real time, and stops at once when destroyed.
// Thread-safety: one keeper per round; it owns one thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "lib/core/clock.h"
#include "lib/store/inbox.h"

namespace engine {

class LeaseKeeper {
 public:
  LeaseKeeper(store::Inbox& inbox, std::vector<int64_t> ids, core::Clock& clock,
              int64_t lease_seconds);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

 private:
  void Run();

  store::Inbox& inbox_;
  const std::vector<int64_t> ids_;
  core::Clock& clock_;
  const int64_t lease_seconds_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace engine
