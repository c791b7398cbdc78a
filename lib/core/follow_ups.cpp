#include "lib/core/follow_ups.h"

#include <set>

#include "lib/core/handover.h"
#include "lib/core/stage_tasks.h"
#include "lib/core/template_text.h"
#include "lib/core/working_time.h"

namespace core {
namespace {

using json = nlohmann::json;

std::string ItemUrl(const std::string& portal_url, const std::string& entity_type, int64_t id) {
  return portal_url + "/crm/" + entity_type + "/details/" + std::to_string(id) + "/";
}

// The update that hands an item to `assignee` at its direction's assigned stage.
Action AssignAction(const std::string& key, const json& entity, const std::string& entity_type,
                    const std::string& direction, int64_t assignee, const Settings& settings,
                    const Pipelines& pipelines, const std::string& why) {
  const int64_t id = IdField(entity, "ID");
  json fields = {{"ASSIGNED_BY_ID", assignee}};
  if (entity_type == "lead") {
    fields["STATUS_ID"] = settings.lead.assigned;
  } else {
    fields["STAGE_ID"] =
        StageId(CategoryOf(direction, pipelines),
                direction == "sales" ? settings.sales.assigned : settings.production.assigned);
  }
  return Action{key,
                "crm." + entity_type + ".update",
                {{"id", id}, {"fields", std::move(fields)}},
                why,
                std::nullopt,
                {{entity_type, id}}};
}

Action Notify(const std::string& key, int64_t user, const std::string& message,
              const std::string& why) {
  return Action{key, "im.notify.system.add", {{"USER_ID", user}, {"MESSAGE", message}},
                why, std::nullopt,           {}};
}

// When a waiting item is offered again: every kWaitRecheckSeconds, every kHeldRecheckSeconds
// once it is held (nobody may come for long), and outside working time at the next start, as
// nobody is at work to take it.
int64_t NextOffer(int64_t now, bool held, const Settings& settings) {
  const int64_t next = now + (held ? kHeldRecheckSeconds : kWaitRecheckSeconds);
  return IsWorkingTime(next, settings.schedule) ? next : NextWorkdayStart(next, settings.schedule);
}

}  // namespace

int64_t ReadyDayStart(const json& entity, const Settings& settings) {
  const std::string text = TextField(entity, settings.ready_date_field);
  if (text.empty()) return 0;
  const auto date = ParseDate(text);
  if (!date) return 0;
  const auto [year, month, day] = *date;
  return WorkdayStartOfDate(year, month, day, settings.schedule);
}

void AddFollowUps(Outcome& outcome, const EntityChange& change, const Settings& settings,
                  const Pipelines& pipelines, int64_t now) {
  const bool continues_wait = change.timer.is_object() && change.timer.value("kind", "") == "wait";
  const json previous = continues_wait ? change.timer.value("data", json::object()) : json();
  const int64_t since = continues_wait ? previous.value("since", now) : now;
  bool alerted = continues_wait && previous.value("alerted", false);
  for (const auto& decision : outcome.decisions) alerted = alerted || decision.kind == "held";

  const auto follow = [&](const json& id, const std::string& type, const json& state) {
    const auto entry = EnteredStage(nullptr, state, type, settings, pipelines);
    if (!entry) return;
    if (entry->role == "assigned") {
      const auto sla = settings.sla_minutes.find(entry->direction + ".assigned");
      const int64_t assignee = IdField(state, "ASSIGNED_BY_ID");
      if (sla == settings.sla_minutes.end() || sla->second <= 0 || assignee <= 0) return;
      outcome.timers.push_back({"sla",
                                std::to_string(assignee),
                                type,
                                id,
                                now + int64_t{sla->second} * 60,
                                {{"assignee", assignee},
                                 {"stage", TextField(state, StageField(type))},
                                 {"minutes", sla->second}}});
    } else if (entry->role == "free") {
      const int64_t ready = type == "deal" ? ReadyDayStart(state, settings) : 0;
      if (ready > now) {
        outcome.timers.push_back({"ready_day", "", type, id, ready, json::object()});
      } else {
        outcome.timers.push_back({"wait",
                                  "",
                                  type,
                                  id,
                                  NextOffer(now, alerted, settings),
                                  {{"since", since}, {"alerted", alerted}}});
      }
    }
  };

  bool moved = false;
  const std::string own_update = "crm." + change.entity_type + ".update";
  for (const auto& action : outcome.actions) {
    if (!action.params.contains("fields") || !action.params["fields"].is_object()) continue;
    const json& fields = action.params["fields"];
    if (action.method == "crm.deal.add") {
      follow("$result[" + action.key + "]", "deal", fields);
    } else if (action.method == own_update &&
               IdValue(action.params.value("id", json())) == change.entity_id &&
               fields.contains(StageField(change.entity_type))) {
      json projected = change.after;
      for (const auto& [name, value] : fields.items()) projected[name] = value;
      follow(change.entity_id, change.entity_type, projected);
      moved = true;
    }
  }
  if (!moved && change.after.is_object()) {
    const auto entry = EnteredStage(nullptr, change.after, change.entity_type, settings, pipelines);
    if (entry && entry->role == "free") follow(change.entity_id, change.entity_type, change.after);
  }
}

std::vector<std::string> FallbackChain(const std::string& queue, const Settings& settings) {
  std::vector<std::string> chain;
  std::set<std::string> seen = {queue};
  for (auto it = settings.queues.find(queue); it != settings.queues.end();) {
    const std::string next = it->second.fallback_queue;
    if (next.empty() || !seen.insert(next).second) break;
    chain.push_back(next);
    it = settings.queues.find(next);
  }
  return chain;
}

Outcome PlanFallback(const json& entity, const std::string& entity_type,
                     const std::string& direction, const WaitContext& context,
                     const Settings& settings, const Pipelines& pipelines, int64_t since,
                     bool alerted, int64_t now) {
  Outcome out;
  const std::string queue = QueueOfDirection(direction);
  const auto own = settings.queues.find(queue);
  if (own == settings.queues.end()) return out;
  if (now - since < int64_t{own->second.fallback_after_minutes} * 60) return out;
  const int64_t id = IdField(entity, "ID");
  const int64_t waited = (now - since) / 60;
  const std::string key =
      "fallback:" + entity_type + ":" + std::to_string(id) + ":" + std::to_string(since);
  for (const auto& next : FallbackChain(queue, settings)) {
    const auto members = context.fallback_members.find(next);
    if (members == context.fallback_members.end()) continue;
    const Choice choice = ChooseAssignee(members->second, QueueRulesOf(settings, next));
    if (!choice.assignee) continue;
    out.actions.push_back(AssignAction(key, entity, entity_type, direction, *choice.assignee,
                                       settings, pipelines, "fallback queue " + next));
    out.decisions.push_back({"fallback_queue",
                             entity_type,
                             id,
                             *choice.assignee,
                             settings.version,
                             {{"queue", queue},
                              {"fallback_queue", next},
                              {"waited_minutes", waited},
                              {"candidates", CandidatesJson(choice)}}});
    return out;
  }
  if (!own->second.duty_users.empty()) {
    const int64_t duty = own->second.duty_users.front();
    out.actions.push_back(AssignAction(key, entity, entity_type, direction, duty, settings,
                                       pipelines, "the duty person of " + queue));
    out.decisions.push_back({"fallback_duty",
                             entity_type,
                             id,
                             duty,
                             settings.version,
                             {{"queue", queue}, {"waited_minutes", waited}}});
    return out;
  }
  if (alerted) return out;
  const std::string message =
      RenderTemplate(TextOf(settings, "fallback_alert"),
                     {{"queue", queue},
                      {"item.title", TextField(entity, "TITLE")},
                      {"item.url", ItemUrl(context.portal_url, entity_type, id)}});
  for (const int64_t user : own->second.alert_users) {
    out.actions.push_back(
        Notify(key + ":alert:" + std::to_string(user), user, message, "nobody can take it"));
  }
  out.decisions.push_back(
      {"held",
       entity_type,
       id,
       0,
       settings.version,
       {{"queue", queue}, {"waited_minutes", waited}, {"alerted", own->second.alert_users}}});
  return out;
}

bool SlaBreached(const json& entity, const json& data) {
  if (!entity.is_object() || !data.is_object()) return false;
  const int64_t assignee = IdValue(data.value("assignee", json()));
  const std::string stage = data.value("stage", "");
  const std::string current =
      entity.contains("STATUS_ID") ? TextField(entity, "STATUS_ID") : TextField(entity, "STAGE_ID");
  return assignee > 0 && !stage.empty() && current == stage &&
         IdField(entity, "ASSIGNED_BY_ID") == assignee &&
         IdField(entity, "MODIFY_BY_ID") != assignee;
}

Outcome PlanSlaReassign(const json& entity, const std::string& entity_type,
                        const std::string& direction, const json& data, const SlaContext& context,
                        const Settings& settings) {
  Outcome out;
  const int64_t id = IdField(entity, "ID");
  const int64_t late = IdValue(data.value("assignee", json()));
  const int minutes = data.value("minutes", 0);
  const std::string queue = QueueOfDirection(direction);
  std::vector<Candidate> others;
  for (const auto& member : context.members) {
    if (member.user_id != late) others.push_back(member);
  }
  const Choice choice = ChooseAssignee(others, QueueRulesOf(settings, queue));
  json body = {{"queue", queue},
               {"previous", late},
               {"minutes", minutes},
               {"candidates", CandidatesJson(choice)}};
  // Moving it only helps when the next person is less busy than the late one: in a swamped
  // queue the item would just go round.
  const auto load_of = [&choice](int64_t user) {
    for (const auto& c : choice.candidates) {
      if (c.user_id == user) return c.load;
    }
    return -1.0;
  };
  double late_load = -1;
  for (const auto& member : context.members) {
    if (member.user_id == late && member.weight > 0) late_load = member.open_items / member.weight;
  }
  const bool less_busy =
      choice.assignee && (late_load < 0 || load_of(*choice.assignee) < late_load);
  if (!less_busy) {
    body["why"] = choice.assignee ? "nobody less busy" : "nobody available";
    out.decisions.push_back({"sla_kept", entity_type, id, late, settings.version, body});
    return out;
  }
  const int64_t next = *choice.assignee;
  const std::string key = "sla:" + entity_type + ":" + std::to_string(id) + ":" +
                          std::to_string(late) + ":" + TextField(entity, "DATE_MODIFY");
  const std::string field = StageField(entity_type);
  out.actions.push_back(Action{
      key,
      "crm." + entity_type + ".update",
      {{"id", id}, {"fields", {{"ASSIGNED_BY_ID", next}, {field, TextField(entity, field)}}}},
      "not taken into work within the SLA",
      std::nullopt,
      {{entity_type, id}}});
  const std::map<std::string, std::string> values = {
      {"item.title", TextField(entity, "TITLE")},
      {"item.url", ItemUrl(context.portal_url, entity_type, id)},
      {"minutes", std::to_string(minutes)},
      {"to.name", NameOrId(context.user_names, next)}};
  out.actions.push_back(Notify(key + ":late", late,
                               RenderTemplate(TextOf(settings, "sla_notify"), values),
                               "the late person is told"));
  out.actions.push_back(Notify(key + ":next", next,
                               RenderTemplate(TextOf(settings, "assigned_notify"), values),
                               "the next person is told"));
  out.decisions.push_back({"sla_reassigned", entity_type, id, next, settings.version, body});
  return out;
}

}  // namespace core
