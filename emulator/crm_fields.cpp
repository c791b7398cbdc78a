#include "emulator/crm_fields.h"

#include <cctype>

namespace emu {
namespace {

using T = FieldType;

std::vector<FieldSpec> CommonTail() {
  return {
      {"ASSIGNED_BY_ID", "assignedById", T::kUser, 0, "", "Responsible person"},
      {"CREATED_BY_ID", "createdBy", T::kUser, kReadOnly, "", "Created by"},
      {"MODIFY_BY_ID", "updatedBy", T::kUser, kReadOnly, "", "Modified by"},
      {"DATE_CREATE", "createdTime", T::kDateTime, kReadOnly, "", "Created on"},
      {"DATE_MODIFY", "updatedTime", T::kDateTime, kReadOnly, "", "Modified on"},
      {"OPENED", "opened", T::kChar, 0, "", "Available to everyone"},
      {"COMMENTS", "comments", T::kString, 0, "", "Comment"},
      {"ORIGINATOR_ID", "originatorId", T::kString, 0, "", "External source"},
      {"ORIGIN_ID", "originId", T::kString, 0, "", "Item ID in data source"},
      {"UTM_SOURCE", "utmSource", T::kString, 0, "", "Ad system"},
      {"UTM_MEDIUM", "utmMedium", T::kString, 0, "", "Traffic type"},
      {"UTM_CAMPAIGN", "utmCampaign", T::kString, 0, "", "Ad campaign UTM"},
      {"UTM_CONTENT", "utmContent", T::kString, 0, "", "Campaign contents"},
      {"UTM_TERM", "utmTerm", T::kString, 0, "", "Campaign search term"},
      {"LAST_ACTIVITY_TIME", "lastActivityTime", T::kDateTime, kReadOnly, "", "Last activity"},
      {"LAST_ACTIVITY_BY", "lastActivityBy", T::kUser, kReadOnly, "", "Last activity by"},
  };
}

std::vector<FieldSpec> Multifields() {
  return {
      {"PHONE", "", T::kMulti, kMultiple, "", "Phone"},
      {"EMAIL", "", T::kMulti, kMultiple, "", "E-mail"},
      {"WEB", "", T::kMulti, kMultiple, "", "Website"},
      {"IM", "", T::kMulti, kMultiple, "", "Messenger"},
      {"LINK", "", T::kMulti, kMultiple, "", "Link"},
  };
}

std::vector<FieldSpec> Join(std::vector<FieldSpec> head, const std::vector<FieldSpec>& tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

EntityKind MakeLead() {
  std::vector<FieldSpec> f = {
      {"ID", "id", T::kInt, kReadOnly, "", "ID"},
      {"TITLE", "title", T::kString, 0, "", "Lead name"},
      {"HONORIFIC", "honorific", T::kStatus, 0, "HONORIFIC", "Salutation"},
      {"NAME", "name", T::kString, 0, "", "First name"},
      {"SECOND_NAME", "secondName", T::kString, 0, "", "Middle name"},
      {"LAST_NAME", "lastName", T::kString, 0, "", "Last name"},
      {"BIRTHDATE", "birthdate", T::kDate, 0, "", "Date of birth"},
      {"COMPANY_TITLE", "companyTitle", T::kString, 0, "", "Company name"},
      {"SOURCE_ID", "sourceId", T::kStatus, 0, "SOURCE", "Source"},
      {"SOURCE_DESCRIPTION", "sourceDescription", T::kString, 0, "", "Source information"},
      {"STATUS_ID", "stageId", T::kStatus, 0, "STATUS", "Stage"},
      {"STATUS_DESCRIPTION", "statusDescription", T::kString, kLegacyOnly, "", "Status info"},
      {"STATUS_SEMANTIC_ID", "stageSemanticId", T::kString, kReadOnly, "", "Status details"},
      {"POST", "post", T::kString, 0, "", "Position"},
      {"ADDRESS", "address", T::kString, kLegacyOnly, "", "Address"},
      {"ADDRESS_CITY", "addressCity", T::kString, kLegacyOnly, "", "City"},
      {"ADDRESS_REGION", "addressRegion", T::kString, kLegacyOnly, "", "Region"},
      {"ADDRESS_PROVINCE", "addressProvince", T::kString, kLegacyOnly, "", "State / Province"},
      {"ADDRESS_COUNTRY", "addressCountry", T::kString, kLegacyOnly, "", "Country"},
      {"CURRENCY_ID", "currencyId", T::kCurrency, 0, "", "Currency"},
      {"OPPORTUNITY", "opportunity", T::kMoney, 0, "", "Total"},
      {"IS_MANUAL_OPPORTUNITY", "isManualOpportunity", T::kChar, 0, "", "Manual total"},
      {"HAS_PHONE", "hasPhone", T::kChar, kReadOnly, "", "Has phone"},
      {"HAS_EMAIL", "hasEmail", T::kChar, kReadOnly, "", "Has email"},
      {"COMPANY_ID", "companyId", T::kCompany, 0, "", "Company"},
      {"CONTACT_ID", "contactId", T::kContact, 0, "", "Contact"},
      {"CONTACT_IDS", "contactIds", T::kIntList, kMultiple, "", "Contacts"},
      {"IS_RETURN_CUSTOMER", "isReturnCustomer", T::kChar, kReadOnly, "", "Repeat lead"},
      {"DATE_CLOSED", "closedDate", T::kDateTime, kReadOnly, "", "Completion date"},
      {"MOVED_BY_ID", "movedBy", T::kUser, kReadOnly, "", "Moved by"},
      {"MOVED_TIME", "movedTime", T::kDateTime, kReadOnly, "", "Moved on"},
  };
  return {"LEAD", 1, "lead", "CRM_LEAD", Join(Join(f, CommonTail()), Multifields())};
}

EntityKind MakeDeal() {
  std::vector<FieldSpec> f = {
      {"ID", "id", T::kInt, kReadOnly, "", "ID"},
      {"TITLE", "title", T::kString, 0, "", "Name"},
      {"TYPE_ID", "typeId", T::kStatus, 0, "DEAL_TYPE", "Type"},
      {"CATEGORY_ID", "categoryId", T::kCategory, kImmutable, "", "Pipeline"},
      {"STAGE_ID", "stageId", T::kStatus, 0, "DEAL_STAGE", "Deal stage"},
      {"STAGE_SEMANTIC_ID", "stageSemanticId", T::kString, kReadOnly, "", "Stage group"},
      {"IS_NEW", "isNew", T::kChar, kReadOnly, "", "New deal"},
      {"IS_RECURRING", "isRecurring", T::kChar, 0, "", "Recurring deal"},
      {"IS_RETURN_CUSTOMER", "isReturnCustomer", T::kChar, 0, "", "Repeat deal"},
      {"IS_REPEATED_APPROACH", "isRepeatedApproach", T::kChar, 0, "", "Repeat inquiry"},
      {"PROBABILITY", "probability", T::kInt, 0, "", "Probability"},
      {"CURRENCY_ID", "currencyId", T::kCurrency, 0, "", "Currency"},
      {"OPPORTUNITY", "opportunity", T::kMoney, 0, "", "Income"},
      {"IS_MANUAL_OPPORTUNITY", "isManualOpportunity", T::kChar, 0, "", "Manual total"},
      {"TAX_VALUE", "taxValue", T::kMoney, 0, "", "Tax rate"},
      {"COMPANY_ID", "companyId", T::kCompany, 0, "", "Company"},
      {"CONTACT_ID", "contactId", T::kContact, 0, "", "Contact"},
      {"CONTACT_IDS", "contactIds", T::kIntList, kMultiple, "", "Contacts"},
      {"QUOTE_ID", "quoteId", T::kInt, kReadOnly, "", "Quote"},
      {"BEGINDATE", "begindate", T::kDate, 0, "", "Start date"},
      {"CLOSEDATE", "closedate", T::kDate, 0, "", "Estimated close date"},
      {"CLOSED", "closed", T::kChar, 0, "", "Closed"},
      {"SOURCE_ID", "sourceId", T::kStatus, 0, "SOURCE", "Source"},
      {"SOURCE_DESCRIPTION", "sourceDescription", T::kString, 0, "", "Source information"},
      {"LEAD_ID", "leadId", T::kLead, 0, "", "Lead"},
      {"ADDITIONAL_INFO", "additionalInfo", T::kString, 0, "", "Additional information"},
      {"LOCATION_ID", "locationId", T::kString, 0, "", "Location"},
      {"MOVED_BY_ID", "movedBy", T::kUser, kReadOnly, "", "Moved by"},
      {"MOVED_TIME", "movedTime", T::kDateTime, kReadOnly, "", "Moved on"},
      {"OBSERVERS", "observers", T::kIntList, kMultiple | kItemOnly, "", "Observers"},
  };
  return {"DEAL", 2, "deal", "CRM_DEAL", Join(f, CommonTail())};
}

EntityKind MakeContact() {
  std::vector<FieldSpec> f = {
      {"ID", "id", T::kInt, kReadOnly, "", "ID"},
      {"HONORIFIC", "honorific", T::kStatus, 0, "HONORIFIC", "Salutation"},
      {"NAME", "name", T::kString, 0, "", "First name"},
      {"SECOND_NAME", "secondName", T::kString, 0, "", "Middle name"},
      {"LAST_NAME", "lastName", T::kString, 0, "", "Last name"},
      {"BIRTHDATE", "birthdate", T::kDate, 0, "", "Date of birth"},
      {"TYPE_ID", "typeId", T::kStatus, 0, "CONTACT_TYPE", "Contact type"},
      {"SOURCE_ID", "sourceId", T::kStatus, 0, "SOURCE", "Source"},
      {"SOURCE_DESCRIPTION", "sourceDescription", T::kString, 0, "", "Source information"},
      {"POST", "post", T::kString, 0, "", "Position"},
      {"EXPORT", "export", T::kChar, 0, "", "Included in export"},
      {"HAS_PHONE", "hasPhone", T::kChar, kReadOnly, "", "Has phone"},
      {"HAS_EMAIL", "hasEmail", T::kChar, kReadOnly, "", "Has email"},
      {"COMPANY_ID", "companyId", T::kCompany, 0, "", "Company"},
      {"COMPANY_IDS", "companyIds", T::kIntList, kMultiple, "", "Companies"},
      {"LEAD_ID", "leadId", T::kLead, kReadOnly, "", "Lead"},
  };
  return {"CONTACT", 3, "contact", "CRM_CONTACT", Join(Join(f, CommonTail()), Multifields())};
}

EntityKind MakeCompany() {
  std::vector<FieldSpec> f = {
      {"ID", "id", T::kInt, kReadOnly, "", "ID"},
      {"TITLE", "title", T::kString, kRequired, "", "Company name"},
      {"COMPANY_TYPE", "typeId", T::kStatus, 0, "COMPANY_TYPE", "Company type"},
      {"INDUSTRY", "industry", T::kStatus, 0, "INDUSTRY", "Industry"},
      {"REVENUE", "revenue", T::kMoney, 0, "", "Annual revenue"},
      {"CURRENCY_ID", "currencyId", T::kCurrency, 0, "", "Currency"},
      {"HAS_PHONE", "hasPhone", T::kChar, kReadOnly, "", "Has phone"},
      {"HAS_EMAIL", "hasEmail", T::kChar, kReadOnly, "", "Has email"},
      {"LEAD_ID", "leadId", T::kLead, kReadOnly, "", "Lead"},
  };
  return {"COMPANY", 4, "company", "CRM_COMPANY", Join(Join(f, CommonTail()), Multifields())};
}

}  // namespace

const EntityKind& LeadKind() {
  static const EntityKind kind = MakeLead();
  return kind;
}
const EntityKind& DealKind() {
  static const EntityKind kind = MakeDeal();
  return kind;
}
const EntityKind& ContactKind() {
  static const EntityKind kind = MakeContact();
  return kind;
}
const EntityKind& CompanyKind() {
  static const EntityKind kind = MakeCompany();
  return kind;
}

const EntityKind* KindByTypeId(long type_id) {
  switch (type_id) {
    case 1:
      return &LeadKind();
    case 2:
      return &DealKind();
    case 3:
      return &ContactKind();
    case 4:
      return &CompanyKind();
    default:
      return nullptr;
  }
}

const EntityKind* KindByName(std::string_view name) {
  for (long id = 1; id <= 4; ++id) {
    if (KindByTypeId(id)->name == name) return KindByTypeId(id);
  }
  return nullptr;
}

const FieldSpec* FindField(const std::vector<FieldSpec>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

const FieldSpec* FindCamel(const std::vector<FieldSpec>& fields, std::string_view camel) {
  for (const auto& f : fields) {
    if (!f.camel.empty() && f.camel == camel) return &f;
  }
  return nullptr;
}

std::string CamelUfName(std::string_view uf_name) {
  std::string out = "ufCrm";
  std::string_view rest = uf_name.substr(uf_name.rfind("UF_CRM_", 0) == 0 ? 7 : 0);
  bool upper_next = true;
  for (size_t i = 0; i < rest.size(); ++i) {
    const char c = rest[i];
    if (c == '_') {
      upper_next = true;
      continue;
    }
    const bool digit = std::isdigit(static_cast<unsigned char>(c)) != 0;
    if (upper_next && digit) out.push_back('_');  // "_1721..." keeps its underscore
    out.push_back(upper_next ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                             : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    upper_next = false;
  }
  return out;
}

FieldSpec UserFieldSpec(const json& row) {
  const std::string name = row.value("FIELD_NAME", "");
  const bool multiple = row.value("MULTIPLE", "N") == "Y";
  const std::string label = row.value("EDIT_FORM_LABEL", json(name)).is_string()
                                ? row.value("EDIT_FORM_LABEL", name)
                                : name;
  return {name,
          CamelUfName(name),
          FieldType::kUserField,
          (multiple ? static_cast<unsigned>(kMultiple) : 0u) |
              (row.value("MANDATORY", "N") == "Y" ? static_cast<unsigned>(kRequired) : 0u),
          "",
          label};
}

std::string TypeName(const FieldSpec& spec, const json& userfield_row) {
  switch (spec.type) {
    case FieldType::kInt:
      return "integer";
    case FieldType::kMoney:
    case FieldType::kDouble:
      return "double";
    case FieldType::kString:
      return "string";
    case FieldType::kChar:
      return "char";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kStatus:
      return "crm_status";
    case FieldType::kUser:
      return "user";
    case FieldType::kCategory:
      return "crm_category";
    case FieldType::kCurrency:
      return "crm_currency";
    case FieldType::kLead:
      return "crm_lead";
    case FieldType::kContact:
      return "crm_contact";
    case FieldType::kCompany:
      return "crm_company";
    case FieldType::kDeal:
      return "crm_deal";
    case FieldType::kMulti:
      return "crm_multifield";
    case FieldType::kIntList:
      if (spec.name == "OBSERVERS") return "user";
      return spec.name == "COMPANY_IDS" ? "crm_company" : "crm_contact";
    case FieldType::kUserField:
      return userfield_row.is_object() ? userfield_row.value("USER_TYPE_ID", "string") : "string";
  }
  return "string";
}

}  // namespace emu
