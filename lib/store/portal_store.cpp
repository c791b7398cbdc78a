#include "lib/store/portal_store.h"

#include <utility>

namespace store {

namespace {

constexpr std::string_view kPortalColumns =
    "member_id, domain, client_endpoint, server_endpoint, scope, status, application_token_enc, "
    "access_token_enc, refresh_token_enc, expires, state, installed_at, updated_at";

bool KnownState(std::string_view state) {
  return state == "installed" || state == "needs_reinstall" || state == "uninstalled";
}

// Binds a sealed value to its row and column, so a blob copied elsewhere does not open.
std::string AssociatedData(std::string_view member_id, std::string_view column) {
  std::string aad = "portals/";
  aad += member_id;
  aad += '/';
  aad += column;
  return aad;
}

// An empty token is stored as NULL: there is nothing to protect and NULL reads as "none".
core::Result<void> BindSealed(Statement& statement, int index, const TokenCipher& cipher,
                              std::string_view member_id, std::string_view column,
                              std::string_view token) {
  if (token.empty()) {
    statement.Bind(index, nullptr);
    return {};
  }
  auto sealed = cipher.Seal(token, AssociatedData(member_id, column));
  if (!sealed) return tl::make_unexpected(sealed.error());
  statement.BindBlob(index, *sealed);
  return {};
}

core::Result<std::string> OpenSealed(const Statement& statement, int column_index,
                                     const TokenCipher& cipher, std::string_view member_id,
                                     std::string_view column) {
  if (statement.ColumnIsNull(column_index)) return std::string();
  auto token = cipher.Open(statement.ColumnBlob(column_index), AssociatedData(member_id, column));
  if (!token) {
    // member_id is not a secret (it keys our logs); it tells the operator which row is affected.
    return core::Fail(token.error().code,
                      "portal '" + std::string(member_id) + "': " + token.error().message);
  }
  return token;
}

// Reads a row selected with kPortalColumns.
core::Result<PortalRecord> ReadRecord(const Statement& row, const TokenCipher& cipher) {
  PortalRecord record;
  record.member_id = row.ColumnText(0);
  record.domain = row.ColumnText(1);
  record.client_endpoint = row.ColumnText(2);
  record.server_endpoint = row.ColumnText(3);
  record.scope = row.ColumnText(4);
  record.status = row.ColumnText(5);
  const struct {
    int index;
    std::string_view column;
    std::string* out;
  } tokens[] = {
      {6, "application_token", &record.application_token},
      {7, "access_token", &record.access_token},
      {8, "refresh_token", &record.refresh_token},
  };
  for (const auto& token : tokens) {
    auto plain = OpenSealed(row, token.index, cipher, record.member_id, token.column);
    if (!plain) return tl::make_unexpected(plain.error());
    *token.out = std::move(*plain);
  }
  record.expires = row.ColumnInt64(9);
  record.state = row.ColumnText(10);
  record.installed_at = row.ColumnInt64(11);
  record.updated_at = row.ColumnInt64(12);
  return record;
}

core::Result<void> RunExpectingRow(Session& session, Statement& statement,
                                   std::string_view member_id, std::string_view op) {
  if (auto ok = statement.Run(); !ok) return ok;
  if (session.Changes() == 0) {
    return core::Fail(core::ErrorCode::kNotFound,
                      std::string(op) + ": no portal '" + std::string(member_id) + "'");
  }
  return {};
}

}  // namespace

core::Result<void> PortalStore::Upsert(const PortalRecord& record) {
  const ForgetOnReturn forget{*this, record.member_id};
  if (record.member_id.empty()) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "portal upsert: empty member_id");
  }
  if (!KnownState(record.state)) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "portal upsert: unknown state");
  }
  Session session(db_);
  auto statement = session.Prepare(
      "portal upsert", std::string("INSERT INTO portals (") + std::string(kPortalColumns) +
                           ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) "
                           "ON CONFLICT (member_id) DO UPDATE SET domain = ?2, "
                           "client_endpoint = ?3, server_endpoint = ?4, scope = ?5, status = ?6, "
                           "application_token_enc = ?7, access_token_enc = ?8, "
                           "refresh_token_enc = ?9, expires = ?10, state = ?11, "
                           "installed_at = ?12, updated_at = ?13");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, record.member_id)
      .Bind(2, record.domain)
      .Bind(3, record.client_endpoint)
      .Bind(4, record.server_endpoint)
      .Bind(5, record.scope)
      .Bind(6, record.status);
  const struct {
    int index;
    std::string_view column;
    const std::string& token;
  } tokens[] = {
      {7, "application_token", record.application_token},
      {8, "access_token", record.access_token},
      {9, "refresh_token", record.refresh_token},
  };
  for (const auto& token : tokens) {
    auto ok =
        BindSealed(*statement, token.index, cipher_, record.member_id, token.column, token.token);
    if (!ok) return ok;
  }
  statement->Bind(10, record.expires)
      .Bind(11, record.state)
      .Bind(12, record.installed_at)
      .Bind(13, record.updated_at);
  return statement->Run();
}

core::Result<std::optional<PortalRecord>> PortalStore::Find(std::string_view member_id) {
  uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto hit = cache_.find(std::string(member_id)); hit != cache_.end()) {
      return std::optional<PortalRecord>(hit->second);
    }
    generation = generation_;
  }
  auto found = Read(member_id);
  if (found && *found) {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (generation == generation_) cache_.emplace(std::string(member_id), **found);
  }
  return found;
}

void PortalStore::Forget(std::string_view member_id) {
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.erase(std::string(member_id));
  ++generation_;
}

core::Result<std::optional<PortalRecord>> PortalStore::Read(std::string_view member_id) {
  Session session(db_);
  auto statement =
      session.Prepare("portal find", std::string("SELECT ") + std::string(kPortalColumns) +
                                         " FROM portals WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<PortalRecord>();
  auto record = ReadRecord(*statement, cipher_);
  if (!record) return tl::make_unexpected(record.error());
  return std::optional<PortalRecord>(std::move(*record));
}

core::Result<void> PortalStore::UpdateTokens(std::string_view member_id,
                                             std::string_view access_token,
                                             std::string_view refresh_token, int64_t expires,
                                             int64_t now) {
  const ForgetOnReturn forget{*this, std::string(member_id)};
  Session session(db_);
  auto statement = session.Prepare(
      "portal update tokens",
      "UPDATE portals SET access_token_enc = ?2, refresh_token_enc = ?3, expires = ?4, "
      "updated_at = ?5 WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  if (auto ok = BindSealed(*statement, 2, cipher_, member_id, "access_token", access_token); !ok) {
    return ok;
  }
  if (auto ok = BindSealed(*statement, 3, cipher_, member_id, "refresh_token", refresh_token);
      !ok) {
    return ok;
  }
  statement->Bind(4, expires).Bind(5, now);
  return RunExpectingRow(session, *statement, member_id, "portal update tokens");
}

core::Result<void> PortalStore::UpdateDomain(std::string_view member_id, std::string_view domain,
                                             std::string_view client_endpoint, int64_t now) {
  const ForgetOnReturn forget{*this, std::string(member_id)};
  Session session(db_);
  auto statement =
      session.Prepare("portal update domain",
                      "UPDATE portals SET domain = ?2, client_endpoint = ?3, updated_at = ?4 "
                      "WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, domain).Bind(3, client_endpoint).Bind(4, now);
  return RunExpectingRow(session, *statement, member_id, "portal update domain");
}

core::Result<void> PortalStore::SetState(std::string_view member_id, std::string_view state,
                                         int64_t now) {
  const ForgetOnReturn forget{*this, std::string(member_id)};
  if (!KnownState(state)) {
    return core::Fail(core::ErrorCode::kInvalidArgument, "portal set state: unknown state");
  }
  Session session(db_);
  auto statement = session.Prepare(
      "portal set state", "UPDATE portals SET state = ?2, updated_at = ?3 WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, state).Bind(3, now);
  return RunExpectingRow(session, *statement, member_id, "portal set state");
}

core::Result<bool> PortalStore::Remove(std::string_view member_id, bool clean, int64_t now) {
  const ForgetOnReturn forget{*this, std::string(member_id)};
  Session session(db_);
  auto statement =
      clean ? session.Prepare("portal remove", "DELETE FROM portals WHERE member_id = ?1")
            : session.Prepare("portal remove",
                              "UPDATE portals SET application_token_enc = NULL, "
                              "access_token_enc = NULL, refresh_token_enc = NULL, expires = 0, "
                              "state = 'uninstalled', updated_at = ?2 WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  if (!clean) statement->Bind(2, now);
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes() > 0;
}

core::Result<std::vector<PortalRecord>> PortalStore::All() {
  Session session(db_);
  auto statement =
      session.Prepare("portal list", std::string("SELECT ") + std::string(kPortalColumns) +
                                         " FROM portals ORDER BY member_id");
  if (!statement) return tl::make_unexpected(statement.error());
  std::vector<PortalRecord> records;
  for (;;) {
    auto row = statement->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    auto record = ReadRecord(*statement, cipher_);
    if (!record) return tl::make_unexpected(record.error());
    records.push_back(std::move(*record));
  }
  return records;
}

}  // namespace store
