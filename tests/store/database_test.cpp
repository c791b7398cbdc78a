#include "lib/store/database.h"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/store/helpers.h"

namespace database_test {

namespace {

using store_test::MustExec;
using store_test::MustOpen;
using store_test::QueryInt;
using store_test::QueryText;
using store_test::TempDir;

const char* const kTables[] = {"portals", "inbox",      "snapshots",      "decisions",
                               "timers",  "operations", "portal_settings"};

bool HasTable(store::Database& db, const std::string& name) {
  store::Session session(db);
  auto statement = session.Prepare(
      "test", "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1");
  REQUIRE(statement.has_value());
  statement->Bind(1, name);
  REQUIRE(statement->Step().value());
  return statement->ColumnInt64(0) == 1;
}

// The whole schema as SQLite stores it, to compare before and after a reopen.
std::string SchemaText(store::Database& db) {
  return QueryText(db,
                   "SELECT coalesce(group_concat(type || ' ' || name || ' ' || coalesce(sql, ''), "
                   "char(10)), '') FROM (SELECT * FROM sqlite_master ORDER BY name)");
}

}  // namespace

TEST_CASE("opening applies WAL — foreign keys — synchronous=NORMAL and the busy timeout") {
  TempDir dir;
  struct Row {
    std::string path;
    const char* journal_mode;
  };
  const Row rows[] = {
      {":memory:", "memory"},
      {dir.File("pragmas.db"), "wal"},
  };
  for (const auto& row : rows) {
    INFO(row.path);
    auto db = MustOpen(row.path);
    CHECK(QueryText(*db, "PRAGMA journal_mode") == row.journal_mode);
    CHECK(QueryInt(*db, "PRAGMA foreign_keys") == 1);
    CHECK(QueryInt(*db, "PRAGMA synchronous") == 1);  // NORMAL
    CHECK(QueryInt(*db, "PRAGMA busy_timeout") == 5000);
  }
}

TEST_CASE("the migration list is numbered 1 — 2 — ... and a new database ends at the latest") {
  const auto& migrations = store::Database::Migrations();
  REQUIRE_FALSE(migrations.empty());
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    CHECK(migrations[i].version == static_cast<int>(i) + 1);
    CHECK_FALSE(migrations[i].sql.empty());
  }
  CHECK(store::Database::LatestVersion() == migrations.back().version);

  auto db = MustOpen(":memory:");
  CHECK(db->OpenedAtVersion() == 0);
  CHECK(db->SchemaVersion() == store::Database::LatestVersion());
  for (const char* table : kTables) {
    INFO(table);
    CHECK(HasTable(*db, table));
  }
}

TEST_CASE("every older schema version migrates to the latest — keeping its data") {
  const int latest = store::Database::LatestVersion();
  for (int from = 0; from < latest; ++from) {
    INFO("from version " << from);
    TempDir dir;
    const std::string path = dir.File("old.db");
    {
      store::DatabaseOptions options;
      options.target_version = from;
      auto db = MustOpen(path, options);
      REQUIRE(db->SchemaVersion() == from);
      // Every version since 1 has portals; data written by an older release must survive.
      if (from >= 1) store_test::AddPortal(*db, "old-portal");
    }
    auto db = MustOpen(path);
    CHECK(db->OpenedAtVersion() == from);
    CHECK(db->SchemaVersion() == latest);
    for (const char* table : kTables) {
      INFO(table);
      CHECK(HasTable(*db, table));
    }
    if (from >= 1) {
      CHECK(QueryInt(*db, "SELECT count(*) FROM portals WHERE member_id = 'old-portal'") == 1);
    }
  }
}

TEST_CASE("reopening an up-to-date database is a no-op") {
  TempDir dir;
  const std::string path = dir.File("current.db");
  std::string schema_before;
  {
    auto db = MustOpen(path);
    store_test::AddPortal(*db, "m1");
    schema_before = SchemaText(*db);
  }
  auto db = MustOpen(path);
  CHECK(db->OpenedAtVersion() == store::Database::LatestVersion());
  CHECK(db->SchemaVersion() == store::Database::LatestVersion());
  CHECK(SchemaText(*db) == schema_before);
  CHECK(QueryInt(*db, "SELECT count(*) FROM portals") == 1);
}

TEST_CASE("a database written by a newer build is refused") {
  TempDir dir;
  const std::string path = dir.File("newer.db");
  {
    auto db = MustOpen(path);
    MustExec(*db, "PRAGMA user_version = " + std::to_string(store::Database::LatestVersion() + 1));
  }
  auto db = store::Database::Open(path);
  REQUIRE_FALSE(db.has_value());
  CHECK(db.error().code == core::ErrorCode::kInternal);
  CHECK_THAT(db.error().message, Catch::Contains("newer"));
}

TEST_CASE("a failing migration leaves the database at the previous version") {
  const std::vector<store::Migration> migrations = {
      {1, "first", "CREATE TABLE first_table (x INTEGER)"},
      // The CREATE succeeds and the INSERT fails: both must be rolled back together.
      {2, "broken", "CREATE TABLE second_table (x INTEGER); INSERT INTO missing VALUES (1)"},
  };
  TempDir dir;
  const std::string path = dir.File("broken.db");
  store::DatabaseOptions options;
  options.migrations = &migrations;
  auto failed = store::Database::Open(path, options);
  REQUIRE_FALSE(failed.has_value());
  CHECK_THAT(failed.error().message, Catch::StartsWith("migrate to v2"));

  options.target_version = 1;
  auto db = MustOpen(path, options);
  CHECK(db->OpenedAtVersion() == 1);
  CHECK(HasTable(*db, "first_table"));
  CHECK_FALSE(HasTable(*db, "second_table"));
}

TEST_CASE("a migration list with a gap is refused") {
  const std::vector<store::Migration> migrations = {
      {1, "first", "CREATE TABLE a (x)"},
      {3, "skips two", "CREATE TABLE b (x)"},
  };
  store::DatabaseOptions options;
  options.migrations = &migrations;
  auto db = store::Database::Open(":memory:", options);
  REQUIRE_FALSE(db.has_value());
  CHECK(db.error().code == core::ErrorCode::kInternal);
}

TEST_CASE("an unopenable path is kUnavailable and names the operation") {
  auto db = store::Database::Open("/nonexistent-dir-for-conveyor-tests/x.db");
  REQUIRE_FALSE(db.has_value());
  CHECK(db.error().code == core::ErrorCode::kUnavailable);
  CHECK_THAT(db.error().message, Catch::StartsWith("open database"));
}

TEST_CASE("statements bind and read back every type") {
  auto db = MustOpen(":memory:");
  MustExec(*db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v)");  // no affinity: values stay as bound
  using std::string_literals::operator""s;
  const std::string blob_with_nul = "a\0b\xff"s;

  struct Row {
    const char* name;
    void (*bind)(store::Statement&, const std::string&);
    const char* type;
  };
  // Each row binds ?2 one way; the test reads the value back and checks the stored type.
  const Row rows[] = {
      {"int64 max", [](store::Statement& s, const std::string&) { s.Bind(2, INT64_MAX); },
       "integer"},
      {"int64 min", [](store::Statement& s, const std::string&) { s.Bind(2, INT64_MIN); },
       "integer"},
      {"int", [](store::Statement& s, const std::string&) { s.Bind(2, 42); }, "integer"},
      {"double", [](store::Statement& s, const std::string&) { s.Bind(2, 2.5); }, "real"},
      {"text", [](store::Statement& s, const std::string&) { s.Bind(2, "Сделка №1"); }, "text"},
      {"empty text is not NULL",
       [](store::Statement& s, const std::string&) { s.Bind(2, std::string_view()); }, "text"},
      {"null", [](store::Statement& s, const std::string&) { s.Bind(2, nullptr); }, "null"},
      {"blob with NUL", [](store::Statement& s, const std::string& b) { s.BindBlob(2, b); },
       "blob"},
      {"empty blob", [](store::Statement& s, const std::string&) { s.BindBlob(2, ""); }, "blob"},
  };
  int64_t id = 0;
  for (const auto& row : rows) {
    INFO(row.name);
    ++id;
    store::Session session(*db);
    auto insert = session.Prepare("test insert", "INSERT INTO t (id, v) VALUES (?1, ?2)");
    REQUIRE(insert.has_value());
    insert->Bind(1, id);
    row.bind(*insert, blob_with_nul);
    REQUIRE(insert->Run().has_value());

    auto select = session.Prepare("test select", "SELECT v, typeof(v) FROM t WHERE id = ?1");
    REQUIRE(select.has_value());
    select->Bind(1, id);
    REQUIRE(select->Step().value());
    CHECK(select->ColumnText(1) == row.type);
    CHECK(select->ColumnIsNull(0) == (std::string(row.type) == "null"));
  }
  // Values, one check each, by id in the order of the table above.
  auto value = [&](int64_t row_id) {
    store::Session session(*db);
    auto select = session.Prepare("test select", "SELECT v FROM t WHERE id = ?1");
    REQUIRE(select.has_value());
    select->Bind(1, row_id);
    REQUIRE(select->Step().value());
    struct Read {
      int64_t i;
      double d;
      std::string text, blob;
    };
    return Read{select->ColumnInt64(0), select->ColumnDouble(0), select->ColumnText(0),
                select->ColumnBlob(0)};
  };
  CHECK(value(1).i == INT64_MAX);
  CHECK(value(2).i == INT64_MIN);
  CHECK(value(3).i == 42);
  CHECK(value(4).d == 2.5);
  CHECK(value(5).text == "Сделка №1");
  CHECK(value(6).text.empty());
  CHECK(value(8).blob == blob_with_nul);
  CHECK(value(9).blob.empty());
}

TEST_CASE("a transaction rolls back unless committed") {
  auto db = MustOpen(":memory:");
  MustExec(*db, "CREATE TABLE t (x INTEGER)");
  const struct {
    bool commit;
    int64_t rows_after;
  } rows[] = {{false, 0}, {true, 1}};
  for (const auto& row : rows) {
    INFO("commit " << row.commit);
    MustExec(*db, "DELETE FROM t");
    {
      store::Session session(*db);
      auto tx = session.Begin("test tx");
      REQUIRE(tx.has_value());
      auto insert = session.Prepare("test insert", "INSERT INTO t (x) VALUES (?1)");
      REQUIRE(insert.has_value());
      REQUIRE(insert->Bind(1, 7).Run().has_value());
      if (row.commit) REQUIRE(tx->Commit().has_value());
    }
    CHECK(QueryInt(*db, "SELECT count(*) FROM t") == row.rows_after);
  }
}

TEST_CASE("failures are values with a code and a message naming the operation") {
  auto db = MustOpen(":memory:");
  store_test::AddPortal(*db, "m1");
  MustExec(*db, "CREATE TABLE t (x INTEGER NOT NULL UNIQUE)");
  MustExec(*db, "INSERT INTO t (x) VALUES (1)");

  struct Row {
    const char* name;
    const char* sql;
    int bind_index;  // binds 1 at this index; 0 for none
    core::ErrorCode code;
    const char* message_contains;
  };
  const Row rows[] = {
      {"bad SQL", "SELEC 1", 0, core::ErrorCode::kInternal, "syntax error"},
      {"two statements", "SELECT 1; SELECT 2", 0, core::ErrorCode::kInternal, "more than one"},
      {"unique", "INSERT INTO t (x) VALUES (?1)", 1, core::ErrorCode::kConflict, "UNIQUE"},
      {"not null", "INSERT INTO t (x) VALUES (NULL)", 0, core::ErrorCode::kConflict, "NOT NULL"},
      {"check", "UPDATE portals SET state = 'gone'", 0, core::ErrorCode::kConflict, "CHECK"},
      {"foreign key",
       "INSERT INTO snapshots (member_id, entity_type, entity_id, fields) "
       "VALUES ('nobody', 'deal', 1, '{}')",
       0, core::ErrorCode::kNotFound, "FOREIGN KEY"},
      {"bind out of range", "SELECT ?1", 9, core::ErrorCode::kInternal, "bind ?9"},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    store::Session session(*db);
    core::Error error{core::ErrorCode::kInternal, ""};
    auto statement = session.Prepare("the operation", row.sql);
    if (!statement) {
      error = statement.error();
    } else {
      if (row.bind_index != 0) statement->Bind(row.bind_index, 1);
      auto ok = statement->Run();
      REQUIRE_FALSE(ok.has_value());
      error = ok.error();
    }
    CHECK(error.code == row.code);
    CHECK_THAT(error.message, Catch::StartsWith("the operation"));
    CHECK_THAT(error.message, Catch::Contains(row.message_contains));
  }
}

TEST_CASE(
    "a second connection waits for the write lock, and fails as kUnavailable past its "
    "busy timeout") {
  TempDir dir;
  const std::string path = dir.File("locks.db");
  auto holder = MustOpen(path);
  store::DatabaseOptions impatient;
  impatient.busy_timeout_ms = 50;
  auto waiter_impatient = MustOpen(path, impatient);
  auto waiter_patient = MustOpen(path);

  std::atomic<bool> attempted{false};
  std::atomic<bool> locked{false};
  std::atomic<bool> release{false};
  std::thread holder_thread([&] {
    store::Session session(*holder);
    auto tx = session.Begin("hold");
    locked = tx.has_value();
    attempted = true;
    while (!release) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    // Hold the lock a little longer than the moment the patient waiter starts waiting.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (tx) (void)tx->Commit();
  });
  while (!attempted) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (!locked) {
    release = true;
    holder_thread.join();
    FAIL("the holder could not take the write lock");
  }

  {
    store::Session session(*waiter_impatient);
    auto tx = session.Begin("impatient write");
    REQUIRE_FALSE(tx.has_value());
    CHECK(tx.error().code == core::ErrorCode::kUnavailable);
    CHECK_THAT(tx.error().message, Catch::StartsWith("impatient write"));
  }
  release = true;
  {
    store::Session session(*waiter_patient);
    auto tx = session.Begin("patient write");
    CHECK(tx.has_value());
  }
  holder_thread.join();
}

// Statements are reused from a cache by their SQL; reuse must never leak state between uses.
TEST_CASE("a statement prepared again starts unbound and from its first row") {
  auto db = MustOpen(":memory:");
  MustExec(*db, "CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)");
  store::Session session(*db);
  {
    auto bound = session.Prepare("test", "SELECT ?1");
    REQUIRE(bound.has_value());
    bound->Bind(1, 5);
    REQUIRE(bound->Step().value());
    CHECK(bound->ColumnInt64(0) == 5);
    auto rows = session.Prepare("test", "SELECT n FROM t ORDER BY n");
    REQUIRE(rows.has_value());
    REQUIRE(rows->Step().value());  // dropped in the middle of its rows
  }
  auto again = session.Prepare("test", "SELECT ?1");
  REQUIRE(again.has_value());
  REQUIRE(again->Step().value());
  CHECK(again->ColumnIsNull(0));
  auto rows = session.Prepare("test", "SELECT n FROM t ORDER BY n");
  REQUIRE(rows.has_value());
  REQUIRE(rows->Step().value());
  CHECK(rows->ColumnInt64(0) == 1);
}

TEST_CASE("the same SQL prepared twice at once gives two independent statements") {
  auto db = MustOpen(":memory:");
  MustExec(*db, "CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)");
  store::Session session(*db);
  auto first = session.Prepare("test", "SELECT n FROM t ORDER BY n");
  REQUIRE(first.has_value());
  REQUIRE(first->Step().value());
  auto second = session.Prepare("test", "SELECT n FROM t ORDER BY n");
  REQUIRE(second.has_value());
  REQUIRE(second->Step().value());
  CHECK(second->ColumnInt64(0) == 1);
  REQUIRE(first->Step().value());
  CHECK(first->ColumnInt64(0) == 2);
}

}  // namespace database_test
