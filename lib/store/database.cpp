#include "lib/store/database.h"

#include <sqlite3.h>

#include <cctype>
#include <utility>

namespace store {
namespace {

// SQLITE_TRANSIENT is an old-style cast in a macro; this is the same value without the warning.
const sqlite3_destructor_type kTransient =
    reinterpret_cast<sqlite3_destructor_type>(static_cast<intptr_t>(-1));

// Schema v1. Every portal-owned table references portals with ON DELETE CASCADE so that a clean
// uninstall is one DELETE. JSON columns are checked so a bad writer fails loudly at the write.
constexpr std::string_view kSchemaV1 = R"sql(
CREATE TABLE portals (
  member_id TEXT PRIMARY KEY NOT NULL,
  domain TEXT NOT NULL DEFAULT '',
  client_endpoint TEXT NOT NULL DEFAULT '',
  server_endpoint TEXT NOT NULL DEFAULT '',
  scope TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  application_token_enc BLOB,
  access_token_enc BLOB,
  refresh_token_enc BLOB,
  expires INTEGER NOT NULL DEFAULT 0,
  state TEXT NOT NULL DEFAULT 'installed'
    CHECK (state IN ('installed', 'needs_reinstall', 'uninstalled')),
  installed_at INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL DEFAULT 0
);

-- AUTOINCREMENT: an acked event's id is never handed to a later event, so a worker whose lease
-- ran out cannot Ack or Retry someone else's event by id.
CREATE TABLE inbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  dedup_key TEXT NOT NULL,
  event TEXT NOT NULL,
  entity_type TEXT NOT NULL DEFAULT '',
  entity_id INTEGER NOT NULL DEFAULT 0,
  payload TEXT NOT NULL DEFAULT '',
  received_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  available_at INTEGER NOT NULL,
  leased_until INTEGER,
  last_error TEXT,
  UNIQUE (member_id, dedup_key)
);
-- Claim's per-entity order check: "is there an older event for this entity?"
CREATE INDEX inbox_entity ON inbox (member_id, entity_type, entity_id, id);

CREATE TABLE snapshots (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  fields TEXT NOT NULL CHECK (json_valid(fields)),
  modified TEXT NOT NULL DEFAULT '',
  hash TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (member_id, entity_type, entity_id)
) WITHOUT ROWID;

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  entity_type TEXT NOT NULL DEFAULT '',
  entity_id INTEGER NOT NULL DEFAULT 0,
  settings_version INTEGER NOT NULL DEFAULT 0,
  body TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(body))
);
-- Per-portal history and analytics read decisions by time; also serves the cascade.
CREATE INDEX decisions_member_at ON decisions (member_id, at);

-- AUTOINCREMENT for the same reason as inbox: ids held by a worker are never reused.
CREATE TABLE timers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  due_at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL DEFAULT '',
  done INTEGER NOT NULL DEFAULT 0,
  dedup_key TEXT,
  UNIQUE (member_id, dedup_key)
);
-- The timer loop asks only for pending timers that are due.
CREATE INDEX timers_due ON timers (due_at) WHERE done = 0;

CREATE TABLE operations (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  op_key TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('started', 'done')),
  result TEXT,
  at INTEGER NOT NULL,
  PRIMARY KEY (member_id, op_key)
) WITHOUT ROWID;
)sql";

// v2: acknowledged events stay (done = 1) so that a late redelivery is still recognised as a
// duplicate; PurgeDone removes them after a while.
constexpr std::string_view kSchemaV2 = R"sql(
ALTER TABLE inbox ADD COLUMN done INTEGER NOT NULL DEFAULT 0;
CREATE INDEX inbox_pending ON inbox (done, available_at, id);
)sql";

// v3: how far the reconciliation sweep has read each entity type, in the portal's own
// DATE_MODIFY spelling; pending events in id order, so a claim stops at the first eligible rows
// however long the backlog (the old index made SQLite sort every pending row); per-portal
// settings with every saved version kept, because a decision records the settings_version it
// used and the journal must be able to show that version later.
constexpr std::string_view kSchemaV3 = R"sql(
DROP INDEX inbox_pending;
CREATE INDEX inbox_pending_order ON inbox (done, id);
-- A card's journey tab reads its entity's decisions.
CREATE INDEX decisions_entity ON decisions (member_id, entity_type, entity_id);
CREATE TABLE sweep_marks (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  modified_since TEXT NOT NULL,
  PRIMARY KEY (member_id, entity_type)
) WITHOUT ROWID;
CREATE TABLE portal_settings (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  body TEXT NOT NULL CHECK (json_valid(body)),
  saved_at INTEGER NOT NULL,
  saved_by INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, version)
) WITHOUT ROWID;
)sql";

// v4: journeys (issue #5): every lead and deal with the facts that place it in its journey and
// the reports, and every stage transition with its time and responsible person. A transition is
// kept once however often it is seen (events, echoes, backfill); rowid keeps the order of moves
// made within one second.
constexpr std::string_view kSchemaV4 = R"sql(
CREATE TABLE journey_items (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  journey_id INTEGER NOT NULL,
  sales_deal_id INTEGER NOT NULL DEFAULT 0,
  category_id INTEGER NOT NULL,
  stage TEXT NOT NULL,
  semantic TEXT NOT NULL DEFAULT '',
  responsible INTEGER NOT NULL DEFAULT 0,
  source TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT '',
  amount REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL DEFAULT '',
  title TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (member_id, entity_type, entity_id)
) WITHOUT ROWID;
-- A card's tab reads its whole journey.
CREATE INDEX journey_items_journey ON journey_items (member_id, journey_id);
CREATE TABLE transitions (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  stage TEXT NOT NULL,
  category_id INTEGER NOT NULL,
  responsible INTEGER NOT NULL DEFAULT 0,
  UNIQUE (member_id, entity_type, entity_id, at, stage)
);
-- How far a portal's backfill got in each of its lists, saved with the rows it brought, so a
-- backfill cut short resumes where it stopped.
CREATE TABLE backfills (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  next_id INTEGER NOT NULL,
  max_id INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  PRIMARY KEY (member_id, kind)
) WITHOUT ROWID;
)sql";

// The reports keep their index in memory and read only what changed: an item's seq grows with
// every change of its facts (per portal), transitions are appended under growing rowids.
constexpr std::string_view kSchemaV5 = R"sql(
ALTER TABLE journey_items ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
CREATE INDEX journey_items_seq ON journey_items (member_id, seq);
)sql";

// v6: a portal's events are claimed by one round at a time (its plans share reads and count
// each other's assignments); a claim finds a portal's live leases here, not among its done rows.
constexpr std::string_view kSchemaV6 = R"sql(
CREATE INDEX inbox_leases ON inbox (member_id, leased_until) WHERE done = 0;
)sql";

// v7: a claim walks the portals with pending events (one seek each) instead of the pending rows:
// with one portal's round holding its leases, walking rows meant walking its whole backlog
// under the database lock, which stalled the event intake (issue 15).
constexpr std::string_view kSchemaV7 = R"sql(
CREATE INDEX inbox_pending_portal ON inbox (done, member_id, id);
)sql";

// A begun key is 'sent' once its request is about to leave; one begun by a process that died
// before that point was never sent. Keys from before this version count as sent.
constexpr std::string_view kSchemaV8 = R"sql(
ALTER TABLE operations ADD COLUMN sent INTEGER NOT NULL DEFAULT 1;
)sql";

// The rotation counts each person's hand-outs of the day (core::IsHandOut, whose kinds the
// update below repeats for the rows written before).
constexpr std::string_view kSchemaV9 = R"sql(
ALTER TABLE decisions ADD COLUMN handed_to INTEGER NOT NULL DEFAULT 0;
UPDATE decisions SET handed_to = COALESCE(json_extract(body, '$.assignee'), 0)
 WHERE kind IN ('assigned', 'handover', 'carried_over', 'fallback_queue');
CREATE INDEX decisions_hand_outs ON decisions (member_id, at) WHERE handed_to > 0;
)sql";

// Items up to up_to_id existed at the install (the first sweep): without a snapshot they are
// old, not new arrivals.
constexpr std::string_view kSchemaV10 = R"sql(
CREATE TABLE snapshot_horizons (
  member_id TEXT NOT NULL REFERENCES portals (member_id) ON DELETE CASCADE,
  entity_type TEXT NOT NULL,
  up_to_id INTEGER NOT NULL,
  modified TEXT NOT NULL,
  PRIMARY KEY (member_id, entity_type)
) WITHOUT ROWID;
)sql";

constexpr std::string_view kSchemaV11 = R"sql(
ALTER TABLE backfills ADD COLUMN skipped TEXT NOT NULL DEFAULT '';
)sql";

core::ErrorCode CodeFor(int rc) {
  if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) return core::ErrorCode::kNotFound;
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      return core::ErrorCode::kConflict;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_NOMEM:
    case SQLITE_READONLY:
    case SQLITE_PROTOCOL:
      return core::ErrorCode::kUnavailable;
    default:
      return core::ErrorCode::kInternal;
  }
}

// SQLite's messages name tables, columns and our SQL, never bound values, so they are safe to
// carry (tokens are only ever bound).
core::Error SqliteError(sqlite3* db, int rc, std::string_view op) {
  std::string message(op);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  return core::Error{CodeFor(rc), std::move(message)};
}

// Runs SQL with no parameters; the caller holds the connection.
core::Result<void> ExecRaw(sqlite3* db, std::string_view op, std::string_view sql) {
  const std::string text(sql);
  const int rc = sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return tl::make_unexpected(SqliteError(db, rc, op));
  return {};
}

// Reads a single-value pragma as text; the caller holds the connection.
core::Result<std::string> PragmaText(sqlite3* db, std::string_view op, std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::make_unexpected(SqliteError(db, rc, op));
  std::string value;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    if (text != nullptr) value = reinterpret_cast<const char*>(text);
    rc = sqlite3_step(stmt);
  }
  if (rc != SQLITE_DONE) {
    core::Error error = SqliteError(db, rc, op);
    sqlite3_finalize(stmt);
    return tl::make_unexpected(std::move(error));
  }
  sqlite3_finalize(stmt);
  return value;
}

core::Result<int> UserVersion(sqlite3* db) {
  constexpr std::string_view kOp = "read schema version";
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  if (rc != SQLITE_OK) return tl::make_unexpected(SqliteError(db, rc, kOp));
  int version = 0;
  bool found = false;
  rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    version = sqlite3_column_int(stmt, 0);
    found = true;
    rc = sqlite3_step(stmt);
  }
  core::Result<int> result = version;
  if (rc != SQLITE_DONE) {
    result = tl::make_unexpected(SqliteError(db, rc, kOp));
  } else if (!found) {
    result = core::Fail(core::ErrorCode::kInternal, std::string(kOp) + ": no value");
  }
  sqlite3_finalize(stmt);
  return result;
}

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

core::Result<void> ApplyPragmas(sqlite3* db, const std::string& path) {
  // WAL lets readers proceed while a writer commits; it does not apply to in-memory databases.
  const bool in_memory = path.empty() || path == ":memory:";
  if (!in_memory) {
    auto mode = PragmaText(db, "enable WAL", "PRAGMA journal_mode=WAL");
    if (!mode) return tl::make_unexpected(mode.error());
    if (Lower(*mode) != "wal") {
      return core::Fail(core::ErrorCode::kUnavailable,
                        "enable WAL: journal mode stayed '" + *mode + "'");
    }
  }
  // Cascades and references are part of the schema's contract, so refuse to run without them.
  if (auto ok = ExecRaw(db, "enable foreign keys", "PRAGMA foreign_keys=ON"); !ok) return ok;
  auto fk = PragmaText(db, "enable foreign keys", "PRAGMA foreign_keys");
  if (!fk) return tl::make_unexpected(fk.error());
  if (*fk != "1")
    return core::Fail(core::ErrorCode::kInternal, "enable foreign keys: not supported");
  // NORMAL under WAL loses at most the last transactions on power loss, never consistency.
  // A checkpointed WAL is cut back to 16 MiB instead of keeping its largest size for ever.
  if (auto ok = ExecRaw(db, "limit the WAL", "PRAGMA journal_size_limit=16777216"); !ok) return ok;
  // NORMAL: a commit survives a crash of the process; what must survive a power loss too (an
  // event acknowledged to Bitrix24) is committed with SyncedCommits (store::Inbox).
  return ExecRaw(db, "set synchronous", "PRAGMA synchronous=NORMAL");
}

core::Result<void> CheckOrdered(const std::vector<Migration>& migrations) {
  for (std::size_t i = 0; i < migrations.size(); ++i) {
    if (migrations[i].version != static_cast<int>(i) + 1) {
      return core::Fail(
          core::ErrorCode::kInternal,
          "migrate: migration list is not numbered 1, 2, ... at position " + std::to_string(i));
    }
  }
  return {};
}

}  // namespace

// ---- Statement -------------------------------------------------------------------------------

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, std::string op, StatementCache* cache,
                     std::string sql)
    : db_(db), stmt_(stmt), op_(std::move(op)), cache_(cache), sql_(std::move(sql)) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      op_(std::move(other.op_)),
      bind_error_(std::move(other.bind_error_)),
      cache_(other.cache_),
      sql_(std::move(other.sql_)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    Release();
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
    op_ = std::move(other.op_);
    bind_error_ = std::move(other.bind_error_);
    cache_ = other.cache_;
    sql_ = std::move(other.sql_);
  }
  return *this;
}

Statement::~Statement() { Release(); }

void Statement::Release() {
  if (stmt_ == nullptr) return;
  if (cache_ == nullptr) {
    sqlite3_finalize(std::exchange(stmt_, nullptr));
    return;
  }
  // Reset ends the statement's read transaction, so a cached statement holds no snapshot.
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  cache_->emplace(std::move(sql_), std::exchange(stmt_, nullptr));
}

void Statement::RecordBindError(int index, int rc) {
  if (rc == SQLITE_OK || bind_error_) return;
  bind_error_ = core::Error{CodeFor(rc),
                            op_ + ": bind ?" + std::to_string(index) + ": " + sqlite3_errstr(rc)};
}

Statement& Statement::Bind(int index, int64_t value) {
  RecordBindError(index, sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, int value) {
  return Bind(index, static_cast<int64_t>(value));
}

Statement& Statement::Bind(int index, double value) {
  RecordBindError(index, sqlite3_bind_double(stmt_, index, value));
  return *this;
}

Statement& Statement::Bind(int index, std::string_view text) {
  // A null data pointer would bind SQL NULL; an empty string must stay an empty string.
  const char* data = text.data() != nullptr ? text.data() : "";
  RecordBindError(index,
                  sqlite3_bind_text64(stmt_, index, data, text.size(), kTransient, SQLITE_UTF8));
  return *this;
}

Statement& Statement::Bind(int index, std::nullptr_t) {
  RecordBindError(index, sqlite3_bind_null(stmt_, index));
  return *this;
}

Statement& Statement::BindBlob(int index, std::string_view bytes) {
  const int rc = bytes.empty()
                     ? sqlite3_bind_zeroblob(stmt_, index, 0)
                     : sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), kTransient);
  RecordBindError(index, rc);
  return *this;
}

core::Result<bool> Statement::Step() {
  if (bind_error_) return tl::make_unexpected(*bind_error_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return tl::make_unexpected(SqliteError(db_, rc, op_));
}

core::Result<void> Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) return {};
  }
}

void Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_.reset();
}

int64_t Statement::ColumnInt64(int column) const { return sqlite3_column_int64(stmt_, column); }

double Statement::ColumnDouble(int column) const { return sqlite3_column_double(stmt_, column); }

std::string Statement::ColumnText(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (text == nullptr || size <= 0) return {};
  return std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size));
}

std::string Statement::ColumnBlob(int column) const {
  const void* blob = sqlite3_column_blob(stmt_, column);
  const int size = sqlite3_column_bytes(stmt_, column);
  if (blob == nullptr || size <= 0) return {};
  return std::string(static_cast<const char*>(blob), static_cast<std::size_t>(size));
}

bool Statement::ColumnIsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Transaction -----------------------------------------------------------------------------

Transaction::Transaction(sqlite3* db, std::string op) : db_(db), op_(std::move(op)) {}

Transaction::Transaction(Transaction&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), op_(std::move(other.op_)) {}

Transaction::~Transaction() {
  // Nothing useful can be done with a failed ROLLBACK here; SQLite rolls back on close anyway.
  if (db_ != nullptr) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

core::Result<void> Transaction::Commit() {
  if (db_ == nullptr)
    return core::Fail(core::ErrorCode::kInternal, op_ + ": commit without transaction");
  if (auto ok = ExecRaw(db_, op_ + " (commit)", "COMMIT"); !ok) return ok;
  db_ = nullptr;
  return {};
}

// ---- Session ---------------------------------------------------------------------------------

core::Result<void> Database::Checkpoint() {
  std::lock_guard<std::mutex> lock(mutex_);
  return ExecRaw(db_, "checkpoint", "PRAGMA wal_checkpoint(PASSIVE)");
}

Session::Session(Database& db) : lock_(db.mutex_), db_(db.db_), statements_(&db.statements_) {}

core::Result<Statement> Session::Prepare(std::string_view op, std::string_view sql) {
  std::string key(sql);
  if (auto cached = statements_->find(key); cached != statements_->end()) {
    sqlite3_stmt* stmt = cached->second;
    statements_->erase(cached);
    return Statement(db_, stmt, std::string(op), statements_, std::move(key));
  }
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  if (rc != SQLITE_OK) return tl::make_unexpected(SqliteError(db_, rc, op));
  // Only single statements are cached: a refused one is finalized, never reused.
  Statement statement(db_, stmt, std::string(op), nullptr, {});
  if (stmt == nullptr)
    return core::Fail(core::ErrorCode::kInternal, std::string(op) + ": empty SQL");
  // Anything after the first statement would be silently ignored by SQLite; refuse it instead.
  for (const char* p = tail; p != nullptr && p < sql.data() + sql.size(); ++p) {
    if (std::isspace(static_cast<unsigned char>(*p)) == 0 && *p != ';') {
      return core::Fail(core::ErrorCode::kInternal, std::string(op) + ": more than one statement");
    }
  }
  statement.cache_ = statements_;
  statement.sql_ = std::move(key);
  return statement;
}

core::Result<void> Session::Exec(std::string_view op, std::string_view sql) {
  return ExecRaw(db_, op, sql);
}

core::Result<Transaction> Session::Begin(std::string_view op) {
  if (auto ok = ExecRaw(db_, std::string(op) + " (begin)", "BEGIN IMMEDIATE"); !ok) {
    return tl::make_unexpected(ok.error());
  }
  return Transaction(db_, std::string(op));
}

int64_t Session::Changes() const { return sqlite3_changes(db_); }

int64_t Session::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

// ---- Database --------------------------------------------------------------------------------

const std::vector<Migration>& Database::Migrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "portals, inbox, snapshots, decisions, timers, operations", kSchemaV1},
      {2, "acknowledged inbox events kept for deduplication", kSchemaV2},
      {3, "reconciliation sweep marks; claim order index; versioned portal settings", kSchemaV3},
      {4, "journeys: items, stage transitions and backfill progress", kSchemaV4},
      {5, "journeys: a change sequence for the reports' index", kSchemaV5},
      {6, "inbox: a portal's live leases", kSchemaV6},
      {7, "inbox: pending events by portal", kSchemaV7},
      {8, "operations: begun keys tell whether they were sent", kSchemaV8},
      {9, "decisions: whom each hand-out went to, for the rotation", kSchemaV9},
      {10, "snapshots: what existed at the install", kSchemaV10},
      {11, "backfill: lists a portal does not offer", kSchemaV11},
  };
  return kMigrations;
}

int Database::LatestVersion() { return Migrations().back().version; }

Database::Database(sqlite3* db) : db_(db) {}

Database::~Database() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  // close_v2 defers the close until any stray statement is finalized instead of failing.
  sqlite3_close_v2(db_);
}

core::Result<std::unique_ptr<Database>> Database::Open(const std::string& path) {
  return Open(path, DatabaseOptions{});
}

core::Result<std::unique_ptr<Database>> Database::Open(const std::string& path,
                                                       const DatabaseOptions& options) {
  const std::vector<Migration>& migrations =
      options.migrations != nullptr ? *options.migrations : Migrations();
  if (auto ok = CheckOrdered(migrations); !ok) return tl::make_unexpected(ok.error());
  const int latest = migrations.empty() ? 0 : migrations.back().version;
  const int target = options.target_version < 0 ? latest : options.target_version;
  if (target > latest) {
    return core::Fail(core::ErrorCode::kInvalidArgument,
                      "open database: target version " + std::to_string(target) + " is unknown");
  }

  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
  // Owned from here on, including when opening failed (SQLite still allocates a handle).
  std::unique_ptr<Database> db(new Database(raw));
  if (rc != SQLITE_OK) {
    core::Error error = SqliteError(raw, rc, "open database '" + path + "'");
    error.code = core::ErrorCode::kUnavailable;
    return tl::make_unexpected(std::move(error));
  }
  sqlite3_extended_result_codes(raw, 1);
  sqlite3_busy_timeout(raw, options.busy_timeout_ms);
  if (auto ok = ApplyPragmas(raw, path); !ok) return tl::make_unexpected(ok.error());
  if (options.background_checkpoints) {
    if (auto ok = ExecRaw(raw, "disable automatic checkpoints", "PRAGMA wal_autocheckpoint=0"); !ok)
      return tl::make_unexpected(ok.error());
  }

  auto found = UserVersion(raw);
  if (!found) return tl::make_unexpected(found.error());
  db->opened_at_version_ = *found;
  if (*found > latest) {
    return core::Fail(core::ErrorCode::kInternal,
                      "open database: schema version " + std::to_string(*found) +
                          " is newer than this build's " + std::to_string(latest));
  }

  for (const Migration& migration : migrations) {
    if (migration.version > target) break;
    const std::string op = "migrate to v" + std::to_string(migration.version);
    Session session(*db);
    auto tx = session.Begin(op);
    if (!tx) return tl::make_unexpected(tx.error());
    // Read again inside the write lock: another process may have migrated since we looked.
    auto current = UserVersion(raw);
    if (!current) return tl::make_unexpected(current.error());
    if (*current >= migration.version) continue;
    if (auto ok = ExecRaw(raw, op, migration.sql); !ok) return tl::make_unexpected(ok.error());
    // PRAGMA takes no parameters; the version is our own integer.
    if (auto ok = ExecRaw(raw, op, "PRAGMA user_version = " + std::to_string(migration.version));
        !ok) {
      return tl::make_unexpected(ok.error());
    }
    if (auto ok = tx->Commit(); !ok) return tl::make_unexpected(ok.error());
  }
  return db;
}

int Database::SchemaVersion() {
  Session session(*this);
  auto version = UserVersion(db_);
  return version ? *version : -1;
}

}  // namespace store
