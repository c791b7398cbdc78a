// Whether the conveyor keeps up with a stream of leads: each lead waits for the conveyor while
// it is not yet handed out to a hunter and again from «ready now» until its deal is with a
// closer. A conveyor that keeps up has nothing waiting shortly after the last arrival; one with
// a growing backlog needs as long as its queue takes to drain. Pure. Thread-safety: stateless.
#pragma once

#include <vector>

namespace day {

// One stretch of waiting for the conveyor, in virtual unix seconds.
struct Wait {
  double from = 0;
  double until = -1;  // -1: still waiting
};

// Seconds from `start` to the first instant at or after it at which none of `waits` is going
// on; -1 when a wait still going on at the end covers every instant from `start` on.
double CaughtUpAfter(std::vector<Wait> waits, double start);

}  // namespace day
