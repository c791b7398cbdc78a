// One simulated working day of the demo company against the emulator: the clock is moved to
// Monday 08:50 in the portal's zone and sped up; enquiries arrive 09:00-18:00 as leads; the
// company's people act on what the conveyor (the app, run separately) assigns to them, each
// act done as that person through the control API; at 18:00 the clock jumps to Tuesday 08:55
// and the day runs until 12:00 so that ready-later leads are handed over. A rate run instead
// (arrivals_per_minute > 0) starts at Monday 09:00, creates the leads evenly, R per virtual
// minute, and stops once the conveyor has settled (see Day::Settled in day_run.cpp) or an hour
// after the last arrival, without a second morning. Reads the portal through /_emulator/state
// only, so the app's REST usage in the log is the app's alone.
// Thread-safety: one thread; blocks for the length of the day (real sleeps between polls).
#pragma once

#include <cstdint>
#include <string>

#include "emulator/day/portal_client.h"
#include "emulator/day/progress.h"
#include "emulator/day/summary.h"

namespace day {

struct RunOptions {
  int leads = 200;
  uint64_t seed = 1;
  double speed = 120;              // virtual seconds per real second
  std::string conveyor_url;        // the app, for its decision counters; empty: not asked
  double poll_seconds = 0.15;      // real time between looks at the portal
  double arrivals_per_minute = 0;  // > 0: a rate run, leads per virtual minute; 0: a whole day
  double think_scale = 1;          // multiplies every person's reaction time (> 0)
  // > 0 (a rate run): the app's requests are also counted over a steady window, from this many
  // virtual minutes after the first arrival to the last one, when every stage of the conveyor
  // is busy; the app's inbox depth is watched over it.
  double steady_after_minutes = 0;
};

// Plays the day and returns its summary. Fails when the portal or the demo company is missing
// (run `company` first) or the emulator stops answering (Failure::unreachable).
[[nodiscard]] Result<Summary> RunDay(PortalClient& portal, const RunOptions& options,
                                     Progress& progress);

}  // namespace day
