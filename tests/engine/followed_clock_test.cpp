#include "lib/engine/followed_clock.h"

#include <chrono>
#include <thread>

#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace followed_clock_test {

namespace {

double EmulatorNow(test::Emulator& emu) {
  return emu.Get("/_emulator/clock").body["now"].get<double>();
}

}  // namespace

TEST_CASE("the followed clock keeps step with the emulator's jumps and stops when it is frozen") {
  test::Emulator emu;
  auto clock = engine::FollowedClock::Start(emu.Base() + "/_emulator/clock");
  REQUIRE(clock);
  CHECK(std::abs((*clock)->Now() - EmulatorNow(emu)) < 1);

  const double before = (*clock)->Now();
  REQUIRE(emu.Control("clock", {{"advance", 3600}}).status == 200);
  CHECK(test::Eventually([&] { return (*clock)->Now() > before + 3599; }, 2));

  REQUIRE(emu.Control("clock", {{"freeze", true}}).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // a reading or two later
  const double frozen = (*clock)->Now();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  CHECK((*clock)->Now() == Approx(frozen).margin(1e-6));
}

TEST_CASE("a clock that cannot be read is refused at start") {
  auto clock = engine::FollowedClock::Start("http://127.0.0.1:1/_emulator/clock");
  REQUIRE_FALSE(clock);
  CHECK(clock.error().code == core::ErrorCode::kUnavailable);
}

}  // namespace followed_clock_test
