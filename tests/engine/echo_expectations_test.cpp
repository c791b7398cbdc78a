#include "lib/engine/echo_expectations.h"

#include <catch2/catch.hpp>

namespace echo_expectations_test {

TEST_CASE("each expected echo is taken once — per entity — and lapses after a minute") {
  engine::EchoExpectations echoes;
  echoes.Expect("m", "lead", 5, 100);
  echoes.Expect("m", "lead", 5, 100);  // two writes, two events
  CHECK_FALSE(echoes.Consume("m", "lead", 6, 101));
  CHECK_FALSE(echoes.Consume("m", "deal", 5, 101));
  CHECK_FALSE(echoes.Consume("other", "lead", 5, 101));
  CHECK(echoes.Consume("m", "lead", 5, 101));
  CHECK(echoes.Consume("m", "lead", 5, 101));
  CHECK_FALSE(echoes.Consume("m", "lead", 5, 101));  // a third event is someone's change

  echoes.Expect("m", "deal", 9, 100);
  CHECK_FALSE(echoes.Consume("m", "deal", 9, 100 + engine::EchoExpectations::kLapseSeconds));
}

TEST_CASE("a duplicate event voids the entity's echoes — so its event is re-read") {
  engine::EchoExpectations echoes;
  echoes.Expect("m", "lead", 5, 100);
  echoes.Expect("m", "lead", 6, 100);
  echoes.Void("m", "lead", 5, 100);
  CHECK_FALSE(echoes.Consume("m", "lead", 5, 101));
  CHECK(echoes.Consume("m", "lead", 6, 101));  // other entities keep theirs
  // A write known only after the duplicate came expects nothing either — for a minute.
  echoes.Expect("m", "lead", 5, 102);
  CHECK_FALSE(echoes.Consume("m", "lead", 5, 103));
  echoes.Expect("m", "lead", 5, 100 + engine::EchoExpectations::kLapseSeconds);
  CHECK(echoes.Consume("m", "lead", 5, 101 + engine::EchoExpectations::kLapseSeconds));
}

}  // namespace echo_expectations_test
