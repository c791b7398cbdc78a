#include "lib/b24/rate_limiter.h"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

namespace rate_limiter_test {

namespace {

// A clock that only moves when someone sleeps.
class ManualClock : public core::Clock {
 public:
  double Now() const override { return now_; }
  void Sleep(double seconds) override { now_ += seconds; }

 private:
  double now_ = 1000;
};

}  // namespace

TEST_CASE("the bucket lets a burst through — then paces requests at the drain rate") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  double waited = 0;
  for (int i = 0; i < 48; ++i) waited += limiter.Acquire("p", "m", b24::Lane::kInteractive);
  CHECK(waited == 0);  // 50 minus the safety margin of 2
  CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) == Approx(0.5));
  CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) == Approx(0.5));
  CHECK(limiter.Acquire("other", "m", b24::Lane::kInteractive) == 0);  // portals are separate
}

TEST_CASE("backfill leaves a reserve to interactive work") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  for (int i = 0; i < 38; ++i) REQUIRE(limiter.Acquire("p", "m", b24::Lane::kBackfill) == 0);
  CHECK(limiter.Acquire("p", "m", b24::Lane::kBackfill) > 0);
  const double before = clock.Now();
  for (int i = 0; i < 9; ++i) CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) == 0);
  CHECK(clock.Now() == before);
}

TEST_CASE("a method near its operating limit waits for operating_reset_at") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  limiter.NoteOperating("p", "crm.deal.list", 100, 5000);  // far from the limit: no hold
  CHECK(limiter.Acquire("p", "crm.deal.list", b24::Lane::kInteractive) == 0);
  limiter.NoteOperating("p", "crm.deal.list", 430, 1600);
  CHECK(limiter.Acquire("p", "crm.deal.list", b24::Lane::kInteractive) == Approx(600));
  CHECK(limiter.Acquire("p", "crm.lead.list", b24::Lane::kInteractive) == 0);
}

TEST_CASE("a portal's hold is never longer than the operating window (issue 15)") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  const double start = clock.Now();
  limiter.NoteOperating("p", "crm.deal.list", 1e9, 1e18);  // a hostile portal's answer
  CHECK(limiter.Acquire("p", "crm.deal.list", b24::Lane::kInteractive) == Approx(600));
  limiter.HoldPortal("p", std::numeric_limits<double>::infinity());
  CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) <= 600);
  limiter.HoldMethod("p", "m2", std::nan(""));
  CHECK(clock.Now() - start <= 1200.5);
  limiter.NoteOperating("p", "m3", std::nan(""), 1e18);  // no number: no hold
  CHECK(limiter.Acquire("p", "m3", b24::Lane::kInteractive) == 0);
}

TEST_CASE("a stopped limiter ends its waits at once") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  limiter.HoldPortal("p", clock.Now() + 300);
  limiter.Stop();
  CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) == 0);
}

TEST_CASE("a refusal from the portal holds every request until the given time") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  limiter.HoldPortal("p", clock.Now() + 3);
  CHECK(limiter.Acquire("p", "m", b24::Lane::kInteractive) >= 3);
}

TEST_CASE("a portal's bucket use goes from empty to full and drains back") {
  ManualClock clock;
  b24::RateLimiter limiter({50, 2, 2, 10, 480, 60}, clock);
  CHECK(limiter.Use("p") == 0);
  for (int i = 0; i < 24; ++i) REQUIRE(limiter.Acquire("p", "m", b24::Lane::kInteractive) == 0);
  CHECK(limiter.Use("p") == Approx(0.5));  // 24 of the 48 usable
  for (int i = 0; i < 24; ++i) REQUIRE(limiter.Acquire("p", "m", b24::Lane::kInteractive) == 0);
  CHECK(limiter.Use("p") == Approx(1));
  CHECK(limiter.Use("other") == 0);
  clock.Sleep(12);  // 24 requests drain at 2 per second
  CHECK(limiter.Use("p") == Approx(0.5));
}

}  // namespace rate_limiter_test
