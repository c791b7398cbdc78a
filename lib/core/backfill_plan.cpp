#include "lib/core/backfill_plan.h"

#include <algorithm>

#include "lib/core/change.h"
#include "lib/core/working_time.h"

namespace core {
namespace {

using json = nlohmann::json;

bool IsHistory(const std::string& kind) { return kind.size() > 8 && kind.substr(4) == "_history"; }
std::string EntityOf(const std::string& kind) { return kind.substr(0, 4); }

// The list call of a kind, without its ID filter.
ListCommand ListOf(const std::string& kind) {
  const std::string entity = EntityOf(kind);
  if (IsHistory(kind)) {
    // Docs: api-reference/crm/crm-stage-history-list.md (entityTypeId 1 leads, 2 deals).
    return {"", "crm.stagehistory.list", {{"entityTypeId", entity == "lead" ? 1 : 2}}};
  }
  json select = {"ID",          "TITLE",       "ASSIGNED_BY_ID", "SOURCE_ID",
                 "OPPORTUNITY", "CURRENCY_ID", "DATE_CREATE",    "DATE_MODIFY"};
  if (entity == "lead") {
    for (const char* field : {"STATUS_ID", "STATUS_SEMANTIC_ID", "ADDRESS_REGION"})
      select.push_back(field);
  } else {
    for (const char* field :
         {"CATEGORY_ID", "STAGE_ID", "STAGE_SEMANTIC_ID", "LEAD_ID", "UF_CRM_CONVEYOR_SALES_DEAL"})
      select.push_back(field);
  }
  return {"", "crm." + entity + ".list", {{"select", select}}};
}

const json& RowsOf(const json& result) {
  // Lists answer an array; crm.stagehistory.list answers {"items": [...]}.
  if (result.is_object() && result.contains("items")) return result["items"];
  return result;
}

}  // namespace

std::vector<BackfillList> BackfillLists() {
  std::vector<BackfillList> lists;
  for (const char* kind : {"lead", "deal", "lead_history", "deal_history"}) {
    lists.emplace_back();
    lists.back().kind = kind;
  }
  return lists;
}

std::vector<ListCommand> NextBackfillBatch(const std::vector<BackfillList>& lists) {
  std::vector<ListCommand> batch;
  for (const auto& list : lists) {
    if (list.max_id >= 0 || !list.skipped.empty()) continue;
    for (const char* end : {"min", "max"}) {
      ListCommand c = ListOf(list.kind);
      c.key = list.kind + ":" + end;
      c.params["order"] = {{"ID", std::string(end) == "min" ? "ASC" : "DESC"}};
      c.params["select"] = {"ID"};
      c.params["start"] = -1;
      batch.push_back(std::move(c));
    }
  }
  if (!batch.empty()) return batch;
  for (const auto& list : lists) {
    for (int64_t lo = list.next_id; lo <= list.max_id; lo += kRowsPerPage) {
      if (static_cast<int>(batch.size()) == kCommandsPerBatch) return batch;
      ListCommand c = ListOf(list.kind);
      c.key = list.kind + ":" + std::to_string(lo);
      c.params["filter"] = {{">=ID", lo}, {"<ID", lo + kRowsPerPage}};
      c.params["order"] = {{"ID", "ASC"}};
      c.params["start"] = -1;  // no count: the fast export of the docs' huge-data advice
      batch.push_back(std::move(c));
    }
  }
  return batch;
}

void SkipBackfillList(std::vector<BackfillList>& lists, const std::string& key,
                      const std::string& why) {
  const std::string kind = key.substr(0, key.rfind(':'));
  for (auto& list : lists) {
    if (list.kind == kind) list.skipped = why.empty() ? "not offered" : why;
  }
}

std::optional<BackfillRows> ApplyBackfillAnswer(std::vector<BackfillList>& lists,
                                                const std::string& key, const json& result) {
  const auto colon = key.rfind(':');
  if (colon == std::string::npos) return std::nullopt;
  const std::string kind = key.substr(0, colon);
  const auto list = std::find_if(lists.begin(), lists.end(),
                                 [&kind](const BackfillList& l) { return l.kind == kind; });
  if (list == lists.end()) return std::nullopt;
  const json& rows = RowsOf(result);
  BackfillRows out;
  if (key.substr(colon + 1) == "max") {
    list->max_id = rows.is_array() && !rows.empty() ? IdField(rows[0], "ID") : 0;
    return out;
  }
  if (key.substr(colon + 1) == "min") {
    if (rows.is_array() && !rows.empty())
      list->next_id = std::max(list->next_id, IdField(rows[0], "ID"));
    return out;
  }
  int64_t lo = 0;
  try {
    lo = std::stoll(key.substr(colon + 1));
  } catch (const std::exception&) {
    return std::nullopt;
  }
  // Ranges are answered in order within a batch; a later range done first never moves next_id
  // back.
  list->next_id = std::max(list->next_id, lo + kRowsPerPage);
  if (!rows.is_array()) return out;
  const std::string entity = EntityOf(kind);
  for (const auto& row : rows) {
    if (!row.is_object()) continue;
    ++list->rows;
    if (!IsHistory(kind)) {
      out.items.push_back(FactsOf(entity, row));
      continue;
    }
    Transition t;
    t.entity_type = entity;
    t.entity_id = IdField(row, "OWNER_ID");
    t.category_id = entity == "lead" ? -1 : IdField(row, "CATEGORY_ID");
    t.stage = TextField(row, entity == "lead" ? "STATUS_ID" : "STAGE_ID");
    auto at = ParseLocalTime(TextField(row, "CREATED_TIME"));
    t.at = at ? *at : 0;
    if (t.entity_id > 0 && !t.stage.empty()) out.transitions.push_back(std::move(t));
  }
  return out;
}

}  // namespace core
