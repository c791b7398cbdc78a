// Runs a job on a background thread every `interval_seconds` of real time until stopped — the
// reconciliation sweep and the durable timers. Stop() wakes the thread at once.
// Thread-safety: Stop() may be called from any thread; the job runs on one thread only.
#pragma once

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace engine {

class Periodic {
 public:
  Periodic(double interval_seconds, std::function<void()> job);
  ~Periodic() { Stop(); }
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;
  void Stop();

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

}  // namespace engine
