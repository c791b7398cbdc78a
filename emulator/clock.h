// The emulator's virtual clock. It runs `speed` times as fast as real time from an anchor
// (virtual time V0 at real time R0: now = V0 + (real - R0) * speed), moves forward on demand
// (Advance), and can be frozen so that scenarios are repeatable. Changing the speed, freezing
// or resuming re-anchors at the current virtual time, so time never jumps except by Advance and
// SetNow. Everything time-dependent in the emulator (token expiry, the leaky bucket,
// operating-time windows, DATE_MODIFY) reads it.
// Thread-safety: all members are safe to call concurrently.
#pragma once

#include <chrono>
#include <mutex>

namespace emu {

class Clock {
 public:
  struct Reading {
    double now = 0;
    bool frozen = false;
    double speed = 1;
  };

  Clock() : anchor_real_(RealNow()), anchor_virtual_(anchor_real_) {}

  // Unix time in seconds, with sub-second precision.
  double Now() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return NowLocked(RealNow());
  }
  // Now, frozen and speed read at one instant.
  Reading Read() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return {NowLocked(RealNow()), frozen_, speed_};
  }
  // Moves virtual time forward (or back, for a negative value; the control API refuses those).
  void Advance(double seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    anchor_virtual_ += seconds;
  }
  // Virtual time becomes `unix_seconds` now (the --clock-start of a fresh emulator).
  void SetNow(double unix_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    anchor_real_ = RealNow();
    anchor_virtual_ = unix_seconds;
  }
  // Virtual seconds per real second from now on; callers keep it positive.
  void SetSpeed(double speed) {
    std::lock_guard<std::mutex> lock(mutex_);
    Reanchor();
    speed_ = speed;
  }
  void SetFrozen(bool frozen) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (frozen == frozen_) return;
    Reanchor();  // frozen: the anchor is where time stands; resumed: it runs on from there
    frozen_ = frozen;
  }
  bool Frozen() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return frozen_;
  }
  double Speed() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return speed_;
  }

 private:
  static double RealNow() {
    using namespace std::chrono;
    return duration<double>(system_clock::now().time_since_epoch()).count();
  }
  double NowLocked(double real) const {
    return frozen_ ? anchor_virtual_ : anchor_virtual_ + (real - anchor_real_) * speed_;
  }
  void Reanchor() {
    const double real = RealNow();
    anchor_virtual_ = NowLocked(real);
    anchor_real_ = real;
  }

  mutable std::mutex mutex_;
  double anchor_real_;     // GUARDED_BY(mutex_)
  double anchor_virtual_;  // GUARDED_BY(mutex_)
  double speed_ = 1;       // GUARDED_BY(mutex_)
  bool frozen_ = false;    // GUARDED_BY(mutex_)
};

}  // namespace emu
