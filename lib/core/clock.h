// The clock port: everything time-dependent takes one, so tests control time.
// Thread-safety: implementations must be safe to call from any thread.
#pragma once

namespace core {

class Clock {
 public:
  virtual ~Clock() = default;
  // Unix time in seconds, with sub-second precision.
  virtual double Now() const = 0;
  // Waits `seconds` of this clock's time (a test clock may just advance itself).
  virtual void Sleep(double seconds) = 0;
  // This clock's seconds per real second: 1, but more for the demo's virtual day. What guards
  // against real concurrency (an inbox lease) lasts its time in real seconds, so it is
  // lengthened by this much.
  virtual double Pace() const { return 1; }
};

}  // namespace core
