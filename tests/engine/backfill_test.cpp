// The backfill on an emulated portal with history: leads, deals and their stage histories become
// journeys in two requests, and saved progress (kept with every request's rows) is where a new
// run starts.
#include "lib/engine/backfill.h"

#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"
#include "tests/engine/engine_fixture.h"

namespace backfill_test {

using nlohmann::json;

namespace {

struct BackfillFixture : test::EngineFixture {
  engine::Backfill backfill{client, journeys};

  // 30 leads, each moved on once; 10 deals made from the first ten, each moved on once.
  BackfillFixture() {
    // The test's own writes must not eat the app's request budget.
    REQUIRE(emu.Control("limits", {{"bucket", 100000}}).status == 200);
    for (int i = 1; i <= 30; ++i) {
      Hook("crm.lead.add", {{"fields", {{"TITLE", "Лид " + std::to_string(i)}}}});
      Hook("crm.lead.update", {{"id", i}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
    }
    for (int i = 1; i <= 10; ++i) {
      Hook("crm.deal.add", {{"fields", {{"TITLE", "Сделка"}, {"LEAD_ID", i}}}});
      Hook("crm.deal.update", {{"id", i}, {"fields", {{"STAGE_ID", "PREPARATION"}}}});
    }
  }
  void Hook(const std::string& method, const json& params) {
    REQUIRE(emu.Hook(method, params).status == 200);
  }
  size_t Transitions(int64_t journey) {
    auto view = journeys.Journey(kMember, journey);
    REQUIRE(view);
    return view->transitions.size();
  }
};

}  // namespace

TEST_CASE("a portal's history becomes journeys in two requests") {
  BackfillFixture f;
  const long before = f.client.Stats().calls;
  auto report = f.backfill.Run(f.kMember);
  REQUIRE(report);
  CHECK(report->done);
  CHECK(report->requests == 2);  // the lists' largest ids, then every range in one batch
  CHECK(f.client.Stats().calls - before == 2);
  REQUIRE(report->lists.size() == 4);
  CHECK(report->lists[0].rows == 30);
  CHECK(report->lists[1].rows == 10);
  CHECK(report->lists[2].rows == 60);  // creation and one move per lead
  CHECK(report->lists[3].rows == 20);

  auto first = f.journeys.Journey(f.kMember, 1);
  REQUIRE(first);
  REQUIRE(first->items.size() == 2);  // lead 1 and the deal made from it
  CHECK(first->items[0].stage == "IN_PROCESS");
  CHECK(first->items[1].stage == "PREPARATION");
  CHECK(first->transitions.size() == 4);
  CHECK(f.Transitions(30) == 2);

  auto again = f.backfill.Run(f.kMember);  // done: nothing more to read
  REQUIRE(again);
  CHECK(again->requests == 0);
}

TEST_CASE("a new run starts where the saved progress says") {
  BackfillFixture f;
  // As if an earlier run had read leads 1 to 25 and every other list.
  auto lists = core::BackfillLists();
  lists[0] = {"lead", 26, 30, 25, ""};
  lists[1] = {"deal", 11, 10, 10, ""};
  lists[2] = {"lead_history", 61, 60, 60, ""};
  lists[3] = {"deal_history", 21, 20, 20, ""};
  REQUIRE(f.journeys.RecordBackfill(f.kMember, {}, lists));
  auto report = f.backfill.Run(f.kMember);
  REQUIRE(report);
  CHECK(report->requests == 1);
  CHECK(report->lists[0].rows == 30);
  CHECK_FALSE(f.journeys.JourneyOf(f.kMember, "lead", 25).value());
  CHECK(f.journeys.JourneyOf(f.kMember, "lead", 26).value() == 26);
  REQUIRE(f.journeys.ResetBackfill(f.kMember));
  auto again = f.backfill.Run(f.kMember);
  REQUIRE(again);
  CHECK(again->requests == 2);  // from the start
  CHECK(f.journeys.JourneyOf(f.kMember, "lead", 25).value() == 25);
}

TEST_CASE("a list the portal does not offer is skipped and said — the rest is read") {
  BackfillFixture f;
  // An older box, or an app without the scope: the stage history is not there.
  REQUIRE(f.emu
              .Control("faults", {{"method", "crm.stagehistory.list"},
                                  {"count", 1000},
                                  {"status", 404},
                                  {"error", "ERROR_METHOD_NOT_FOUND"},
                                  {"description", "Method not found!"}})
              .status == 200);
  auto report = f.backfill.Run(f.kMember);
  REQUIRE(report);
  CHECK(report->done);
  CHECK(report->lists[0].rows == 30);
  CHECK(report->lists[1].rows == 10);
  CHECK(report->lists[2].skipped == "ERROR_METHOD_NOT_FOUND");
  CHECK(report->lists[3].skipped == "ERROR_METHOD_NOT_FOUND");
  CHECK(f.journeys.JourneyOf(f.kMember, "lead", 30).value() == 30);
  // Kept with the progress: the next run does not ask again.
  auto saved = f.journeys.BackfillProgress(f.kMember);
  REQUIRE(saved);
  CHECK((*saved)[2].skipped == "ERROR_METHOD_NOT_FOUND");
  auto again = f.backfill.Run(f.kMember);
  REQUIRE(again);
  CHECK(again->requests == 0);
}

}  // namespace backfill_test
