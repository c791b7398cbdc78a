#include "emulator/day/backlog.h"

#include <algorithm>
#include <limits>

namespace day {

double CaughtUpAfter(std::vector<Wait> waits, double start) {
  constexpr double kOpen = std::numeric_limits<double>::infinity();
  std::sort(waits.begin(), waits.end(),
            [](const Wait& a, const Wait& b) { return a.from < b.from; });
  // Sweeping in order of start: every wait that began by `free` and ends after it pushes the
  // first free instant to its end; the first wait beginning after it leaves a gap.
  double free = start;
  for (const Wait& wait : waits) {
    if (wait.from > free) break;
    free = std::max(free, wait.until < 0 ? kOpen : wait.until);
  }
  return free == kOpen ? -1 : free - start;
}

}  // namespace day
