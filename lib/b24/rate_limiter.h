// The client-side mirror of Bitrix24's limits (REST.md §4.1–4.2), shared by every worker that
// calls the same portal, so that the portal's own 503/429 never happen in normal operation.
// - A leaky bucket per portal (50 / 2 per s, or 250 / 5 on Enterprise) with a safety margin.
// - Two lanes: interactive conveyor work may use the whole bucket; backfill leaves a reserve
//   so that it never delays a hand-over.
// - Operating-time holds: a method whose `operating` approaches the limit waits for
//   `operating_reset_at`; a 429 or a 503 from the server sets a hold too. No hold is longer
//   than the platform's 10-minute operating window, whatever a portal answers, and Stop() ends
//   every wait.
// Thread-safety: all public members are safe to call concurrently.
#pragma once

#include <atomic>
#include <map>
#include <mutex>
#include <string>

#include "lib/core/clock.h"

namespace b24 {

enum class Lane { kInteractive, kBackfill };

struct LimiterOptions {
  double bucket = 50;
  double drain = 2;              // requests per second
  double margin = 2;             // requests kept free for clock skew between us and the portal
  double backfill_reserve = 10;  // requests backfill leaves to interactive work
  double operating_limit = 480;  // seconds per method per 10 minutes
  double operating_margin = 60;  // start holding this many seconds before the limit
  double max_hold = 600;         // seconds: the operating window (REST.md §4.2)
};

// The arithmetic of one bucket; pure, so tests need no clock.
struct LeakyBucket {
  double level = 0;
  double updated = 0;

  void Drain(double now, double rate);
  // Seconds to wait until one more request fits under `ceiling`.
  double WaitFor(double now, double rate, double ceiling) const;
};

class RateLimiter {
 public:
  RateLimiter(LimiterOptions options, core::Clock& clock) : options_(options), clock_(clock) {}

  // Blocks (on the clock) until `member_id` may send one more request of `method`, or Stop();
  // returns the seconds waited.
  double Acquire(const std::string& member_id, const std::string& method, Lane lane);
  // Every wait ends now and none starts again (shutdown).
  void Stop() { stopped_ = true; }
  // How full the portal's bucket is now for interactive work: 0 (empty) to 1 (a request
  // would wait).
  double Use(const std::string& member_id);
  // What a response said about the method's operating time.
  void NoteOperating(const std::string& member_id, const std::string& method, double operating,
                     double reset_at);
  // The portal refused: hold everything (503) or the method (429) until `until`.
  void HoldPortal(const std::string& member_id, double until);
  void HoldMethod(const std::string& member_id, const std::string& method, double until);

 private:
  struct PortalState {
    LeakyBucket bucket;
    double hold_until = 0;
    std::map<std::string, double> method_hold_until;
  };

  // `until`, but no later than max_hold from now (a NaN or infinite `until` too).
  double Bounded(double until) const;

  LimiterOptions options_;
  core::Clock& clock_;
  std::atomic<bool> stopped_{false};
  std::mutex mutex_;
  std::map<std::string, PortalState> portals_;  // GUARDED_BY(mutex_)
};

}  // namespace b24
