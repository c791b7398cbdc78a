// The reports' working set (issue #5, item 2): every lead and deal of a portal with its stage
// moves, kept compact in memory so a report over a million journeys is a scan, not a query.
// Fed from the journey store (whole at first, then what changed since), never from REST.
// Pure: no I/O. Thread-safety: plain value; the owner serialises access.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/core/journey.h"

namespace core {

// Texts that repeat (stage ids, sources, regions, currencies) are kept once and named by number.
class TextTable {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  uint32_t Intern(std::string_view text);
  uint32_t Find(std::string_view text) const;  // kNone when never interned
  const std::string& Text(uint32_t id) const { return texts_[id]; }

 private:
  std::vector<std::string> texts_;
  std::unordered_map<std::string, uint32_t> ids_;
};

struct IndexedMove {
  int64_t at = 0;
  int64_t responsible = 0;
  uint32_t stage = 0;
};

struct IndexedItem {
  int64_t entity_id = 0;
  int64_t journey = 0;
  int64_t category = -1;  // -1 for leads
  int64_t responsible = 0;
  int64_t created_at = 0;
  double amount = 0;
  std::string title;
  uint32_t stage = TextTable::kNone;
  uint32_t source = TextTable::kNone;
  uint32_t region = TextTable::kNone;
  uint32_t currency = TextTable::kNone;
  char semantic = 'P';  // 'P' in progress, 'S' won, 'F' lost
  bool is_deal = false;
  bool known = false;              // its facts arrived (a move may arrive first)
  std::vector<IndexedMove> moves;  // oldest first
};

class ReportIndex {
 public:
  // The item's latest facts.
  void Put(const ItemFacts& facts);
  // A move; kept in time order within its item.
  void Add(const Transition& move);

  const std::vector<IndexedItem>& items() const { return items_; }
  // Journey id -> its items (indexes into items()).
  const std::unordered_map<int64_t, std::vector<uint32_t>>& journeys() const { return journeys_; }
  const TextTable& texts() const { return texts_; }
  std::size_t move_count() const { return moves_; }

 private:
  IndexedItem& ItemFor(const std::string& entity_type, int64_t entity_id);

  std::vector<IndexedItem> items_;
  std::unordered_map<int64_t, uint32_t> leads_, deals_;  // entity id -> index
  std::unordered_map<int64_t, std::vector<uint32_t>> journeys_;
  TextTable texts_;
  std::size_t moves_ = 0;
};

}  // namespace core
