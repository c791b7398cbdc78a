#include "lib/core/settings.h"

#include <array>
#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/core/install_spec.h"
#include "lib/core/working_time.h"

namespace settings_test {

namespace {

using json = nlohmann::json;

json ReadJsonFile(const std::string& relative) {
  std::ifstream in(std::string(CONVEYOR_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str(), nullptr, false);
}

// Settings have no operator== (nothing outside tests needs one), so they are compared field by
// field here; a field added to the structs must be added here too.
void CheckSameLead(const core::LeadStages& a, const core::LeadStages& b) {
  CHECK(a.duplicate_check == b.duplicate_check);
  CHECK(a.free == b.free);
  CHECK(a.assigned == b.assigned);
  CHECK(a.ready_now == b.ready_now);
  CHECK(a.ready_later == b.ready_later);
  CHECK(a.converted == b.converted);
  CHECK(a.junk == b.junk);
}

void CheckSamePipeline(const core::PipelineStages& a, const core::PipelineStages& b) {
  CHECK(a.pipeline == b.pipeline);
  CHECK(a.free == b.free);
  CHECK(a.assigned == b.assigned);
  CHECK(a.meeting == b.meeting);
  CHECK(a.carry_over == b.carry_over);
  CHECK(a.lost == b.lost);
}

void CheckSameSettings(const core::Settings& a, const core::Settings& b) {
  CHECK(a.version == b.version);
  CHECK(a.language == b.language);
  CheckSameLead(a.lead, b.lead);
  CheckSamePipeline(a.sales, b.sales);
  CheckSamePipeline(a.production, b.production);
  REQUIRE(a.queues.size() == b.queues.size());
  for (const auto& [name, queue] : a.queues) {
    INFO("queue " << name);
    REQUIRE(b.queues.count(name) == 1);
    const core::Queue& other = b.queues.at(name);
    CHECK(queue.departments == other.departments);
    CHECK(queue.users == other.users);
    CHECK(queue.weights == other.weights);
    CHECK(queue.cap == other.cap);
    CHECK(queue.require_online == other.require_online);
    CHECK(queue.fallback_queue == other.fallback_queue);
    CHECK(queue.duty_users == other.duty_users);
    CHECK(queue.fallback_after_minutes == other.fallback_after_minutes);
  }
  CHECK(a.sla_minutes == b.sla_minutes);
  REQUIRE(a.tasks.size() == b.tasks.size());
  for (size_t i = 0; i < a.tasks.size(); ++i) {
    INFO("task " << i);
    CHECK(a.tasks[i].direction == b.tasks[i].direction);
    CHECK(a.tasks[i].stage == b.tasks[i].stage);
    CHECK(a.tasks[i].title == b.tasks[i].title);
    CHECK(a.tasks[i].deadline_working_hours == b.tasks[i].deadline_working_hours);
    CHECK(a.tasks[i].deadline_working_days == b.tasks[i].deadline_working_days);
    CHECK(a.tasks[i].responsible == b.tasks[i].responsible);
  }
  CHECK(a.field_mapping == b.field_mapping);
  CHECK(a.ready_date_field == b.ready_date_field);
  CHECK(a.schedule.time_zone == b.schedule.time_zone);
  CHECK(a.schedule.tz_minutes == b.schedule.tz_minutes);
  CHECK(a.schedule.days_off == b.schedule.days_off);
  CHECK(a.schedule.day_start_minute == b.schedule.day_start_minute);
  CHECK(a.schedule.day_end_minute == b.schedule.day_end_minute);
  CHECK(a.schedule.workdays == b.schedule.workdays);
  CHECK(a.texts == b.texts);
}

// Every field away from its default, with values that are easy to lose on the way: fractional
// weights and hours, a zero weight, a negative offset, a day ending at midnight, UTF-8 texts.
core::Settings RichSettings() {
  core::Settings s;
  s.version = 42;
  s.language = "en";
  s.lead = {"L_DUP", "L_FREE", "L_ASSIGNED", "L_NOW", "L_LATER", "L_WON", "L_JUNK"};
  s.sales = {"Sales", "S_FREE", "S_ASSIGNED", "S_MEETING", "S_PAID", "S_LOST"};
  s.production = {"Workshop", "P_FREE", "P_ASSIGNED", "P_MEETING", "", ""};
  core::Queue closers;
  closers.departments = {5, 7};
  closers.users = {11, 12, 9000000000};
  closers.weights = {{11, 0.5}, {12, 0}, {9000000000, 2.25}};
  closers.cap = 15;
  closers.require_online = true;
  closers.fallback_queue = "reserve";
  closers.duty_users = {1, 3};
  closers.fallback_after_minutes = 45;
  core::Queue reserve;
  reserve.users = {21};
  reserve.fallback_after_minutes = 0;
  s.queues = {{"closers", closers}, {"reserve", reserve}, {"empty", core::Queue{}}};
  s.sla_minutes = {{"lead.assigned", 15}, {"sales.assigned", 0}, {"production.assigned", 240}};
  s.tasks = {{"sales", "meeting", "Расчёт: {deal.title}", 1.75, 2, "assignee"},
             {"lead", "ready_later", "Call back", 0, 0, "17"},
             {"production", "free", "Plan", 0.1, 0, "assignee"}};
  s.field_mapping = {{"UF_CRM_REGION", "UF_CRM_DEAL_REGION"}, {"UF_CRM_GOAL", "UF_CRM_GOAL"}};
  s.ready_date_field = "UF_CRM_CALL_DAY";
  s.schedule.time_zone = "America/New_York";
  s.schedule.days_off = {core::DaysFromCivil(2026, 12, 31), core::DaysFromCivil(2027, 1, 1)};
  s.schedule.day_start_minute = 7 * 60 + 30;
  s.schedule.day_end_minute = 24 * 60;
  s.schedule.workdays = {false, true, false, true, false, true, true};
  s.texts = {{"ru", {{"sla_notify", "«{item.title}» ждёт {minutes} мин."}, {"fallback_alert", ""}}},
             {"en", {{"assigned_notify", "{to.name}: {item.url} {{literal}}"}}}};
  return s;
}

}  // namespace

TEST_CASE("settings — an empty object gives the defaults") {
  const auto parsed = core::ParseSettings(json::object());
  REQUIRE(parsed.has_value());
  CheckSameSettings(*parsed, core::Settings{});
}

TEST_CASE("settings — the defaults written out parse back") {
  const auto parsed = core::ParseSettings(core::SettingsToJson(core::Settings{}));
  REQUIRE(parsed.has_value());
  CheckSameSettings(*parsed, core::Settings{});
}

TEST_CASE("settings — a section given in part keeps the defaults of the rest") {
  const auto parsed = core::ParseSettings(
      json::parse(R"({"sales": {"pipeline": "Sales"}, "schedule": {"day_end": "17:00"},
                      "lead": {"junk": "LOST"}})"));
  REQUIRE(parsed.has_value());
  core::Settings expected;
  expected.sales.pipeline = "Sales";
  expected.schedule.day_end_minute = 17 * 60;
  expected.lead.junk = "LOST";
  CheckSameSettings(*parsed, expected);
}

TEST_CASE("settings — install/settings.json parses and matches install/conveyor.json") {
  const json file = ReadJsonFile("install/settings.json");
  REQUIRE(file.is_object());
  const auto parsed = core::ParseSettings(file);
  if (!parsed) FAIL(parsed.error().message);
  const core::Settings& s = *parsed;

  const json spec_file = ReadJsonFile("install/conveyor.json");
  const auto spec = core::ParseInstallSpec(spec_file);
  REQUIRE(spec.has_value());
  const std::map<std::string, std::string> lead_roles = {
      {"duplicate_check", s.lead.duplicate_check},
      {"free", s.lead.free},
      {"assigned", s.lead.assigned},
      {"ready_now", s.lead.ready_now},
      {"ready_later", s.lead.ready_later}};
  for (const auto& status : spec->lead_statuses) {
    INFO("lead role " << status.role);
    if (status.semantics == "F") {  // a junk reason: no role of the conveyor's
      CHECK(lead_roles.count(status.role) == 0);
      continue;
    }
    REQUIRE(lead_roles.count(status.role) == 1);
    CHECK(lead_roles.at(status.role) == status.id);
  }
  for (const auto& pipeline : spec->pipelines) {
    INFO("pipeline " << pipeline.role);
    REQUIRE((pipeline.role == "sales" || pipeline.role == "production"));
    const core::PipelineStages& stages = pipeline.role == "sales" ? s.sales : s.production;
    CHECK(stages.pipeline == pipeline.name);
    const std::map<std::string, std::string> roles = {{"free", stages.free},
                                                      {"assigned", stages.assigned},
                                                      {"meeting", stages.meeting},
                                                      {"carry_over", stages.carry_over},
                                                      {"lost", stages.lost}};
    // Each direction has a lost stage of its own, and the settings name it.
    CHECK(stages.lost == "LOST");
    bool lost_is_failure = false;
    for (const auto& stage : pipeline.stages)
      lost_is_failure |= stage.role == "lost" && stage.id == stages.lost && stage.semantics == "F";
    CHECK(lost_is_failure);
    for (const auto& stage : pipeline.stages) {
      const auto role = roles.find(stage.role);
      if (role != roles.end() && !role->second.empty()) CHECK(role->second == stage.id);
    }
  }
  bool has_ready_date_field = false;
  for (const auto& field : spec->lead_fields) {
    has_ready_date_field |= "UF_CRM_" + field.name == s.ready_date_field;
  }
  CHECK(has_ready_date_field);

  CHECK(s.version == 1);
  CHECK(s.language == "ru");
  REQUIRE(s.queues.size() == 3);
  CHECK(s.queues.at("hunters").cap == 30);
  CHECK(s.queues.at("closers").cap == 15);
  CHECK(s.queues.at("production").cap == 10);
  CHECK(s.queues.at("closers").fallback_after_minutes == 30);
  CHECK(s.queues.at("production").fallback_queue.empty());
  CHECK(s.queues.at("production").duty_users.empty());
  CHECK(s.sla_minutes == std::map<std::string, int>{{"lead.assigned", 15}, {"sales.assigned", 60}});
  REQUIRE(s.tasks.size() == 3);
  CHECK(s.tasks[0].title == "Согласовать встречу с клиентом: {deal.title}");
  CHECK(s.tasks[0].deadline_working_hours == 4);
  CHECK(s.tasks[1].stage == "meeting");
  CHECK(s.tasks[1].deadline_working_days == 1);
  CHECK(s.tasks[2].direction == "production");
  CHECK(s.tasks[2].deadline_working_hours == 8);
  CHECK(s.schedule.time_zone == "Europe/Moscow");
  CHECK(s.schedule.days_off.empty());
  CHECK(s.schedule.day_start_minute == 9 * 60);
  CHECK(s.schedule.day_end_minute == 18 * 60);
  CHECK(s.schedule.workdays == std::array<bool, 7>{true, true, true, true, true, false, false});
  for (const char* language : {"ru", "en"}) {
    INFO("language " << language);
    REQUIRE(s.texts.count(language) == 1);
    for (const auto& [key, placeholders] : core::TextPlaceholders()) {
      INFO("text " << key);
      REQUIRE(s.texts.at(language).count(key) == 1);
      CHECK_FALSE(s.texts.at(language).at(key).empty());
    }
  }
  CHECK(s.texts.at("ru").at("handover_comment") ==
        "Передано от {from.name} к {to.name}: лид #{lead.id} → сделка #{deal.id}");
}

TEST_CASE("settings — every field survives a round trip through JSON") {
  const core::Settings original = RichSettings();
  const json written = core::SettingsToJson(original);
  CHECK(written["queues"]["closers"]["weights"].contains("9000000000"));
  CHECK(written["schedule"]["day_start"] == "07:30");
  CHECK(written["schedule"]["day_end"] == "24:00");
  CHECK(written["schedule"]["workdays"] == json::parse(R"(["tue", "thu", "sat", "sun"])"));

  const auto direct = core::ParseSettings(written);
  if (!direct) FAIL(direct.error().message);
  CheckSameSettings(*direct, original);

  // Through text as well, as stored in the database.
  const auto from_text = core::ParseSettings(json::parse(written.dump(), nullptr, false));
  if (!from_text) FAIL(from_text.error().message);
  CheckSameSettings(*from_text, original);
  CHECK(core::SettingsToJson(*from_text) == written);
}

TEST_CASE("settings — valid edge values are accepted") {
  const char* const rows[] = {
      R"({"version": 2147483647})",
      R"({"queues": {"q": {"cap": 0, "weights": {"1": 0}, "fallback_after_minutes": 0}}})",
      R"({"queues": {"a": {"fallback_queue": "b"}, "b": {"fallback_queue": "c"}, "c": {}}})",
      R"({"queues": {"q": {"weights": {"9223372036854775": 1.5}}}})",
      R"({"sla_minutes": {"production.assigned": 0}})",
      R"({"tasks": [{"direction": "lead", "stage": "duplicate_check", "title": "x"}]})",
      R"({"tasks": [{"direction": "sales", "stage": "carry_over", "title": "x",
                     "responsible": "12"}]})",
      R"({"production": {"meeting": "", "carry_over": ""}})",
      R"({"schedule": {"tz_minutes": -840, "day_start": "00:00", "day_end": "24:00"}})",
      R"({"schedule": {"tz_minutes": 840, "workdays": ["sun"]}})",
      R"({"schedule": {"time_zone": "Asia/Yekaterinburg", "days_off": []}})",
      R"({"schedule": {"time_zone": "Europe/Berlin", "tz_minutes": 900}})",
      R"({"schedule": {"days_off": ["2028-02-29", "2027-12-31"]}})",
      R"({"texts": {"en": {"handover_comment": ""}}})",
      R"({"texts": {"ru": {"fallback_alert": "{{queue}} is literal, {queue} is not"}}})",
      R"({"field_mapping": {}, "queues": {}, "tasks": [], "texts": {}})",
  };
  for (const char* row : rows) {
    INFO(row);
    const json input = json::parse(row, nullptr, false);
    REQUIRE(input.is_object());
    const auto parsed = core::ParseSettings(input);
    if (!parsed) FAIL(parsed.error().message);
  }
}

TEST_CASE("settings — invalid values are refused naming their path") {
  struct Row {
    const char* json_text;
    const char* path;  // the message starts with it
  };
  const Row rows[] = {
      {R"({"langauge": "en"})", "langauge"},
      {R"({"version": 0})", "version"},
      {R"({"version": 1.0})", "version"},
      {R"({"version": 3000000000})", "version"},
      {R"({"language": "de"})", "language"},
      {R"({"lead": []})", "lead"},
      {R"({"lead": {"free": ""}})", "lead.free"},
      {R"({"lead": {"ready_now": 5}})", "lead.ready_now"},
      {R"({"lead": {"ready_soon": "X"}})", "lead.ready_soon"},
      {R"({"lead": {"junk": "CONV_FREE"}})", "lead.junk"},
      {R"({"sales": {"meeting": ""}})", "sales.meeting"},
      {R"({"sales": {"carry_over": ""}})", "sales.carry_over"},
      {R"({"sales": {"assigned": "NEW"}})", "sales.assigned"},
      {R"({"sales": {"lost": "MEETING"}})", "sales.lost"},
      {R"({"production": {"lost": 7}})", "production.lost"},
      {R"({"production": {"pipeline": null}})", "production.pipeline"},
      {R"({"production": {"assigned": ""}})", "production.assigned"},
      {R"({"queues": []})", "queues"},
      {R"({"queues": {"closers": {"cap": -1}}})", "queues.closers.cap"},
      {R"({"queues": {"closers": {"cap": "15"}}})", "queues.closers.cap"},
      {R"({"queues": {"closers": {"users": [1, 0]}}})", "queues.closers.users[1]"},
      {R"({"queues": {"closers": {"departments": 3}}})", "queues.closers.departments"},
      {R"({"queues": {"closers": {"duty_users": ["1"]}}})", "queues.closers.duty_users[0]"},
      {R"({"queues": {"closers": {"weights": {"12": -0.5}}}})", "queues.closers.weights.12"},
      {R"({"queues": {"closers": {"weights": {"ivan": 1}}}})", "queues.closers.weights.ivan"},
      {R"({"queues": {"closers": {"weights": {"07": 1}}}})", "queues.closers.weights.07"},
      {R"({"queues": {"closers": {"require_online": 1}}})", "queues.closers.require_online"},
      {R"({"queues": {"closers": {"fallback_after_minutes": -5}}})",
       "queues.closers.fallback_after_minutes"},
      {R"({"queues": {"closers": {"fallback_queue": "nobody"}}})", "queues.closers.fallback_queue"},
      {R"({"queues": {"closers": {"fallback_queue": "closers"}}})",
       "queues.closers.fallback_queue"},
      {R"({"queues": {"a": {"fallback_queue": "b"}, "b": {"fallback_queue": "a"}}})",
       "queues.a.fallback_queue"},
      {R"({"queues": {"closers": {"capacity": 15}}})", "queues.closers.capacity"},
      {R"({"sla_minutes": {"lead.assigned": -1}})", "sla_minutes.lead.assigned"},
      {R"({"sla_minutes": {"lead.free": 10}})", "sla_minutes.lead.free"},
      {R"({"tasks": {}})", "tasks"},
      {R"({"tasks": [{"direction": "support", "stage": "free", "title": "x"}]})",
       "tasks[0].direction"},
      {R"({"tasks": [{"stage": "free", "title": "x"}]})", "tasks[0].direction"},
      {R"({"tasks": [{"direction": "sales", "title": "x"}]})", "tasks[0].stage"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x"},
                     {"direction": "production", "stage": "meeting", "title": "x"}]})",
       "tasks[1].stage"},
      {R"({"tasks": [{"direction": "lead", "stage": "junk", "title": "x"}]})", "tasks[0].stage"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": ""}]})", "tasks[0].title"},
      {R"({"tasks": [{"direction": "sales", "stage": "free"}]})", "tasks[0].title"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x",
                      "deadline_working_hours": -1}]})",
       "tasks[0].deadline_working_hours"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x",
                      "deadline_working_days": 1.5}]})",
       "tasks[0].deadline_working_days"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x",
                      "responsible": "boss"}]})",
       "tasks[0].responsible"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x",
                      "responsible": 12}]})",
       "tasks[0].responsible"},
      {R"({"tasks": [{"direction": "sales", "stage": "free", "title": "x", "due": 1}]})",
       "tasks[0].due"},
      {R"({"field_mapping": {"UF_CRM_X": 5}})", "field_mapping.UF_CRM_X"},
      {R"({"field_mapping": {"UF_CRM_X": ""}})", "field_mapping.UF_CRM_X"},
      {R"({"field_mapping": {"": "UF_CRM_Y"}})", "field_mapping"},
      {R"({"queues": {"": {}}})", "queues"},
      {R"({"ready_date_field": ""})", "ready_date_field"},
      {R"({"schedule": {"day_start": "9:00"}})", "schedule.day_start"},
      {R"({"schedule": {"day_end": "24:30"}})", "schedule.day_end"},
      {R"({"schedule": {"day_start": "18:00", "day_end": "09:00"}})", "schedule"},
      {R"({"schedule": {"tz_minutes": 900}})", "schedule"},
      {R"({"schedule": {"workdays": []}})", "schedule"},
      {R"({"schedule": {"workdays": ["monday"]}})", "schedule.workdays[0]"},
      {R"({"schedule": {"workdays": ["mon", "mon"]}})", "schedule.workdays[1]"},
      {R"({"schedule": {"timezone": "Europe/Moscow"}})", "schedule.timezone"},
      {R"({"schedule": {"time_zone": "Mars/Olympus_Mons"}})", "schedule.time_zone"},
      {R"({"schedule": {"time_zone": "europe/moscow"}})", "schedule.time_zone"},
      {R"({"schedule": {"time_zone": ""}})", "schedule.time_zone"},
      {R"({"schedule": {"time_zone": 3}})", "schedule.time_zone"},
      {R"({"schedule": {"days_off": "2027-01-01"}})", "schedule.days_off"},
      {R"({"schedule": {"days_off": ["2027-01-01", "2027-02-29"]}})", "schedule.days_off[1]"},
      {R"({"schedule": {"days_off": ["01.01.2027"]}})", "schedule.days_off[0]"},
      {R"({"schedule": {"days_off": ["2027-01-01T00:00:00+03:00"]}})", "schedule.days_off[0]"},
      {R"({"schedule": {"days_off": [20819]}})", "schedule.days_off[0]"},
      {R"({"texts": {"de": {}}})", "texts.de"},
      {R"({"texts": {"ru": {"welcome": "Привет"}}})", "texts.ru.welcome"},
      {R"({"texts": {"ru": {"sla_notify": 5}}})", "texts.ru.sla_notify"},
      {R"({"texts": {"en": {"handover_comment": "{deal.url}"}}})", "texts.en.handover_comment"},
      {R"({"texts": {"ru": {"fallback_alert": "{queue} {qeue}"}}})", "texts.ru.fallback_alert"},
  };
  for (const auto& row : rows) {
    INFO(row.json_text);
    const json input = json::parse(row.json_text, nullptr, false);
    REQUIRE(input.is_object());
    const auto parsed = core::ParseSettings(input);
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == core::ErrorCode::kInvalidArgument);
    INFO(parsed.error().message);
    CHECK(parsed.error().message.rfind(std::string(row.path) + " ", 0) == 0);
  }
}

TEST_CASE("settings — an unknown time zone is refused by name") {
  const auto parsed =
      core::ParseSettings(json::parse(R"({"schedule": {"time_zone": "Europe/Moskva"}})"));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().code == core::ErrorCode::kInvalidArgument);
  CHECK(parsed.error().message ==
        "schedule.time_zone must be a time zone of the tz database, such as Europe/Moscow");
}

TEST_CASE("settings — a schedule saved before time zones keeps its fixed offset") {
  const json old =
      json::parse(R"({"schedule": {"tz_minutes": 300, "day_start": "10:00", "day_end": "19:00"}})");
  const auto parsed = core::ParseSettings(old);
  REQUIRE(parsed.has_value());
  CHECK(parsed->schedule.time_zone.empty());
  CHECK(parsed->schedule.tz_minutes == 300);
  // 2026-11-23 10:00 at +05:00, whatever the default zone says.
  const int64_t ten = core::DaysFromCivil(2026, 11, 23) * 86400 + 5 * 3600;
  CHECK(core::IsWorkingTime(ten, parsed->schedule));
  CHECK_FALSE(core::IsWorkingTime(ten - 1, parsed->schedule));
  CHECK(core::FormatLocalTime(ten, parsed->schedule) == "2026-11-23T10:00:00+05:00");
  // Written back as it came: the offset, no zone.
  const json written = core::SettingsToJson(*parsed);
  CHECK(written["schedule"]["tz_minutes"] == 300);
  CHECK_FALSE(written["schedule"].contains("time_zone"));
  const auto again = core::ParseSettings(written);
  REQUIRE(again.has_value());
  CHECK(again->schedule.time_zone.empty());
  CHECK(again->schedule.tz_minutes == 300);
}

TEST_CASE("settings — days off are read sorted, once each, and capped") {
  const auto parsed = core::ParseSettings(json::parse(
      R"({"schedule": {"days_off": ["2027-01-07", "2027-01-01", "2027-01-07", "2026-12-31"]}})"));
  REQUIRE(parsed.has_value());
  CHECK(parsed->schedule.days_off == std::vector<int64_t>{core::DaysFromCivil(2026, 12, 31),
                                                          core::DaysFromCivil(2027, 1, 1),
                                                          core::DaysFromCivil(2027, 1, 7)});
  CHECK(core::SettingsToJson(*parsed)["schedule"]["days_off"] ==
        json::array({"2026-12-31", "2027-01-01", "2027-01-07"}));

  json many = json::array();
  for (int i = 0; i < static_cast<int>(core::kMaxDaysOff); ++i) {
    many.push_back(
        core::FormatLocalTime((core::DaysFromCivil(2027, 1, 1) + i) * 86400, 0).substr(0, 10));
  }
  json settings = {{"schedule", {{"days_off", many}}}};
  REQUIRE(core::ParseSettings(settings).has_value());
  settings["schedule"]["days_off"].push_back("1999-01-01");
  const auto too_many = core::ParseSettings(settings);
  REQUIRE_FALSE(too_many.has_value());
  CHECK(too_many.error().message == "schedule.days_off must hold at most 1000 dates");
}

TEST_CASE("settings — the example message of a negative cap") {
  const auto parsed = core::ParseSettings(json::parse(R"({"queues": {"closers": {"cap": -1}}})"));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message == "queues.closers.cap must be an integer >= 0");
}

TEST_CASE("settings — a text placeholder error names the offered ones") {
  const auto parsed =
      core::ParseSettings(json::parse(R"({"texts": {"ru": {"fallback_alert": "{qeue}"}}})"));
  REQUIRE_FALSE(parsed.has_value());
  CHECK(parsed.error().message ==
        "texts.ru.fallback_alert uses {qeue}, which is not one of: item.title, item.url, queue");
}

TEST_CASE("settings — input that is not an object is refused") {
  for (const char* text : {"null", "[]", "\"settings\"", "5"}) {
    INFO(text);
    const auto parsed = core::ParseSettings(json::parse(text));
    REQUIRE_FALSE(parsed.has_value());
    CHECK(parsed.error().code == core::ErrorCode::kInvalidArgument);
  }
}

TEST_CASE("settings — values built in code that JSON text cannot hold are refused") {
  json weight = {{"queues", {{"q", {{"weights", {{"5", std::nan("")}}}}}}}};
  CHECK_FALSE(core::ParseSettings(weight).has_value());
  json hours = {{"tasks",
                 {{{"direction", "sales"},
                   {"stage", "free"},
                   {"title", "x"},
                   {"deadline_working_hours", std::numeric_limits<double>::infinity()}}}}};
  CHECK_FALSE(core::ParseSettings(hours).has_value());
}

TEST_CASE("settings — the offered placeholders per text key") {
  const auto& offered = core::TextPlaceholders();
  std::vector<std::string> keys;
  for (const auto& item : offered) keys.push_back(item.first);
  CHECK(keys == std::vector<std::string>{"assigned_notify", "duplicate_notify", "fallback_alert",
                                         "handover_comment", "handover_notify", "sla_notify"});
  CHECK(offered.at("sla_notify") ==
        std::vector<std::string>{"item.title", "item.url", "minutes", "to.name"});
  CHECK(offered.at("handover_notify") == std::vector<std::string>{"lead.title", "deal.id",
                                                                  "deal.title", "deal.url",
                                                                  "from.name", "to.name"});
}

TEST_CASE("settings — people marked away: until a day's end in the portal's zone, or paused") {
  auto parsed = core::ParseSettings({{"away", {{"7", "2026-12-15"}, {"8", "paused"}}}});
  REQUIRE(parsed);
  CHECK(core::SettingsToJson(*parsed)["away"] == json{{"7", "2026-12-15"}, {"8", "paused"}});
  // 2026-12-15 23:59 and 2026-12-16 00:00 in Moscow (+03:00).
  const int64_t last_minute = core::DaysFromCivil(2026, 12, 15) * 86400 + 86340 - 3 * 3600;
  CHECK(core::IsMarkedAway(*parsed, 7, last_minute));
  CHECK_FALSE(core::IsMarkedAway(*parsed, 7, last_minute + 60));
  CHECK(core::IsMarkedAway(*parsed, 8, last_minute + 86400 * 365));
  CHECK_FALSE(core::IsMarkedAway(*parsed, 9, last_minute));
  for (const json& bad : {json{{"x", "paused"}}, json{{"-1", "paused"}}, json{{"7", "soon"}},
                          json{{"7", 20261215}}, json::array()}) {
    INFO(bad.dump());
    const auto refused = core::ParseSettings({{"away", bad}});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("away") != std::string::npos);
  }
}

}  // namespace settings_test
