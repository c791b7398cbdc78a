// A portal's conveyor settings (issue #4, item 1): which portal stage plays which role, the
// queues of hunters, closers and production staff, the fallback chain, SLA norms, auto-task
// templates and the texts of comments and notifications. Stored per portal as JSON, versioned
// (every saved change gets the next version, which the decisions journal cites), validated on
// save; the defaults live in install/settings.json.
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/distribution.h"
#include "lib/core/error.h"
#include "lib/core/working_time.h"

namespace core {

// Lead statuses (crm.status ENTITY_ID=STATUS) by role.
struct LeadStages {
  std::string duplicate_check = "CONV_DUPLICATES";
  std::string free = "CONV_FREE";
  std::string assigned = "CONV_ASSIGNED";
  std::string ready_now = "CONV_READY_NOW";
  std::string ready_later = "CONV_READY_LATER";
  std::string converted = "CONVERTED";  // the success status a handed-over lead ends in
  std::string junk = "JUNK";
};

// A deal pipeline by name, and its stages by role. Stage IDs are written without the `C<n>:`
// prefix Bitrix24 adds for a pipeline other than the default one; the engine adds it.
struct PipelineStages {
  std::string pipeline;  // the crm.category name, e.g. «Продажи»
  // A pipeline's start stage (NEW) is its free stage: Bitrix24 puts a deal made without a stage
  // there, and installing renames it «Свободный лид» / «Свободная сделка».
  std::string free = "NEW";
  std::string assigned = "ASSIGNED";
  std::string meeting;     // sales only: going back from here counts a rescheduled meeting
  std::string carry_over;  // sales only: entering it creates the production deal
  // The direction's own failure stage («Отказ в продажах», «Отказ в производстве»): the
  // reasons report marks it among the pipeline's failure stages; "" when none is chosen.
  std::string lost;
};

struct Queue {
  std::vector<int64_t> departments;   // active users of these departments are members
  std::vector<int64_t> users;         // and these users
  std::map<int64_t, double> weights;  // per user; 1 when absent; 0 takes nothing
  int cap = 0;                        // open items per member; 0 = no cap
  std::map<int64_t, int> caps;        // per user, in place of `cap`
  bool require_online = false;        // also require the user to be online (not just OPENED)
  // Nobody available: after `fallback_after_minutes` the item goes to the next queue named
  // here (and on down that queue's fallback chain), else to the first duty user, else it stays
  // free, is journaled as held and `alert_users` are told, once.
  std::string fallback_queue;  // "" or another queue's name
  std::vector<int64_t> duty_users;
  int fallback_after_minutes = 30;
  std::vector<int64_t> alert_users;
};

// An auto-task made when an item enters a stage (once per entry).
struct TaskTemplate {
  std::string direction;  // "lead", "sales" or "production"
  std::string stage;      // a stage role of that direction: "assigned", "meeting", …
  std::string title;      // with placeholders: {lead.title}, {deal.title}, {client.name}, …
  double deadline_working_hours = 0;     // counted in the portal's working calendar
  int deadline_working_days = 0;         // added after the hours
  std::string responsible = "assignee";  // "assignee" or a user id as text
};

// What the reports count (issue #5, item 2).
struct ReportSettings {
  // Which deal of a journey carries its money: "sales" or "production". Counted once per
  // journey; when the journey has no such deal, the other one's amount is taken.
  std::string revenue_from = "sales";
  // Hours an item may stay in a stage before the reports list it as stuck; keys
  // "<direction>.<stage id without C<n>:>", e.g. "sales.MEETING", "lead.CONV_ASSIGNED".
  std::map<std::string, int> stage_norm_hours;
  // People who are not portal administrators but see the reports, the decisions journal and
  // the settings (read-only). Everyone else sees only the journey of a card they open.
  std::vector<int64_t> viewers;
};

struct Settings {
  int version = 1;  // of this portal's settings, not of the format
  LeadStages lead;
  PipelineStages sales{"Продажи", "NEW", "ASSIGNED", "MEETING", "CONTRACT", ""};
  PipelineStages production{"Производство", "NEW", "ASSIGNED", "", "", ""};
  std::map<std::string, Queue> queues;  // "hunters", "closers", "production"
  // Minutes an item may stay at "<direction>.assigned" before it goes to the next candidate;
  // 0 or missing = no SLA. Keys: "lead.assigned", "sales.assigned", "production.assigned".
  std::map<std::string, int> sla_minutes;
  std::vector<TaskTemplate> tasks;
  // Lead field -> deal field copied at hand-over (besides title, amount, currency, source,
  // comments, contact/company and LEAD_ID, which always go).
  std::map<std::string, std::string> field_mapping;
  std::string ready_date_field = "UF_CRM_CONVEYOR_READY_DATE";  // on the lead
  WorkSchedule schedule;
  // Texts by language ("ru", "en") and key: "handover_comment", "handover_notify",
  // "duplicate_notify", "sla_notify", "fallback_alert", "assigned_notify". Templates with
  // placeholders.
  std::map<std::string, std::map<std::string, std::string>> texts;
  std::string language = "ru";
  ReportSettings reports;
  // People an admin marked away (issue 16, item 2): by user id, the last day away as
  // "YYYY-MM-DD" (a holiday, sick leave), or "paused" until unmarked. Whatever the work-time
  // tracking or the working hours say, they get no work meanwhile.
  std::map<int64_t, std::string> away;
};

// Reads settings from JSON, each missing key taking its default. Fails with kInvalidArgument
// naming the first wrong key (wrong type, unknown queue in a fallback, a task's unknown
// direction or stage role, an invalid schedule, negative minutes/caps/weights, a text with a
// placeholder that is not offered for its key, an unknown language).
[[nodiscard]] Result<Settings> ParseSettings(const nlohmann::json& json);

// The JSON ParseSettings reads back to the same settings.
nlohmann::json SettingsToJson(const Settings& settings);

// Whether `user` is marked away at `now` (through the end of the portal's day they are away).
bool IsMarkedAway(const Settings& settings, int64_t user, int64_t now);

// The rules ChooseAssignee applies to a queue (no queue of that name: the plain ones).
QueueRules QueueRulesOf(const Settings& settings, const std::string& queue);

// The portal's text for `key` in its language, or a plain built-in one when it has none.
std::string TextOf(const Settings& settings, const std::string& key);

// The placeholders each text key offers (for validation and for the settings page).
const std::map<std::string, std::vector<std::string>>& TextPlaceholders();

}  // namespace core
