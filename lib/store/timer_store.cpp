#include "lib/store/timer_store.h"

namespace store {

core::Result<bool> TimerStore::Schedule(std::string_view member_id, std::string_view key,
                                        std::string_view kind, int64_t due_at,
                                        std::string_view payload) {
  Session session(db_);
  // A fired timer's key is NULL (Done), so the UNIQUE (member_id, dedup_key) constraint holds
  // only among pending timers.
  auto statement = session.Prepare(
      "timer schedule",
      "INSERT INTO timers (member_id, due_at, kind, payload, dedup_key) VALUES (?1, ?2, ?3, ?4, "
      "?5) ON CONFLICT (member_id, dedup_key) DO NOTHING");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, due_at).Bind(3, kind).Bind(4, payload).Bind(5, key);
  if (auto ok = statement->Run(); !ok) return tl::make_unexpected(ok.error());
  return session.Changes() > 0;
}

core::Result<std::vector<StoredTimer>> TimerStore::Due(int64_t now, int max) {
  Session session(db_);
  auto statement = session.Prepare("timer due",
                                   "SELECT id, member_id, due_at, kind, payload FROM timers "
                                   "WHERE done = 0 AND due_at <= ?1 ORDER BY due_at, id LIMIT ?2");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, now).Bind(2, max);
  std::vector<StoredTimer> timers;
  for (;;) {
    auto row = statement->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    timers.push_back({statement->ColumnInt64(0), statement->ColumnText(1),
                      statement->ColumnInt64(2), statement->ColumnText(3),
                      statement->ColumnText(4)});
  }
  return timers;
}

core::Result<void> TimerStore::Done(int64_t id) {
  Session session(db_);
  auto statement =
      session.Prepare("timer done", "UPDATE timers SET done = 1, dedup_key = NULL WHERE id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, id);
  return statement->Run();
}

core::Result<int64_t> TimerStore::Pending(std::string_view member_id) {
  Session session(db_);
  auto statement = session.Prepare("timer pending",
                                   "SELECT count(*) FROM timers WHERE member_id = ?1 AND done = 0");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  return statement->ColumnInt64(0);
}

}  // namespace store
