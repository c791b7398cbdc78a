#include "lib/store/snapshot_store.h"

#include <string>

#include <catch2/catch.hpp>

#include "tests/store/helpers.h"

namespace snapshot_store_test {

TEST_CASE("a snapshot round-trips — is replaced by Put — and is scoped by portal and entity") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store_test::AddPortal(*db, "m2");
  store::SnapshotStore snapshots(*db);

  const store::Snapshot first{R"({"ID":"5","STAGE_ID":"NEW","TITLE":"Сделка"})",
                              "2024-01-01T10:00:00+03:00", "hash-1"};
  const store::Snapshot second{R"({"ID":"5","STAGE_ID":"WON"})", "2024-01-02T10:00:00+03:00",
                               "hash-2"};
  REQUIRE(snapshots.Put("m1", "deal", 5, first).has_value());

  const struct {
    const char* member_id;
    const char* entity_type;
    int64_t entity_id;
    bool found;
  } lookups[] = {
      {"m1", "deal", 5, true},
      {"m2", "deal", 5, false},
      {"m1", "lead", 5, false},
      {"m1", "deal", 6, false},
  };
  for (const auto& lookup : lookups) {
    INFO(lookup.member_id << " " << lookup.entity_type << " " << lookup.entity_id);
    auto got = snapshots.Get(lookup.member_id, lookup.entity_type, lookup.entity_id);
    REQUIRE(got.has_value());
    REQUIRE(got->has_value() == lookup.found);
    if (lookup.found) {
      CHECK((*got)->fields == first.fields);
      CHECK((*got)->modified == first.modified);
      CHECK((*got)->hash == first.hash);
    }
  }

  REQUIRE(snapshots.Put("m1", "deal", 5, second).has_value());
  auto got = snapshots.Get("m1", "deal", 5);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK((*got)->fields == second.fields);
  CHECK((*got)->modified == second.modified);
  CHECK((*got)->hash == second.hash);
  CHECK(store_test::CountFor(*db, "snapshots", "m1") == 1);
}

TEST_CASE("a snapshot with invalid JSON or for an unknown portal is refused") {
  auto db = store_test::MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  store::SnapshotStore snapshots(*db);
  const struct {
    const char* name;
    const char* member_id;
    const char* fields;
    core::ErrorCode code;
  } rows[] = {
      {"not JSON", "m1", "{\"ID\":", core::ErrorCode::kConflict},
      {"unknown portal", "nobody", "{}", core::ErrorCode::kNotFound},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    auto ok = snapshots.Put(row.member_id, "deal", 1, {row.fields, "", ""});
    REQUIRE_FALSE(ok.has_value());
    CHECK(ok.error().code == row.code);
    CHECK_THAT(ok.error().message, Catch::StartsWith("snapshot put"));
  }
  CHECK(store_test::QueryInt(*db, "SELECT count(*) FROM snapshots") == 0);
}

}  // namespace snapshot_store_test
