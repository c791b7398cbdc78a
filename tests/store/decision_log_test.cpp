#include "lib/store/decision_log.h"

#include <catch2/catch.hpp>

#include "tests/store/helpers.h"

namespace decision_log_test {

TEST_CASE("decisions are journaled per portal and read by entity and by time") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store_test::AddPortal(*db, "m2");
  store::DecisionLog log(*db);
  const struct {
    const char* member;
    int64_t at;
    core::Decision decision;
  } rows[] = {
      {"m1", 100, {"assigned", "lead", 5, 11, 2, {{"queue", "hunters"}}}},
      {"m1", 200, {"waiting", "lead", 6, 0, 2, {{"queue", "hunters"}}}},
      {"m1", 300, {"duplicate", "lead", 5, 44, 3, {{"original", {{"id", 3}}}}}},
      {"m2", 150, {"assigned", "lead", 5, 12, 1, nlohmann::json::object()}},
  };
  for (const auto& row : rows) REQUIRE(log.Append(row.member, row.decision, row.at));

  auto lead5 = log.ForEntity("m1", "lead", 5);
  REQUIRE(lead5);
  REQUIRE(lead5->size() == 2);
  CHECK((*lead5)[0].decision.kind == "assigned");
  CHECK((*lead5)[0].decision.assignee == 11);
  CHECK((*lead5)[0].decision.settings_version == 2);
  CHECK((*lead5)[0].decision.body == nlohmann::json{{"queue", "hunters"}});
  CHECK((*lead5)[1].decision.kind == "duplicate");
  CHECK((*lead5)[1].at == 300);

  auto recent = log.Recent("m1", 2);
  REQUIRE(recent);
  REQUIRE(recent->size() == 2);
  CHECK((*recent)[0].at == 300);
  CHECK((*recent)[1].at == 200);

  CHECK(log.Recent("m2", 10)->size() == 1);
  auto unknown = log.Append("nobody", rows[0].decision, 1);
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == core::ErrorCode::kNotFound);
}

TEST_CASE("each person's hand-outs since a moment count the rotation's turns only") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store_test::AddPortal(*db, "m2");
  store::DecisionLog log(*db);
  const auto body = nlohmann::json::object();
  const struct {
    const char* member;
    int64_t at;
    core::Decision decision;
  } rows[] = {
      {"m1", 90, {"assigned", "lead", 1, 11, 1, body}},  // yesterday
      {"m1", 100, {"assigned", "lead", 2, 11, 1, body}},
      {"m1", 110, {"handover", "lead", 2, 12, 1, body}},
      {"m1", 120, {"carried_over", "deal", 7, 13, 1, body}},
      {"m1", 130, {"fallback_queue", "deal", 8, 11, 1, body}},
      {"m1", 140, {"duplicate", "lead", 3, 11, 1, body}},       // to the owner: not a turn
      {"m1", 150, {"sla_reassigned", "lead", 2, 12, 1, body}},  // shown apart
      {"m1", 160, {"fallback_duty", "lead", 4, 12, 1, body}},
      {"m1", 170, {"waiting", "lead", 5, 0, 1, body}},
      {"m2", 180, {"assigned", "lead", 1, 11, 1, body}},  // another portal
  };
  for (const auto& row : rows) REQUIRE(log.Append(row.member, row.decision, row.at));
  auto today = log.HandOutsSince("m1", 100);
  REQUIRE(today);
  REQUIRE(today->size() == 3);
  CHECK((*today)[11].count == 2);
  CHECK((*today)[11].last_at == 130);
  CHECK((*today)[12].count == 1);
  CHECK((*today)[12].last_at == 110);
  CHECK((*today)[13].count == 1);
}

}  // namespace decision_log_test
