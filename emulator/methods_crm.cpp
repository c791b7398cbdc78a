// Legacy CRM methods: crm.lead.*, crm.deal.*, crm.contact.*, crm.company.*, deal contacts,
// crm.duplicate.findbycomm. Docs: api-reference/crm/{leads,deals,contacts,companies,duplicates}.
#include <algorithm>
#include <cctype>

#include "emulator/crm_store.h"
#include "emulator/events.h"

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

}  // namespace

void RegisterCrmMethods(MethodTable& t) {
  RegisterEntity(t, "crm.lead", LeadKind());
  RegisterEntity(t, "crm.deal", DealKind());
  RegisterEntity(t, "crm.contact", ContactKind());
  RegisterEntity(t, "crm.company", CompanyKind());
  t["crm.deal.contact.items.get"] = {"crm", DealContactsGet};
  t["crm.deal.contact.items.set"] = {"crm", DealContactsSet};
  t["crm.duplicate.findbycomm"] = {"crm", FindByComm};
}

}  // namespace emu
