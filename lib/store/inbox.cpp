#include "lib/store/inbox.h"

#include <utility>

namespace store {
namespace {

tl::unexpected<core::Error> Fail(core::ErrorCode code, std::string message) {
  return tl::make_unexpected(core::Error{code, std::move(message)});
}

core::Result<int64_t> Count(Statement& statement) {
  auto row = statement.Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return Fail(core::ErrorCode::kInternal, "inbox depth: no row");
  return statement.ColumnInt64(0);
}

}  // namespace

core::Result<bool> Inbox::Enqueue(std::string_view member_id, std::string_view dedup_key,
                                  std::string_view event, std::string_view entity_type,
                                  int64_t entity_id, std::string_view payload, int64_t now) {
  Session session(db_);
  auto statement = session.Prepare(
      "inbox enqueue",
      "INSERT INTO inbox (member_id, dedup_key, event, entity_type, entity_id, payload, "
      "received_at, available_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
      "ON CONFLICT (member_id, dedup_key) DO NOTHING");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id)
      .Bind(2, dedup_key)
      .Bind(3, event)
      .Bind(4, entity_type)
      .Bind(5, entity_id)
      .Bind(6, payload)
      .Bind(7, now);
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes() > 0;
}

core::Result<std::optional<InboxEvent>> Inbox::Claim(int64_t now, int64_t lease_seconds) {
  Session session(db_);
  // The select and the lease must be one step for other processes too, hence the write lock.
  auto tx = session.Begin("inbox claim");
  if (!tx) return tl::make_unexpected(tx.error());
  // Any other row of the same entity that is older is still pending (acked rows are deleted), so
  // its mere presence blocks; a newer one only blocks while it holds a live lease, which cannot
  // normally happen but keeps "one at a time per entity" true regardless.
  auto select = session.Prepare(
      "inbox claim",
      "SELECT id, member_id, dedup_key, event, entity_type, entity_id, payload, received_at, "
      "attempts, available_at, last_error FROM inbox AS e "
      "WHERE e.done = 0 AND e.available_at <= ?1 AND (e.leased_until IS NULL OR e.leased_until < "
      "?1) "
      "AND NOT EXISTS (SELECT 1 FROM inbox AS o WHERE o.member_id = e.member_id AND o.done = 0 "
      "AND o.entity_type = e.entity_type AND o.entity_id = e.entity_id AND o.id <> e.id "
      "AND (o.id < e.id OR o.leased_until >= ?1)) "
      "ORDER BY e.id LIMIT 1");
  if (!select) return tl::make_unexpected(select.error());
  select->Bind(1, now);
  auto row = select->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<InboxEvent>();

  InboxEvent event;
  event.id = select->ColumnInt64(0);
  event.member_id = select->ColumnText(1);
  event.dedup_key = select->ColumnText(2);
  event.event = select->ColumnText(3);
  event.entity_type = select->ColumnText(4);
  event.entity_id = select->ColumnInt64(5);
  event.payload = select->ColumnText(6);
  event.received_at = select->ColumnInt64(7);
  event.attempts = static_cast<int>(select->ColumnInt64(8));
  event.available_at = select->ColumnInt64(9);
  event.last_error = select->ColumnText(10);
  event.leased_until = now + lease_seconds;
  select->Reset();  // no read in progress when the transaction commits

  auto lease = session.Prepare("inbox claim", "UPDATE inbox SET leased_until = ?2 WHERE id = ?1");
  if (!lease) return tl::make_unexpected(lease.error());
  lease->Bind(1, event.id).Bind(2, event.leased_until);
  if (auto ok = lease->Run(); !ok) return tl::make_unexpected(ok.error());
  if (auto ok = tx->Commit(); !ok) return tl::make_unexpected(ok.error());
  return std::optional<InboxEvent>(std::move(event));
}

core::Result<void> Inbox::Ack(int64_t id) {
  Session session(db_);
  auto statement =
      session.Prepare("inbox ack", "UPDATE inbox SET done = 1, leased_until = NULL WHERE id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, id);
  return statement->Run();
}

core::Result<void> Inbox::Retry(int64_t id, std::string_view error, int64_t available_at) {
  Session session(db_);
  auto statement = session.Prepare(
      "inbox retry",
      "UPDATE inbox SET attempts = attempts + 1, leased_until = NULL, last_error = ?2, "
      "available_at = ?3 WHERE id = ?1 AND done = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, id).Bind(2, error).Bind(3, available_at);
  return statement->Run();
}

core::Result<int64_t> Inbox::Depth(std::string_view member_id) {
  Session session(db_);
  auto statement = session.Prepare("inbox depth",
                                   "SELECT count(*) FROM inbox WHERE member_id = ?1 AND done = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  return Count(*statement);
}

core::Result<int64_t> Inbox::Depth() {
  Session session(db_);
  auto statement = session.Prepare("inbox depth", "SELECT count(*) FROM inbox WHERE done = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  return Count(*statement);
}

core::Result<int64_t> Inbox::Received(std::string_view member_id) {
  Session session(db_);
  auto statement =
      session.Prepare("inbox received", "SELECT count(*) FROM inbox WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  return Count(*statement);
}

core::Result<int64_t> Inbox::ReleaseLeases() {
  Session session(db_);
  auto statement = session.Prepare(
      "inbox release leases",
      "UPDATE inbox SET leased_until = NULL WHERE done = 0 AND leased_until IS NOT NULL");
  if (!statement) return tl::make_unexpected(statement.error());
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes();
}

core::Result<int64_t> Inbox::LastReceivedAt(std::string_view member_id) {
  Session session(db_);
  auto statement =
      session.Prepare("inbox last received",
                      "SELECT coalesce(max(received_at), 0) FROM inbox WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  return Count(*statement);
}

core::Result<int64_t> Inbox::PurgeDone(int64_t received_before) {
  Session session(db_);
  auto statement =
      session.Prepare("inbox purge", "DELETE FROM inbox WHERE done = 1 AND received_at < ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, received_before);
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes();
}

}  // namespace store
