#include "emulator/crm_store.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <set>

#include "emulator/envelope.h"
#include "emulator/events.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

bool IsRef(FieldType t) {
  switch (t) {
    case FieldType::kInt:
    case FieldType::kUser:
    case FieldType::kCategory:
    case FieldType::kLead:
    case FieldType::kContact:
    case FieldType::kCompany:
    case FieldType::kDeal:
      return true;
    case FieldType::kMoney:
    case FieldType::kDouble:
    case FieldType::kString:
    case FieldType::kChar:
    case FieldType::kDate:
    case FieldType::kDateTime:
    case FieldType::kStatus:
    case FieldType::kCurrency:
    case FieldType::kMulti:
    case FieldType::kIntList:
    case FieldType::kUserField:
      return false;
  }
  return false;
}

bool ParseLong(const std::string& s, long& out) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

json CoerceInt(const json& v) {
  if (v.is_number_integer()) return v.get<long>();
  if (v.is_number()) return static_cast<long>(v.get<double>());
  long out = 0;
  if (v.is_string() && ParseLong(v.get<std::string>(), out)) return out;
  return nullptr;
}

json CoerceDouble(const json& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    double out = 0;
    const auto& s = v.get_ref<const std::string&>();
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec == std::errc() && end == s.data() + s.size()) return out;
  }
  return nullptr;
}

std::string CoerceChar(const json& v) {
  if (v.is_boolean()) return v.get<bool>() ? "Y" : "N";
  if (v.is_number()) return v.get<double>() != 0 ? "Y" : "N";
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return (s == "Y" || s == "y" || s == "1" || s == "true") ? "Y" : "N";
  }
  return "N";
}

json AsArray(const json& v) {
  if (v.is_array()) return v;
  if (v.is_object()) {
    json out = json::array();
    for (const auto& item : v) out.push_back(item);
    return out;
  }
  if (v.is_null()) return json::array();
  return json::array({v});
}

tl::expected<json, RestError> Coerce(const FieldSpec& f, const json& v, int tz) {
  if (IsRef(f.type)) return CoerceInt(v);
  switch (f.type) {
    case FieldType::kMoney:
    case FieldType::kDouble:
      return CoerceDouble(v);
    case FieldType::kChar:
      return json(CoerceChar(v));
    case FieldType::kDate:
    case FieldType::kDateTime: {
      if (v.is_null() || (v.is_string() && v.get<std::string>().empty())) return json(nullptr);
      double t = 0;
      if (!v.is_string() || !ParseIsoTime(v.get<std::string>(), tz, t)) {
        return Fail(400, "", "Field '" + f.name + "' has an invalid date value.");
      }
      return json(t);
    }
    case FieldType::kIntList: {
      json out = json::array();
      for (const auto& item : AsArray(v)) {
        json id = CoerceInt(item);
        if (id.is_number()) out.push_back(id);
      }
      return out;
    }
    case FieldType::kMulti:
      return AsArray(v);
    case FieldType::kUserField: {
      if (v.is_array() || v.is_object()) {
        json out = json::array();
        for (const auto& item : AsArray(v))
          out.push_back(item.is_string() ? item : json(item.dump()));
        return out;
      }
      return v.is_string() ? v : (v.is_null() ? json("") : json(v.dump()));
    }
    case FieldType::kString:
    case FieldType::kStatus:
    case FieldType::kCurrency:
      return v.is_string() ? v : (v.is_null() ? json("") : json(v.dump()));
    case FieldType::kInt:
    case FieldType::kUser:
    case FieldType::kCategory:
    case FieldType::kLead:
    case FieldType::kContact:
    case FieldType::kCompany:
    case FieldType::kDeal:
      break;
  }
  return v;
}

std::string Semantic(const json* status) {
  if (status == nullptr) return "P";
  const json& s = (*status)["SEMANTICS"];
  return s.is_string() ? s.get<std::string>() : "P";
}

// Applies multifield input (REST.md §7.2): no ID appends; ID + VALUE replaces;
// ID + DELETE=Y or an empty VALUE removes.
void MergeMultifield(Portal& portal, json& current, const std::string& type_id, const json& input) {
  if (!current.is_array()) current = json::array();
  for (const auto& item : input) {
    if (!item.is_object()) continue;
    const long id = AsId(item.contains("ID") ? &item["ID"] : nullptr);
    const std::string value =
        item.value("VALUE", json("")).is_string() ? item.value("VALUE", "") : item["VALUE"].dump();
    const std::string value_type = item.value("VALUE_TYPE", "WORK");
    if (id == 0) {
      if (value.empty()) continue;
      current.push_back({{"ID", portal.NextId("multifield")},
                         {"VALUE_TYPE", value_type},
                         {"VALUE", value},
                         {"TYPE_ID", type_id}});
      continue;
    }
    for (size_t i = 0; i < current.size(); ++i) {
      if (current[i]["ID"].get<long>() != id) continue;
      if (item.value("DELETE", "N") == "Y" || value.empty()) {
        current.erase(i);
      } else {
        current[i]["VALUE"] = value;
        if (item.contains("VALUE_TYPE")) current[i]["VALUE_TYPE"] = value_type;
      }
      break;
    }
  }
}

bool HasItems(const json& row, const char* field) {
  auto it = row.find(field);
  return it != row.end() && it->is_array() && !it->empty();
}

// Fields derived from others: semantics, CLOSED, HAS_PHONE/HAS_EMAIL.
void Derive(const Portal& portal, const EntityKind& kind, json& row) {
  if (FindField(kind.fields, "HAS_PHONE")) {
    row["HAS_PHONE"] = HasItems(row, "PHONE") ? "Y" : "N";
    row["HAS_EMAIL"] = HasItems(row, "EMAIL") ? "Y" : "N";
  }
  if (kind.type_id == 1) {
    row["STATUS_SEMANTIC_ID"] = Semantic(FindStatus(portal, "STATUS", row.value("STATUS_ID", "")));
  } else if (kind.type_id == 2) {
    const long category = IntField(row, "CATEGORY_ID");
    const std::string semantic =
        Semantic(FindStatus(portal, StageEntityId(category), row.value("STAGE_ID", "")));
    row["STAGE_SEMANTIC_ID"] = semantic;
    row["CLOSED"] = semantic == "P" ? "N" : "Y";
  }
}

std::string StageField(const EntityKind& kind) {
  return kind.type_id == 1 ? "STATUS_ID" : "STAGE_ID";
}

// Writes the history row of a transition the entity has just made (its current stage), the way
// the crm module's stage history registers one: a pipeline change is 5 whatever the stage, a
// final stage is 3, otherwise 1 on creation and 2 on a move.
void RecordTransition(Portal& portal, const EntityKind& kind, const json& row, bool created,
                      bool category_changed, double now) {
  const long category = kind.type_id == 2 ? IntField(row, "CATEGORY_ID") : 0;
  const json& stage_value = row.value(StageField(kind), json(""));
  const std::string stage = stage_value.is_string() ? stage_value.get<std::string>() : "";
  const bool final_stage = StageSemanticOf(portal, kind, category, stage) != "P";
  HistoryType type = created ? HistoryType::kCreation : HistoryType::kModification;
  if (final_stage) type = HistoryType::kFinalization;
  if (category_changed) type = HistoryType::kCategoryChange;
  AppendStageHistory(portal, kind, IntField(row, "ID"), category, stage, type, now);
}

// Deals: the stage must belong to the deal's pipeline.
bool StageAllowed(const Portal& portal, const EntityKind& kind, const json& row,
                  const std::string& stage) {
  if (kind.type_id == 1) return FindStatus(portal, "STATUS", stage) != nullptr;
  if (kind.type_id == 2) {
    return FindStatus(portal, StageEntityId(IntField(row, "CATEGORY_ID")), stage) != nullptr;
  }
  return true;
}

std::string FirstStage(const Portal& portal, const std::string& entity_id) {
  auto rows = StatusesOf(portal, entity_id);
  return rows.empty() ? "" : (*rows.front())["STATUS_ID"].get<std::string>();
}

void SyncDealContacts(Portal& portal, long deal_id, const json& row) {
  json ids = row.value("CONTACT_IDS", json::array());
  if (ids.empty() && row.value("CONTACT_ID", json(nullptr)).is_number()) {
    ids.push_back(row["CONTACT_ID"]);
  }
  json items = json::array();
  for (size_t i = 0; i < ids.size(); ++i) {
    items.push_back({{"CONTACT_ID", ids[i]},
                     {"SORT", static_cast<long>(10 * (i + 1))},
                     {"IS_PRIMARY", i == 0 ? "Y" : "N"}});
  }
  portal.deal_contacts[deal_id] = items;
}

void AfterDealContactsChanged(Portal& portal, json& row) {
  auto it = portal.deal_contacts.find(row["ID"].get<long>());
  json ids = json::array();
  if (it != portal.deal_contacts.end()) {
    for (const auto& item : it->second) ids.push_back(item["CONTACT_ID"]);
  }
  row["CONTACT_IDS"] = ids;
  row["CONTACT_ID"] = ids.empty() ? json(nullptr) : ids[0];
}

// Every field of the row that may be compared to tell whether an update changed anything.
bool SameContent(json a, json b) {
  for (auto* row : {&a, &b}) {
    row->erase("DATE_MODIFY");
    row->erase("MODIFY_BY_ID");
  }
  return a == b;
}

std::string EventName(const EntityKind& kind, const char* action) {
  return "ONCRM" + kind.name + action;
}

std::string Money(double v) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.2f", v);
  return buffer;
}

std::string PlainNumber(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

json RenderValue(const FieldSpec& f, const json& v, int tz, Dialect d) {
  if (v.is_null()) {
    if (f.type == FieldType::kIntList) return json::array();
    if ((f.type == FieldType::kDate || f.type == FieldType::kDateTime) && d == Dialect::kLegacy) {
      return "";
    }
    return nullptr;
  }
  if (IsRef(f.type)) {
    return d == Dialect::kLegacy ? json(std::to_string(v.get<long>())) : v;
  }
  switch (f.type) {
    case FieldType::kMoney:
      return d == Dialect::kLegacy ? json(Money(v.get<double>())) : v;
    case FieldType::kDouble:
      return d == Dialect::kLegacy ? json(PlainNumber(v.get<double>())) : v;
    case FieldType::kDate:
    case FieldType::kDateTime:
      return FormatIsoTime(v.get<double>(), tz);
    case FieldType::kMulti: {
      json out = json::array();
      for (const auto& item : v) {
        if (d == Dialect::kLegacy) {
          out.push_back({{"ID", std::to_string(item["ID"].get<long>())},
                         {"VALUE_TYPE", item["VALUE_TYPE"]},
                         {"VALUE", item["VALUE"]},
                         {"TYPE_ID", item["TYPE_ID"]}});
        } else {
          out.push_back({{"id", item["ID"]},
                         {"typeId", item["TYPE_ID"]},
                         {"valueType", item["VALUE_TYPE"]},
                         {"value", item["VALUE"]}});
        }
      }
      return out;
    }
    case FieldType::kIntList: {
      if (d == Dialect::kItem) return v;
      json out = json::array();
      for (const auto& id : v) out.push_back(std::to_string(id.get<long>()));
      return out;
    }
    case FieldType::kInt:
    case FieldType::kUser:
    case FieldType::kCategory:
    case FieldType::kLead:
    case FieldType::kContact:
    case FieldType::kCompany:
    case FieldType::kDeal:
    case FieldType::kString:
    case FieldType::kChar:
    case FieldType::kStatus:
    case FieldType::kCurrency:
    case FieldType::kUserField:
      break;
  }
  return v;
}

std::vector<FieldSpec> AllFields(const Portal& portal, const EntityKind& kind) {
  std::vector<FieldSpec> out = kind.fields;
  for (const json* uf : UserFieldsOf(portal, kind)) out.push_back(UserFieldSpec(*uf));
  return out;
}

bool Visible(const FieldSpec& f, Dialect d) {
  return d == Dialect::kLegacy ? (f.flags & kItemOnly) == 0 : (f.flags & kLegacyOnly) == 0;
}

std::vector<std::string> SelectList(const json* select) {
  std::vector<std::string> out;
  if (select == nullptr) return out;
  for (const auto& item : AsArray(*select)) {
    if (item.is_string()) out.push_back(item.get<std::string>());
  }
  return out;
}

}  // namespace

long IntField(const json& row, const char* key) {
  auto it = row.find(key);
  return it != row.end() && it->is_number() ? it->get<long>() : 0;
}

std::string TextField(const json& object, const char* key, const std::string& fallback) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

long AsId(const json* value) {
  if (value == nullptr) return 0;
  json id = CoerceInt(*value);
  return id.is_number() && id.get<long>() > 0 ? id.get<long>() : 0;
}

std::string StageEntityId(long category_id) {
  return category_id == 0 ? "DEAL_STAGE" : "DEAL_STAGE_" + std::to_string(category_id);
}

std::vector<const json*> StatusesOf(const Portal& portal, const std::string& entity_id) {
  std::vector<const json*> out;
  for (const auto& [id, row] : portal.statuses) {
    if (row["ENTITY_ID"] == entity_id) out.push_back(&row);
  }
  std::stable_sort(out.begin(), out.end(), [](const json* a, const json* b) {
    return std::stol((*a)["SORT"].get<std::string>()) < std::stol((*b)["SORT"].get<std::string>());
  });
  return out;
}

const json* FindStatus(const Portal& portal, const std::string& entity_id,
                       const std::string& status_id) {
  for (const auto& [id, row] : portal.statuses) {
    if (row["ENTITY_ID"] == entity_id && row["STATUS_ID"] == status_id) return &row;
  }
  return nullptr;
}

std::string StageSemanticOf(const Portal& portal, const EntityKind& kind, long category_id,
                            const std::string& stage_id) {
  const std::string entity = kind.type_id == 1 ? "STATUS" : StageEntityId(category_id);
  return Semantic(FindStatus(portal, entity, stage_id));
}

long AppendStageHistory(Portal& portal, const EntityKind& kind, long owner_id, long category_id,
                        const std::string& stage_id, HistoryType type, double time) {
  if (kind.type_id != 1 && kind.type_id != 2) return 0;
  const long id = portal.NextId(kind.name + "_STAGE_HISTORY");
  json row = {{"ID", id},
              {"TYPE_ID", static_cast<int>(type)},
              {"OWNER_ID", owner_id},
              {"CREATED_TIME", std::floor(time)}};  // a DATETIME column: whole seconds
  const std::string semantic = StageSemanticOf(portal, kind, category_id, stage_id);
  if (kind.type_id == 1) {
    row["STATUS_SEMANTIC_ID"] = semantic;
    row["STATUS_ID"] = stage_id;
  } else {
    row["CATEGORY_ID"] = category_id;
    row["STAGE_SEMANTIC_ID"] = semantic;
    row["STAGE_ID"] = stage_id;
  }
  portal.stage_history[kind.name][id] = std::move(row);
  return id;
}

json* FindEntity(Portal& portal, const EntityKind& kind, long id) {
  auto& rows = portal.crm[kind.name];
  auto it = rows.find(id);
  return it == rows.end() ? nullptr : &it->second;
}

std::vector<const json*> UserFieldsOf(const Portal& portal, const EntityKind& kind) {
  std::vector<const json*> out;
  for (const auto& [id, row] : portal.userfields) {
    if (row["ENTITY_ID"] == kind.uf_entity) out.push_back(&row);
  }
  return out;
}

tl::expected<json, RestError> ReadInput(Call& call, const EntityKind& kind, const json& fields,
                                        Dialect dialect) {
  json out = json::object();
  if (!fields.is_object()) return out;
  const auto all = AllFields(call.portal, kind);
  for (const auto& item : fields.items()) {
    const FieldSpec* spec = nullptr;
    if (dialect == Dialect::kLegacy) {
      spec = FindField(all, item.key());
    } else {
      spec = FindCamel(all, item.key());
      if (spec == nullptr) spec = FindField(all, item.key());  // UF_CRM_* also accepted
      if (spec == nullptr && item.key() == "fm") {
        // crm.item takes multifields as [{typeId, valueType, value}].
        for (const auto& m : AsArray(item.value())) {
          const std::string type = m.value("typeId", "");
          if (FindField(kind.fields, type) == nullptr) continue;
          out[type].push_back(
              {{"VALUE", m.value("value", "")}, {"VALUE_TYPE", m.value("valueType", "WORK")}});
        }
        continue;
      }
    }
    if (spec == nullptr || !Visible(*spec, dialect) || (spec->flags & kReadOnly) != 0) continue;
    auto value = Coerce(*spec, item.value(), call.portal.tz_minutes);
    if (!value) return tl::unexpected(value.error());
    out[spec->name] = *value;
  }
  return out;
}

tl::expected<long, RestError> CreateEntity(Call& call, const EntityKind& kind, json input) {
  Portal& portal = call.portal;
  json row = json::object();
  for (const auto& f : kind.fields) {
    if (f.type != FieldType::kMulti) row[f.name] = nullptr;
  }
  if (kind.type_id == 2) {
    const long category = IntField(input, "CATEGORY_ID");
    if (portal.categories.count(category) == 0) {
      return Fail(400, "", "Pipeline (category) " + std::to_string(category) + " not found");
    }
  }
  const long id = portal.NextId(kind.name);
  row["ID"] = id;
  row["DATE_CREATE"] = call.now;
  row["DATE_MODIFY"] = call.now;
  row["CREATED_BY_ID"] = call.caller.user_id;
  row["MODIFY_BY_ID"] = call.caller.user_id;
  row["ASSIGNED_BY_ID"] = call.caller.user_id;
  row["OPENED"] = "Y";
  if (FindField(kind.fields, "OPPORTUNITY")) {
    row["OPPORTUNITY"] = 0.0;
    row["CURRENCY_ID"] = "RUB";
    row["IS_MANUAL_OPPORTUNITY"] = "N";
  }
  for (const auto& item : input.items()) {
    const FieldSpec* f = FindField(kind.fields, item.key());
    if (f != nullptr && f->type == FieldType::kMulti) {
      MergeMultifield(portal, row[item.key()], item.key(), item.value());
    } else if (!item.value().is_null() || f == nullptr) {
      row[item.key()] = item.value();
    }
  }
  if (kind.type_id == 1) {
    if (!StageAllowed(
            portal, kind, row,
            row.value("STATUS_ID", json("")).is_string() ? row.value("STATUS_ID", "") : "")) {
      row["STATUS_ID"] = FirstStage(portal, "STATUS");
    }
    if (row.value("TITLE", json("")).is_null() || row.value("TITLE", "").empty()) {
      row["TITLE"] = "Лид #" + std::to_string(id);
    }
  } else if (kind.type_id == 2) {
    if (!row["CATEGORY_ID"].is_number()) row["CATEGORY_ID"] = 0L;
    const std::string stage = row["STAGE_ID"].is_string() ? row["STAGE_ID"].get<std::string>() : "";
    if (!StageAllowed(portal, kind, row, stage)) {
      row["STAGE_ID"] = FirstStage(portal, StageEntityId(row["CATEGORY_ID"].get<long>()));
    }
    if (!row["TITLE"].is_string() || row["TITLE"].get<std::string>().empty()) {
      row["TITLE"] = "Сделка #" + std::to_string(id);
    }
    row["IS_NEW"] = "Y";
    if (!row["OBSERVERS"].is_array()) row["OBSERVERS"] = json::array();
  }
  if (kind.type_id <= 2) {
    row["MOVED_TIME"] = call.now;
    row["MOVED_BY_ID"] = call.caller.user_id;
  }
  Derive(portal, kind, row);
  if (kind.type_id == 2) {
    SyncDealContacts(portal, id, row);
    AfterDealContactsChanged(portal, row);
  }
  portal.crm[kind.name][id] = row;
  if (kind.type_id <= 2) RecordTransition(portal, kind, row, true, false, call.now);
  FireEvent(call, EventName(kind, "ADD"), {{"FIELDS", {{"ID", std::to_string(id)}}}});
  return id;
}

tl::expected<bool, RestError> UpdateEntity(Call& call, const EntityKind& kind, long id, json input,
                                           Dialect dialect) {
  Portal& portal = call.portal;
  json* found = FindEntity(portal, kind, id);
  if (found == nullptr) {
    return dialect == Dialect::kLegacy ? NotFound() : Fail(400, "NOT_FOUND", "Element not found");
  }
  json row = *found;
  const std::string stage_field = StageField(kind);
  const json old_stage = row.value(stage_field, json(nullptr));
  for (const auto& item : input.items()) {
    const FieldSpec* f = FindField(kind.fields, item.key());
    if (f != nullptr && (f->flags & kImmutable) != 0) continue;  // CATEGORY_ID
    if (f != nullptr && f->type == FieldType::kMulti) {
      MergeMultifield(portal, row[item.key()], item.key(), item.value());
      continue;
    }
    if (kind.type_id <= 2 && item.key() == stage_field) {
      // A stage of another pipeline (or unknown) is silently ignored.
      if (!item.value().is_string() || !StageAllowed(portal, kind, row, item.value())) continue;
    }
    row[item.key()] = item.value();
  }
  if (kind.type_id == 2 && (input.contains("CONTACT_IDS") || input.contains("CONTACT_ID"))) {
    if (input.contains("CONTACT_ID") && !input.contains("CONTACT_IDS")) {
      row["CONTACT_IDS"] =
          row["CONTACT_ID"].is_number() ? json::array({row["CONTACT_ID"]}) : json::array();
    }
    SyncDealContacts(portal, id, row);
    AfterDealContactsChanged(portal, row);
  }
  Derive(portal, kind, row);
  const bool moved = kind.type_id <= 2 && row.value(stage_field, json(nullptr)) != old_stage;
  if (moved) {
    row["MOVED_TIME"] = call.now;
    row["MOVED_BY_ID"] = call.caller.user_id;
    if (kind.type_id == 1 && row["STATUS_SEMANTIC_ID"] != "P") row["DATE_CLOSED"] = call.now;
  }
  const bool changed = !SameContent(row, *found);
  if (!changed && dialect == Dialect::kItem) return false;
  if (kind.type_id == 2) row["IS_NEW"] = "N";
  row["DATE_MODIFY"] = call.now;
  row["MODIFY_BY_ID"] = call.caller.user_id;
  *found = row;
  if (moved) RecordTransition(portal, kind, row, false, false, call.now);
  FireEvent(call, EventName(kind, "UPDATE"), {{"FIELDS", {{"ID", std::to_string(id)}}}});
  return changed;
}

tl::expected<void, RestError> DeleteEntity(Call& call, const EntityKind& kind, long id) {
  auto& rows = call.portal.crm[kind.name];
  if (rows.erase(id) == 0) return NotFound();
  if (kind.type_id == 2) call.portal.deal_contacts.erase(id);
  // The crm module deletes an item's stage history with the item.
  auto history = call.portal.stage_history.find(kind.name);
  if (history != call.portal.stage_history.end()) {
    for (auto it = history->second.begin(); it != history->second.end();) {
      it = IntField(it->second, "OWNER_ID") == id ? history->second.erase(it) : std::next(it);
    }
  }
  FireEvent(call, EventName(kind, "DELETE"), {{"FIELDS", {{"ID", std::to_string(id)}}}});
  return {};
}

tl::expected<void, RestError> MoveDealToCategory(Call& call, json& deal, long category_id,
                                                 const std::string& stage_id) {
  Portal& portal = call.portal;
  if (portal.categories.count(category_id) == 0) {
    return Fail(400, "NOT_FOUND", "Category not found");
  }
  const std::string entity = StageEntityId(category_id);
  std::string stage = stage_id;
  if (stage.empty() || FindStatus(portal, entity, stage) == nullptr)
    stage = FirstStage(portal, entity);
  deal["CATEGORY_ID"] = category_id;
  deal["STAGE_ID"] = stage;
  Derive(portal, DealKind(), deal);
  deal["MOVED_TIME"] = call.now;
  deal["MOVED_BY_ID"] = call.caller.user_id;
  deal["DATE_MODIFY"] = call.now;
  deal["MODIFY_BY_ID"] = call.caller.user_id;
  RecordTransition(portal, DealKind(), deal, false, true, call.now);
  FireEvent(call, "ONCRMDEALMOVETOCATEGORY",
            {{"FIELDS",
              {{"ID", std::to_string(deal["ID"].get<long>())},
               {"CATEGORY_ID", std::to_string(category_id)},
               {"STAGE_ID", stage}}}});
  return {};
}

namespace {

const json& FieldOrNull(const json& row, const std::string& name) {
  static const json kNull;
  const auto it = row.find(name);
  return it == row.end() ? kNull : *it;
}

// RenderLegacy and RenderItem over the kind's fields as AllFields gives them, so that a list
// collects those once rather than once per row.
json RenderLegacyWith(const std::vector<FieldSpec>& all, int tz_minutes, const json& row,
                      const std::vector<std::string>& select) {
  const bool everything = select.empty();
  const bool star = std::find(select.begin(), select.end(), "*") != select.end();
  const bool uf_star = std::find(select.begin(), select.end(), "UF_*") != select.end();
  json out = json::object();
  out.get_ref<json::object_t&>().reserve(all.size());  // growth would copy the printed values
  for (const auto& f : all) {
    if (!Visible(f, Dialect::kLegacy)) continue;
    const bool named = std::find(select.begin(), select.end(), f.name) != select.end();
    const bool is_uf = f.type == FieldType::kUserField;
    const bool is_multi = f.type == FieldType::kMulti;
    bool include = everything || named ||
                   (star && !is_uf && !is_multi && f.type != FieldType::kIntList) ||
                   (uf_star && is_uf);
    if (!include) continue;
    const json& value = FieldOrNull(row, f.name);
    if (is_multi && everything && (!value.is_array() || value.empty())) continue;
    if (f.type == FieldType::kIntList && everything) continue;  // CONTACT_IDS: not in get
    out[f.name] = RenderValue(f, value, tz_minutes, Dialect::kLegacy);
  }
  return out;
}

json RenderItemWith(const std::vector<FieldSpec>& all, const EntityKind& kind, int tz_minutes,
                    const json& row, const std::vector<std::string>& select) {
  const bool everything =
      select.empty() || std::find(select.begin(), select.end(), "*") != select.end();
  json out = json::object();
  json fm = json::array();
  for (const auto& f : all) {
    if (!Visible(f, Dialect::kItem)) continue;
    const json& value = FieldOrNull(row, f.name);
    if (f.type == FieldType::kMulti) {
      if (everything && value.is_array()) {
        for (const auto& m : RenderValue(f, value, tz_minutes, Dialect::kItem)) fm.push_back(m);
      }
      continue;
    }
    const bool named = std::find(select.begin(), select.end(), f.camel) != select.end() ||
                       std::find(select.begin(), select.end(), f.name) != select.end();
    if (!everything && !named && f.name != "ID") continue;
    out[f.camel] = RenderValue(f, value, tz_minutes, Dialect::kItem);
  }
  if (everything && FindField(kind.fields, "PHONE") != nullptr) out["fm"] = fm;
  out["entityTypeId"] = kind.type_id;
  return out;
}

}  // namespace

json RenderLegacy(const Portal& portal, const EntityKind& kind, const json& row,
                  const std::vector<std::string>& select) {
  return RenderLegacyWith(AllFields(portal, kind), portal.tz_minutes, row, select);
}

json RenderItem(const Portal& portal, const EntityKind& kind, const json& row,
                const std::vector<std::string>& select) {
  return RenderItemWith(AllFields(portal, kind), kind, portal.tz_minutes, row, select);
}

json DescribeFields(const Portal& portal, const EntityKind& kind, Dialect dialect) {
  json out = json::object();
  for (const auto& f : kind.fields) {
    if (!Visible(f, dialect) || (dialect == Dialect::kItem && f.type == FieldType::kMulti))
      continue;
    json d = {{"type", TypeName(f)},
              {"isRequired", (f.flags & kRequired) != 0},
              {"isReadOnly", (f.flags & kReadOnly) != 0},
              {"isImmutable", (f.flags & kImmutable) != 0},
              {"isMultiple", (f.flags & kMultiple) != 0},
              {"isDynamic", false},
              {"title", f.title}};
    if (f.type == FieldType::kStatus) d["statusType"] = f.status_type;
    if (dialect == Dialect::kItem) d["upperName"] = f.name;
    out[dialect == Dialect::kLegacy ? f.name : f.camel] = d;
  }
  for (const json* uf : UserFieldsOf(portal, kind)) {
    const FieldSpec f = UserFieldSpec(*uf);
    json d = {{"type", TypeName(f, *uf)},
              {"isRequired", (f.flags & kRequired) != 0},
              {"isReadOnly", false},
              {"isImmutable", false},
              {"isMultiple", (f.flags & kMultiple) != 0},
              {"isDynamic", true},
              {"title", f.name},
              {"listLabel", uf->value("LIST_COLUMN_LABEL", json(f.title))},
              {"formLabel", uf->value("EDIT_FORM_LABEL", json(f.title))},
              {"filterLabel", uf->value("LIST_FILTER_LABEL", json(f.title))}};
    if (dialect == Dialect::kItem) d["upperName"] = f.name;
    out[dialect == Dialect::kLegacy ? f.name : f.camel] = d;
  }
  return out;
}

MethodResult ListEntities(Call& call, const EntityKind& kind, Dialect dialect) {
  const Portal& portal = call.portal;
  const auto conditions =
      ParseFilter(call.Param("filter") ? *call.Param("filter") : json::object());
  const json order = call.Param("order") ? *call.Param("order") : json::object();
  const auto select = SelectList(call.Param("select"));
  const std::string id_field = dialect == Dialect::kLegacy ? "ID" : "id";

  // Keyset scans (`>ID` with start=-1) and ID ranges (`>=ID` and `<ID`) touch only the rows
  // inside their bounds: a backfill of a large portal must not cost a full scan per page.
  const IdBounds bounds = IdBoundsOf(conditions, id_field);
  const auto& rows = call.portal.crm[kind.name];
  const Page page = ReadPage(call.Param("start"));
  // Without a count and in ID order (either way), the first page is all that is needed.
  bool id_order = order.empty();
  bool id_desc = false;
  if (order.is_object() && order.size() == 1 && order.contains(id_field)) {
    const json& dir = order[id_field];
    id_desc = dir.is_string() && (dir == "DESC" || dir == "desc");
    id_order = !id_desc;
  }
  const bool stop_early = !page.count && (id_order || id_desc);
  // When the ID bounds are the whole filter and the order is by ID, the rows in bounds are the
  // answer as they stand: nothing needs printing until the page is cut.
  const bool bounds_only = bounds.complete && (id_order || id_desc);
  const auto all = AllFields(portal, kind);
  const int tz = portal.tz_minutes;
  // A legacy list prints, to filter and sort, only the fields its filter and order name: a
  // portal of many rows answers a narrow filter without printing every field of every row.
  std::set<std::string> compared{id_field};
  for (const auto& c : conditions) compared.insert(c.field);
  if (order.is_object()) {
    for (const auto& [field, direction] : order.items()) compared.insert(field);
  }
  std::vector<const FieldSpec*> compared_fields;  // in AllFields order, as a full print has them
  for (const auto& f : all) {
    if (Visible(f, Dialect::kLegacy) && compared.count(f.name) != 0) compared_fields.push_back(&f);
  }
  std::vector<json> printed;
  // Prints and filters one row; false once the page is full.
  auto visit = [&](long id, const json& row) {
    if (bounds_only) {
      printed.push_back({{id_field, id}});
      return !(stop_early && static_cast<long>(printed.size()) >= kPageSize);
    }
    json full = json::object();
    if (dialect == Dialect::kLegacy) {
      // As a full print would show them: no CONTACT_IDS, no empty multifields.
      for (const FieldSpec* f : compared_fields) {
        const json& value = FieldOrNull(row, f->name);
        if (f->type == FieldType::kIntList) continue;
        if (f->type == FieldType::kMulti && (!value.is_array() || value.empty())) continue;
        full[f->name] = RenderValue(*f, value, tz, Dialect::kLegacy);
      }
    } else {
      full = RenderItemWith(all, kind, tz, row, {});
    }
    if (dialect == Dialect::kLegacy) {
      // Filters may name fields that `get` leaves out (empty multifields, CONTACT_IDS).
      for (const auto& c : conditions) {
        if (!full.contains(c.field) && row.contains(c.field)) {
          full[c.field] = row[c.field].is_array() ? row[c.field] : json(nullptr);
        }
      }
    }
    if (!RowMatches(full, conditions, tz)) return true;
    printed.push_back(std::move(full));
    return !(stop_early && static_cast<long>(printed.size()) >= kPageSize);
  };
  const auto first = rows.lower_bound(bounds.min);
  const auto last = bounds.min < bounds.end ? rows.lower_bound(bounds.end) : first;
  if (id_desc) {
    for (auto it = std::make_reverse_iterator(last); it != std::make_reverse_iterator(first);
         ++it) {
      if (!visit(it->first, it->second)) break;
    }
  } else {
    for (auto it = first; it != last; ++it) {
      if (!visit(it->first, it->second)) break;
    }
  }
  SortRows(printed, order, tz, id_field);
  Reply reply = PageOf(std::move(printed), page);
  // Re-print the page's rows with the requested select.
  std::vector<std::string> fields = select;
  if (dialect == Dialect::kLegacy && fields.empty()) fields = {"*", "UF_*"};
  json result = json::array();
  for (auto& row : reply.result) {
    const long id = row[id_field].is_string() ? std::stol(row[id_field].get<std::string>())
                                              : row[id_field].get<long>();
    const json& stored = rows.at(id);
    result.push_back(dialect == Dialect::kLegacy ? RenderLegacyWith(all, tz, stored, fields)
                                                 : RenderItemWith(all, kind, tz, stored, fields));
  }
  if (dialect == Dialect::kLegacy) {
    reply.result = std::move(result);
  } else {
    reply.result = json::object();
    reply.result["items"] = std::move(result);
  }
  return reply;
}

}  // namespace emu
