// The backfill's plan: which list calls each request carries and what their answers mean.
#include "lib/core/backfill_plan.h"

#include <catch2/catch.hpp>

#include "lib/core/working_time.h"

namespace backfill_plan_test {

using nlohmann::json;

namespace {

json Ids(int64_t from, int64_t to) {
  json rows = json::array();
  for (int64_t id = from; id <= to; ++id) rows.push_back({{"ID", std::to_string(id)}});
  return rows;
}

}  // namespace

TEST_CASE("the first request asks every list for its smallest and largest id") {
  auto lists = core::BackfillLists();
  const auto batch = core::NextBackfillBatch(lists);
  REQUIRE(batch.size() == 8);
  CHECK(batch[0].key == "lead:min");
  CHECK(batch[0].method == "crm.lead.list");
  CHECK(batch[0].params["order"]["ID"] == "ASC");
  CHECK(batch[0].params["start"] == -1);
  CHECK(batch[1].key == "lead:max");
  CHECK(batch[1].params["order"]["ID"] == "DESC");
  CHECK(batch[7].key == "deal_history:max");
  CHECK(batch[7].method == "crm.stagehistory.list");
  CHECK(batch[7].params["entityTypeId"] == 2);
}

TEST_CASE("ranges start at a list's smallest id — an empty list has none") {
  auto lists = core::BackfillLists();
  REQUIRE(core::ApplyBackfillAnswer(lists, "lead_history:min",
                                    {{"items", json::array({{{"ID", 100001}}})}}));
  REQUIRE(core::ApplyBackfillAnswer(lists, "lead_history:max",
                                    {{"items", json::array({{{"ID", 100120}}})}}));
  REQUIRE(core::ApplyBackfillAnswer(lists, "lead:min", json::array()));
  REQUIRE(core::ApplyBackfillAnswer(lists, "lead:max", json::array()));
  REQUIRE(core::ApplyBackfillAnswer(lists, "deal:min", json::array()));
  REQUIRE(core::ApplyBackfillAnswer(lists, "deal:max", json::array()));
  REQUIRE(core::ApplyBackfillAnswer(lists, "deal_history:min", {{"items", json::array()}}));
  REQUIRE(core::ApplyBackfillAnswer(lists, "deal_history:max", {{"items", json::array()}}));
  CHECK(lists[0].done());
  CHECK(lists[2].next_id == 100001);
  const auto batch = core::NextBackfillBatch(lists);
  REQUIRE(batch.size() == 3);  // 100001-100050, 100051-100100, 100101-100150
  CHECK(batch[0].key == "lead_history:100001");
  CHECK(batch[2].params["filter"] == json{{">=ID", 100101}, {"<ID", 100151}});
}

TEST_CASE("ranges of one page fill each request across lists — then nothing is left") {
  auto lists = core::BackfillLists();
  const std::vector<std::pair<const char*, int64_t>> max = {
      {"lead:max", 120}, {"deal:max", 2400}, {"lead_history:max", 0}, {"deal_history:max", 60}};
  for (const auto& [key, id] : max) {
    REQUIRE(core::ApplyBackfillAnswer(lists, key,
                                      id > 0 ? json::array({{{"ID", id}}}) : json::array()));
  }
  CHECK(lists[2].done());  // an empty list is done at once

  auto batch = core::NextBackfillBatch(lists);
  REQUIRE(batch.size() == 50);
  CHECK(batch[0].key == "lead:1");
  CHECK(batch[0].params["filter"] == json{{">=ID", 1}, {"<ID", 51}});
  CHECK(batch[0].params["start"] == -1);
  CHECK(batch[2].key == "lead:101");  // 120 needs three pages
  CHECK(batch[3].key == "deal:1");    // the deals fill the rest
  CHECK(batch[49].key == "deal:2301");

  int requests = 0;
  long rows = 0;
  while (!(batch = core::NextBackfillBatch(lists)).empty()) {
    ++requests;
    for (const auto& c : batch) {
      const int64_t lo = c.params["filter"][">=ID"];
      auto got = core::ApplyBackfillAnswer(lists, c.key, Ids(lo, lo + 49));
      REQUIRE(got);
      rows += static_cast<long>(got->items.size() + got->transitions.size());
    }
    REQUIRE(requests < 10);
  }
  // 3 + 48 + 2 pages: a batch of 50 and one of 3 — and every list done.
  CHECK(requests == 2);
  for (const auto& list : lists) CHECK(list.done());
}

TEST_CASE("range answers become facts and transitions") {
  auto lists = core::BackfillLists();
  for (const char* key : {"lead:max", "deal:max", "lead_history:max", "deal_history:max"})
    REQUIRE(core::ApplyBackfillAnswer(lists, key, json::array({{{"ID", 10}}})));
  auto deals = core::ApplyBackfillAnswer(
      lists, "deal:1",
      json::array({{{"ID", "3"}, {"LEAD_ID", "7"}, {"CATEGORY_ID", "1"}, {"STAGE_ID", "C1:NEW"}}}));
  REQUIRE(deals);
  REQUIRE(deals->items.size() == 1);
  CHECK(deals->items[0].journey_id == 7);
  auto history = core::ApplyBackfillAnswer(lists, "deal_history:1",
                                           {{"items",
                                             {{{"ID", 1},
                                               {"TYPE_ID", 1},
                                               {"OWNER_ID", 3},
                                               {"CATEGORY_ID", 1},
                                               {"STAGE_ID", "C1:NEW"},
                                               {"CREATED_TIME", "2026-11-27T10:00:00+03:00"}}}}});
  REQUIRE(history);
  REQUIRE(history->transitions.size() == 1);
  CHECK(history->transitions[0].entity_id == 3);
  CHECK(history->transitions[0].category_id == 1);
  CHECK(history->transitions[0].at == core::ParseLocalTime("2026-11-27T10:00:00+03:00"));
  CHECK(lists[3].next_id == 51);
  CHECK(lists[3].rows == 1);
  CHECK_FALSE(core::ApplyBackfillAnswer(lists, "contact:1", json::array()));
  CHECK_FALSE(core::ApplyBackfillAnswer(lists, "deal:x", json::array()));
}

}  // namespace backfill_plan_test
