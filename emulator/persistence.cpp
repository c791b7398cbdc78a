#include "emulator/persistence.h"

#include <sqlite3.h>

#include <memory>

namespace emu {
namespace {

struct Closer {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, Closer>;

bool Open(const std::string& path, Db& db, std::string& error) {
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open(path.c_str(), &raw);
  db.reset(raw);
  if (rc != SQLITE_OK) {
    error = "cannot open " + path + ": " + (raw ? sqlite3_errmsg(raw) : "out of memory");
    return false;
  }
  char* message = nullptr;
  if (sqlite3_exec(db.get(),
                   "PRAGMA journal_mode=WAL;"
                   "CREATE TABLE IF NOT EXISTS snapshot (id INTEGER PRIMARY KEY CHECK (id = 1),"
                   " state TEXT NOT NULL);",
                   nullptr, nullptr, &message) != SQLITE_OK) {
    error = path + ": " + (message ? message : "unknown error");
    sqlite3_free(message);
    return false;
  }
  return true;
}

}  // namespace

bool LoadSnapshot(const std::string& path, std::optional<nlohmann::json>& out, std::string& error) {
  Db db;
  if (!Open(path, db, error)) return false;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), "SELECT state FROM snapshot WHERE id = 1", -1, &raw, nullptr) !=
      SQLITE_OK) {
    error = sqlite3_errmsg(db.get());
    return false;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  if (sqlite3_step(stmt.get()) == SQLITE_ROW) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.get(), 0));
    auto parsed = nlohmann::json::parse(text ? text : "", nullptr, false);
    if (parsed.is_discarded()) {
      error = path + ": the stored state is not valid JSON";
      return false;
    }
    out = std::move(parsed);
  }
  return true;
}

bool SaveSnapshot(const std::string& path, const std::string& json_text, std::string& error) {
  Db db;
  if (!Open(path, db, error)) return false;
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db.get(), "INSERT OR REPLACE INTO snapshot (id, state) VALUES (1, ?1)", -1,
                         &raw, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db.get());
    return false;
  }
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
  sqlite3_bind_text(stmt.get(), 1, json_text.c_str(), static_cast<int>(json_text.size()),
                    SQLITE_TRANSIENT);
  if (sqlite3_step(stmt.get()) != SQLITE_DONE) {
    error = sqlite3_errmsg(db.get());
    return false;
  }
  return true;
}

}  // namespace emu
