// Leads, deals, contacts and companies: reading input in either dialect, validating it against
// the portal's dictionaries, saving, firing events, recording lead and deal stage history, and
// printing rows (REST.md §7).
// Thread-safety: runs inside a Call, under State::mutex.
#pragma once

#include <string>
#include <vector>

#include "emulator/call.h"
#include "emulator/crm_fields.h"

namespace emu {

enum class Dialect { kLegacy, kItem };

// "DEAL_STAGE" for the default pipeline, "DEAL_STAGE_<n>" for the others.
std::string StageEntityId(long category_id);
// Rows of a crm.status dictionary, ordered by SORT.
std::vector<const json*> StatusesOf(const Portal& portal, const std::string& entity_id);
const json* FindStatus(const Portal& portal, const std::string& entity_id,
                       const std::string& status_id);

json* FindEntity(Portal& portal, const EntityKind& kind, long id);
// User fields defined for this entity (crm.*.userfield rows).
std::vector<const json*> UserFieldsOf(const Portal& portal, const EntityKind& kind);

// Converts API input into stored names and types; unknown and read-only fields are ignored,
// as Bitrix24 ignores them. Multifields stay in their input form for Save to merge.
tl::expected<json, RestError> ReadInput(Call& call, const EntityKind& kind, const json& fields,
                                        Dialect dialect);

tl::expected<long, RestError> CreateEntity(Call& call, const EntityKind& kind, json input);
// Returns whether anything changed. crm.item skips saving (and events) when nothing did;
// legacy update saves and fires ONCRM*UPDATE regardless.
tl::expected<bool, RestError> UpdateEntity(Call& call, const EntityKind& kind, long id, json input,
                                           Dialect dialect);
tl::expected<void, RestError> DeleteEntity(Call& call, const EntityKind& kind, long id);

// Moves a deal to another pipeline (crm.item.update with categoryId): fires
// ONCRMDEALMOVETOCATEGORY instead of an update event.
tl::expected<void, RestError> MoveDealToCategory(Call& call, json& deal, long category_id,
                                                 const std::string& stage_id);

// Stage history (crm.stagehistory.list): the TYPE_ID of a row. Creation on a final stage is
// written as a finalization, as Bitrix24 does; 4 (junk) is never written for leads or deals.
enum class HistoryType : int {
  kCreation = 1,
  kModification = 2,
  kFinalization = 3,
  kCategoryChange = 5,
};

// "P", "S" or "F" of a lead status or of a stage of the deal pipeline `category_id`; "P" for
// a stage the dictionary does not know.
std::string StageSemanticOf(const Portal& portal, const EntityKind& kind, long category_id,
                            const std::string& stage_id);

// Appends a row to the history of a lead (kind 1) or deal (kind 2); returns its ID, 0 for
// any other kind. `category_id` is ignored for leads.
long AppendStageHistory(Portal& portal, const EntityKind& kind, long owner_id, long category_id,
                        const std::string& stage_id, HistoryType type, double time);

// Prints a row. `select` empty means "what get returns": every field, multifields, UF.
json RenderLegacy(const Portal& portal, const EntityKind& kind, const json& row,
                  const std::vector<std::string>& select = {});
json RenderItem(const Portal& portal, const EntityKind& kind, const json& row,
                const std::vector<std::string>& select = {});

// The fields description of crm.*.fields (legacy) or crm.item.fields.
json DescribeFields(const Portal& portal, const EntityKind& kind, Dialect dialect);

// A list method over one entity kind: filter, order, select and paging in either dialect.
MethodResult ListEntities(Call& call, const EntityKind& kind, Dialect dialect);

// An integer field of a stored row; 0 when absent or null.
long IntField(const json& row, const char* key);

// A field as text: a string as it is, any other value as JSON; `fallback` when absent or null.
std::string TextField(const json& object, const char* key, const std::string& fallback = "");

// A positive integer from a JSON number or numeric string; 0 when absent or invalid.
long AsId(const json* value);

}  // namespace emu
