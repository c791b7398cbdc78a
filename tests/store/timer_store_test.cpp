#include "lib/store/timer_store.h"

#include <catch2/catch.hpp>

#include "lib/store/portal_store.h"
#include "tests/store/helpers.h"

namespace timer_store_test {

namespace {

struct TimerFixture {
  std::unique_ptr<store::Database> db = store_test::MustOpen(":memory:");
  store::TokenCipher cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals{*db, cipher};
  store::TimerStore timers{*db};
  TimerFixture() {
    for (const char* member : {"m1", "m2"}) {
      store::PortalRecord record;
      record.member_id = member;
      REQUIRE(portals.Upsert(record));
    }
  }
};

}  // namespace

TEST_CASE("a timer key is set once while it waits and is free again once it fired") {
  TimerFixture f;
  CHECK(f.timers.Schedule("m1", "wait:lead:9", "wait", 100, "{\"a\":1}").value());
  CHECK_FALSE(f.timers.Schedule("m1", "wait:lead:9", "wait", 50, "{\"a\":2}").value());
  CHECK(f.timers.Schedule("m2", "wait:lead:9", "wait", 100, "{}").value());  // another portal
  CHECK(f.timers.Pending("m1").value() == 1);

  auto due = f.timers.Due(100, 10);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  const auto& mine = (*due)[0].member_id == "m1" ? (*due)[0] : (*due)[1];
  CHECK(mine.kind == "wait");
  CHECK(mine.payload == "{\"a\":1}");  // the first one stands
  REQUIRE(f.timers.Done(mine.id));
  CHECK(f.timers.Pending("m1").value() == 0);
  CHECK(f.timers.Schedule("m1", "wait:lead:9", "wait", 300, "{}").value());
}

TEST_CASE("only due timers are handed out — earliest first — at most as many as asked") {
  TimerFixture f;
  REQUIRE(f.timers.Schedule("m1", "c", "sla", 300, "{}"));
  REQUIRE(f.timers.Schedule("m1", "a", "sla", 100, "{}"));
  REQUIRE(f.timers.Schedule("m1", "b", "sla", 200, "{}"));
  REQUIRE(f.timers.Schedule("m1", "d", "sla", 400, "{}"));
  auto due = f.timers.Due(300, 2);
  REQUIRE(due);
  REQUIRE(due->size() == 2);
  CHECK((*due)[0].due_at == 100);
  CHECK((*due)[1].due_at == 200);
  CHECK(f.timers.Due(99, 10).value().empty());
}

TEST_CASE("a timer for an unknown portal is refused and a removed portal takes its timers") {
  TimerFixture f;
  auto unknown = f.timers.Schedule("nobody", "k", "wait", 1, "{}");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == core::ErrorCode::kNotFound);
  REQUIRE(f.timers.Schedule("m1", "k", "wait", 1, "{}"));
  REQUIRE(f.portals.Remove("m1", /*clean=*/true, 5));
  CHECK(f.timers.Due(10, 10).value().empty());
}

}  // namespace timer_store_test
