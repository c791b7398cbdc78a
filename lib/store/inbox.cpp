#include "lib/store/inbox.h"

#include <algorithm>
#include <utility>

namespace store {
namespace {

core::Result<int64_t> Count(Statement& statement) {
  auto row = statement.Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return core::Fail(core::ErrorCode::kInternal, "inbox depth: no row");
  return statement.ColumnInt64(0);
}

}  // namespace

struct Inbox::PendingEnqueue {
  std::string_view member_id, dedup_key, event, entity_type;
  int64_t entity_id;
  std::string_view payload;
  int64_t now;
  core::Result<bool> result = false;
  bool done = false;
};

core::Result<bool> Inbox::Enqueue(std::string_view member_id, std::string_view dedup_key,
                                  std::string_view event, std::string_view entity_type,
                                  int64_t entity_id, std::string_view payload, int64_t now) {
  PendingEnqueue mine{member_id, dedup_key, event, entity_type, entity_id, payload, now};
  std::unique_lock<std::mutex> lock(group_mutex_);
  waiting_.push_back(&mine);
  // Leader/follower: whoever finds no commit in progress writes everything waiting, including
  // rows that arrived while the previous group was being written.
  while (!mine.done) {
    if (committing_) {
      group_done_.wait(lock);
      continue;
    }
    committing_ = true;
    std::vector<PendingEnqueue*> group;
    group.swap(waiting_);
    lock.unlock();
    CommitGroup(group);
    lock.lock();
    for (auto* entry : group) entry->done = true;
    committing_ = false;
    group_done_.notify_all();
  }
  return mine.result;
}

void Inbox::CommitGroup(const std::vector<PendingEnqueue*>& group) {
  const auto fail_all = [&](const core::Error& error) {
    for (auto* entry : group) entry->result = tl::make_unexpected(error);
  };
  Session session(db_);
  // An acknowledged event survives a power loss: this commit waits for the WAL to reach the
  // disk (and with it every commit before it). One sync covers the whole group.
  if (auto full = session.Exec("inbox enqueue", "PRAGMA synchronous=FULL"); !full)
    return fail_all(full.error());
  struct Relax {
    Session& session;
    ~Relax() { (void)session.Exec("inbox enqueue", "PRAGMA synchronous=NORMAL"); }
  } relax{session};
  auto tx = session.Begin("inbox enqueue");
  if (!tx) return fail_all(tx.error());
  auto statement = session.Prepare(
      "inbox enqueue",
      "INSERT INTO inbox (member_id, dedup_key, event, entity_type, entity_id, payload, "
      "received_at, available_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7) "
      "ON CONFLICT (member_id, dedup_key) DO NOTHING");
  if (!statement) return fail_all(statement.error());
  for (auto* entry : group) {
    statement->Bind(1, entry->member_id)
        .Bind(2, entry->dedup_key)
        .Bind(3, entry->event)
        .Bind(4, entry->entity_type)
        .Bind(5, entry->entity_id)
        .Bind(6, entry->payload)
        .Bind(7, entry->now);
    // A failing row (say, an unknown portal) is undone alone; the others still commit.
    auto ok = statement->Run();
    entry->result = ok ? core::Result<bool>(session.Changes() > 0)
                       : core::Result<bool>(tl::make_unexpected(ok.error()));
    statement->Reset();
  }
  if (auto ok = tx->Commit(); !ok) fail_all(ok.error());
}

core::Result<std::optional<InboxEvent>> Inbox::Claim(int64_t now, int64_t lease_seconds) {
  auto claimed = ClaimMany(now, lease_seconds, 1);
  if (!claimed) return tl::make_unexpected(claimed.error());
  if (claimed->empty()) return std::optional<InboxEvent>();
  return std::optional<InboxEvent>(std::move(claimed->front()));
}

core::Result<std::vector<InboxEvent>> Inbox::ClaimMany(int64_t now, int64_t lease_seconds,
                                                       int max) {
  Session session(db_);
  // The select and the leases must be one step for other processes too, hence the write lock.
  auto tx = session.Begin("inbox claim");
  if (!tx) return tl::make_unexpected(tx.error());
  // The rows are of one portal: a portal's round plans its events together (REST economy,
  // issue #4), so a portal whose events another round holds is passed over. Of the others,
  // the one with the oldest pending event goes first. Each step is an index seek per portal
  // with pending events (index inbox_pending_portal), never a walk over a backlog.
  auto next_portal =
      session.Prepare("inbox claim",
                      "SELECT member_id, id FROM inbox INDEXED BY inbox_pending_portal "
                      "WHERE done = 0 AND member_id > ?1 ORDER BY member_id, id LIMIT 1");
  auto leased = session.Prepare("inbox claim",
                                "SELECT 1 FROM inbox INDEXED BY inbox_leases "
                                "WHERE member_id = ?1 AND done = 0 AND leased_until >= ?2 LIMIT 1");
  if (!next_portal) return tl::make_unexpected(next_portal.error());
  if (!leased) return tl::make_unexpected(leased.error());
  std::vector<std::pair<int64_t, std::string>> portals;  // oldest pending id, portal
  for (std::string after;;) {
    next_portal->Bind(1, after);
    auto row = next_portal->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    after = next_portal->ColumnText(0);
    const int64_t oldest = next_portal->ColumnInt64(1);
    next_portal->Reset();
    leased->Bind(1, after).Bind(2, now);
    auto held = leased->Step();
    if (!held) return tl::make_unexpected(held.error());
    leased->Reset();
    if (!*held) portals.emplace_back(oldest, after);
  }
  next_portal->Reset();
  std::sort(portals.begin(), portals.end());
  // Only the oldest pending row of an entity is eligible (an older one's mere presence blocks),
  // so the rows returned are of distinct entities; a newer one blocks only while it holds a
  // live lease, which cannot normally happen but keeps "one at a time per entity" true.
  auto select = session.Prepare(
      "inbox claim",
      "SELECT id, member_id, dedup_key, event, entity_type, entity_id, payload, received_at, "
      "attempts, available_at, last_error FROM inbox AS e INDEXED BY inbox_pending_portal "
      "WHERE e.done = 0 AND e.member_id = ?3 AND e.available_at <= ?1 "
      "AND (e.leased_until IS NULL OR e.leased_until < ?1) "
      "AND NOT EXISTS (SELECT 1 FROM inbox AS o WHERE o.member_id = e.member_id AND o.done = 0 "
      "AND o.entity_type = e.entity_type AND o.entity_id = e.entity_id AND o.id <> e.id "
      "AND (o.id < e.id OR o.leased_until >= ?1)) ORDER BY e.id LIMIT ?2");
  if (!select) return tl::make_unexpected(select.error());
  std::vector<InboxEvent> events;
  for (const auto& [oldest, member_id] : portals) {
    select->Bind(1, now).Bind(2, static_cast<int64_t>(max)).Bind(3, member_id);
    for (;;) {
      auto row = select->Step();
      if (!row) return tl::make_unexpected(row.error());
      if (!*row) break;
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
      events.push_back(std::move(event));
    }
    select->Reset();  // no read in progress when the transaction commits
    if (!events.empty()) break;
  }
  if (events.empty()) return events;

  auto lease = session.Prepare("inbox claim", "UPDATE inbox SET leased_until = ?2 WHERE id = ?1");
  if (!lease) return tl::make_unexpected(lease.error());
  for (const auto& event : events) {
    lease->Bind(1, event.id).Bind(2, event.leased_until);
    if (auto ok = lease->Run(); !ok) return tl::make_unexpected(ok.error());
    lease->Reset();
  }
  if (auto ok = tx->Commit(); !ok) return tl::make_unexpected(ok.error());
  return events;
}

core::Result<void> Inbox::Extend(const std::vector<int64_t>& ids, int64_t leased_until) {
  Session session(db_);
  auto tx = session.Begin("inbox extend");
  if (!tx) return tl::make_unexpected(tx.error());
  auto extend = session.Prepare("inbox extend",
                                "UPDATE inbox SET leased_until = ?2 "
                                "WHERE id = ?1 AND done = 0 AND leased_until IS NOT NULL");
  if (!extend) return tl::make_unexpected(extend.error());
  for (const int64_t id : ids) {
    extend->Bind(1, id).Bind(2, leased_until);
    if (auto ok = extend->Run(); !ok) return tl::make_unexpected(ok.error());
    extend->Reset();
  }
  return tx->Commit();
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
