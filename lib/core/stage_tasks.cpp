#include "lib/core/stage_tasks.h"

#include "lib/core/change.h"
#include "lib/core/handover.h"
#include "lib/core/template_text.h"
#include "lib/core/working_time.h"

namespace core {
namespace {

using json = nlohmann::json;

std::optional<std::string> RoleOf(const std::string& stage,
                                  const std::vector<std::pair<std::string, std::string>>& roles) {
  for (const auto& [role, id] : roles) {
    if (!id.empty() && id == stage) return role;
  }
  return std::nullopt;
}

}  // namespace

std::string StageField(const std::string& entity_type) {
  return entity_type == "lead" ? "STATUS_ID" : "STAGE_ID";
}

std::optional<StageEntry> EnteredStage(const json& before, const json& after,
                                       const std::string& entity_type, const Settings& settings,
                                       const Pipelines& pipelines) {
  if (!after.is_object()) return std::nullopt;
  const std::string field = StageField(entity_type);
  const std::string stage = TextField(after, field);
  if (before.is_object() && TextField(before, field) == stage) return std::nullopt;
  if (entity_type == "lead") {
    const auto& l = settings.lead;
    auto role = RoleOf(stage, {{"duplicate_check", l.duplicate_check},
                               {"free", l.free},
                               {"assigned", l.assigned},
                               {"ready_now", l.ready_now},
                               {"ready_later", l.ready_later}});
    if (!role) return std::nullopt;
    return StageEntry{"lead", *role};
  }
  const std::string direction = DirectionOf(after, pipelines);
  if (direction.empty()) return std::nullopt;
  const auto& p = direction == "sales" ? settings.sales : settings.production;
  const int64_t category = direction == "sales" ? pipelines.sales : pipelines.production;
  auto role =
      RoleOf(stage, {{"free", StageId(category, p.free)},
                     {"assigned", StageId(category, p.assigned)},
                     {"meeting", p.meeting.empty() ? "" : StageId(category, p.meeting)},
                     {"carry_over", p.carry_over.empty() ? "" : StageId(category, p.carry_over)}});
  if (!role) return std::nullopt;
  return StageEntry{direction, *role};
}

std::vector<Action> PlanStageTasks(const json& entity_id, const std::string& entity_type,
                                   const std::string& title, int64_t responsible,
                                   const StageEntry& entry, const std::string& entered_at,
                                   const Settings& settings, int64_t now) {
  std::vector<Action> tasks;
  const std::string id_text =
      entity_id.is_string() ? entity_id.get<std::string>() : entity_id.dump();
  const std::string binding = (entity_type == "lead" ? "L_" : "D_") + id_text;
  for (size_t i = 0; i < settings.tasks.size(); ++i) {
    const auto& t = settings.tasks[i];
    if (t.direction != entry.direction || t.stage != entry.role) continue;
    const int64_t who =
        t.responsible == "assignee" ? responsible : std::atoll(t.responsible.c_str());
    if (who <= 0) continue;
    int64_t due = AddWorkingHours(now, t.deadline_working_hours, settings.schedule);
    if (t.deadline_working_days > 0)
      due = AddWorkingDays(due, t.deadline_working_days, settings.schedule);
    const std::string key = "task:" + entity_type + ":" + id_text + ":" + entry.role + ":" +
                            std::to_string(i) + ":" + entered_at;
    const std::string task_title = RenderTemplate(
        t.title, {{entity_type + ".title", title}, {"deal.title", title}, {"lead.title", title}});
    // Found again by title, person and card when its answer was lost (docs:
    // tasks/tasks-task-list.md; the answer spells fields in camelCase).
    Lookup lookup{"tasks.task.list",
                  {{"filter", {{"TITLE", task_title}, {"RESPONSIBLE_ID", who}}},
                   {"select", {"ID", "TITLE", "UF_CRM_TASK"}}},
                  {{"title", task_title}, {"ufCrmTask", binding}}};
    // Docs: tasks/tasks-task-add.md — UF_CRM_TASK binds the task to the card.
    tasks.push_back({key,
                     "tasks.task.add",
                     {{"fields",
                       {{"TITLE", task_title},
                        {"RESPONSIBLE_ID", who},
                        {"DEADLINE", FormatLocalTime(due, settings.schedule)},
                        {"UF_CRM_TASK", json::array({binding})}}}},
                     "auto-task of stage " + entry.direction + "." + entry.role,
                     std::move(lookup),
                     {}});
  }
  return tasks;
}

void AddTasksForOwnMoves(Outcome& outcome, const json& after, const std::string& entity_type,
                         const Settings& settings, const Pipelines& pipelines, int64_t now) {
  const std::string field = StageField(entity_type);
  const std::string update = "crm." + entity_type + ".update";
  std::vector<Action> tasks;
  for (const auto& action : outcome.actions) {
    if (action.method == "crm.deal.add" && action.params.contains("fields")) {
      // A deal the plan creates enters its first stage; its id is the create's result.
      const json& fields = action.params["fields"];
      const auto entry = EnteredStage(nullptr, fields, "deal", settings, pipelines);
      if (!entry) continue;
      auto made = PlanStageTasks("$result[" + action.key + "]", "deal", TextField(fields, "TITLE"),
                                 IdField(fields, "ASSIGNED_BY_ID"), *entry, "new", settings, now);
      tasks.insert(tasks.end(), made.begin(), made.end());
      continue;
    }
    if (action.method != update || !action.params.contains("fields")) continue;
    const json& fields = action.params["fields"];
    if (!fields.contains(field)) continue;
    json projected = after;
    for (const auto& [name, value] : fields.items()) projected[name] = value;
    const auto entry = EnteredStage(after, projected, entity_type, settings, pipelines);
    if (!entry) continue;
    auto made = PlanStageTasks(action.params["id"], entity_type, TextField(after, "TITLE"),
                               IdField(projected, "ASSIGNED_BY_ID"), *entry,
                               TextField(after, "DATE_MODIFY"), settings, now);
    tasks.insert(tasks.end(), made.begin(), made.end());
  }
  outcome.actions.insert(outcome.actions.end(), tasks.begin(), tasks.end());
}

}  // namespace core
