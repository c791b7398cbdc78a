#include "lib/store/snapshot_store.h"

#include <utility>

namespace store {

core::Result<std::optional<Snapshot>> SnapshotStore::Get(std::string_view member_id,
                                                         std::string_view entity_type,
                                                         int64_t entity_id) {
  Session session(db_);
  auto statement = session.Prepare("snapshot get",
                                   "SELECT fields, modified, hash FROM snapshots "
                                   "WHERE member_id = ?1 AND entity_type = ?2 AND entity_id = ?3");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type).Bind(3, entity_id);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<Snapshot>();
  Snapshot snapshot;
  snapshot.fields = statement->ColumnText(0);
  snapshot.modified = statement->ColumnText(1);
  snapshot.hash = statement->ColumnText(2);
  return std::optional<Snapshot>(std::move(snapshot));
}

core::Result<void> SnapshotStore::Put(std::string_view member_id, std::string_view entity_type,
                                      int64_t entity_id, const Snapshot& snapshot) {
  Session session(db_);
  auto statement = session.Prepare(
      "snapshot put",
      "INSERT INTO snapshots (member_id, entity_type, entity_id, fields, modified, hash) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (member_id, entity_type, entity_id) "
      "DO UPDATE SET fields = ?4, modified = ?5, hash = ?6");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id)
      .Bind(2, entity_type)
      .Bind(3, entity_id)
      .Bind(4, snapshot.fields)
      .Bind(5, snapshot.modified)
      .Bind(6, snapshot.hash);
  return statement->Run();
}

core::Result<void> SnapshotStore::SetHorizon(std::string_view member_id,
                                             std::string_view entity_type, const Horizon& horizon) {
  Session session(db_);
  auto statement =
      session.Prepare("snapshot horizon set",
                      "INSERT INTO snapshot_horizons (member_id, entity_type, up_to_id, modified) "
                      "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (member_id, entity_type) DO NOTHING");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id)
      .Bind(2, entity_type)
      .Bind(3, horizon.up_to_id)
      .Bind(4, horizon.modified);
  return statement->Run();
}

core::Result<std::optional<Horizon>> SnapshotStore::HorizonOf(std::string_view member_id,
                                                              std::string_view entity_type) {
  Session session(db_);
  auto statement = session.Prepare(
      "snapshot horizon get",
      "SELECT up_to_id, modified FROM snapshot_horizons WHERE member_id = ?1 AND entity_type = ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<Horizon>();
  return std::optional<Horizon>(Horizon{statement->ColumnInt64(0), statement->ColumnText(1)});
}

}  // namespace store
