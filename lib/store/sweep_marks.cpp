#include "lib/store/sweep_marks.h"

namespace store {

core::Result<std::optional<std::string>> SweepMarks::Get(std::string_view member_id,
                                                         std::string_view entity_type) {
  Session session(db_);
  auto statement = session.Prepare(
      "sweep mark get",
      "SELECT modified_since FROM sweep_marks WHERE member_id = ?1 AND entity_type = ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<std::string>();
  return std::optional<std::string>(statement->ColumnText(0));
}

core::Result<void> SweepMarks::Set(std::string_view member_id, std::string_view entity_type,
                                   std::string_view modified_since) {
  Session session(db_);
  auto statement = session.Prepare(
      "sweep mark set",
      "INSERT INTO sweep_marks (member_id, entity_type, modified_since) VALUES (?1, ?2, ?3) "
      "ON CONFLICT (member_id, entity_type) DO UPDATE SET modified_since = ?3");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type).Bind(3, modified_since);
  return statement->Run();
}

}  // namespace store
