#include "lib/core/settings.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstddef>
#include <optional>
#include <set>
#include <utility>

#include "lib/core/template_text.h"

namespace core {
namespace {

using json = nlohmann::json;

constexpr std::array<const char*, 7> kDayNames = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

const std::set<std::string>& Languages() {
  static const auto* const kLanguages = new std::set<std::string>{"ru", "en"};
  return *kLanguages;
}

const std::set<std::string>& SlaKeys() {
  static const auto* const kSlaKeys =
      new std::set<std::string>{"lead.assigned", "sales.assigned", "production.assigned"};
  return *kSlaKeys;
}

// The stage roles an auto-task may be attached to, by direction. "converted" and "junk" are
// absent on purpose: a lead that reaches them has left the conveyor and nobody works on it.
const std::map<std::string, std::set<std::string>>& TaskStages() {
  static const auto* const kStages = new std::map<std::string, std::set<std::string>>{
      {"lead", {"duplicate_check", "free", "assigned", "ready_now", "ready_later"}},
      {"sales", {"free", "assigned", "meeting", "carry_over"}},
      {"production", {"free", "assigned"}},
  };
  return *kStages;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

// A user id written as JSON text (a weights key, a task's responsible): the canonical decimal
// form only, so that "7" and "07" cannot name the same user twice.
bool ParseUserId(const std::string& text, int64_t& out) {
  if (text.empty() || text.size() > 18 || text[0] == '0') return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    value = value * 10 + (c - '0');
  }
  out = value;
  return true;
}

// Whole minutes since midnight from "HH:MM"; "24:00" is allowed as the end of a day.
bool ParseClock(const std::string& text, int& out) {
  if (text.size() != 5 || text[2] != ':') return false;
  for (size_t i : {size_t{0}, size_t{1}, size_t{3}, size_t{4}}) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const int hours = (text[0] - '0') * 10 + (text[1] - '0');
  const int minutes = (text[3] - '0') * 10 + (text[4] - '0');
  if (minutes > 59 || hours > 24 || (hours == 24 && minutes != 0)) return false;
  out = hours * 60 + minutes;
  return true;
}

std::string FormatClock(int minute) {
  const int hours = minute / 60;
  const int minutes = minute % 60;
  std::string out =
      std::to_string(hours) + ":" + (minutes < 10 ? "0" : "") + std::to_string(minutes);
  return hours >= 0 && hours < 10 ? "0" + out : out;
}

// Walks the settings JSON keeping the first error only: later readers do nothing once one has
// failed, so the code reads as a plain sequence and the message names the first wrong key.
class Reader {
 public:
  bool ok() const { return !error_.has_value(); }
  Error error() const { return *error_; }

  void Fail(const std::string& path, const std::string& requirement) {
    if (ok()) error_ = Error{ErrorCode::kInvalidArgument, path + " " + requirement};
  }

  // The member `key` of `object` when it is present and nothing has failed yet.
  const json* Find(const json& object, const char* key) {
    if (!ok()) return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
  }

  // A typo in a key would otherwise leave the intended setting at its default without a word.
  void RejectUnknownKeys(const json& object, const std::string& path,
                         const std::set<std::string>& known) {
    for (const auto& item : object.items()) {
      if (known.count(item.key()) == 0) {
        Fail(path.empty() ? item.key() : path + "." + item.key(),
             "is not a known key (known: " + Join(known) + ")");
      }
    }
  }

  bool Object(const json& value, const std::string& path) {
    if (ok() && !value.is_object()) Fail(path, "must be an object");
    return ok();
  }

  bool Array(const json& value, const std::string& path) {
    if (ok() && !value.is_array()) Fail(path, "must be a list");
    return ok();
  }

  // An integer within [min, max]; JSON reals, even whole ones, are refused so that a value the
  // admin typed as 1.5 is not truncated without a word.
  bool Integer(const json& value, const std::string& path, int64_t min, int64_t max,
               const std::string& requirement, int64_t& out) {
    if (!ok()) return false;
    bool fits = false;
    if (value.is_number_unsigned()) {
      const auto number = value.get<uint64_t>();
      fits = number <= static_cast<uint64_t>(max);
      if (fits) out = static_cast<int64_t>(number);
    } else if (value.is_number_integer()) {
      out = value.get<int64_t>();
      fits = out <= max;
    }
    if (!fits || out < min) Fail(path, requirement);
    return ok();
  }

  void Int(const json& object, const char* key, const std::string& path, int min, int& out) {
    const json* value = Find(object, key);
    int64_t number = 0;
    if (value != nullptr && Integer(*value, path, min, INT_MAX,
                                    "must be an integer >= " + std::to_string(min), number)) {
      out = static_cast<int>(number);
    }
  }

  void UserId(const json& value, const std::string& path, int64_t& out) {
    Integer(value, path, 1, INT64_MAX, "must be a positive user id", out);
  }

  void Ids(const json& object, const char* key, const std::string& path,
           std::vector<int64_t>& out) {
    const json* value = Find(object, key);
    if (value == nullptr || !Array(*value, path)) return;
    std::vector<int64_t> ids;
    for (size_t i = 0; i < value->size() && ok(); ++i) {
      int64_t id = 0;
      Integer((*value)[i], path + "[" + std::to_string(i) + "]", 1, INT64_MAX,
              "must be a positive integer", id);
      ids.push_back(id);
    }
    if (ok()) out = std::move(ids);
  }

  void NonNegativeNumber(const json& object, const char* key, const std::string& path,
                         double& out) {
    if (const json* value = Find(object, key)) NonNegativeNumber(*value, path, out);
  }

  void NonNegativeNumber(const json& value, const std::string& path, double& out) {
    if (!ok()) return;
    // NaN fails `>= 0`; infinity cannot come from JSON text but can from a json built in code.
    if (!value.is_number() || !(value.get<double>() >= 0) || !std::isfinite(value.get<double>())) {
      Fail(path, "must be a number >= 0");
      return;
    }
    out = value.get<double>();
  }

  void Bool(const json& object, const char* key, const std::string& path, bool& out) {
    const json* value = Find(object, key);
    if (value == nullptr) return;
    if (!value->is_boolean()) {
      Fail(path, "must be true or false");
      return;
    }
    out = value->get<bool>();
  }

  void String(const json& object, const char* key, const std::string& path, bool allow_empty,
              std::string& out) {
    if (const json* value = Find(object, key)) String(*value, path, allow_empty, out);
  }

  void String(const json& value, const std::string& path, bool allow_empty, std::string& out) {
    if (!ok()) return;
    if (!value.is_string() || (!allow_empty && value.get<std::string>().empty())) {
      Fail(path, allow_empty ? "must be a string" : "must be a non-empty string");
      return;
    }
    out = value.get<std::string>();
  }

  void OneOf(const json& object, const char* key, const std::string& path,
             const std::set<std::string>& allowed, std::string& out) {
    const json* value = Find(object, key);
    if (value == nullptr) return;
    if (!value->is_string() || allowed.count(value->get<std::string>()) == 0) {
      Fail(path, "must be one of: " + Join(allowed));
      return;
    }
    out = value->get<std::string>();
  }

 private:
  std::optional<Error> error_;
};

// Two roles sharing a stage would make one transition mean two things (entering "assigned"
// would also start a hand-over, say), so every role that is set needs a stage of its own.
void CheckDistinct(Reader& reader, const std::string& path,
                   const std::vector<std::pair<const char*, const std::string*>>& roles) {
  std::map<std::string, const char*> seen;
  for (const auto& [role, stage] : roles) {
    if (stage->empty()) continue;
    const auto [it, inserted] = seen.emplace(*stage, role);
    if (!inserted) {
      reader.Fail(path + "." + role,
                  "must differ from " + path + "." + it->second + " (both are " + *stage + ")");
    }
  }
}

void ReadLead(Reader& reader, const json& value, LeadStages& out) {
  if (!reader.Object(value, "lead")) return;
  const std::vector<std::pair<const char*, std::string*>> roles = {
      {"duplicate_check", &out.duplicate_check},
      {"free", &out.free},
      {"assigned", &out.assigned},
      {"ready_now", &out.ready_now},
      {"ready_later", &out.ready_later},
      {"converted", &out.converted},
      {"junk", &out.junk},
  };
  std::set<std::string> known;
  for (const auto& role : roles) known.insert(role.first);
  reader.RejectUnknownKeys(value, "lead", known);
  for (const auto& [role, stage] : roles) {
    reader.String(value, role, std::string("lead.") + role, false, *stage);
  }
  std::vector<std::pair<const char*, const std::string*>> stages(roles.begin(), roles.end());
  CheckDistinct(reader, "lead", stages);
}

// `required_all` is set for sales, whose meeting and carry-over stages drive the rescheduling
// count and the production hand-over; production has no such stages by default.
void ReadPipeline(Reader& reader, const json& value, const std::string& path, bool required_all,
                  PipelineStages& out) {
  if (!reader.Object(value, path)) return;
  reader.RejectUnknownKeys(value, path,
                           {"pipeline", "free", "assigned", "meeting", "carry_over", "lost"});
  reader.String(value, "pipeline", path + ".pipeline", false, out.pipeline);
  reader.String(value, "free", path + ".free", false, out.free);
  reader.String(value, "assigned", path + ".assigned", false, out.assigned);
  reader.String(value, "meeting", path + ".meeting", !required_all, out.meeting);
  reader.String(value, "carry_over", path + ".carry_over", !required_all, out.carry_over);
  reader.String(value, "lost", path + ".lost", true, out.lost);
  CheckDistinct(reader, path,
                {{"free", &out.free},
                 {"assigned", &out.assigned},
                 {"meeting", &out.meeting},
                 {"carry_over", &out.carry_over},
                 {"lost", &out.lost}});
}

void ReadQueue(Reader& reader, const json& value, const std::string& path, Queue& out) {
  if (!reader.Object(value, path)) return;
  reader.RejectUnknownKeys(
      value, path,
      {"departments", "users", "weights", "cap", "caps", "require_online", "fallback_queue",
       "duty_users", "fallback_after_minutes", "alert_users"});
  reader.Ids(value, "departments", path + ".departments", out.departments);
  reader.Ids(value, "users", path + ".users", out.users);
  if (const json* weights = reader.Find(value, "weights");
      weights != nullptr && reader.Object(*weights, path + ".weights")) {
    for (const auto& item : weights->items()) {
      const std::string where = path + ".weights." + item.key();
      int64_t user = 0;
      if (!ParseUserId(item.key(), user)) {
        reader.Fail(where, "must be keyed by a positive user id");
        break;
      }
      double weight = 0;
      reader.NonNegativeNumber(item.value(), where, weight);
      if (!reader.ok()) break;
      out.weights[user] = weight;
    }
  }
  reader.Int(value, "cap", path + ".cap", 0, out.cap);
  if (const json* caps = reader.Find(value, "caps");
      caps != nullptr && reader.Object(*caps, path + ".caps")) {
    for (const auto& item : caps->items()) {
      int64_t user = 0;
      if (!ParseUserId(item.key(), user)) {
        reader.Fail(path + ".caps." + item.key(), "must be keyed by a positive user id");
        break;
      }
      int cap = 0;
      reader.Int(*caps, item.key().c_str(), path + ".caps." + item.key(), 0, cap);
      if (!reader.ok()) break;
      out.caps[user] = cap;
    }
  }
  reader.Bool(value, "require_online", path + ".require_online", out.require_online);
  reader.String(value, "fallback_queue", path + ".fallback_queue", true, out.fallback_queue);
  reader.Ids(value, "duty_users", path + ".duty_users", out.duty_users);
  reader.Int(value, "fallback_after_minutes", path + ".fallback_after_minutes", 0,
             out.fallback_after_minutes);
  reader.Ids(value, "alert_users", path + ".alert_users", out.alert_users);
}

// The engine follows fallback queues one after another, so a chain that comes back to where it
// started would hand an item round in circles instead of reaching a duty user or an alert.
void CheckFallbacks(Reader& reader, const std::map<std::string, Queue>& queues) {
  for (const auto& [name, queue] : queues) {
    if (!reader.ok()) return;
    const std::string path = "queues." + name + ".fallback_queue";
    if (queue.fallback_queue.empty()) continue;
    if (queue.fallback_queue == name) {
      reader.Fail(path, "must name another queue, not " + name + " itself");
      return;
    }
    if (queues.count(queue.fallback_queue) == 0) {
      reader.Fail(path, "names no queue: " + queue.fallback_queue);
      return;
    }
    std::string chain = name;
    std::set<std::string> visited = {name};
    // A missing queue further on is reported when the outer loop reaches its own entry.
    for (auto next = queues.find(queue.fallback_queue); next != queues.end();
         next = queues.find(next->second.fallback_queue)) {
      chain += " -> " + next->first;
      if (!visited.insert(next->first).second) {
        reader.Fail(path, "makes a cycle: " + chain);
        return;
      }
    }
  }
}

void ReadTask(Reader& reader, const json& value, const std::string& path, TaskTemplate& out) {
  if (!reader.Object(value, path)) return;
  reader.RejectUnknownKeys(value, path,
                           {"direction", "stage", "title", "deadline_working_hours",
                            "deadline_working_days", "responsible"});
  std::set<std::string> directions;
  for (const auto& item : TaskStages()) directions.insert(item.first);
  reader.OneOf(value, "direction", path + ".direction", directions, out.direction);
  if (reader.ok() && !value.contains("direction")) reader.Fail(path + ".direction", "is required");
  if (reader.ok() && !value.contains("stage")) reader.Fail(path + ".stage", "is required");
  if (const auto stages = TaskStages().find(out.direction);
      reader.ok() && stages != TaskStages().end()) {
    reader.OneOf(value, "stage", path + ".stage", stages->second, out.stage);
  }
  if (reader.ok() && !value.contains("title")) reader.Fail(path + ".title", "is required");
  reader.String(value, "title", path + ".title", false, out.title);
  reader.NonNegativeNumber(value, "deadline_working_hours", path + ".deadline_working_hours",
                           out.deadline_working_hours);
  reader.Int(value, "deadline_working_days", path + ".deadline_working_days", 0,
             out.deadline_working_days);
  if (const json* responsible = reader.Find(value, "responsible"); responsible != nullptr) {
    int64_t user = 0;
    if (!responsible->is_string() || (responsible->get<std::string>() != "assignee" &&
                                      !ParseUserId(responsible->get<std::string>(), user))) {
      reader.Fail(path + ".responsible", "must be \"assignee\" or a positive user id as a string");
    } else {
      out.responsible = responsible->get<std::string>();
    }
  }
}

void ReadSchedule(Reader& reader, const json& value, WorkSchedule& out) {
  if (!reader.Object(value, "schedule")) return;
  reader.RejectUnknownKeys(
      value, "schedule",
      {"time_zone", "tz_minutes", "day_start", "day_end", "workdays", "days_off"});
  if (const json* zone = reader.Find(value, "time_zone"); zone != nullptr) {
    if (!zone->is_string() || !IsKnownTimeZone(zone->get<std::string>())) {
      reader.Fail("schedule.time_zone",
                  "must be a time zone of the tz database, such as Europe/Moscow");
    } else {
      out.time_zone = zone->get<std::string>();
    }
  }
  // Settings saved before time zones had only a fixed offset; it stays their zone until an
  // admin picks one.
  if (const json* tz = reader.Find(value, "tz_minutes"); tz != nullptr) {
    int64_t minutes = 0;
    if (reader.Integer(*tz, "schedule.tz_minutes", INT_MIN, INT_MAX, "must be an integer",
                       minutes)) {
      out.tz_minutes = static_cast<int>(minutes);
      if (!value.contains("time_zone")) out.time_zone.clear();
    }
  }
  for (const auto& [key, minute] :
       {std::pair<const char*, int*>{"day_start", &out.day_start_minute},
        std::pair<const char*, int*>{"day_end", &out.day_end_minute}}) {
    const json* clock = reader.Find(value, key);
    if (clock == nullptr) continue;
    if (!clock->is_string() || !ParseClock(clock->get<std::string>(), *minute)) {
      reader.Fail(std::string("schedule.") + key, "must be a time of day as HH:MM");
    }
  }
  if (const json* days = reader.Find(value, "workdays");
      days != nullptr && reader.Array(*days, "schedule.workdays")) {
    std::array<bool, 7> workdays = {};
    for (size_t i = 0; i < days->size() && reader.ok(); ++i) {
      const std::string where = "schedule.workdays[" + std::to_string(i) + "]";
      const json& day = (*days)[i];
      const auto found = day.is_string()
                             ? std::find(kDayNames.begin(), kDayNames.end(), day.get<std::string>())
                             : kDayNames.end();
      if (found == kDayNames.end()) {
        reader.Fail(where, "must be one of: mon, tue, wed, thu, fri, sat, sun");
      } else if (workdays[static_cast<size_t>(found - kDayNames.begin())]) {
        reader.Fail(where, "repeats " + day.get<std::string>());
      } else {
        workdays[static_cast<size_t>(found - kDayNames.begin())] = true;
      }
    }
    if (reader.ok()) out.workdays = workdays;
  }
  if (const json* days = reader.Find(value, "days_off");
      days != nullptr && reader.Array(*days, "schedule.days_off")) {
    if (days->size() > kMaxDaysOff) {
      reader.Fail("schedule.days_off",
                  "must hold at most " + std::to_string(kMaxDaysOff) + " dates");
    }
    std::vector<int64_t> days_off;
    for (size_t i = 0; i < days->size() && reader.ok(); ++i) {
      const json& day = (*days)[i];
      const std::string text = day.is_string() ? day.get<std::string>() : std::string();
      const auto date = ParseDate(text);
      if (!date || text.size() != 10 || text[4] != '-') {
        reader.Fail("schedule.days_off[" + std::to_string(i) + "]",
                    "must be a date that exists, as YYYY-MM-DD");
      } else {
        days_off.push_back(
            DaysFromCivil(std::get<0>(*date), std::get<1>(*date), std::get<2>(*date)));
      }
    }
    std::sort(days_off.begin(), days_off.end());
    days_off.erase(std::unique(days_off.begin(), days_off.end()), days_off.end());
    if (reader.ok()) out.days_off = std::move(days_off);
  }
  if (reader.ok() && !IsValidSchedule(out)) {
    reader.Fail("schedule",
                "must have a working day, day_start before day_end and, without time_zone, "
                "tz_minutes within -840..840");
  }
}

void ReadTexts(Reader& reader, const json& value,
               std::map<std::string, std::map<std::string, std::string>>& out) {
  if (!reader.Object(value, "texts")) return;
  reader.RejectUnknownKeys(value, "texts", Languages());
  std::set<std::string> keys;
  for (const auto& item : TextPlaceholders()) keys.insert(item.first);
  for (const auto& language : value.items()) {
    const std::string path = "texts." + language.key();
    if (!reader.Object(language.value(), path)) return;
    reader.RejectUnknownKeys(language.value(), path, keys);
    for (const auto& text : language.value().items()) {
      const std::string where = path + "." + text.key();
      // Empty is allowed: the engine then uses its built-in text.
      reader.String(text.value(), where, true, out[language.key()][text.key()]);
      if (!reader.ok()) return;
      const auto found = TextPlaceholders().find(text.key());
      if (found == TextPlaceholders().end()) return;
      const std::vector<std::string>& offered = found->second;
      for (const auto& name : Placeholders(text.value().get<std::string>())) {
        if (std::find(offered.begin(), offered.end(), name) == offered.end()) {
          reader.Fail(where, "uses {" + name + "}, which is not one of: " +
                                 Join(std::set<std::string>(offered.begin(), offered.end())));
          return;
        }
      }
    }
  }
}

}  // namespace

const std::map<std::string, std::vector<std::string>>& TextPlaceholders() {
  // Never destroyed, so callers may keep the reference during static destruction.
  static const auto* const kPlaceholders = new std::map<std::string, std::vector<std::string>>{
      {"handover_comment",
       {"lead.id", "lead.title", "deal.id", "deal.title", "from.name", "to.name"}},
      {"handover_notify",
       {"lead.title", "deal.id", "deal.title", "deal.url", "from.name", "to.name"}},
      {"duplicate_notify",
       {"lead.id", "lead.title", "original.id", "original.title", "original.url"}},
      {"sla_notify", {"item.title", "item.url", "minutes", "to.name"}},
      {"fallback_alert", {"item.title", "item.url", "queue"}},
      {"assigned_notify", {"item.title", "item.url", "to.name"}},
  };
  return *kPlaceholders;
}

void ReadReports(Reader& reader, const json& in, ReportSettings& out) {
  if (!reader.Object(in, "reports")) return;
  reader.RejectUnknownKeys(in, "reports", {"revenue_from", "stage_norm_hours", "viewers"});
  reader.OneOf(in, "revenue_from", "reports.revenue_from", {"sales", "production"},
               out.revenue_from);
  reader.Ids(in, "viewers", "reports.viewers", out.viewers);
  const json* norms = reader.Find(in, "stage_norm_hours");
  if (norms == nullptr || !reader.Object(*norms, "reports.stage_norm_hours")) return;
  for (const auto& item : norms->items()) {
    const std::string path = "reports.stage_norm_hours." + item.key();
    const auto dot = item.key().find('.');
    const std::string direction = item.key().substr(0, dot);
    if (dot == std::string::npos || dot + 1 == item.key().size() ||
        (direction != "lead" && direction != "sales" && direction != "production")) {
      reader.Fail(path, "keys are <lead|sales|production>.<stage id>");
      return;
    }
    int hours = 0;
    reader.Int(*norms, item.key().c_str(), path, 1, hours);
    if (reader.ok()) out.stage_norm_hours[item.key()] = hours;
  }
}

Result<Settings> ParseSettings(const json& in) {
  Reader reader;
  Settings out;
  if (!in.is_object()) {
    return tl::unexpected(Error{ErrorCode::kInvalidArgument, "settings must be an object"});
  }
  reader.RejectUnknownKeys(
      in, "",
      {"version", "language", "lead", "sales", "production", "queues", "sla_minutes", "tasks",
       "field_mapping", "ready_date_field", "schedule", "texts", "reports", "away"});
  reader.Int(in, "version", "version", 1, out.version);
  reader.OneOf(in, "language", "language", Languages(), out.language);
  if (const json* lead = reader.Find(in, "lead")) ReadLead(reader, *lead, out.lead);
  if (const json* sales = reader.Find(in, "sales")) {
    ReadPipeline(reader, *sales, "sales", true, out.sales);
  }
  if (const json* production = reader.Find(in, "production")) {
    ReadPipeline(reader, *production, "production", false, out.production);
  }
  if (const json* queues = reader.Find(in, "queues"); queues && reader.Object(*queues, "queues")) {
    for (const auto& item : queues->items()) {
      if (item.key().empty()) reader.Fail("queues", "must not hold a queue with an empty name");
      ReadQueue(reader, item.value(), "queues." + item.key(), out.queues[item.key()]);
    }
    CheckFallbacks(reader, out.queues);
  }
  if (const json* sla = reader.Find(in, "sla_minutes"); sla && reader.Object(*sla, "sla_minutes")) {
    reader.RejectUnknownKeys(*sla, "sla_minutes", SlaKeys());
    for (const auto& key : SlaKeys()) {
      int minutes = 0;
      if (!sla->contains(key)) continue;
      reader.Int(*sla, key.c_str(), "sla_minutes." + key, 0, minutes);
      if (reader.ok()) out.sla_minutes[key] = minutes;
    }
  }
  if (const json* tasks = reader.Find(in, "tasks"); tasks && reader.Array(*tasks, "tasks")) {
    for (size_t i = 0; i < tasks->size() && reader.ok(); ++i) {
      TaskTemplate task;
      ReadTask(reader, (*tasks)[i], "tasks[" + std::to_string(i) + "]", task);
      out.tasks.push_back(std::move(task));
    }
  }
  if (const json* mapping = reader.Find(in, "field_mapping");
      mapping && reader.Object(*mapping, "field_mapping")) {
    for (const auto& item : mapping->items()) {
      const std::string path = "field_mapping." + item.key();
      if (item.key().empty()) reader.Fail("field_mapping", "must not map an empty field name");
      reader.String(item.value(), path, false, out.field_mapping[item.key()]);
    }
  }
  reader.String(in, "ready_date_field", "ready_date_field", false, out.ready_date_field);
  if (const json* schedule = reader.Find(in, "schedule")) {
    ReadSchedule(reader, *schedule, out.schedule);
  }
  if (const json* texts = reader.Find(in, "texts")) ReadTexts(reader, *texts, out.texts);
  if (const json* reports = reader.Find(in, "reports")) ReadReports(reader, *reports, out.reports);
  if (const json* away = reader.Find(in, "away"); away && reader.Object(*away, "away")) {
    for (const auto& item : away->items()) {
      const std::string path = "away." + item.key();
      int64_t user = 0;
      const auto [end, ec] =
          std::from_chars(item.key().data(), item.key().data() + item.key().size(), user);
      if (ec != std::errc() || end != item.key().data() + item.key().size() || user <= 0) {
        reader.Fail(path, "keys are user ids");
        break;
      }
      const json& until = item.value();
      if (!until.is_string() || (until != "paused" && !ParseDate(until.get<std::string>()))) {
        reader.Fail(path, "must be the last day away as YYYY-MM-DD, or \"paused\"");
        break;
      }
      out.away[user] = until.get<std::string>();
    }
  }
  if (!reader.ok()) return tl::unexpected(reader.error());
  return out;
}

json SettingsToJson(const Settings& settings) {
  json out = json::object();
  out["version"] = settings.version;
  out["language"] = settings.language;
  const LeadStages& lead = settings.lead;
  out["lead"] = {{"duplicate_check", lead.duplicate_check},
                 {"free", lead.free},
                 {"assigned", lead.assigned},
                 {"ready_now", lead.ready_now},
                 {"ready_later", lead.ready_later},
                 {"converted", lead.converted},
                 {"junk", lead.junk}};
  for (const auto& [key, pipeline] :
       {std::pair<const char*, const PipelineStages*>{"sales", &settings.sales},
        std::pair<const char*, const PipelineStages*>{"production", &settings.production}}) {
    out[key] = {{"pipeline", pipeline->pipeline},     {"free", pipeline->free},
                {"assigned", pipeline->assigned},     {"meeting", pipeline->meeting},
                {"carry_over", pipeline->carry_over}, {"lost", pipeline->lost}};
  }
  json queues = json::object();
  for (const auto& [name, queue] : settings.queues) {
    json weights = json::object();
    for (const auto& [user, weight] : queue.weights) weights[std::to_string(user)] = weight;
    json caps = json::object();
    for (const auto& [user, cap] : queue.caps) caps[std::to_string(user)] = cap;
    queues[name] = {{"departments", queue.departments},
                    {"users", queue.users},
                    {"weights", std::move(weights)},
                    {"cap", queue.cap},
                    {"caps", std::move(caps)},
                    {"require_online", queue.require_online},
                    {"fallback_queue", queue.fallback_queue},
                    {"duty_users", queue.duty_users},
                    {"fallback_after_minutes", queue.fallback_after_minutes},
                    {"alert_users", queue.alert_users}};
  }
  out["queues"] = std::move(queues);
  out["sla_minutes"] = json::object();
  for (const auto& [key, minutes] : settings.sla_minutes) out["sla_minutes"][key] = minutes;
  out["tasks"] = json::array();
  for (const auto& task : settings.tasks) {
    out["tasks"].push_back({{"direction", task.direction},
                            {"stage", task.stage},
                            {"title", task.title},
                            {"deadline_working_hours", task.deadline_working_hours},
                            {"deadline_working_days", task.deadline_working_days},
                            {"responsible", task.responsible}});
  }
  out["field_mapping"] = json::object();
  for (const auto& [from, to] : settings.field_mapping) out["field_mapping"][from] = to;
  out["ready_date_field"] = settings.ready_date_field;
  json workdays = json::array();
  for (size_t day = 0; day < kDayNames.size(); ++day) {
    if (settings.schedule.workdays[day]) workdays.push_back(kDayNames[day]);
  }
  json days_off = json::array();
  for (const int64_t day : settings.schedule.days_off) {
    days_off.push_back(FormatLocalTime(day * 86400, 0).substr(0, 10));
  }
  out["schedule"] = {{"day_start", FormatClock(settings.schedule.day_start_minute)},
                     {"day_end", FormatClock(settings.schedule.day_end_minute)},
                     {"workdays", std::move(workdays)},
                     {"days_off", std::move(days_off)}};
  if (settings.schedule.time_zone.empty()) {
    out["schedule"]["tz_minutes"] = settings.schedule.tz_minutes;
  } else {
    out["schedule"]["time_zone"] = settings.schedule.time_zone;
  }
  out["reports"] = {{"revenue_from", settings.reports.revenue_from},
                    {"stage_norm_hours", settings.reports.stage_norm_hours},
                    {"viewers", settings.reports.viewers}};
  out["away"] = json::object();
  for (const auto& [user, until] : settings.away) out["away"][std::to_string(user)] = until;
  out["texts"] = json::object();
  for (const auto& [language, texts] : settings.texts) {
    out["texts"][language] = json::object();
    for (const auto& [key, text] : texts) out["texts"][language][key] = text;
  }
  return out;
}

bool IsMarkedAway(const Settings& settings, int64_t user, int64_t now) {
  const auto away = settings.away.find(user);
  if (away == settings.away.end()) return false;
  if (away->second == "paused") return true;
  const auto date = ParseDate(away->second);
  if (!date) return false;
  const auto [year, month, day] = *date;
  // Away through the end of that day in the portal's zone.
  return now < LocalDateStart(year, month, day + 1, settings.schedule);
}

QueueRules QueueRulesOf(const Settings& settings, const std::string& queue) {
  const auto it = settings.queues.find(queue);
  return QueueRules{it != settings.queues.end() && it->second.require_online};
}

std::string TextOf(const Settings& settings, const std::string& key) {
  const auto language = settings.texts.find(settings.language);
  if (language != settings.texts.end()) {
    const auto text = language->second.find(key);
    if (text != language->second.end() && !text->second.empty()) return text->second;
  }
  static const std::map<std::string, std::string> kBuiltIn = {
      {"handover_comment",
       "Handed over from {from.name} to {to.name}: lead #{lead.id} → deal #{deal.id}"},
      {"handover_notify", "New deal for you: {deal.title} {deal.url}"},
      {"duplicate_notify",
       "Repeat enquiry: lead #{lead.id} «{lead.title}» duplicates {original.url}"},
      {"sla_notify",
       "{item.title} was not taken into work in {minutes} min and went to {to.name}: {item.url}"},
      {"fallback_alert", "Nobody in {queue} is available for {item.title}: {item.url}"},
      {"assigned_notify", "{item.title} is yours: {item.url}"},
  };
  const auto it = kBuiltIn.find(key);
  return it == kBuiltIn.end() ? key : it->second;
}

}  // namespace core
