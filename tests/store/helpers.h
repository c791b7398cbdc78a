// Shared fixtures for the store tests: a scratch directory for file databases, opening a
// database that must open, adding a portal, and reading raw values back through the Session API
// (the tests, like everything outside lib/store, do not include <sqlite3.h>).
// Thread-safety: use from the test thread only (Catch2 assertions are not thread-safe).
#pragma once

#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "lib/store/database.h"
#include "lib/store/portal_store.h"
#include "lib/store/token_cipher.h"

namespace store_test {

// A fresh directory under the system temp directory, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "conveyor-store-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(std::string_view name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline std::unique_ptr<store::Database> MustOpen(const std::string& path,
                                                 const store::DatabaseOptions& options = {}) {
  auto db = store::Database::Open(path, options);
  INFO((db ? std::string() : db.error().message));
  REQUIRE(db.has_value());
  return std::move(*db);
}

inline void AddPortal(store::Database& db, const std::string& member_id,
                      const store::TokenCipher& cipher = store::TokenCipher::ForDevelopment()) {
  store::PortalStore portals(db, cipher);
  store::PortalRecord record;
  record.member_id = member_id;
  record.domain = member_id + ".bitrix24.test";
  record.access_token = "access-" + member_id;
  record.refresh_token = "refresh-" + member_id;
  record.application_token = "app-" + member_id;
  auto ok = portals.Upsert(record);
  INFO((ok ? std::string() : ok.error().message));
  REQUIRE(ok.has_value());
}

// The first column of the first row of a parameterless query, as an integer.
inline int64_t QueryInt(store::Database& db, std::string_view sql) {
  store::Session session(db);
  auto statement = session.Prepare("test query", sql);
  INFO((statement ? std::string() : statement.error().message));
  REQUIRE(statement.has_value());
  auto row = statement->Step();
  REQUIRE(row.has_value());
  REQUIRE(*row);
  return statement->ColumnInt64(0);
}

inline std::string QueryText(store::Database& db, std::string_view sql) {
  store::Session session(db);
  auto statement = session.Prepare("test query", sql);
  INFO((statement ? std::string() : statement.error().message));
  REQUIRE(statement.has_value());
  auto row = statement->Step();
  REQUIRE(row.has_value());
  REQUIRE(*row);
  return statement->ColumnText(0);
}

inline void MustExec(store::Database& db, std::string_view sql) {
  store::Session session(db);
  auto ok = session.Exec("test exec", sql);
  INFO((ok ? std::string() : ok.error().message));
  REQUIRE(ok.has_value());
}

// Rows of `table` that belong to `member_id`.
inline int64_t CountFor(store::Database& db, std::string_view table, std::string_view member_id) {
  store::Session session(db);
  auto statement = session.Prepare(
      "test count", "SELECT count(*) FROM " + std::string(table) + " WHERE member_id = ?1");
  REQUIRE(statement.has_value());
  statement->Bind(1, member_id);
  auto row = statement->Step();
  REQUIRE(row.has_value());
  REQUIRE(*row);
  return statement->ColumnInt64(0);
}

}  // namespace store_test
