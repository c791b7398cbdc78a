// The SQLite connection the stores share: opening with the pragmas we rely on (WAL, foreign keys,
// busy timeout), the ordered schema migrations, and a small RAII layer (Session, Statement,
// Transaction) so no other unit needs <sqlite3.h>.
//
// Thread-safety: one Database may be shared between threads. Every use of the connection goes
// through a Session, which holds the Database's mutex for its whole lifetime; Statements and
// Transactions made from a Session must not outlive it and must stay on its thread.
// No exception crosses this API: failures are core::Error values whose message names the
// operation and carries SQLite's text (which never contains bound values).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/core/error.h"

// Declared here so that only the .cpp files of lib/store include <sqlite3.h>.
struct sqlite3;
struct sqlite3_stmt;

namespace store {

// One step of the schema. `sql` runs inside the same transaction as `PRAGMA user_version =
// version`, so a database is always exactly at one version of this list.
struct Migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

struct DatabaseOptions {
  // How long a statement waits for another connection's write lock before failing with
  // kUnavailable.
  int busy_timeout_ms = 5000;
  // Stop migrating at this version; -1 means the latest. Tests use it to build the database an
  // older release would have left behind.
  int target_version = -1;
  // The migrations to run; nullptr means Database::Migrations(). Tests substitute a list to check
  // that a failing migration leaves the previous version intact.
  const std::vector<Migration>* migrations = nullptr;
  // Leave WAL checkpoints to Checkpoint() on another connection, so no commit on this one pays
  // for copying the log back and its fsyncs (the server's request path).
  bool background_checkpoints = false;
};

class Database;
class Session;

// Compiled statements not in use, by their SQL text.
using StatementCache = std::unordered_multimap<std::string, sqlite3_stmt*>;

// A prepared statement. Parameters are numbered (?1, ?2, ...) and bound by index. Bind errors are
// remembered and reported by the next Step()/Run(), so binding reads as a plain list.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Text and blobs are copied by SQLite, so temporaries may be bound.
  Statement& Bind(int index, int64_t value);
  Statement& Bind(int index, int value);
  Statement& Bind(int index, double value);
  Statement& Bind(int index, std::string_view text);
  Statement& Bind(int index, std::nullptr_t);
  Statement& BindBlob(int index, std::string_view bytes);

  // Advances: true when a row is available through the Column* getters, false when done.
  // Fails with the first bind error, or with the mapped SQLite error (kConflict for a constraint,
  // kNotFound for a foreign key to a missing row, kUnavailable for busy/I/O, else kInternal).
  [[nodiscard]] core::Result<bool> Step();
  // Steps until done, ignoring rows; for INSERT/UPDATE/DELETE. Fails as Step().
  [[nodiscard]] core::Result<void> Run();
  // Makes the statement runnable again with fresh bindings.
  void Reset();

  // Column getters for the current row (index from 0). NULL reads as 0 / "".
  int64_t ColumnInt64(int column) const;
  double ColumnDouble(int column) const;
  std::string ColumnText(int column) const;
  std::string ColumnBlob(int column) const;
  bool ColumnIsNull(int column) const;

 private:
  friend class Session;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string op, StatementCache* cache,
            std::string sql);
  void RecordBindError(int index, int rc);
  // Back to the cache, reset and unbound, or finalized when there is no cache.
  void Release();

  sqlite3* db_;
  sqlite3_stmt* stmt_;  // null once moved from
  std::string op_;
  std::optional<core::Error> bind_error_;
  StatementCache* cache_;  // the Database's, guarded by the Session this statement lives in
  std::string sql_;        // its key in cache_
};

// BEGIN IMMEDIATE on creation (so the write lock is taken up front and a concurrent writer waits
// for the busy timeout instead of failing mid-transaction); ROLLBACK on destruction unless
// Commit() succeeded.
class Transaction {
 public:
  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Fails as Statement::Step(); the transaction then stays open and is rolled back by the
  // destructor.
  [[nodiscard]] core::Result<void> Commit();

 private:
  friend class Session;
  Transaction(sqlite3* db, std::string op);

  sqlite3* db_;  // null once committed or moved from
  std::string op_;
};

// Exclusive use of a Database's connection for the Session's lifetime (it holds the mutex).
// Sessions do not nest: opening a second one on the same thread deadlocks.
class Session {
 public:
  explicit Session(Database& db);
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // `op` names the operation in error messages ("inbox claim"). Fails with kInternal when the SQL
  // does not compile or holds more than one statement.
  [[nodiscard]] core::Result<Statement> Prepare(std::string_view op, std::string_view sql);
  // Runs one or more statements without parameters (DDL, pragmas).
  [[nodiscard]] core::Result<void> Exec(std::string_view op, std::string_view sql);
  // Fails with kUnavailable when another connection holds the write lock past the busy timeout.
  [[nodiscard]] core::Result<Transaction> Begin(std::string_view op);

  // Rows changed by the last INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const;
  int64_t LastInsertRowId() const;

 private:
  std::lock_guard<std::mutex> lock_;
  sqlite3* db_;
  StatementCache* statements_;
};

class Database {
 public:
  // Opens or creates the database at `path` (":memory:" for a private in-memory one), applies the
  // pragmas and runs every pending migration. Fails with kUnavailable when the file cannot be
  // opened, kInternal when the file's schema is newer than this build or a migration fails (the
  // database then stays at the last version that succeeded).
  [[nodiscard]] static core::Result<std::unique_ptr<Database>> Open(const std::string& path);
  [[nodiscard]] static core::Result<std::unique_ptr<Database>> Open(const std::string& path,
                                                                    const DatabaseOptions& options);

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  // The schema migrations in order, versions 1, 2, ... without gaps.
  static const std::vector<Migration>& Migrations();
  static int LatestVersion();

  // The current `PRAGMA user_version`, or -1 if it cannot be read.
  int SchemaVersion();
  // Copies what other connections committed to the WAL back into the database file, as far as
  // readers allow (PRAGMA wal_checkpoint(PASSIVE)). Fails with the SQLite error.
  [[nodiscard]] core::Result<void> Checkpoint();

  // The version the file was at before Open() migrated it (equal to SchemaVersion() when the
  // open was a no-op).
  int OpenedAtVersion() const { return opened_at_version_; }

 private:
  friend class Session;
  explicit Database(sqlite3* db);

  std::mutex mutex_;
  sqlite3* db_;  // GUARDED_BY(mutex_) for every use after Open(); owned
  // Compiled statements not in use, by SQL text: compiling is most of the cost of a small query
  // (the event intake's per-request statements), so a Statement goes back here when destroyed.
  // Bounded because every statement's SQL is a constant: values are always bound, never spliced.
  StatementCache statements_;  // GUARDED_BY(mutex_)
  int opened_at_version_ = 0;
};

}  // namespace store
