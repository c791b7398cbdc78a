#include "lib/store/journey_store.h"

namespace store {

namespace {

core::Result<void> PutItem(Session& session, std::string_view member_id, const core::ItemFacts& f) {
  auto item = session.Prepare(
      "journey item",
      "INSERT INTO journey_items (member_id, entity_type, entity_id, journey_id, sales_deal_id, "
      "category_id, stage, semantic, responsible, source, region, amount, currency, title, "
      "created_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
      "(SELECT coalesce(max(seq), 0) + 1 FROM journey_items WHERE member_id = ?1)) "
      "ON CONFLICT (member_id, entity_type, entity_id) DO UPDATE SET journey_id = ?4, "
      "sales_deal_id = ?5, category_id = ?6, stage = ?7, semantic = ?8, responsible = ?9, "
      "source = ?10, region = ?11, amount = ?12, currency = ?13, title = ?14, created_at = ?15, "
      "seq = (SELECT coalesce(max(seq), 0) + 1 FROM journey_items WHERE member_id = ?1)");
  if (!item) return tl::make_unexpected(item.error());
  item->Bind(1, member_id)
      .Bind(2, f.entity_type)
      .Bind(3, f.entity_id)
      .Bind(4, f.journey_id)
      .Bind(5, f.sales_deal_id)
      .Bind(6, f.category_id)
      .Bind(7, f.stage)
      .Bind(8, f.semantic)
      .Bind(9, f.responsible)
      .Bind(10, f.source)
      .Bind(11, f.region)
      .Bind(12, f.amount)
      .Bind(13, f.currency)
      .Bind(14, f.title)
      .Bind(15, f.created_at);
  return item->Run();
}

core::Result<void> PutTransition(Session& session, std::string_view member_id,
                                 const core::Transition& t) {
  auto move = session.Prepare(
      "journey transition",
      "INSERT INTO transitions (member_id, entity_type, entity_id, at, stage, category_id, "
      "responsible) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
  if (!move) return tl::make_unexpected(move.error());
  move->Bind(1, member_id)
      .Bind(2, t.entity_type)
      .Bind(3, t.entity_id)
      .Bind(4, t.at)
      .Bind(5, t.stage)
      .Bind(6, t.category_id)
      .Bind(7, t.responsible);
  return move->Run();
}

// The columns ItemAt reads, in its order.
constexpr const char* kItemColumns =
    "entity_type, entity_id, journey_id, sales_deal_id, category_id, stage, semantic, "
    "responsible, source, region, amount, currency, title, created_at";

core::ItemFacts ItemAt(Statement& s) {
  core::ItemFacts f;
  f.entity_type = s.ColumnText(0);
  f.entity_id = s.ColumnInt64(1);
  f.journey_id = s.ColumnInt64(2);
  f.sales_deal_id = s.ColumnInt64(3);
  f.category_id = s.ColumnInt64(4);
  f.stage = s.ColumnText(5);
  f.semantic = s.ColumnText(6);
  f.responsible = s.ColumnInt64(7);
  f.source = s.ColumnText(8);
  f.region = s.ColumnText(9);
  f.amount = s.ColumnDouble(10);
  f.currency = s.ColumnText(11);
  f.title = s.ColumnText(12);
  f.created_at = s.ColumnInt64(13);
  return f;
}

// The columns TransitionAt reads, in its order.
constexpr const char* kTransitionColumns =
    "entity_type, entity_id, category_id, stage, responsible, at";

core::Transition TransitionAt(Statement& s, int first) {
  return {s.ColumnText(first),     s.ColumnInt64(first + 1), s.ColumnInt64(first + 2),
          s.ColumnText(first + 3), s.ColumnInt64(first + 4), s.ColumnInt64(first + 5)};
}

}  // namespace

core::Result<JourneyChanges> JourneyStore::ChangesSince(std::string_view member_id,
                                                        int64_t after_seq, int64_t after_rowid,
                                                        int limit) {
  Session session(db_);
  JourneyChanges changes;
  changes.seq = after_seq;
  changes.rowid = after_rowid;
  auto items = session.Prepare("journey changes",
                               std::string("SELECT ") + kItemColumns +
                                   ", seq FROM journey_items WHERE member_id = ?1 AND seq > ?2 "
                                   "ORDER BY seq LIMIT ?3");
  if (!items) return tl::make_unexpected(items.error());
  items->Bind(1, member_id).Bind(2, after_seq).Bind(3, limit);
  for (;;) {
    auto row = items->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    changes.items.push_back(ItemAt(*items));
    changes.seq = items->ColumnInt64(14);
  }
  auto moves = session.Prepare("transition changes",
                               std::string("SELECT rowid, ") + kTransitionColumns +
                                   " FROM transitions WHERE rowid > ?2 AND member_id = ?1 "
                                   "ORDER BY rowid LIMIT ?3");
  if (!moves) return tl::make_unexpected(moves.error());
  moves->Bind(1, member_id).Bind(2, after_rowid).Bind(3, limit);
  for (;;) {
    auto row = moves->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    changes.rowid = moves->ColumnInt64(0);
    changes.transitions.push_back(TransitionAt(*moves, 1));
  }
  changes.more = static_cast<int>(changes.items.size()) == limit ||
                 static_cast<int>(changes.transitions.size()) == limit;
  return changes;
}

core::Result<void> JourneyStore::Record(std::string_view member_id, const core::ItemFacts& f,
                                        const std::optional<core::Transition>& transition) {
  Session session(db_);
  auto tx = session.Begin("journey record");
  if (!tx) return tl::make_unexpected(tx.error());
  if (auto ok = PutItem(session, member_id, f); !ok) return ok;
  if (transition) {
    if (auto ok = PutTransition(session, member_id, *transition); !ok) return ok;
  }
  return tx->Commit();
}

core::Result<void> JourneyStore::RecordBackfill(std::string_view member_id,
                                                const core::BackfillRows& rows,
                                                const std::vector<core::BackfillList>& lists) {
  Session session(db_);
  auto tx = session.Begin("backfill record");
  if (!tx) return tl::make_unexpected(tx.error());
  for (const auto& item : rows.items) {
    if (auto ok = PutItem(session, member_id, item); !ok) return ok;
  }
  for (const auto& t : rows.transitions) {
    if (auto ok = PutTransition(session, member_id, t); !ok) return ok;
  }
  for (const auto& list : lists) {
    auto saved = session.Prepare(
        "backfill progress",
        "INSERT INTO backfills (member_id, kind, next_id, max_id, rows, skipped) VALUES (?1, ?2, "
        "?3, ?4, ?5, ?6) ON CONFLICT (member_id, kind) DO UPDATE SET next_id = ?3, max_id = ?4, "
        "rows = ?5, skipped = ?6");
    if (!saved) return tl::make_unexpected(saved.error());
    saved->Bind(1, member_id)
        .Bind(2, list.kind)
        .Bind(3, list.next_id)
        .Bind(4, list.max_id)
        .Bind(5, list.rows)
        .Bind(6, list.skipped);
    if (auto ok = saved->Run(); !ok) return ok;
  }
  return tx->Commit();
}

core::Result<std::vector<core::BackfillList>> JourneyStore::BackfillProgress(
    std::string_view member_id) {
  Session session(db_);
  auto statement = session.Prepare("backfill progress read",
                                   "SELECT kind, next_id, max_id, rows, skipped FROM backfills "
                                   "WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  std::vector<core::BackfillList> saved;
  for (;;) {
    auto row = statement->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    saved.push_back({statement->ColumnText(0), statement->ColumnInt64(1), statement->ColumnInt64(2),
                     statement->ColumnInt64(3), statement->ColumnText(4)});
  }
  if (saved.empty()) return saved;
  // In the plan's order, whatever order the table keeps.
  std::vector<core::BackfillList> lists = core::BackfillLists();
  for (auto& list : lists) {
    for (const auto& s : saved) {
      if (s.kind == list.kind) list = s;
    }
  }
  return lists;
}

core::Result<void> JourneyStore::ResetBackfill(std::string_view member_id) {
  Session session(db_);
  auto statement = session.Prepare("backfill reset", "DELETE FROM backfills WHERE member_id = ?1");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id);
  return statement->Run();
}

core::Result<std::optional<int64_t>> JourneyStore::JourneyOf(std::string_view member_id,
                                                             std::string_view entity_type,
                                                             int64_t entity_id) {
  Session session(db_);
  auto statement = session.Prepare("journey of an item",
                                   "SELECT journey_id FROM journey_items WHERE member_id = ?1 "
                                   "AND entity_type = ?2 AND entity_id = ?3");
  if (!statement) return tl::make_unexpected(statement.error());
  statement->Bind(1, member_id).Bind(2, entity_type).Bind(3, entity_id);
  auto row = statement->Step();
  if (!row) return tl::make_unexpected(row.error());
  if (!*row) return std::optional<int64_t>{};
  return std::optional<int64_t>{statement->ColumnInt64(0)};
}

core::Result<JourneyView> JourneyStore::Journey(std::string_view member_id, int64_t journey_id) {
  Session session(db_);
  JourneyView view;
  auto items = session.Prepare("journey items",
                               std::string("SELECT ") + kItemColumns +
                                   " FROM journey_items WHERE member_id = ?1 AND journey_id = ?2 "
                                   "ORDER BY entity_type DESC, entity_id");
  if (!items) return tl::make_unexpected(items.error());
  items->Bind(1, member_id).Bind(2, journey_id);
  for (;;) {
    auto row = items->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    view.items.push_back(ItemAt(*items));
  }
  auto moves = session.Prepare(
      "journey transitions",
      "SELECT t.entity_type, t.entity_id, t.category_id, t.stage, t.responsible, t.at "
      "FROM transitions AS t JOIN journey_items AS i ON i.member_id = t.member_id AND "
      "i.entity_type = t.entity_type AND i.entity_id = t.entity_id "
      "WHERE i.member_id = ?1 AND i.journey_id = ?2 ORDER BY t.at, t.rowid");
  if (!moves) return tl::make_unexpected(moves.error());
  moves->Bind(1, member_id).Bind(2, journey_id);
  for (;;) {
    auto row = moves->Step();
    if (!row) return tl::make_unexpected(row.error());
    if (!*row) break;
    view.transitions.push_back(TransitionAt(*moves, 0));
  }
  return view;
}

}  // namespace store
