// Field dictionaries of the CRM entities as `crm.*.fields` and `crm.item.fields` describe them,
// and the conversions between the stored form and the two API dialects: legacy crm.lead/deal
// (UPPER_CASE, numbers as strings, "Y"/"N") and crm.item (camelCase, real numbers).
// Stored rows use the legacy names with typed values: integers, doubles, "Y"/"N" strings,
// unix seconds for dates, arrays for multifields. Thread-safety: pure functions and constants.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace emu {

using json = nlohmann::ordered_json;

enum class FieldType {
  kInt,
  kMoney,
  kDouble,
  kString,
  kChar,  // "Y" / "N"
  kDate,
  kDateTime,
  kStatus,  // crm_status: a row of crm.status with ENTITY_ID = status_type
  kUser,
  kCategory,
  kCurrency,
  kLead,
  kContact,
  kCompany,
  kDeal,
  kMulti,     // crm_multifield: PHONE, EMAIL, WEB, IM, LINK
  kIntList,   // CONTACT_IDS, COMPANY_IDS, observers
  kUserField  // UF_CRM_*: typed by its definition
};

enum FieldFlag : unsigned {
  kReadOnly = 1,
  kImmutable = 2,
  kRequired = 4,
  kMultiple = 8,
  kItemOnly = 16,    // exists only in crm.item (deal observers)
  kLegacyOnly = 32,  // not shown by crm.item
};

struct FieldSpec {
  std::string name;   // legacy
  std::string camel;  // crm.item
  FieldType type;
  unsigned flags = 0;
  std::string status_type;  // for kStatus
  std::string title;
};

struct EntityKind {
  std::string name;       // "LEAD"
  int type_id;            // 1
  std::string lower;      // "lead" (timeline ENTITY_TYPE, event names)
  std::string uf_entity;  // "CRM_LEAD"
  std::vector<FieldSpec> fields;
};

const EntityKind& LeadKind();
const EntityKind& DealKind();
const EntityKind& ContactKind();
const EntityKind& CompanyKind();
// nullptr for anything but 1, 2, 3, 4.
const EntityKind* KindByTypeId(long type_id);
const EntityKind* KindByName(std::string_view name);

const FieldSpec* FindField(const std::vector<FieldSpec>& fields, std::string_view name);
const FieldSpec* FindCamel(const std::vector<FieldSpec>& fields, std::string_view camel);

// "UF_CRM_MY_FIELD" -> "ufCrmMyField", "UF_CRM_1721244482250" -> "ufCrm_1721244482250".
std::string CamelUfName(std::string_view uf_name);

// The spec of a user field from its crm.*.userfield row.
FieldSpec UserFieldSpec(const json& userfield_row);

// The type name `crm.*.fields` prints ("integer", "crm_status", ...).
std::string TypeName(const FieldSpec& spec, const json& userfield_row = nullptr);

}  // namespace emu
