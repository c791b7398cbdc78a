// A clock that follows another server's virtual clock (the portal emulator's
// GET /_emulator/clock: {"now", "frozen", "speed"}), for the demo's simulated working day, where
// the portal's time runs fast and jumps over the night and the conveyor's timers must keep
// step. Development only (CONVEYOR_CLOCK_URL with CONVEYOR_DEV=1): production runs on the
// system clock. It reads the remote clock every 50 ms and runs at its speed in between.
// Thread-safety: Now and Sleep may be called from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "lib/core/clock.h"
#include "lib/core/error.h"

namespace engine {

class FollowedClock : public core::Clock {
 public:
  // Reads the clock once; fails with kUnavailable when it cannot be read.
  static core::Result<std::unique_ptr<FollowedClock>> Start(const std::string& url);
  ~FollowedClock() override;

  double Now() const override;
  void Sleep(double seconds) override;
  double Pace() const override;

 private:
  explicit FollowedClock(std::string url) : url_(std::move(url)) {}
  bool Read();
  void Follow();

  const std::string url_;
  mutable std::mutex mutex_;
  double remote_ = 0;  // GUARDED_BY(mutex_): the remote time at the last reading
  double local_ = 0;   // GUARDED_BY(mutex_): steady seconds at that reading
  double speed_ = 1;   // GUARDED_BY(mutex_): 0 while frozen
  bool stop_ = false;  // GUARDED_BY(mutex_)
  // The latest time handed out: a reading that lags (the remote clock froze) never makes time
  // go backwards.
  mutable double last_ = 0;  // GUARDED_BY(mutex_)
  std::condition_variable wake_;
  std::thread follower_;
};

}  // namespace engine
