#include "lib/store/decision_log.h"

#include <nlohmann/json.hpp>

namespace store {
namespace {

constexpr const char* kDecisionColumns =
    "SELECT id, at, kind, entity_type, entity_id, settings_version, body FROM decisions ";

core::Result<std::vector<JournalEntry>> ReadAll(Statement& statement) {
  std::vector<JournalEntry> entries;
  for (;;) {
    auto row = statement.Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    JournalEntry entry;
    entry.id = statement.ColumnInt64(0);
    entry.at = statement.ColumnInt64(1);
    entry.decision.kind = statement.ColumnText(2);
    entry.decision.entity_type = statement.ColumnText(3);
    entry.decision.entity_id = statement.ColumnInt64(4);
    entry.decision.settings_version = static_cast<int>(statement.ColumnInt64(5));
    auto body = nlohmann::json::parse(statement.ColumnText(6), nullptr, false);
    if (body.is_object()) {
      const auto assignee = body.find("assignee");
      if (assignee != body.end() && assignee->is_number_integer())
        entry.decision.assignee = assignee->get<int64_t>();
      body.erase("assignee");
      entry.decision.body = std::move(body);
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

core::Result<void> DecisionLog::Append(std::string_view member_id, const core::Decision& decision,
                                       int64_t at) {
  nlohmann::json body = decision.body.is_object() ? decision.body : nlohmann::json::object();
  body["assignee"] = decision.assignee;
  Session session(db_);
  auto statement = session.Prepare(
      "decision append",
      "INSERT INTO decisions (member_id, at, kind, entity_type, entity_id, settings_version, "
      "body, handed_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id)
      .Bind(2, at)
      .Bind(3, decision.kind)
      .Bind(4, decision.entity_type)
      .Bind(5, decision.entity_id)
      .Bind(6, static_cast<int64_t>(decision.settings_version))
      .Bind(7, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace))
      .Bind(8, core::IsHandOut(decision) ? decision.assignee : int64_t{0});
  return statement->Run();
}

core::Result<std::map<int64_t, HandOuts>> DecisionLog::HandOutsSince(std::string_view member_id,
                                                                     int64_t since) {
  Session session(db_);
  auto statement =
      session.Prepare("decision hand-outs",
                      "SELECT handed_to, COUNT(*), MAX(at) FROM decisions "
                      "WHERE member_id = ?1 AND at >= ?2 AND handed_to > 0 GROUP BY handed_to");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, since);
  std::map<int64_t, HandOuts> out;
  for (;;) {
    auto row = statement->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    out[statement->ColumnInt64(0)] = {static_cast<int>(statement->ColumnInt64(1)),
                                      statement->ColumnInt64(2)};
  }
  return out;
}

core::Result<std::vector<JournalEntry>> DecisionLog::ForEntity(std::string_view member_id,
                                                               std::string_view entity_type,
                                                               int64_t entity_id) {
  Session session(db_);
  auto statement = session.Prepare(
      "decisions of an entity",
      std::string(kDecisionColumns) +
          "WHERE member_id = ?1 AND entity_type = ?2 AND entity_id = ?3 ORDER BY id");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type).Bind(3, entity_id);
  return ReadAll(*statement);
}

core::Result<std::vector<JournalEntry>> DecisionLog::Recent(std::string_view member_id, int limit) {
  Session session(db_);
  auto statement = session.Prepare(
      "recent decisions",
      std::string(kDecisionColumns) + "WHERE member_id = ?1 ORDER BY at DESC, id DESC LIMIT ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, static_cast<int64_t>(limit));
  return ReadAll(*statement);
}

core::Result<std::vector<JournalEntry>> DecisionLog::Since(std::string_view member_id, int64_t at,
                                                           int limit) {
  Session session(db_);
  auto statement = session.Prepare(
      "decisions since",
      std::string(kDecisionColumns) + "WHERE member_id = ?1 AND at >= ?2 ORDER BY at, id LIMIT ?3");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, at).Bind(3, static_cast<int64_t>(limit));
  return ReadAll(*statement);
}

}  // namespace store
