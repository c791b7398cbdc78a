#include "lib/store/journey_store.h"

#include <catch2/catch.hpp>

#include "lib/store/portal_store.h"
#include "tests/store/helpers.h"

namespace journey_store_test {

namespace {

struct JourneyFixture {
  std::unique_ptr<store::Database> db = store_test::MustOpen(":memory:");
  store::TokenCipher cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals{*db, cipher};
  store::JourneyStore journeys{*db};
  JourneyFixture() {
    for (const char* member : {"m1", "m2"}) {
      store::PortalRecord record;
      record.member_id = member;
      REQUIRE(portals.Upsert(record));
    }
  }
};

core::ItemFacts Item(const char* type, int64_t id, int64_t journey, const char* stage) {
  core::ItemFacts f;
  f.entity_type = type;
  f.entity_id = id;
  f.journey_id = journey;
  f.category_id = std::string(type) == "lead" ? -1 : 1;
  f.stage = stage;
  return f;
}

core::Transition Move(const char* type, int64_t id, const char* stage, int64_t at) {
  return {type, id, std::string(type) == "lead" ? -1 : 1, stage, 5, at};
}

}  // namespace

TEST_CASE("a journey reads back its lead and deals with every transition in time order") {
  JourneyFixture f;
  REQUIRE(f.journeys.Record("m1", Item("lead", 7, 7, "NEW"), Move("lead", 7, "NEW", 100)));
  REQUIRE(f.journeys.Record("m1", Item("lead", 7, 7, "CONV_ASSIGNED"),
                            Move("lead", 7, "CONV_ASSIGNED", 160)));
  REQUIRE(f.journeys.Record("m1", Item("deal", 3, 7, "C1:NEW"), Move("deal", 3, "C1:NEW", 400)));
  REQUIRE(f.journeys.Record("m1", Item("lead", 8, 8, "NEW"), Move("lead", 8, "NEW", 150)));
  REQUIRE(f.journeys.Record("m2", Item("deal", 4, 7, "C1:NEW"), Move("deal", 4, "C1:NEW", 90)));

  auto view = f.journeys.Journey("m1", 7);
  REQUIRE(view);
  REQUIRE(view->items.size() == 2);
  CHECK(view->items[0].entity_type == "lead");
  CHECK(view->items[0].stage == "CONV_ASSIGNED");  // the latest facts
  CHECK(view->items[1].entity_id == 3);
  REQUIRE(view->transitions.size() == 3);
  CHECK(view->transitions[0].stage == "NEW");
  CHECK(view->transitions[1].at == 160);
  CHECK(view->transitions[2].entity_type == "deal");  // nothing of m2's deal, nor of lead 8
  CHECK(f.journeys.JourneyOf("m1", "deal", 3).value() == 7);
  CHECK_FALSE(f.journeys.JourneyOf("m1", "deal", 4).value());
}

TEST_CASE("a transition seen twice is kept once — facts without a transition change no history") {
  JourneyFixture f;
  for (int i = 0; i < 2; ++i)
    REQUIRE(f.journeys.Record("m1", Item("lead", 1, 1, "NEW"), Move("lead", 1, "NEW", 100)));
  auto renamed = Item("lead", 1, 1, "NEW");
  renamed.title = "Окна";
  REQUIRE(f.journeys.Record("m1", renamed, std::nullopt));
  auto view = f.journeys.Journey("m1", 1);
  REQUIRE(view);
  CHECK(view->transitions.size() == 1);
  REQUIRE(view->items.size() == 1);
  CHECK(view->items[0].title == "Окна");
}

TEST_CASE("an unknown portal's journey is refused — and a removed portal takes its journeys") {
  JourneyFixture f;
  auto refused = f.journeys.Record("nobody", Item("lead", 1, 1, "NEW"), std::nullopt);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == core::ErrorCode::kNotFound);
  REQUIRE(f.journeys.Record("m2", Item("lead", 1, 1, "NEW"), Move("lead", 1, "NEW", 1)));
  REQUIRE(f.portals.Remove("m2", true, 1));
  auto view = f.journeys.Journey("m2", 1);
  REQUIRE(view);
  CHECK(view->items.empty());
  CHECK(view->transitions.empty());
}

}  // namespace journey_store_test
