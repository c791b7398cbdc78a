#include "lib/store/operation_log.h"

#include <utility>

namespace store {

core::Result<bool> OperationLog::Begin(std::string_view member_id, std::string_view op_key,
                                       int64_t now) {
  Session session(db_);
  auto statement = session.Prepare("operation begin",
                                   "INSERT INTO operations (member_id, op_key, state, at, sent) "
                                   "VALUES (?1, ?2, 'started', ?3, 0) "
                                   "ON CONFLICT (member_id, op_key) DO NOTHING");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, op_key).Bind(3, now);
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes() > 0;
}

core::Result<void> OperationLog::MarkSent(std::string_view member_id,
                                          const std::vector<std::string>& op_keys) {
  if (op_keys.empty()) return {};
  Session session(db_);
  auto tx = session.Begin("operation mark sent");
  if (!tx) return tl::make_unexpected(tx.error());
  auto statement = session.Prepare(
      "operation mark sent",
      "UPDATE operations SET sent = 1 WHERE member_id = ?1 AND op_key = ?2 AND sent = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  for (const auto& key : op_keys) {
    statement->Reset();
    statement->Bind(1, member_id).Bind(2, key);
    if (auto ok = statement->Run(); !ok) return ok;
  }
  return tx->Commit();
}

core::Result<long> OperationLog::ForgetUnsent() {
  Session session(db_);
  auto statement = session.Prepare("operation forget unsent",
                                   "DELETE FROM operations WHERE state = 'started' AND sent = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return static_cast<long>(session.Changes());
}

core::Result<void> OperationLog::Finish(std::string_view member_id, std::string_view op_key,
                                        std::string_view result) {
  Session session(db_);
  auto statement = session.Prepare(
      "operation finish",
      "UPDATE operations SET state = 'done', result = ?3 WHERE member_id = ?1 AND op_key = ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, op_key).Bind(3, result);
  if (auto ok = statement->Run(); !ok) return ok;
  if (session.Changes() == 0) {
    return core::Fail(core::ErrorCode::kNotFound, "operation finish: key was never begun");
  }
  return {};
}

core::Result<void> OperationLog::Abandon(std::string_view member_id, std::string_view op_key) {
  Session session(db_);
  auto statement = session.Prepare(
      "operation abandon",
      "DELETE FROM operations WHERE member_id = ?1 AND op_key = ?2 AND state = 'started'");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, op_key);
  return statement->Run();
}

core::Result<std::optional<Operation>> OperationLog::Find(std::string_view member_id,
                                                          std::string_view op_key) {
  Session session(db_);
  auto statement = session.Prepare(
      "operation find",
      "SELECT state, result, at, sent FROM operations WHERE member_id = ?1 AND op_key = ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, op_key);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<Operation>();
  Operation operation;
  operation.state =
      statement->ColumnText(0) == "done" ? OperationState::kDone : OperationState::kStarted;
  operation.result = statement->ColumnText(1);
  operation.at = statement->ColumnInt64(2);
  operation.sent = statement->ColumnInt64(3) != 0;
  return std::optional<Operation>(std::move(operation));
}

}  // namespace store
