#include "lib/core/report_index.h"

#include <algorithm>

namespace core {

uint32_t TextTable::Intern(std::string_view text) {
  const auto found = ids_.find(std::string(text));
  if (found != ids_.end()) return found->second;
  const auto id = static_cast<uint32_t>(texts_.size());
  texts_.emplace_back(text);
  ids_.emplace(texts_.back(), id);
  return id;
}

uint32_t TextTable::Find(std::string_view text) const {
  const auto found = ids_.find(std::string(text));
  return found == ids_.end() ? kNone : found->second;
}

IndexedItem& ReportIndex::ItemFor(const std::string& entity_type, int64_t entity_id) {
  auto& by_id = entity_type == "lead" ? leads_ : deals_;
  const auto [it, added] = by_id.emplace(entity_id, static_cast<uint32_t>(items_.size()));
  if (added) {
    items_.emplace_back();
    items_.back().entity_id = entity_id;
    items_.back().is_deal = entity_type != "lead";
  }
  return items_[it->second];
}

void ReportIndex::Put(const ItemFacts& facts) {
  IndexedItem& item = ItemFor(facts.entity_type, facts.entity_id);
  const auto index = static_cast<uint32_t>(&item - items_.data());
  if (!item.known || item.journey != facts.journey_id) {
    if (item.known) {
      auto& old = journeys_[item.journey];
      old.erase(std::remove(old.begin(), old.end(), index), old.end());
      if (old.empty()) journeys_.erase(item.journey);
    }
    journeys_[facts.journey_id].push_back(index);
  }
  item.known = true;
  item.journey = facts.journey_id;
  item.category = facts.category_id;
  item.responsible = facts.responsible;
  item.created_at = facts.created_at;
  item.amount = facts.amount;
  item.title = facts.title;
  item.stage = texts_.Intern(facts.stage);
  item.source = texts_.Intern(facts.source);
  item.region = texts_.Intern(facts.region);
  item.currency = texts_.Intern(facts.currency);
  item.semantic = facts.semantic.empty() ? 'P' : facts.semantic[0];
}

void ReportIndex::Add(const Transition& move) {
  IndexedItem& item = ItemFor(move.entity_type, move.entity_id);
  const IndexedMove indexed{move.at, move.responsible, texts_.Intern(move.stage)};
  // Moves arrive in time order but for the backfill's older history: insert after equals.
  const auto at =
      std::upper_bound(item.moves.begin(), item.moves.end(), indexed,
                       [](const IndexedMove& a, const IndexedMove& b) { return a.at < b.at; });
  item.moves.insert(at, indexed);
  ++moves_;
}

}  // namespace core
