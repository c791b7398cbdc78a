// Dictionaries: crm.status.* (lead statuses, deal stages, sources...), crm.category.* (deal
// pipelines) and crm.{lead,deal}.userfield.*. Docs: api-reference/crm/status/*,
// api-reference/crm/universal/category/*, api-reference/crm/{leads,deals}/*userfield*.
#include <algorithm>
#include <cctype>

#include "emulator/crm_store.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

json ObjectParam(const Call& call, const char* name) {
  const json* value = call.Param(name);
  return value != nullptr && value->is_object() ? *value : json::object();
}

bool IsStageEntity(const std::string& entity) {
  return entity == "STATUS" || entity.rfind("DEAL_STAGE", 0) == 0;
}

// -1 when the entity is not DEAL_STAGE_<n> of an existing pipeline.
long StageCategory(const Portal& portal, const std::string& entity) {
  if (entity == "DEAL_STAGE") return 0;
  static const std::string kPrefix = "DEAL_STAGE_";
  if (entity.rfind(kPrefix, 0) != 0) return -1;
  const std::string digits = entity.substr(kPrefix.size());
  if (digits.empty() || !std::all_of(digits.begin(), digits.end(), ::isdigit) ||
      digits.size() > 9) {
    return -1;
  }
  const long id = std::stol(digits);
  return portal.categories.count(id) != 0 ? id : -1;
}

bool KnownEntity(const Portal& portal, const std::string& entity) {
  static const char* kSimple[] = {"STATUS",       "SOURCE",    "CONTACT_TYPE",
                                  "COMPANY_TYPE", "EMPLOYEES", "INDUSTRY",
                                  "DEAL_TYPE",    "HONORIFIC", "QUOTE_STATUS"};
  for (const char* s : kSimple) {
    if (entity == s) return true;
  }
  return StageCategory(portal, entity) >= 0;
}

long SortOf(const json& row) { return std::stol(row["SORT"].get<std::string>()); }

// EXTRA of stage rows: success, failure (the first failure), apology (later failures).
void RefreshExtra(Portal& portal, const std::string& entity) {
  if (!IsStageEntity(entity)) return;
  bool failure_seen = false;
  for (const json* row : StatusesOf(portal, entity)) {
    json& r = portal.statuses[std::stol((*row)["ID"].get<std::string>())];
    const std::string semantics =
        r["SEMANTICS"].is_string() ? r["SEMANTICS"].get<std::string>() : "";
    std::string extra = "process";
    if (semantics == "S") extra = "success";
    if (semantics == "F") extra = failure_seen ? "apology" : "failure";
    failure_seen = failure_seen || semantics == "F";
    r["EXTRA"] = {{"SEMANTICS", extra}, {"COLOR", r["COLOR"].is_string() ? r["COLOR"] : json("")}};
  }
}

std::string StageIdFor(const Portal& portal, const std::string& entity, std::string status_id) {
  const long category = StageCategory(portal, entity);
  if (category > 0) {
    const std::string prefix = "C" + std::to_string(category) + ":";
    if (status_id.rfind(prefix, 0) != 0) status_id = prefix + status_id;
  }
  return status_id;
}

MethodResult StatusAdd(Call& call) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  const json fields = ObjectParam(call, "fields");
  const std::string entity = TextField(fields, "ENTITY_ID");
  std::string status_id = TextField(fields, "STATUS_ID");
  std::vector<std::string> missing;
  if (entity.empty()) missing.push_back("The field ENTITY_ID is required.");
  if (status_id.empty()) missing.push_back("The field STATUS_ID is required.");
  if (!missing.empty()) {
    std::string text = missing[0];
    if (missing.size() > 1) text += "\n" + missing[1];
    return Fail(400, "", text);
  }
  if (!KnownEntity(call.portal, entity))
    return Fail(400, "", "Specified entity type is not supported.");
  const std::string name = TextField(fields, "NAME");
  if (name.empty()) return Fail(400, "", "The field Title is required.");
  const long category = StageCategory(call.portal, entity);
  status_id = StageIdFor(call.portal, entity, status_id);
  const std::string bare = category > 0 ? status_id.substr(status_id.find(':') + 1) : status_id;
  if (IsStageEntity(entity) && !std::all_of(bare.begin(), bare.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      })) {
    return CoreError(
        "Status ID contains invalid characters. Allowed characters are: A-Z, 0-9, _ and -.");
  }
  const size_t max_length = entity == "STATUS" ? 21 : 22;
  if (status_id.size() > max_length) {
    return CoreError("The status ID is too long (more than " + std::to_string(max_length) +
                     " characters).");
  }
  if (FindStatus(call.portal, entity, status_id) != nullptr) {
    return CoreError("The specified status ID already exists.<br>");
  }
  long sort = AsId(fields.contains("SORT") ? &fields["SORT"] : nullptr);
  if (sort <= 0) sort = 10;
  std::string semantics = TextField(fields, "SEMANTICS");
  if (semantics != "S" && semantics != "F") semantics = "";
  if (IsStageEntity(entity)) {
    for (const json* row : StatusesOf(call.portal, entity)) {
      if ((*row)["SEMANTICS"] == "S" && semantics.empty() && sort >= SortOf(*row)) {
        return Fail(400, "",
                    "Cannot create more stages after the final stage because the final "
                    "successful stage already exists. Try using sort order values less than "
                    "that of the final stage.");
      }
      if ((*row)["SEMANTICS"] == "S" && semantics == "S") {
        return Fail(400, "", "There can be only one successful stage.");
      }
      // Failure stages come after the success stage (crm-status-add.md, "Restrictions for
      // SORT"); a portal refuses an earlier one rather than reordering it.
      if ((*row)["SEMANTICS"] == "S" && semantics == "F" && sort <= SortOf(*row)) {
        return Fail(400, "", "Cannot add semantics with the specified sort order.");
      }
    }
  }
  std::string color = TextField(fields, "COLOR");
  if (color.empty() && fields.contains("EXTRA")) color = TextField(fields["EXTRA"], "COLOR");
  if (!color.empty() && color[0] != '#') color = "#" + color;
  const long id = call.portal.NextId("status");
  json row = {{"ID", std::to_string(id)},
              {"ENTITY_ID", entity},
              {"STATUS_ID", status_id},
              {"NAME", name},
              {"NAME_INIT", ""},
              {"SORT", std::to_string(sort)},
              {"SYSTEM", "N"},
              {"CATEGORY_ID", std::to_string(std::max(category, 0L))},
              {"COLOR", color},
              {"SEMANTICS", semantics.empty() ? json(nullptr) : json(semantics)}};
  call.portal.statuses[id] = row;
  RefreshExtra(call.portal, entity);
  return Reply{id, {}, {}};
}

json* StatusById(Call& call) {
  const long id = AsId(call.Param("id"));
  auto it = call.portal.statuses.find(id);
  return it == call.portal.statuses.end() ? nullptr : &it->second;
}

MethodResult StatusGet(Call& call) {
  if (AsId(call.Param("id")) == 0) return BadId();
  const json* row = StatusById(call);
  if (row == nullptr) return Fail(400, "", "CRM Status is not found.");
  return Reply{*row, {}, {}};
}

MethodResult StatusUpdate(Call& call) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  if (AsId(call.Param("id")) == 0) return BadId();
  json* row = StatusById(call);
  if (row == nullptr) return Fail(400, "", "Status is not found.");
  const json fields = ObjectParam(call, "fields");
  if (fields.contains("NAME") && !TextField(fields, "NAME").empty())
    (*row)["NAME"] = TextField(fields, "NAME");
  if (fields.contains("SORT") && AsId(&fields["SORT"]) > 0) {
    (*row)["SORT"] = std::to_string(AsId(&fields["SORT"]));
  }
  std::string color = TextField(fields, "COLOR");
  if (color.empty() && fields.contains("EXTRA")) color = TextField(fields["EXTRA"], "COLOR");
  if (!color.empty()) (*row)["COLOR"] = color[0] == '#' ? color : "#" + color;
  RefreshExtra(call.portal, (*row)["ENTITY_ID"].get<std::string>());
  return Reply{true, {}, {}};
}

MethodResult StatusDelete(Call& call) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  if (AsId(call.Param("id")) == 0) return BadId();
  json* row = StatusById(call);
  if (row == nullptr) return Fail(400, "", "Status is not found.");
  const json params = ObjectParam(call, "params");
  if ((*row)["SYSTEM"] == "Y" && TextField(params, "FORCED") != "Y") {
    return Fail(400, "",
                "CRM System Status can be deleted only if parameter FORCED is specified and equal "
                "to \"Y\".");
  }
  const std::string entity = (*row)["ENTITY_ID"].get<std::string>();
  const std::string status_id = (*row)["STATUS_ID"].get<std::string>();
  const char* kind =
      entity == "STATUS" ? "LEAD" : (entity.rfind("DEAL_STAGE", 0) == 0 ? "DEAL" : "");
  const char* field = entity == "STATUS" ? "STATUS_ID" : "STAGE_ID";
  if (*kind != '\0') {
    for (const auto& [id, item] : call.portal.crm[kind]) {
      if (item.value(field, json("")) == status_id) {
        return Fail(400, "", "There are active items in this status.");
      }
    }
  }
  call.portal.statuses.erase(AsId(call.Param("id")));
  RefreshExtra(call.portal, entity);
  return Reply{true, {}, {}};
}

MethodResult StatusList(Call& call) {
  const json filter = ObjectParam(call, "filter");
  json order = ObjectParam(call, "order");
  if (order.empty()) order = {{"SORT", "ASC"}};
  std::vector<json> rows;
  const auto conditions = ParseFilter(filter);
  for (const auto& [id, row] : call.portal.statuses) {
    if (RowMatches(row, conditions, call.portal.tz_minutes)) rows.push_back(row);
  }
  SortRows(rows, order, call.portal.tz_minutes);
  const auto total = static_cast<long>(rows.size());
  return Reply{rows, total, {}};
}

MethodResult StatusFields(Call&) {
  auto f = [](const char* type, bool required, bool read_only, bool immutable, const char* title) {
    return json{{"type", type},
                {"isRequired", required},
                {"isReadOnly", read_only},
                {"isImmutable", immutable},
                {"isMultiple", false},
                {"isDynamic", false},
                {"title", title}};
  };
  return Reply{{{"ID", f("integer", false, true, false, "ID")},
                {"ENTITY_ID", f("string", true, false, true, "Entity ID")},
                {"STATUS_ID", f("string", true, false, true, "Status")},
                {"SORT", f("integer", false, false, false, "Sorting")},
                {"NAME", f("string", true, false, false, "Name")},
                {"NAME_INIT", f("string", false, true, false, "Default Name")},
                {"SYSTEM", f("char", false, true, false, "System")},
                {"CATEGORY_ID", f("integer", false, false, true, "CATEGORY_ID")},
                {"COLOR", f("string", false, false, false, "COLOR")},
                {"SEMANTICS", f("char", false, false, true, "SEMANTICS")},
                {"EXTRA", f("crm_status_extra", false, false, false, "Additional Fields")}},
               {},
               {}};
}

json SemanticInfo(const Portal& portal, const std::string& entity) {
  json info = {{"START_FIELD", ""},
               {"FINAL_SUCCESS_FIELD", ""},
               {"FINAL_UNSUCCESS_FIELD", ""},
               {"FINAL_SORT", 0}};
  bool first = true;
  for (const json* row : StatusesOf(portal, entity)) {
    if (first) info["START_FIELD"] = (*row)["STATUS_ID"];
    first = false;
    if ((*row)["SEMANTICS"] == "S") {
      info["FINAL_SUCCESS_FIELD"] = (*row)["STATUS_ID"];
      info["FINAL_SORT"] = SortOf(*row);
    }
    if ((*row)["SEMANTICS"] == "F" && info["FINAL_UNSUCCESS_FIELD"] == "") {
      info["FINAL_UNSUCCESS_FIELD"] = (*row)["STATUS_ID"];
    }
  }
  return info;
}

MethodResult StatusEntityTypes(Call& call) {
  const Portal& p = call.portal;
  json out = json::array();
  out.push_back({{"ID", "STATUS"},
                 {"NAME", "Стадии лидов"},
                 {"SEMANTIC_INFO", SemanticInfo(p, "STATUS")},
                 {"ENTITY_TYPE_ID", 1}});
  out.push_back({{"ID", "SOURCE"}, {"NAME", "Источники"}});
  out.push_back({{"ID", "CONTACT_TYPE"}, {"NAME", "Тип контакта"}});
  out.push_back({{"ID", "COMPANY_TYPE"}, {"NAME", "Тип компании"}});
  out.push_back({{"ID", "DEAL_TYPE"}, {"NAME", "Тип сделки"}});
  for (const auto& [id, category] : p.categories) {
    const std::string entity = StageEntityId(id);
    json row = {{"ID", entity},
                {"NAME", category["name"].get<std::string>() + ": стадии сделок"},
                {"SEMANTIC_INFO", SemanticInfo(p, entity)},
                {"ENTITY_TYPE_ID", 2},
                {"CATEGORY_ID", id == 0 ? json(0) : json(std::to_string(id))}};
    if (id != 0) {
      row["PARENT_ID"] = "DEAL_STAGE";
      row["PREFIX"] = "C" + std::to_string(id);
      row["FIELD_ATTRIBUTE_SCOPE"] = "category_" + std::to_string(id);
    } else {
      row["FIELD_ATTRIBUTE_SCOPE"] = "";
    }
    out.push_back(row);
  }
  out.push_back({{"ID", "HONORIFIC"}, {"NAME", "Обращения"}});
  return Reply{out, {}, {}};
}

MethodResult StatusEntityItems(Call& call) {
  const json* entity = call.Param("entityId");
  if (entity == nullptr || (entity->is_string() && entity->get<std::string>().empty())) {
    return Fail(400, "", "The parameter entityId is not defined or invalid.");
  }
  if (!entity->is_string()) return Fail(400, "", "The parameter entityId must be a string.");
  json out = json::array();
  for (const json* row : StatusesOf(call.portal, entity->get<std::string>())) {
    out.push_back(
        {{"NAME", (*row)["NAME"]}, {"SORT", SortOf(*row)}, {"STATUS_ID", (*row)["STATUS_ID"]}});
  }
  return Reply{out, {}, {}};
}

// --- crm.category.* ---------------------------------------------------------------------------

tl::expected<void, RestError> DealTypeOnly(const Call& call) {
  const json* type = call.Param("entityTypeId");
  if (type == nullptr) return Fail(400, "100", "Could not find value for parameter {entityTypeId}");
  const long id = AsId(type);
  if (id == 2) return {};
  if (id >= 128 && id < 192) return Fail(400, "NOT_FOUND", "Smart process not found");
  const EntityKind* kind = KindByTypeId(id);
  return Fail(400, "ENTITY_TYPE_NOT_SUPPORTED",
              "Entity type " + (kind ? kind->name : std::to_string(id)) + " is not supported");
}

MethodResult CategoryReply(const Portal& portal, long id) {
  return Reply{{{"category", portal.categories.at(id)}}, {}, {}};
}

// Stage IDs of a new pipeline: the defaults, prefixed and cut to 21 characters.
void CreateDefaultStages(Portal& portal, long category_id) {
  struct Stage {
    const char* id;
    const char* name;
    int sort;
    const char* semantics;
    const char* color;
    bool system;
  };
  static const Stage kStages[] = {
      {"NEW", "Новая", 10, "", "#39A8EF", true},
      {"PREPARATION", "Подготовка документов", 20, "", "#2FC6F6", false},
      {"PREPAYMENT_INVOICE", "Счёт на предоплату", 30, "", "#55D0E0", false},
      {"EXECUTING", "В работе", 40, "", "#47E4C2", false},
      {"FINAL_INVOICE", "Финальный счёт", 50, "", "#FFA900", false},
      {"WON", "Сделка успешна", 60, "S", "#7BD500", true},
      {"LOSE", "Сделка провалена", 70, "F", "#FF5752", true},
      {"APOLOGY", "Анализ причины провала", 80, "F", "#FF5752", false},
  };
  const std::string entity = StageEntityId(category_id);
  for (const auto& s : kStages) {
    std::string status_id = "C" + std::to_string(category_id) + ":" + s.id;
    if (status_id.size() > 21) status_id.resize(21);
    const long id = portal.NextId("status");
    portal.statuses[id] = {{"ID", std::to_string(id)},
                           {"ENTITY_ID", entity},
                           {"STATUS_ID", status_id},
                           {"NAME", s.name},
                           {"NAME_INIT", s.system ? s.name : ""},
                           {"SORT", std::to_string(s.sort)},
                           {"SYSTEM", s.system ? "Y" : "N"},
                           {"CATEGORY_ID", std::to_string(category_id)},
                           {"COLOR", s.color},
                           {"SEMANTICS", *s.semantics ? json(s.semantics) : json(nullptr)}};
  }
  RefreshExtra(portal, entity);
}

MethodResult CategoryAdd(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  if (!call.CallerIsAdmin()) return Fail(400, "ACCESS_DENIED", "Access denied");
  const json fields = ObjectParam(call, "fields");
  const std::string name = TextField(fields, "name");
  if (name.empty()) return Fail(400, "0", "Field 'NAME' is required.");
  long sort = AsId(fields.contains("sort") ? &fields["sort"] : nullptr);
  if (sort <= 0) sort = 500;
  const long id = call.portal.NextId("category");
  call.portal.categories[id] = {{"id", id},          {"name", name},     {"sort", sort},
                                {"entityTypeId", 2}, {"isDefault", "N"}, {"originId", ""},
                                {"originatorId", ""}};
  CreateDefaultStages(call.portal, id);
  return CategoryReply(call.portal, id);
}

tl::expected<long, RestError> CategoryId(const Call& call) {
  const json* id = call.Param("id");
  if (id == nullptr) return Fail(400, "100", "Could not find value for parameter {id}");
  const bool zero = (id->is_number() && id->get<double>() == 0) || (id->is_string() && *id == "0");
  const long value = zero ? 0 : AsId(id);
  if ((value == 0 && !zero) || call.portal.categories.count(value) == 0) {
    return Fail(400, "NOT_FOUND", "Element not found");
  }
  return value;
}

MethodResult CategoryGet(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  auto id = CategoryId(call);
  if (!id) return tl::unexpected(id.error());
  return CategoryReply(call.portal, *id);
}

MethodResult CategoryList(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  std::vector<json> rows;
  for (const auto& [id, row] : call.portal.categories) rows.push_back(row);
  SortRows(rows, {{"sort", "ASC"}}, call.portal.tz_minutes, "id");
  const auto total = static_cast<long>(rows.size());
  return Reply{{{"categories", rows}}, total, {}};
}

MethodResult CategoryUpdate(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  if (!call.CallerIsAdmin()) return Fail(400, "ACCESS_DENIED", "Access denied");
  auto id = CategoryId(call);
  if (!id) return tl::unexpected(id.error());
  const json fields = ObjectParam(call, "fields");
  json& row = call.portal.categories[*id];
  if (!TextField(fields, "name").empty()) row["name"] = TextField(fields, "name");
  if (fields.contains("sort") && AsId(&fields["sort"]) > 0) row["sort"] = AsId(&fields["sort"]);
  return CategoryReply(call.portal, *id);
}

MethodResult CategoryDelete(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  if (!call.CallerIsAdmin()) return Fail(400, "ACCESS_DENIED", "Access denied");
  auto id = CategoryId(call);
  if (!id) return tl::unexpected(id.error());
  if (*id == 0) return Fail(400, "0", "Default deal category can not be deleted");
  for (const auto& [deal_id, deal] : call.portal.crm["DEAL"]) {
    if (IntField(deal, "CATEGORY_ID") == *id) {
      return Fail(400, "0",
                  "Deals related to the funnel " +
                      call.portal.categories[*id]["name"].get<std::string>() + " found");
    }
  }
  const std::string entity = StageEntityId(*id);
  for (auto it = call.portal.statuses.begin(); it != call.portal.statuses.end();) {
    it = it->second["ENTITY_ID"] == entity ? call.portal.statuses.erase(it) : std::next(it);
  }
  call.portal.categories.erase(*id);
  return Reply{nullptr, {}, {}};
}

MethodResult CategoryFields(Call& call) {
  if (auto ok = DealTypeOnly(call); !ok) return tl::unexpected(ok.error());
  auto f = [](const char* type, bool required, bool read_only, const char* title,
              const char* upper) {
    return json{{"type", type},         {"isRequired", required}, {"isReadOnly", read_only},
                {"isImmutable", false}, {"isMultiple", false},    {"isDynamic", false},
                {"title", title},       {"upperName", upper}};
  };
  return Reply{{{"fields",
                 {{"id", f("integer", false, true, "ID", "ID")},
                  {"name", f("string", false, false, "Name", "NAME")},
                  {"sort", f("integer", false, false, "Sort", "SORT")},
                  {"entityTypeId", f("integer", true, true, "Entity type ID", "ENTITY_TYPE_ID")},
                  {"isDefault", f("boolean", false, true, "Default", "IS_DEFAULT")},
                  {"originId", f("string", false, false, "Origin ID", "ORIGIN_ID")},
                  {"originatorId", f("string", false, false, "Originator ID", "ORIGINATOR_ID")}}}},
               {},
               {}};
}

// --- crm.{lead,deal}.userfield.* ---------------------------------------------------------------

std::string UfName(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name.rfind("UF_CRM_", 0) == 0) return name;
  if (name.rfind("UF_", 0) == 0) return "UF_CRM_" + name.substr(3);
  return "UF_CRM_" + name;
}

MethodResult UserFieldAdd(Call& call, const EntityKind& kind) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  json fields = ObjectParam(call, "fields");
  if (fields.empty()) fields = call.params;  // the parameters may come unwrapped
  const std::string type = TextField(fields, "USER_TYPE_ID");
  const std::string raw_name = TextField(fields, "FIELD_NAME");
  std::vector<std::string> missing;
  if (type.empty()) missing.push_back("The 'USER_TYPE_ID' field is not found.");
  if (raw_name.empty()) missing.push_back("The 'FIELD_NAME' field is not found.");
  if (!missing.empty()) {
    return Fail(400, "", missing.size() == 1 ? missing[0] : missing[0] + "\n" + missing[1]);
  }
  static const char* kTypes[] = {"string",     "integer",        "double",         "boolean",
                                 "datetime",   "date",           "money",          "url",
                                 "address",    "enumeration",    "file",           "employee",
                                 "crm_status", "iblock_section", "iblock_element", "crm"};
  if (std::none_of(std::begin(kTypes), std::end(kTypes),
                   [&](const char* t) { return type == t; })) {
    return CoreError("Invalid custom type specified.<br>");
  }
  const std::string name = UfName(raw_name);
  if (name.size() > 50) return CoreError("Field name is too long (more than 50 characters).<br>");
  if (!std::all_of(name.begin(), name.end(), [](char c) {
        return std::isupper(static_cast<unsigned char>(c)) ||
               std::isdigit(static_cast<unsigned char>(c)) || c == '_';
      })) {
    return CoreError(
        "Field name contains invalid characters. Allowed characters are: A-Z, 0-9 and _.<br>");
  }
  for (const json* row : UserFieldsOf(call.portal, kind)) {
    if ((*row)["FIELD_NAME"] == name) {
      return CoreError("Error adding a custom field: a field with the name " + name +
                       " already exists for the entity " + kind.uf_entity + ".<br>");
    }
  }
  const std::string label = TextField(fields, "LABEL").empty() ? name : TextField(fields, "LABEL");
  auto label_of = [&](const char* key) {
    return fields.contains(key) && !fields[key].is_null() ? fields[key] : json(label);
  };
  const long id = call.portal.NextId("userfield");
  json row = {{"ID", std::to_string(id)},
              {"ENTITY_ID", kind.uf_entity},
              {"FIELD_NAME", name},
              {"USER_TYPE_ID", type},
              {"XML_ID", fields.contains("XML_ID") ? fields["XML_ID"] : json(nullptr)},
              {"SORT", TextField(fields, "SORT").empty() ? "100" : TextField(fields, "SORT")},
              {"MULTIPLE", TextField(fields, "MULTIPLE") == "Y" ? "Y" : "N"},
              {"MANDATORY", TextField(fields, "MANDATORY") == "Y" ? "Y" : "N"},
              {"SHOW_FILTER", TextField(fields, "SHOW_FILTER") == "Y" ? "E" : "N"},
              {"SHOW_IN_LIST", TextField(fields, "SHOW_IN_LIST") == "N" ? "N" : "Y"},
              {"EDIT_IN_LIST", TextField(fields, "EDIT_IN_LIST") == "N" ? "N" : "Y"},
              {"IS_SEARCHABLE", TextField(fields, "IS_SEARCHABLE") == "Y" ? "Y" : "N"},
              {"SETTINGS", fields.contains("SETTINGS") ? fields["SETTINGS"] : json::object()},
              {"EDIT_FORM_LABEL", label_of("EDIT_FORM_LABEL")},
              {"LIST_COLUMN_LABEL", label_of("LIST_COLUMN_LABEL")},
              {"LIST_FILTER_LABEL", label_of("LIST_FILTER_LABEL")},
              {"ERROR_MESSAGE", fields.value("ERROR_MESSAGE", json(nullptr))},
              {"HELP_MESSAGE", fields.value("HELP_MESSAGE", json(nullptr))}};
  if (type == "enumeration") {
    json list = json::array();
    for (const auto& item : fields.value("LIST", json::array())) {
      list.push_back({{"ID", std::to_string(call.portal.NextId("enum"))},
                      {"SORT", TextField(item, "SORT").empty() ? "500" : TextField(item, "SORT")},
                      {"VALUE", TextField(item, "VALUE")},
                      {"DEF", TextField(item, "DEF") == "Y" ? "Y" : "N"},
                      {"XML_ID", TextField(item, "XML_ID")}});
    }
    row["LIST"] = list;
  }
  call.portal.userfields[id] = row;
  return Reply{id, {}, {}};
}

json* UserFieldById(Call& call, const EntityKind& kind) {
  auto it = call.portal.userfields.find(AsId(call.Param("id")));
  if (it == call.portal.userfields.end() || it->second["ENTITY_ID"] != kind.uf_entity)
    return nullptr;
  return &it->second;
}

MethodResult UserFieldNotFound(const Call& call) {
  const json* id = call.Param("id");
  return Fail(400, "ERROR_NOT_FOUND",
              "The entity with ID '" +
                  (id && id->is_string() ? id->get<std::string>() : (id ? id->dump() : "")) +
                  "' is not found.");
}

MethodResult UserFieldGet(Call& call, const EntityKind& kind) {
  if (AsId(call.Param("id")) == 0) return BadId();
  const json* row = UserFieldById(call, kind);
  if (row == nullptr) return UserFieldNotFound(call);
  return Reply{*row, {}, {}};
}

MethodResult UserFieldList(Call& call, const EntityKind& kind) {
  const auto conditions = ParseFilter(ObjectParam(call, "filter"));
  std::vector<json> rows;
  for (const json* row : UserFieldsOf(call.portal, kind)) {
    if (RowMatches(*row, conditions, call.portal.tz_minutes)) rows.push_back(*row);
  }
  SortRows(rows, ObjectParam(call, "order"), call.portal.tz_minutes);
  const auto total = static_cast<long>(rows.size());
  return Reply{rows, total, {}};
}

MethodResult UserFieldUpdate(Call& call, const EntityKind& kind) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  if (AsId(call.Param("id")) == 0) return BadId();
  json* row = UserFieldById(call, kind);
  if (row == nullptr) return UserFieldNotFound(call);
  const json fields = ObjectParam(call, "fields");
  for (const char* key : {"SORT", "MANDATORY", "SHOW_FILTER", "SHOW_IN_LIST", "EDIT_IN_LIST",
                          "IS_SEARCHABLE", "SETTINGS", "EDIT_FORM_LABEL", "LIST_COLUMN_LABEL",
                          "LIST_FILTER_LABEL", "ERROR_MESSAGE", "HELP_MESSAGE", "XML_ID"}) {
    if (fields.contains(key)) (*row)[key] = fields[key];
  }
  if (fields.contains("LABEL")) {
    for (const char* key : {"EDIT_FORM_LABEL", "LIST_COLUMN_LABEL", "LIST_FILTER_LABEL"}) {
      if (!fields.contains(key)) (*row)[key] = fields["LABEL"];
    }
  }
  return Reply{true, {}, {}};
}

MethodResult UserFieldDelete(Call& call, const EntityKind& kind) {
  if (!call.CallerIsAdmin()) return Fail(400, "", "Access denied.");
  if (AsId(call.Param("id")) == 0) return BadId();
  json* row = UserFieldById(call, kind);
  if (row == nullptr) return UserFieldNotFound(call);
  const std::string name = (*row)["FIELD_NAME"].get<std::string>();
  for (auto& [id, item] : call.portal.crm[kind.name]) item.erase(name);
  call.portal.userfields.erase(AsId(call.Param("id")));
  return Reply{true, {}, {}};
}

void RegisterUserFields(MethodTable& t, const std::string& prefix, const EntityKind& kind) {
  const EntityKind* k = &kind;
  t[prefix + ".userfield.add"] = {"crm", [k](Call& c) { return UserFieldAdd(c, *k); }};
  t[prefix + ".userfield.get"] = {"crm", [k](Call& c) { return UserFieldGet(c, *k); }};
  t[prefix + ".userfield.list"] = {"crm", [k](Call& c) { return UserFieldList(c, *k); }};
  t[prefix + ".userfield.update"] = {"crm", [k](Call& c) { return UserFieldUpdate(c, *k); }};
  t[prefix + ".userfield.delete"] = {"crm", [k](Call& c) { return UserFieldDelete(c, *k); }};
}

}  // namespace

void RegisterDictionaryMethods(MethodTable& t) {
  t["crm.status.add"] = {"crm", StatusAdd};
  t["crm.status.get"] = {"crm", StatusGet};
  t["crm.status.update"] = {"crm", StatusUpdate};
  t["crm.status.delete"] = {"crm", StatusDelete};
  t["crm.status.list"] = {"crm", StatusList};
  t["crm.status.fields"] = {"crm", StatusFields};
  t["crm.status.entity.types"] = {"crm", StatusEntityTypes};
  t["crm.status.entity.items"] = {"crm", StatusEntityItems};
  t["crm.category.add"] = {"crm", CategoryAdd};
  t["crm.category.get"] = {"crm", CategoryGet};
  t["crm.category.list"] = {"crm", CategoryList};
  t["crm.category.update"] = {"crm", CategoryUpdate};
  t["crm.category.delete"] = {"crm", CategoryDelete};
  t["crm.category.fields"] = {"crm", CategoryFields};
  RegisterUserFields(t, "crm.lead", LeadKind());
  RegisterUserFields(t, "crm.deal", DealKind());
}

}  // namespace emu
