#include "lib/store/settings_store.h"

#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "tests/store/helpers.h"

namespace settings_store_test {

namespace {

using store_test::AddPortal;
using store_test::CountFor;
using store_test::MustOpen;

struct SaveRow {
  const char* what;
  const char* member_id;
  const char* body;
  std::optional<int> expected_version;
  // The version stored, or the error when `code` is set.
  int version;
  std::optional<core::ErrorCode> code;
};

void RunSaves(store::SettingsStore& settings, const SaveRow* begin, const SaveRow* end) {
  int64_t now = 1000;
  for (const SaveRow* row = begin; row != end; ++row) {
    INFO(row->what);
    auto saved = settings.Save(row->member_id, row->body, ++now, 7, row->expected_version);
    if (row->code) {
      REQUIRE_FALSE(saved.has_value());
      CHECK(saved.error().code == *row->code);
      CHECK_THAT(saved.error().message, Catch::StartsWith("settings save"));
    } else {
      INFO((saved ? std::string() : saved.error().message));
      REQUIRE(saved.has_value());
      CHECK(*saved == row->version);
    }
  }
}

}  // namespace

TEST_CASE("the first save is version 1 — each later save the next version — all kept") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  store::SettingsStore settings(*db);

  auto none = settings.Latest("m1");
  REQUIRE(none.has_value());
  CHECK_FALSE(none->has_value());

  const SaveRow rows[] = {
      {"first save without a precondition", "m1", R"({"a":1})", std::nullopt, 1, std::nullopt},
      {"editor started from version 1", "m1", R"({"a":2})", 1, 2, std::nullopt},
      {"unconditional save", "m1", R"({"a":3})", std::nullopt, 3, std::nullopt},
      {"editor started from version 3", "m1", R"({"a":4})", 3, 4, std::nullopt},
  };
  RunSaves(settings, std::begin(rows), std::end(rows));
  CHECK(CountFor(*db, "portal_settings", "m1") == 4);

  auto latest = settings.Latest("m1");
  REQUIRE(latest.has_value());
  REQUIRE(latest->has_value());
  CHECK((*latest)->version == 4);
  CHECK((*latest)->body == R"({"a":4})");
  CHECK((*latest)->saved_at == 1004);
  CHECK((*latest)->saved_by == 7);

  // Every version stays readable: the journal cites the one a decision used.
  for (int version = 1; version <= 4; ++version) {
    INFO("version " << version);
    auto got = settings.Get("m1", version);
    REQUIRE(got.has_value());
    REQUIRE(got->has_value());
    CHECK((*got)->version == version);
    CHECK((*got)->body == R"({"a":)" + std::to_string(version) + "}");
    CHECK((*got)->saved_at == 1000 + version);
  }
  for (int version : {0, 5, -1}) {
    INFO("version " << version);
    auto got = settings.Get("m1", version);
    REQUIRE(got.has_value());
    CHECK_FALSE(got->has_value());
  }
}

TEST_CASE("a first save expecting version 0 succeeds — the body is stored as given") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  store::SettingsStore settings(*db);
  const std::string body = R"( {"rules": [ {"id": "r1", "enabled": true} ], "name": "Воронка"} )";
  auto saved = settings.Save("m1", body, 50, 0, 0);
  REQUIRE(saved.has_value());
  CHECK(*saved == 1);
  auto got = settings.Get("m1", 1);
  REQUIRE(got.has_value());
  REQUIRE(got->has_value());
  CHECK((*got)->body == body);
  CHECK((*got)->saved_by == 0);
}

TEST_CASE("a save from a stale version is a conflict — and stores nothing") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  AddPortal(*db, "m2");
  store::SettingsStore settings(*db);

  const SaveRow rows[] = {
      {"nothing saved yet but editor claims version 1", "m1", R"({"x":0})", 1, 0,
       core::ErrorCode::kConflict},
      {"admin A saves from nothing", "m1", R"({"x":1})", 0, 1, std::nullopt},
      {"admin B also started from nothing", "m1", R"({"x":2})", 0, 0, core::ErrorCode::kConflict},
      {"admin B reloads and saves from 1", "m1", R"({"x":2})", 1, 2, std::nullopt},
      {"admin A saves again from 1", "m1", R"({"x":3})", 1, 0, core::ErrorCode::kConflict},
      {"a version from the future", "m1", R"({"x":3})", 9, 0, core::ErrorCode::kConflict},
      {"a negative version", "m1", R"({"x":3})", -1, 0, core::ErrorCode::kConflict},
      {"another portal's versions are its own", "m2", R"({"y":1})", 0, 1, std::nullopt},
  };
  RunSaves(settings, std::begin(rows), std::end(rows));

  CHECK(CountFor(*db, "portal_settings", "m1") == 2);
  auto latest = settings.Latest("m1");
  REQUIRE(latest.has_value());
  REQUIRE(latest->has_value());
  CHECK((*latest)->version == 2);
  CHECK((*latest)->body == R"({"x":2})");
}

TEST_CASE("a body that is not valid JSON is refused as kInvalidArgument — storing nothing") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  store::SettingsStore settings(*db);
  REQUIRE(settings.Save("m1", R"({"ok":true})", 1, 7, std::nullopt).has_value());

  const char* const bodies[] = {
      "",
      "   ",
      "{",
      R"({"a":1,})",
      R"({'a':1})",
      R"({"a":1} trailing)",
      "{a:1}",
      "NaN",
      "not json at all",
  };
  for (const char* body : bodies) {
    INFO("body: " << body);
    auto saved = settings.Save("m1", body, 2, 7, std::nullopt);
    REQUIRE_FALSE(saved.has_value());
    CHECK(saved.error().code == core::ErrorCode::kInvalidArgument);
  }
  // Refused before the version check too: a bad body is the caller's error, not a conflict.
  auto stale = settings.Save("m1", "{", 2, 7, 0);
  REQUIRE_FALSE(stale.has_value());
  CHECK(stale.error().code == core::ErrorCode::kInvalidArgument);

  // The table refuses it too, for any writer that bypasses the store.
  {
    store::Session session(*db);
    auto raw = session.Prepare("raw insert",
                               "INSERT INTO portal_settings (member_id, version, body, saved_at) "
                               "VALUES ('m1', 2, '{', 0)");
    REQUIRE(raw.has_value());
    auto ok = raw->Run();
    REQUIRE_FALSE(ok.has_value());
    CHECK(ok.error().code == core::ErrorCode::kConflict);
  }

  CHECK(CountFor(*db, "portal_settings", "m1") == 1);
  CHECK((*settings.Latest("m1"))->version == 1);
}

TEST_CASE("saving for an unknown portal is kNotFound — whatever version it expects") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  store::SettingsStore settings(*db);

  const SaveRow rows[] = {
      {"no precondition", "nobody", "{}", std::nullopt, 0, core::ErrorCode::kNotFound},
      {"expects nothing saved", "nobody", "{}", 0, 0, core::ErrorCode::kNotFound},
      {"expects a version", "nobody", "{}", 3, 0, core::ErrorCode::kNotFound},
      {"empty member_id", "", "{}", std::nullopt, 0, core::ErrorCode::kNotFound},
  };
  RunSaves(settings, std::begin(rows), std::end(rows));
  CHECK(store_test::QueryInt(*db, "SELECT count(*) FROM portal_settings") == 0);

  auto latest = settings.Latest("nobody");
  REQUIRE(latest.has_value());
  CHECK_FALSE(latest->has_value());
}

TEST_CASE("portals are isolated — each has its own versions and bodies") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  AddPortal(*db, "m2");
  store::SettingsStore settings(*db);

  const SaveRow rows[] = {
      {"m1 first", "m1", R"({"p":"m1-1"})", std::nullopt, 1, std::nullopt},
      {"m1 second", "m1", R"({"p":"m1-2"})", std::nullopt, 2, std::nullopt},
      {"m2 starts at 1", "m2", R"({"p":"m2-1"})", 0, 1, std::nullopt},
      {"m1 third", "m1", R"({"p":"m1-3"})", 2, 3, std::nullopt},
  };
  RunSaves(settings, std::begin(rows), std::end(rows));

  const struct {
    const char* member_id;
    int version;
    const char* body;
  } expected[] = {
      {"m1", 3, R"({"p":"m1-3"})"},
      {"m2", 1, R"({"p":"m2-1"})"},
  };
  for (const auto& row : expected) {
    INFO(row.member_id);
    auto latest = settings.Latest(row.member_id);
    REQUIRE(latest.has_value());
    REQUIRE(latest->has_value());
    CHECK((*latest)->version == row.version);
    CHECK((*latest)->body == row.body);
  }
  auto absent = settings.Get("m2", 2);
  REQUIRE(absent.has_value());
  CHECK_FALSE(absent->has_value());
  CHECK((*settings.Get("m1", 1))->body == R"({"p":"m1-1"})");
}

TEST_CASE("deleting the portal row removes its settings — and leaves other portals' alone") {
  auto db = MustOpen(":memory:");
  AddPortal(*db, "m1");
  AddPortal(*db, "m2");
  store::SettingsStore settings(*db);
  REQUIRE(settings.Save("m1", R"({"v":1})", 1, 7, std::nullopt).has_value());
  REQUIRE(settings.Save("m1", R"({"v":2})", 2, 7, std::nullopt).has_value());
  REQUIRE(settings.Save("m2", R"({"v":1})", 3, 8, std::nullopt).has_value());

  store_test::MustExec(*db, "DELETE FROM portals WHERE member_id = 'm1'");

  CHECK(CountFor(*db, "portal_settings", "m1") == 0);
  CHECK(CountFor(*db, "portal_settings", "m2") == 1);
  auto gone = settings.Latest("m1");
  REQUIRE(gone.has_value());
  CHECK_FALSE(gone->has_value());

  // A reinstall starts the history afresh rather than continuing the old numbering.
  AddPortal(*db, "m1");
  auto again = settings.Save("m1", R"({"v":"new"})", 4, 7, 0);
  REQUIRE(again.has_value());
  CHECK(*again == 1);
}

}  // namespace settings_store_test
