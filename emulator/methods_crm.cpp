// Legacy CRM methods: crm.lead.*, crm.deal.*, crm.contact.*, crm.company.*, deal contacts,
// crm.duplicate.findbycomm, and crm.stagehistory.list over the history crm_store writes.
// Docs: api-reference/crm/{leads,deals,contacts,companies,duplicates}, and
// api-reference/crm/crm-stage-history-list.md (dev.1c-bitrix.ru/rest_help/crm/stagehistory.php).
#include <algorithm>
#include <cctype>
#include <charconv>
#include <iterator>

#include "emulator/crm_store.h"
#include "emulator/envelope.h"
#include "emulator/events.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

json ParamOr(const Call& call, const char* name, json fallback) {
  const json* value = call.Param(name);
  return value != nullptr ? *value : std::move(fallback);
}

MethodResult Add(Call& call, const EntityKind& kind) {
  auto input = ReadInput(call, kind, ParamOr(call, "fields", json::object()), Dialect::kLegacy);
  if (!input) return tl::unexpected(input.error());
  auto id = CreateEntity(call, kind, std::move(*input));
  if (!id) return tl::unexpected(id.error());
  return Reply{*id, {}, {}};
}

MethodResult Get(Call& call, const EntityKind& kind) {
  const long id = AsId(call.Param("id"));
  if (id == 0) return BadId();
  const json* row = FindEntity(call.portal, kind, id);
  if (row == nullptr) return NotFound();
  return Reply{RenderLegacy(call.portal, kind, *row), {}, {}};
}

MethodResult Update(Call& call, const EntityKind& kind) {
  const long id = AsId(call.Param("id"));
  if (id == 0) return BadId();
  auto input = ReadInput(call, kind, ParamOr(call, "fields", json::object()), Dialect::kLegacy);
  if (!input) return tl::unexpected(input.error());
  auto changed = UpdateEntity(call, kind, id, std::move(*input), Dialect::kLegacy);
  if (!changed) return tl::unexpected(changed.error());
  return Reply{true, {}, {}};
}

MethodResult Delete(Call& call, const EntityKind& kind) {
  const long id = AsId(call.Param("id"));
  if (id == 0) return BadId();
  auto done = DeleteEntity(call, kind, id);
  if (!done) return tl::unexpected(done.error());
  return Reply{true, {}, {}};
}

void RegisterEntity(MethodTable& t, const std::string& prefix, const EntityKind& kind,
                    bool full = true) {
  const EntityKind* k = &kind;
  t[prefix + ".add"] = {"crm", [k](Call& c) { return Add(c, *k); }};
  t[prefix + ".get"] = {"crm", [k](Call& c) { return Get(c, *k); }};
  t[prefix + ".list"] = {"crm", [k](Call& c) { return ListEntities(c, *k, Dialect::kLegacy); }};
  t[prefix + ".update"] = {"crm", [k](Call& c) { return Update(c, *k); }};
  t[prefix + ".fields"] = {
      "crm", [k](Call& c) {
        return MethodResult(Reply{DescribeFields(c.portal, *k, Dialect::kLegacy), {}, {}});
      }};
  if (full) t[prefix + ".delete"] = {"crm", [k](Call& c) { return Delete(c, *k); }};
}

MethodResult DealContactsGet(Call& call) {
  const long id = AsId(call.Param("id"));
  if (id == 0) return BadId();
  if (FindEntity(call.portal, DealKind(), id) == nullptr) return NotFound();
  json out = json::array();
  for (const auto& item : call.portal.deal_contacts[id]) {
    out.push_back({{"CONTACT_ID", item["CONTACT_ID"]},
                   {"SORT", item["SORT"]},
                   {"ROLE_ID", 0},
                   {"IS_PRIMARY", item["IS_PRIMARY"]}});
  }
  return Reply{out, {}, {}};
}

MethodResult DealContactsSet(Call& call) {
  const long id = AsId(call.Param("id"));
  if (id == 0) return BadId();
  if (FindEntity(call.portal, DealKind(), id) == nullptr) return NotFound();
  const json items = ParamOr(call, "items", json::array());
  std::vector<std::pair<long, long>> contacts;  // sort, id
  long primary = 0;
  for (const auto& item : items) {
    const long contact = AsId(item.contains("CONTACT_ID") ? &item["CONTACT_ID"] : nullptr);
    if (contact == 0) return Fail(400, "", "The parameter 'CONTACT_ID' is invalid or not defined.");
    if (FindEntity(call.portal, ContactKind(), contact) == nullptr) {
      return Fail(400, "", "Contact with ID " + std::to_string(contact) + " is not found");
    }
    const long sort = AsId(item.contains("SORT") ? &item["SORT"] : nullptr);
    contacts.emplace_back(sort, contact);
    if (item.value("IS_PRIMARY", "N") == "Y") primary = contact;
  }
  std::stable_sort(contacts.begin(), contacts.end());
  if (primary != 0) {
    std::stable_partition(contacts.begin(), contacts.end(),
                          [primary](const auto& c) { return c.second == primary; });
  }
  json ids = json::array();
  for (const auto& c : contacts) ids.push_back(c.second);
  auto done = UpdateEntity(call, DealKind(), id, {{"CONTACT_IDS", ids}}, Dialect::kLegacy);
  if (!done) return tl::unexpected(done.error());
  return Reply{true, {}, {}};
}

// Phones compare by digits with the Russian trunk prefix unified (8 912… = +7 912…) and the
// extension dropped; e-mails by trimmed lower case. (crm-duplicate-find-by-comm.md)
std::string NormalizeComm(const std::string& type, const std::string& value) {
  if (type == "EMAIL") {
    std::string out;
    for (const char c : value) {
      if (!std::isspace(static_cast<unsigned char>(c))) {
        out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
      }
    }
    return out;
  }
  std::string digits;
  for (const char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
    } else if (std::isalpha(static_cast<unsigned char>(c)) ||
               static_cast<unsigned char>(c) >= 0x80 || c == '#' || c == ',' || c == ';') {
      if (!digits.empty()) break;  // "доб. 12", "ext 12", "#12": the extension starts here
    }
  }
  if (digits.size() == 11 && digits[0] == '8') digits[0] = '7';
  if (digits.size() == 10) digits = "7" + digits;
  return digits;
}

MethodResult FindByComm(Call& call) {
  const std::string type =
      ParamOr(call, "type", "").is_string() ? ParamOr(call, "type", "").get<std::string>() : "";
  if (type != "PHONE" && type != "EMAIL") {
    return Fail(400, "Communication type is not defined", "Communication type is not defined");
  }
  json values = ParamOr(call, "values", json::array());
  if (!values.is_array()) values = json::array({values});
  if (values.empty())
    return Fail(400, "Communication values is not defined", "Communication values is not defined");
  if (values.size() > 20)
    return Fail(400, "Too many communication values", "Too many communication values");
  const std::string only = ParamOr(call, "entity_type", "").is_string()
                               ? ParamOr(call, "entity_type", "").get<std::string>()
                               : "";
  std::vector<std::string> wanted;
  for (const auto& v : values) {
    if (v.is_string() || v.is_number()) {
      const auto n = NormalizeComm(type, v.is_string() ? v.get<std::string>() : v.dump());
      if (!n.empty()) wanted.push_back(n);
    }
  }
  json result = json::object();
  for (const char* entity : {"LEAD", "CONTACT", "COMPANY"}) {
    if (!only.empty() && only != entity) continue;
    json ids = json::array();
    for (const auto& [id, row] : call.portal.crm[entity]) {
      bool hit = false;
      for (const auto& item : row.value(type, json::array())) {
        const auto n = NormalizeComm(type, item.value("VALUE", ""));
        hit = hit || std::find(wanted.begin(), wanted.end(), n) != wanted.end();
      }
      if (hit) ids.push_back(id);
    }
    if (!ids.empty()) result[entity] = ids;
    if (ids.size() >= 20) break;  // later types are not returned
  }
  return Reply{result, {}, {}};
}

// crm.stagehistory.list. Types 1 and 2 read the tables crm_store writes; 5 (old invoice) and 31
// (new invoice) are types the docs support, printed empty: the emulator keeps no invoices.
// Everything else, smart processes included (there are none here), is refused.
struct HistoryTable {
  const EntityKind* kind;  // nullptr: a supported type with no rows
  bool lead_like;          // STATUS_SEMANTIC_ID + STATUS_ID instead of CATEGORY_ID + STAGE_*
};

bool IntegerOf(const json& value, long& out) {
  if (value.is_number_integer()) {
    out = value.get<long>();
    return true;
  }
  if (!value.is_string()) return false;
  const auto& s = value.get_ref<const std::string&>();
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

// The name CCrmOwnerType gives a type, for "Entity type X is not supported"; empty for ids
// it does not know.
std::string OwnerTypeName(long type_id) {
  switch (type_id) {
    case 3:
      return "CONTACT";
    case 4:
      return "COMPANY";
    case 6:
      return "ACTIVITY";
    case 7:
      return "QUOTE";
    case 8:
      return "REQUISITE";
    default:
      break;
  }
  return type_id >= 128 && type_id < 192 ? "DYNAMIC_" + std::to_string(type_id) : "";
}

tl::expected<HistoryTable, RestError> HistoryTableOf(const Call& call) {
  const json* type = call.Param("entityTypeId");
  if (type == nullptr) {
    return Fail(400, "100", "Could not find value for parameter {entityTypeId}");
  }
  long id = 0;
  if (!IntegerOf(*type, id)) {
    return Fail(400, "100",
                "Invalid value " + (type->is_string() ? type->get<std::string>() : type->dump()) +
                    " to match with parameter {entityTypeId}. Should be value of type int.");
  }
  if (id == 1) return HistoryTable{&LeadKind(), true};
  if (id == 2) return HistoryTable{&DealKind(), false};
  if (id == 5) return HistoryTable{nullptr, true};
  if (id == 31) return HistoryTable{nullptr, false};
  return Fail(400, "ENTITY_TYPE_NOT_SUPPORTED",
              "Entity type " + OwnerTypeName(id) + " is not supported");
}

std::vector<std::string> HistoryFields(bool lead_like) {
  if (lead_like) {
    return {"ID", "TYPE_ID", "OWNER_ID", "CREATED_TIME", "STATUS_SEMANTIC_ID", "STATUS_ID"};
  }
  return {"ID",          "TYPE_ID",           "OWNER_ID", "CREATED_TIME",
          "CATEGORY_ID", "STAGE_SEMANTIC_ID", "STAGE_ID"};
}

bool Has(const std::vector<std::string>& fields, const std::string& name) {
  return std::find(fields.begin(), fields.end(), name) != fields.end();
}

tl::unexpected<RestError> InvalidArg(const std::string& description) {
  return Fail(400, "INVALID_ARG_VALUE", description);
}

// The filter with its values in the stored form (integers, CREATED_TIME as unix seconds), so
// that rows are matched without printing them. Unknown fields and bad values are refused as
// the docs list.
tl::expected<std::vector<Condition>, RestError> HistoryFilter(
    const json* filter, const std::vector<std::string>& fields, int tz) {
  std::vector<Condition> out;
  if (filter == nullptr || !filter->is_object()) return out;
  for (Condition c : ParseFilter(*filter)) {
    if (!Has(fields, c.field)) {
      return InvalidArg("Invalid filter: field '" + c.field + "' is not allowed in filter");
    }
    const bool like = c.op == "like" || c.op == "!like";
    const bool time = c.field == "CREATED_TIME";
    const bool integer = c.field == "ID" || c.field == "TYPE_ID" || c.field == "OWNER_ID" ||
                         c.field == "CATEGORY_ID";
    const json values = c.value.is_array() ? c.value : json::array({c.value});
    json converted = json::array();
    for (const auto& v : values) {
      long number = 0;
      double instant = 0;
      // LIKE over a stored instant would compare with unix seconds: refused rather than wrong.
      if (time && !like && v.is_string() && ParseIsoTime(v.get<std::string>(), tz, instant)) {
        converted.push_back(instant);
      } else if (integer && !like && IntegerOf(v, number)) {
        converted.push_back(number);
      } else if (!time && !integer && (v.is_string() || v.is_number())) {
        converted.push_back(v);
      } else if (integer && like && (v.is_string() || v.is_number())) {
        converted.push_back(v);
      } else {
        return InvalidArg("Invalid filter: field '" + c.field + "' has invalid value");
      }
    }
    c.value = c.value.is_array() ? converted : converted[0];
    out.push_back(std::move(c));
  }
  return out;
}

const json& FieldOf(const json& row, const std::string& name) {
  static const json kNull;
  auto it = row.find(name);
  return it == row.end() ? kNull : *it;
}

using OrderKeys = std::vector<std::pair<std::string, bool>>;  // field, descending

tl::expected<OrderKeys, RestError> HistoryOrder(const json* order,
                                                const std::vector<std::string>& fields) {
  OrderKeys keys;
  if (order == nullptr || !order->is_object()) return keys;
  for (const auto& item : order->items()) {
    if (!Has(fields, item.key())) {
      return InvalidArg("Invalid order: field '" + item.key() + "' is not allowed in order");
    }
    std::string direction = item.value().is_string() ? item.value().get<std::string>() : "";
    std::transform(direction.begin(), direction.end(), direction.begin(),
                   [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
    if (direction != "ASC" && direction != "DESC") {
      const std::string got =
          item.value().is_string() ? item.value().get<std::string>() : item.value().dump();
      return InvalidArg("Invalid order: allowed sort directions are ASC, DESC. But got '" + got +
                        "' for field '" + item.key() + "'");
    }
    keys.emplace_back(item.key(), direction == "DESC");
  }
  return keys;
}

// Known fields in the order asked, every field when none is known, ID always (as the crm
// module's controller does); unknown names are dropped.
std::vector<std::string> HistorySelect(const json* select, const std::vector<std::string>& fields) {
  std::vector<std::string> out;
  if (select != nullptr && (select->is_array() || select->is_object())) {
    for (const auto& item : *select) {
      if (item.is_string() && Has(fields, item.get<std::string>()) &&
          !Has(out, item.get<std::string>())) {
        out.push_back(item.get<std::string>());
      }
    }
  }
  if (out.empty()) return fields;
  if (!Has(out, "ID")) out.push_back("ID");
  return out;
}

MethodResult StageHistoryList(Call& call) {
  auto table = HistoryTableOf(call);
  if (!table) return tl::unexpected(table.error());
  const int tz = call.portal.tz_minutes;
  const auto fields = HistoryFields(table->lead_like);
  auto conditions = HistoryFilter(call.Param("filter"), fields, tz);
  if (!conditions) return tl::unexpected(conditions.error());
  auto order = HistoryOrder(call.Param("order"), fields);
  if (!order) return tl::unexpected(order.error());
  const auto select = HistorySelect(call.Param("select"), fields);

  static const std::map<long, json> kNoRows;
  const std::map<long, json>* rows = &kNoRows;
  if (table->kind != nullptr) {
    auto found = call.portal.stage_history.find(table->kind->name);
    if (found != call.portal.stage_history.end()) rows = &found->second;
  }
  // Keyset scans (`>ID` with start=-1) and ID ranges walk only the rows inside their bounds and
  // stop after a page, as in ListEntities: a backfill over a long history must not cost a full
  // scan per page.
  const IdBounds bounds = IdBoundsOf(*conditions, "ID");
  const bool id_only = order->size() == 1 && order->front().first == "ID";
  const bool id_order = order->empty() || (id_only && !order->front().second);
  const bool id_desc = id_only && order->front().second;
  const Page page = ReadPage(call.Param("start"));
  const bool stop_early = !page.count && (id_order || id_desc);
  std::vector<const json*> matched;
  auto visit = [&](const json& row) {  // false once the page is full
    if (!RowMatches(row, *conditions, tz)) return true;
    matched.push_back(&row);
    return !(stop_early && static_cast<long>(matched.size()) >= kPageSize);
  };
  const auto first = rows->lower_bound(bounds.min);
  const auto last = bounds.min < bounds.end ? rows->lower_bound(bounds.end) : first;
  if (id_desc) {
    for (auto it = std::make_reverse_iterator(last); it != std::make_reverse_iterator(first);
         ++it) {
      if (!visit(it->second)) break;
    }
  } else {
    for (auto it = first; it != last; ++it) {
      if (!visit(it->second)) break;
    }
  }
  if (!id_order && !id_desc) {
    std::stable_sort(matched.begin(), matched.end(), [&](const json* a, const json* b) {
      for (const auto& [field, desc] : *order) {
        const int cmp = CompareValues(FieldOf(*a, field), FieldOf(*b, field), tz);
        if (cmp != 0) return desc ? cmp > 0 : cmp < 0;
      }
      return IntField(*a, "ID") < IntField(*b, "ID");
    });
  }
  const auto total = static_cast<long>(matched.size());
  const long begin = std::min(page.offset, total);
  const long end = std::min(begin + kPageSize, total);
  json items = json::array();
  for (long i = begin; i < end; ++i) {
    const json& row = *matched[static_cast<size_t>(i)];
    json out = json::object();
    for (const auto& field : select) {
      const json& value = FieldOf(row, field);
      out[field] = field == "CREATED_TIME" && value.is_number()
                       ? json(FormatIsoTime(value.get<double>(), tz))
                       : value;
    }
    items.push_back(std::move(out));
  }
  Reply reply{json::object(), page.count ? total : 0, std::nullopt};
  reply.result["items"] = std::move(items);
  if (page.count && end < total) reply.next = end;
  return reply;
}

}  // namespace

void RegisterCrmMethods(MethodTable& t) {
  RegisterEntity(t, "crm.lead", LeadKind());
  RegisterEntity(t, "crm.deal", DealKind());
  RegisterEntity(t, "crm.contact", ContactKind());
  RegisterEntity(t, "crm.company", CompanyKind());
  t["crm.deal.contact.items.get"] = {"crm", DealContactsGet};
  t["crm.deal.contact.items.set"] = {"crm", DealContactsSet};
  t["crm.duplicate.findbycomm"] = {"crm", FindByComm};
  t["crm.stagehistory.list"] = {"crm", StageHistoryList};
}

}  // namespace emu
