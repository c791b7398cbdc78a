#include "lib/b24/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace b24 {

void LeakyBucket::Drain(double now, double rate) {
  if (now > updated) level = std::max(0.0, level - (now - updated) * rate);
  updated = std::max(updated, now);
}

double LeakyBucket::WaitFor(double now, double rate, double ceiling) const {
  LeakyBucket copy = *this;
  copy.Drain(now, rate);
  const double excess = copy.level + 1 - ceiling;
  return excess <= 0 ? 0 : excess / rate;
}

double RateLimiter::Acquire(const std::string& member_id, const std::string& method, Lane lane) {
  double waited = 0;
  while (!stopped_) {
    double wait = 0;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      PortalState& p = portals_[member_id];
      const double now = clock_.Now();
      const auto method_hold = p.method_hold_until.find(method);
      const double hold = std::max(
          p.hold_until, method_hold == p.method_hold_until.end() ? 0.0 : method_hold->second);
      double ceiling = options_.bucket - options_.margin;
      if (lane == Lane::kBackfill) ceiling -= options_.backfill_reserve;
      wait = std::max(hold - now, p.bucket.WaitFor(now, options_.drain, ceiling));
      if (wait <= 0) {
        p.bucket.Drain(now, options_.drain);
        p.bucket.level += 1;
        return waited;
      }
    }
    // In slices, so that Stop() is noticed.
    const double slice = std::min(wait, 0.5);
    clock_.Sleep(slice);
    waited += slice;
  }
  return waited;
}

double RateLimiter::Use(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  LeakyBucket bucket = portals_[member_id].bucket;
  bucket.Drain(clock_.Now(), options_.drain);
  return std::min(1.0, bucket.level / (options_.bucket - options_.margin));
}

void RateLimiter::NoteOperating(const std::string& member_id, const std::string& method,
                                double operating, double reset_at) {
  if (!(operating >= options_.operating_limit - options_.operating_margin)) return;  // NaN too
  HoldMethod(member_id, method, reset_at);
}

double RateLimiter::Bounded(double until) const {
  const double latest = clock_.Now() + options_.max_hold;
  return std::isfinite(until) ? std::min(until, latest) : latest;
}

void RateLimiter::HoldPortal(const std::string& member_id, double until) {
  until = Bounded(until);
  std::lock_guard<std::mutex> lock(mutex_);
  PortalState& p = portals_[member_id];
  p.hold_until = std::max(p.hold_until, until);
  // The portal's bucket is full: assume ours is too.
  p.bucket.level = std::max(p.bucket.level, options_.bucket);
  p.bucket.updated = std::max(p.bucket.updated, clock_.Now());
}

void RateLimiter::HoldMethod(const std::string& member_id, const std::string& method,
                             double until) {
  until = Bounded(until);
  std::lock_guard<std::mutex> lock(mutex_);
  double& hold = portals_[member_id].method_hold_until[method];
  hold = std::max(hold, until);
}

}  // namespace b24
