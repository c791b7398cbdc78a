// Work around CRM items: tasks.task.add/list, crm.timeline.comment.add/list and
// crm.activity.todo.add. Docs: api-reference/tasks/tasks-task-add.md, tasks-task-list.md,
// crm/timeline/comments/*, crm/timeline/activities/todo/crm-activity-todo-add.md

#include "emulator/crm_store.h"
#include "emulator/envelope.h"
#include "emulator/form.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

// UF_CRM_TASK items ("D_10", "L_4", "C_7", "CO_5") must name existing CRM items.
bool CrmBindingExists(Portal& portal, const std::string& binding) {
  const auto underscore = binding.find('_');
  if (underscore == std::string::npos) return false;
  const std::string prefix = binding.substr(0, underscore);
  const json id_text = binding.substr(underscore + 1);
  const long id = AsId(&id_text);
  const EntityKind* kind = prefix == "L"    ? &LeadKind()
                           : prefix == "D"  ? &DealKind()
                           : prefix == "C"  ? &ContactKind()
                           : prefix == "CO" ? &CompanyKind()
                                            : nullptr;
  return kind != nullptr && id > 0 && FindEntity(portal, *kind, id) != nullptr;
}

// A task as tasks.task.* prints it: camelCase keys, mostly string values.
json RenderTask(const Portal& portal, const json& task, bool with_crm) {
  const int tz = portal.tz_minutes;
  json out = {{"id", std::to_string(task["ID"].get<long>())},
              {"title", task["TITLE"]},
              {"description", task["DESCRIPTION"]},
              {"status", task["STATUS"]},
              {"responsibleId", std::to_string(task["RESPONSIBLE_ID"].get<long>())},
              {"createdBy", std::to_string(task["CREATED_BY"].get<long>())},
              {"createdDate", FormatIsoTime(task["CREATED_DATE"].get<double>(), tz)},
              {"deadline", task["DEADLINE"].is_number()
                               ? json(FormatIsoTime(task["DEADLINE"].get<double>(), tz))
                               : json(nullptr)},
              {"groupId", "0"},
              {"auditors", task["AUDITORS"]},
              {"accomplices", json::array()}};
  if (with_crm) out["ufCrmTask"] = task["UF_CRM_TASK"];
  return out;
}

MethodResult TaskAdd(Call& call) {
  const json* fields_param = call.Param("fields");
  if (fields_param == nullptr || !fields_param->is_object()) {
    return Fail(400, "100", "Could not find value for parameter {fields}");
  }
  const json& fields = *fields_param;
  const std::string title = TextField(fields, "TITLE");
  if (title.empty()) return CoreError("Task title is not specified<br>");
  const long responsible =
      AsId(fields.contains("RESPONSIBLE_ID") ? &fields["RESPONSIBLE_ID"] : nullptr);
  if (responsible == 0 || call.portal.users.count(responsible) == 0) {
    return CoreError("Assignee not specified<br>");
  }
  json deadline = nullptr;
  if (!TextField(fields, "DEADLINE").empty()) {
    double t = 0;
    if (!ParseIsoTime(TextField(fields, "DEADLINE"), call.portal.tz_minutes, t)) {
      return CoreError("Invalid deadline<br>");
    }
    deadline = t;
  }
  json crm = json::array();
  if (fields.contains("UF_CRM_TASK")) {
    const json& list = fields["UF_CRM_TASK"];
    for (const auto& item : list.is_array() ? list : json::array({list})) {
      const std::string binding = item.is_string() ? item.get<std::string>() : "";
      if (!CrmBindingExists(call.portal, binding)) {
        return CoreError("CRM element " + binding + " not found<br>");
      }
      crm.push_back(binding);
    }
  }
  const long created_by =
      fields.contains("CREATED_BY") ? AsId(&fields["CREATED_BY"]) : call.caller.user_id;
  const long id = call.portal.NextId("task");
  json auditors = json::array();
  for (const auto& a : fields.value("AUDITORS", json::array()))
    auditors.push_back(TextField(json{{"v", a}}, "v"));
  call.portal.tasks[id] = {{"ID", id},
                           {"TITLE", title},
                           {"DESCRIPTION", TextField(fields, "DESCRIPTION")},
                           {"STATUS", "2"},
                           {"RESPONSIBLE_ID", responsible},
                           {"CREATED_BY", created_by == 0 ? call.caller.user_id : created_by},
                           {"CREATED_DATE", call.now},
                           {"DEADLINE", deadline},
                           {"AUDITORS", auditors},
                           {"UF_CRM_TASK", crm}};
  return Reply{{{"task", RenderTask(call.portal, call.portal.tasks[id], true)}}, {}, {}};
}

MethodResult TaskList(Call& call) {
  const json* filter_param = call.Param("filter");
  const json filter =
      filter_param != nullptr && filter_param->is_object() ? *filter_param : json::object();
  const json* select = call.Param("select");
  bool with_crm = false;
  if (select != nullptr && select->is_array()) {
    for (const auto& s : *select) with_crm = with_crm || s == "UF_CRM_TASK";
  }
  // Filter and order use UPPER keys on the stored rows (printed for comparison).
  std::vector<json> rows;
  const auto conditions = ParseFilter(filter);
  for (const auto& [id, task] : call.portal.tasks) {
    json printed = task;
    if (task["DEADLINE"].is_number())
      printed["DEADLINE"] = FormatIsoTime(task["DEADLINE"].get<double>(), call.portal.tz_minutes);
    printed["CREATED_DATE"] =
        FormatIsoTime(task["CREATED_DATE"].get<double>(), call.portal.tz_minutes);
    printed["REAL_STATUS"] = task["STATUS"];
    if (RowMatches(printed, conditions, call.portal.tz_minutes)) rows.push_back(printed);
  }
  const json* order = call.Param("order");
  SortRows(rows, order != nullptr ? *order : json::object(), call.portal.tz_minutes);
  Reply page = PageOf(std::move(rows), ReadPage(call.Param("start")));
  json tasks = json::array();
  for (const auto& row : page.result) {
    tasks.push_back(RenderTask(call.portal, call.portal.tasks.at(row["ID"].get<long>()), with_crm));
  }
  page.result = {{"tasks", tasks}};
  return page;
}

const EntityKind* KindByTimelineType(std::string type) {
  type = AsciiLower(std::move(type));
  if (type == "lead") return &LeadKind();
  if (type == "deal") return &DealKind();
  if (type == "contact") return &ContactKind();
  if (type == "company") return &CompanyKind();
  return nullptr;
}

MethodResult CommentAdd(Call& call) {
  const json* fields = call.ExactParam("fields");  // only lowercase since crm 23.100.0
  if (fields == nullptr || !fields->is_object()) {
    return Fail(400, "100", "Could not find value for parameter {fields}");
  }
  const std::string type = TextField(*fields, "ENTITY_TYPE");
  const EntityKind* kind = KindByTimelineType(type);
  const long owner = AsId(fields->contains("ENTITY_ID") ? &(*fields)["ENTITY_ID"] : nullptr);
  if (kind == nullptr || owner == 0 || FindEntity(call.portal, *kind, owner) == nullptr) {
    return Fail(400, "OWNER_NOT_FOUND", "Owner was not found");
  }
  const std::string comment = TextField(*fields, "COMMENT");
  if (comment.empty()) return Fail(400, "INVALID_ARG_VALUE", "Comment is empty");
  const long id = call.portal.NextId("timeline");
  call.portal.timeline_comments[id] = {{"ID", std::to_string(id)},
                                       {"CREATED", FormatIsoTime(call.now, call.portal.tz_minutes)},
                                       {"ENTITY_ID", owner},
                                       {"ENTITY_TYPE", kind->lower},
                                       {"AUTHOR_ID", std::to_string(call.caller.user_id)},
                                       {"COMMENT", comment}};
  return Reply{id, {}, {}};
}

MethodResult CommentList(Call& call) {
  const json* filter = call.Param("filter");
  if (filter == nullptr || !filter->is_object() || !filter->contains("ENTITY_ID") ||
      !filter->contains("ENTITY_TYPE")) {
    return Fail(400, "", "Access denied.");
  }
  const auto conditions = ParseFilter(*filter);
  std::vector<json> rows;
  for (const auto& [id, row] : call.portal.timeline_comments) {
    if (RowMatches(row, conditions, call.portal.tz_minutes)) rows.push_back(row);
  }
  const json* order = call.Param("order");
  SortRows(rows, order != nullptr ? *order : json::object(), call.portal.tz_minutes);
  return PageOf(std::move(rows), ReadPage(call.Param("start")));
}

MethodResult TodoAdd(Call& call) {
  for (const char* required : {"ownerTypeId", "ownerId", "deadline"}) {
    if (call.Param(required) == nullptr) {
      return Fail(400, "100", std::string("Could not find value for parameter {") + required + "}");
    }
  }
  const EntityKind* kind = KindByTypeId(AsId(call.Param("ownerTypeId")));
  const long owner = AsId(call.Param("ownerId"));
  if (kind == nullptr || owner == 0 || FindEntity(call.portal, *kind, owner) == nullptr) {
    return Fail(400, "OWNER_NOT_FOUND", "Owner was not found");
  }
  double deadline = 0;
  const json* deadline_param = call.Param("deadline");
  if (!deadline_param->is_string() ||
      !ParseIsoTime(deadline_param->get<std::string>(), call.portal.tz_minutes, deadline)) {
    return Fail(400, "WRONG_DATETIME_FORMAT", "Wrong datetime format");
  }
  const json* responsible = call.Param("responsibleId");
  const long id = call.portal.NextId("activity");
  call.portal.activities[id] = {
      {"ID", id},
      {"TYPE", "todo"},
      {"OWNER_TYPE_ID", kind->type_id},
      {"OWNER_ID", owner},
      {"DEADLINE", deadline},
      {"TITLE", call.Param("title") ? *call.Param("title") : json("")},
      {"DESCRIPTION", call.Param("description") ? *call.Param("description") : json("")},
      {"RESPONSIBLE_ID", responsible ? AsId(responsible) : call.caller.user_id}};
  return Reply{{{"id", id}}, {}, {}};
}

}  // namespace

void RegisterActivityMethods(MethodTable& t) {
  t["tasks.task.add"] = {"task", TaskAdd};
  t["tasks.task.list"] = {"task", TaskList};
  t["crm.timeline.comment.add"] = {"crm", CommentAdd};
  t["crm.timeline.comment.list"] = {"crm", CommentList};
  t["crm.activity.todo.add"] = {"crm", TodoAdd};
}

}  // namespace emu
