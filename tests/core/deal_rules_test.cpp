#include "lib/core/deal_rules.h"

#include <catch2/catch.hpp>

#include "tests/core/rules_fixtures.h"

namespace deal_rules_test {

using nlohmann::json;

namespace {

using test::Member;

using test::kPipelines;

json Deal(int64_t id, int64_t category, const std::string& stage, int64_t owner = 21) {
  return {{"ID", std::to_string(id)},
          {"TITLE", "Окна в дом"},
          {"CATEGORY_ID", std::to_string(category)},
          {"STAGE_ID", stage},
          {"ASSIGNED_BY_ID", std::to_string(owner)},
          {"CONTACT_ID", "7"},
          {"OPPORTUNITY", "150000.00"},
          {"CURRENCY_ID", "RUB"},
          {"DATE_MODIFY", "2026-11-26T12:00:00+03:00"}};
}

}  // namespace

TEST_CASE("deals are told apart by pipeline and stage") {
  const core::Settings s;
  const struct {
    json before;
    json deal;
    const char* direction;
    bool free;
    bool carry_over;
  } rows[] = {
      {nullptr, Deal(1, 3, "C3:NEW"), "sales", true, false},
      {nullptr, Deal(1, 4, "C4:NEW"), "production", true, false},
      {nullptr, Deal(1, 0, "NEW"), "", false, false},
      {Deal(1, 3, "C3:AGREED"), Deal(1, 3, "C3:CONTRACT"), "sales", false, true},
      {nullptr, Deal(1, 3, "C3:CONTRACT"), "sales", false, true},
      {Deal(1, 3, "C3:CONTRACT"), Deal(1, 3, "C3:CONTRACT"), "sales", false, false},  // stays
      {Deal(1, 4, "C4:PLANNED"), Deal(1, 4, "C4:CONTRACT"), "production", false, false},
  };
  for (const auto& row : rows) {
    INFO(row.deal.dump());
    CHECK(core::DirectionOf(row.deal, kPipelines) == row.direction);
    CHECK(core::IsFreeDeal(row.deal, s, kPipelines) == row.free);
    CHECK(core::EntersCarryOver(row.before, row.deal, s, kPipelines) == row.carry_over);
  }
}

TEST_CASE("a free deal goes to the least loaded member of its pipeline's queue") {
  core::Settings s;
  s.version = 2;
  const auto out = core::PlanFreeDeal(
      Deal(9, 4, "C4:NEW"), {Member(30, 2), Member(31, 0), Member(32, 0, core::Presence::kExpired)},
      s, kPipelines);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].key == "assign:deal:9:2026-11-26T12:00:00+03:00");
  CHECK(out.actions[0].params["fields"] ==
        json{{"STAGE_ID", "C4:ASSIGNED"}, {"ASSIGNED_BY_ID", 31}});
  CHECK(out.decisions[0].kind == "assigned");
  CHECK(out.decisions[0].body["queue"] == "production");

  const auto none = core::PlanFreeDeal(Deal(9, 3, "C3:NEW"), {}, s, kPipelines);
  CHECK(none.actions.empty());
  CHECK(none.decisions[0].kind == "waiting");
  CHECK(none.decisions[0].body["queue"] == "closers");
  CHECK(none.decisions[0].body["why"] == "queue_empty");
}

TEST_CASE("carry-over makes one production deal — linked with the closer observing") {
  const core::Settings s;
  const auto out =
      core::PlanCarryOver(Deal(9, 3, "C3:CONTRACT", 21), {Member(30, 1)}, s, kPipelines);
  REQUIRE(out.actions.size() == 2);
  const auto& add = out.actions[0];
  CHECK(add.key == "carry:deal:9");
  CHECK(add.method == "crm.deal.add");
  const json& f = add.params["fields"];
  CHECK(f["CATEGORY_ID"] == 4);
  CHECK(f["STAGE_ID"] == "C4:ASSIGNED");
  CHECK(f["ASSIGNED_BY_ID"] == 30);
  CHECK(f["UF_CRM_CONVEYOR_SALES_DEAL"] == 9);
  CHECK(f["CONTACT_ID"] == "7");
  CHECK(f["OPPORTUNITY"] == "150000.00");
  REQUIRE(add.lookup);
  CHECK(add.lookup->params["filter"]["ORIGIN_ID"] == "conveyor:deal:9");
  const auto& observer = out.actions[1];
  CHECK(observer.method == "crm.item.update");
  CHECK(observer.params["id"] == "$result[carry:deal:9]");
  CHECK(observer.params["fields"]["observers"] == json::array({21}));
  CHECK(out.decisions[0].kind == "carried_over");

  const auto waiting = core::PlanCarryOver(Deal(9, 3, "C3:CONTRACT", 21), {}, s, kPipelines);
  CHECK(waiting.actions[0].params["fields"]["STAGE_ID"] == "C4:NEW");
  CHECK(waiting.actions[0].params["fields"]["ASSIGNED_BY_ID"] == 21);
  CHECK(waiting.decisions[0].kind == "carried_over_waiting");
}

}  // namespace deal_rules_test
