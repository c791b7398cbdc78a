// The emulator's virtual clock: real time plus an offset that the control API advances,
// optionally frozen so that scenarios are repeatable. Everything time-dependent in the
// emulator (token expiry, the leaky bucket, operating-time windows, DATE_MODIFY) reads it.
// Thread-safety: all members are safe to call concurrently.
#pragma once

#include <chrono>
#include <mutex>

namespace emu {

class Clock {
 public:
  // Unix time in seconds, with sub-second precision.
  double Now() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return (frozen_ ? frozen_at_ : RealNow()) + offset_;
  }
  void Advance(double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    offset_ += seconds;
  }
  void SetFrozen(bool frozen) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (frozen == frozen_) return;
    if (frozen) {
      frozen_at_ = RealNow();
    } else {
      offset_ -= RealNow() - frozen_at_;  // resume from where time stood
    }
    frozen_ = frozen;
  }
  bool Frozen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return frozen_;
  }

 private:
  static double RealNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
  }
  mutable std::mutex mutex_;
  double offset_ = 0;  // GUARDED_BY(mutex_)
  double frozen_at_ = 0;
  bool frozen_ = false;
};

}  // namespace emu
