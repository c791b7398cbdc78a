#include "lib/store/settings_store.h"

#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

namespace store {
namespace {

// Reads the row of a SELECT version, body, saved_at, saved_by, if there is one.
core::Result<std::optional<SettingsStore::Saved>> ReadSaved(Statement& statement) {
  auto row = statement.Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<SettingsStore::Saved>();
  SettingsStore::Saved saved;
  // Versions are only ever written by Save(), which keeps them within int.
  saved.version = static_cast<int>(statement.ColumnInt64(0));
  saved.body = statement.ColumnText(1);
  saved.saved_at = statement.ColumnInt64(2);
  saved.saved_by = statement.ColumnInt64(3);
  return std::optional<SettingsStore::Saved>(std::move(saved));
}

}  // namespace

core::Result<std::optional<SettingsStore::Saved>> SettingsStore::Latest(
    std::string_view member_id) {
  Session session(db_);
  auto statement = session.Prepare(
      "settings latest",
      "SELECT version, body, saved_at, saved_by FROM portal_settings WHERE member_id = ?1 "
      "ORDER BY version DESC LIMIT 1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  return ReadSaved(*statement);
}

core::Result<std::optional<SettingsStore::Saved>> SettingsStore::Get(std::string_view member_id,
                                                                     int version) {
  Session session(db_);
  auto statement = session.Prepare("settings get",
                                   "SELECT version, body, saved_at, saved_by FROM portal_settings "
                                   "WHERE member_id = ?1 AND version = ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, version);
  return ReadSaved(*statement);
}

core::Result<int> SettingsStore::Save(std::string_view member_id, std::string_view body,
                                      int64_t now, int64_t saved_by,
                                      std::optional<int> expected_version) {
  // Checked here as well as by the table's CHECK so that a bad body is the caller's error
  // (kInvalidArgument) rather than a constraint failure that reads like a concurrent edit.
  if (!nlohmann::json::accept(body)) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "settings save: body is not valid JSON");
  }

  Session session(db_);
  // IMMEDIATE: the latest version read below cannot change before the insert, even from another
  // connection, so two saves from the same version cannot both succeed.
  auto transaction = session.Begin("settings save");
  if (!transaction) return tl::make_unexpected(transaction.error());

  bool portal_exists = false;
  int64_t latest = 0;
  {
    // Scoped so the read statement is finished before the insert and the commit.
    auto state = session.Prepare(
        "settings save",
        "SELECT EXISTS (SELECT 1 FROM portals WHERE member_id = ?1), "
        "(SELECT coalesce(max(version), 0) FROM portal_settings WHERE member_id = ?1)");
    if (!state) return tl::make_unexpected(state.error());
    state->Bind(1, member_id);
    auto row = state->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row)
      return core::Fail(core::ErrorCode::kInternal, "settings save: state query gave no row");
    portal_exists = state->ColumnInt64(0) != 0;
    latest = state->ColumnInt64(1);
  }
  // The portal is checked first so that an unknown portal is kNotFound whatever the caller
  // expected, not a conflict with a version that cannot exist.
  if (!portal_exists)
    return core::Fail(core::ErrorCode::kNotFound, "settings save: unknown portal");
  if (expected_version && *expected_version != latest) {
    return core::Fail(core::ErrorCode::kConflict,
                      "settings save: expected version " + std::to_string(*expected_version) +
                          " but the latest is " + std::to_string(latest));
  }
  if (latest >= std::numeric_limits<int>::max()) {
    return core::Fail(core::ErrorCode::kInternal, "settings save: version numbers exhausted");
  }
  const int version = static_cast<int>(latest) + 1;

  auto insert =
      session.Prepare("settings save",
                      "INSERT INTO portal_settings (member_id, version, body, saved_at, saved_by) "
                      "VALUES (?1, ?2, ?3, ?4, ?5)");
  if (!insert) return tl::make_unexpected(insert.error());
  insert->Bind(1, member_id).Bind(2, version).Bind(3, body).Bind(4, now).Bind(5, saved_by);
  if (auto ok = insert->Run(); !ok) {
    // With the write lock held and the version just computed, the primary key cannot collide;
    // the only constraint left is json_valid, should SQLite disagree with nlohmann.
    if (ok.error().code == core::ErrorCode::kConflict) {
      return core::Fail(core::ErrorCode::kInvalidArgument, ok.error().message);
    }
    return tl::make_unexpected(ok.error());
  }
  if (auto ok = transaction->Commit(); !ok) return tl::make_unexpected(ok.error());
  return version;
}

}  // namespace store
