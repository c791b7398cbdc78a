// Journeys from changes: which journey a lead or deal belongs to, and the stage transitions.
#include "lib/core/journey.h"

#include <catch2/catch.hpp>

#include "lib/core/working_time.h"

namespace journey_test {

using nlohmann::json;

TEST_CASE("a portal time reads back as the moment it was written") {
  CHECK(core::ParseLocalTime("1970-01-01T03:00:00+03:00") == 0);
  CHECK(core::ParseLocalTime("2026-11-27T13:05:09-02:30") ==
        core::DaysFromCivil(2026, 11, 27) * 86400 + 13 * 3600 + 5 * 60 + 9 + 9000);
  for (const int64_t t : {int64_t{0}, int64_t{1796043041}, int64_t{951782400}}) {
    for (const int tz : {0, 180, -330})
      CHECK(core::ParseLocalTime(core::FormatLocalTime(t, tz)) == t);
  }
  for (const char* bad :
       {"", "2026-11-27", "2026-11-27T25:00:00+03:00", "2026-02-30T10:00:00+03:00",
        "2026-11-27T10:00:00Z", "2026-11-27 10:00:00+03:00"}) {
    INFO(bad);
    CHECK_FALSE(core::ParseLocalTime(bad));
  }
}

TEST_CASE("leads and the deals made from them share one journey") {
  struct Row {
    const char* what;
    const char* type;
    json entity;
    int64_t journey;
    int64_t sales_deal;
  };
  const std::vector<Row> rows = {
      {"a lead is its own journey", "lead", {{"ID", "7"}, {"STATUS_ID", "NEW"}}, 7, 0},
      {"a sales deal joins its lead", "deal", {{"ID", "3"}, {"LEAD_ID", "7"}}, 7, 0},
      {"a production deal joins the lead too",
       "deal",
       {{"ID", "4"}, {"LEAD_ID", "7"}, {"UF_CRM_CONVEYOR_SALES_DEAL", "3"}},
       7,
       3},
      {"a deal without a lead begins a journey",
       "deal",
       {{"ID", "9"}, {"LEAD_ID", nullptr}},
       -9,
       0},
      {"its production deal joins it",
       "deal",
       {{"ID", "10"}, {"UF_CRM_CONVEYOR_SALES_DEAL", 9}},
       -9,
       9},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto facts = core::FactsOf(row.type, row.entity);
    CHECK(facts.journey_id == row.journey);
    CHECK(facts.sales_deal_id == row.sales_deal);
  }
}

TEST_CASE("an item's facts are read from the portal's answer") {
  const json deal = {{"ID", "12"},
                     {"TITLE", "Окна"},
                     {"CATEGORY_ID", "2"},
                     {"STAGE_ID", "C2:WON"},
                     {"STAGE_SEMANTIC_ID", "S"},
                     {"ASSIGNED_BY_ID", "5"},
                     {"SOURCE_ID", "WEB"},
                     {"OPPORTUNITY", "150000.50"},
                     {"CURRENCY_ID", "RUB"},
                     {"DATE_CREATE", "2026-11-27T10:00:00+03:00"}};
  const auto facts = core::FactsOf("deal", deal);
  CHECK(facts.entity_id == 12);
  CHECK(facts.category_id == 2);
  CHECK(facts.stage == "C2:WON");
  CHECK(facts.semantic == "S");
  CHECK(facts.responsible == 5);
  CHECK(facts.source == "WEB");
  CHECK(facts.amount == Approx(150000.5));
  CHECK(facts.currency == "RUB");
  CHECK(facts.title == "Окна");
  CHECK(facts.created_at == core::ParseLocalTime("2026-11-27T10:00:00+03:00"));
  const auto lead = core::FactsOf(
      "lead",
      {{"ID", 1}, {"STATUS_ID", "NEW"}, {"ADDRESS_REGION", "Пермский край"}, {"OPPORTUNITY", ""}});
  CHECK(lead.category_id == -1);
  CHECK(lead.region == "Пермский край");
  CHECK(lead.amount == 0);
}

TEST_CASE("a transition is recorded when the stage or the pipeline changes — not otherwise") {
  const json lead = {{"ID", "1"},
                     {"STATUS_ID", "NEW"},
                     {"ASSIGNED_BY_ID", "3"},
                     {"DATE_CREATE", "2026-11-27T09:00:00+03:00"},
                     {"DATE_MODIFY", "2026-11-27T09:30:00+03:00"},
                     {"MOVED_TIME", "2026-11-27T09:00:00+03:00"}};
  const auto first = core::TransitionOf("lead", nullptr, lead);
  REQUIRE(first);
  CHECK(first->stage == "NEW");
  CHECK(first->category_id == -1);
  CHECK(first->responsible == 3);
  CHECK(first->at == core::ParseLocalTime("2026-11-27T09:00:00+03:00"));

  json saved = lead;
  saved["COMMENTS"] = "позвонить";
  CHECK_FALSE(core::TransitionOf("lead", lead, saved));

  json moved = lead;
  moved["STATUS_ID"] = "CONV_ASSIGNED";
  moved["ASSIGNED_BY_ID"] = "4";
  moved["MOVED_TIME"] = "2026-11-27T09:01:00+03:00";
  const auto assigned = core::TransitionOf("lead", lead, moved);
  REQUIRE(assigned);
  CHECK(assigned->stage == "CONV_ASSIGNED");
  CHECK(assigned->responsible == 4);
  CHECK(assigned->at == core::ParseLocalTime("2026-11-27T09:01:00+03:00"));

  const json deal = {{"ID", "2"},
                     {"CATEGORY_ID", "1"},
                     {"STAGE_ID", "C1:NEW"},
                     {"DATE_MODIFY", "2026-11-27T11:00:00+03:00"}};
  json other_pipeline = deal;
  other_pipeline["CATEGORY_ID"] = "2";
  const auto moved_pipeline = core::TransitionOf("deal", deal, other_pipeline);
  REQUIRE(moved_pipeline);
  CHECK(moved_pipeline->category_id == 2);
  CHECK(moved_pipeline->at == core::ParseLocalTime("2026-11-27T11:00:00+03:00"));  // no MOVED_TIME

  CHECK_FALSE(core::TransitionOf("deal", deal, nullptr));               // deleted
  CHECK_FALSE(core::TransitionOf("deal", nullptr, json{{"ID", "5"}}));  // no stage at all
}

}  // namespace journey_test
