// The real clock: wall time and real sleeps. Thread-safety: stateless.
#pragma once

#include "lib/core/clock.h"

namespace engine {

class SystemClock : public core::Clock {
 public:
  double Now() const override;
  void Sleep(double seconds) override;
};

}  // namespace engine
