#include "lib/store/operation_log.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/store/helpers.h"

namespace operation_log_test {

TEST_CASE("an operation key is begun once — then finished with its result") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store_test::AddPortal(*db, "m2");
  store::OperationLog log(*db);

  auto missing = log.Find("m1", "task.add/deal/5/rule-3");
  REQUIRE(missing.has_value());
  CHECK_FALSE(missing->has_value());

  const struct {
    const char* member_id;
    int64_t now;
    bool begun;
  } begins[] = {
      {"m1", 100, true},
      {"m1", 200, false},  // a retry of the same event finds the key
      {"m2", 300, true},   // keys are per portal
  };
  for (const auto& row : begins) {
    INFO(row.member_id << " at " << row.now);
    auto begun = log.Begin(row.member_id, "task.add/deal/5/rule-3", row.now);
    REQUIRE(begun.has_value());
    CHECK(*begun == row.begun);
  }

  auto started = log.Find("m1", "task.add/deal/5/rule-3");
  REQUIRE(started.has_value());
  REQUIRE(started->has_value());
  CHECK((*started)->state == store::OperationState::kStarted);
  CHECK((*started)->result.empty());
  CHECK((*started)->at == 100);

  REQUIRE(log.Finish("m1", "task.add/deal/5/rule-3", R"({"task":{"id":"42"}})").has_value());
  auto done = log.Find("m1", "task.add/deal/5/rule-3");
  REQUIRE(done.has_value());
  REQUIRE(done->has_value());
  CHECK((*done)->state == store::OperationState::kDone);
  CHECK((*done)->result == R"({"task":{"id":"42"}})");
  CHECK((*done)->at == 100);

  auto other = log.Find("m2", "task.add/deal/5/rule-3");
  REQUIRE(other.has_value());
  REQUIRE(other->has_value());
  CHECK((*other)->state == store::OperationState::kStarted);
}

TEST_CASE("finishing a key that was never begun — or beginning one for an unknown portal — fails") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store::OperationLog log(*db);

  auto finished = log.Finish("m1", "never", "{}");
  REQUIRE_FALSE(finished.has_value());
  CHECK(finished.error().code == core::ErrorCode::kNotFound);

  auto begun = log.Begin("nobody", "k", 100);
  REQUIRE_FALSE(begun.has_value());
  CHECK(begun.error().code == core::ErrorCode::kNotFound);
}

TEST_CASE("an abandoned key can be begun again — a finished one cannot be abandoned") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store::OperationLog log(*db);
  REQUIRE(*log.Begin("m1", "refused", 1));
  REQUIRE(log.Abandon("m1", "refused"));
  CHECK_FALSE(log.Find("m1", "refused")->has_value());
  CHECK(*log.Begin("m1", "refused", 2));

  REQUIRE(*log.Begin("m1", "done", 1));
  REQUIRE(log.Finish("m1", "done", "7"));
  REQUIRE(log.Abandon("m1", "done"));
  REQUIRE(log.Find("m1", "done")->has_value());
  CHECK((*log.Find("m1", "done"))->result == "7");
}

TEST_CASE("keys begun and never sent are forgotten at the next start — sent ones are kept") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store::OperationLog log(*db);
  REQUIRE(*log.Begin("m1", "waited-its-turn", 1));
  REQUIRE(*log.Begin("m1", "left", 1));
  REQUIRE(*log.Begin("m1", "answered", 1));
  REQUIRE(log.MarkSent("m1", {"left", "answered"}));
  REQUIRE(log.Finish("m1", "answered", "7"));
  CHECK_FALSE((*log.Find("m1", "waited-its-turn"))->sent);
  CHECK((*log.Find("m1", "left"))->sent);

  auto forgotten = log.ForgetUnsent();
  REQUIRE(forgotten);
  CHECK(*forgotten == 1);
  CHECK_FALSE(log.Find("m1", "waited-its-turn")->has_value());  // sent by the next attempt
  CHECK((*log.Find("m1", "left"))->state == store::OperationState::kStarted);  // outcome unknown
  CHECK((*log.Find("m1", "answered"))->result == "7");
}

}  // namespace operation_log_test
