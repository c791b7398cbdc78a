#include "lib/core/stage_tasks.h"

#include <catch2/catch.hpp>

#include "tests/core/rules_fixtures.h"

#include "lib/core/working_time.h"

namespace stage_tasks_test {

using nlohmann::json;

namespace {

using test::kPipelines;

// 2026-11-27 (a Friday) 16:00 in Moscow.
const int64_t kFridayFour = core::DaysFromCivil(2026, 11, 27) * 86400 + 13 * 3600;

core::Settings WithTemplates() {
  core::Settings s;
  s.tasks = {{"sales", "assigned", "Согласовать встречу: {deal.title}", 4, 0, "assignee"},
             {"sales", "meeting", "Подготовить расчёт: {deal.title}", 0, 1, "assignee"},
             {"production", "assigned", "Запланировать: {deal.title}", 8, 0, "99"}};
  return s;
}

}  // namespace

TEST_CASE("local times are written as the portal writes them") {
  CHECK(core::FormatLocalTime(kFridayFour, 180) == "2026-11-27T16:00:00+03:00");
  CHECK(core::FormatLocalTime(0, -300) == "1969-12-31T19:00:00-05:00");
  CHECK(core::FormatLocalTime(core::DaysFromCivil(2028, 2, 29) * 86400, 0) ==
        "2028-02-29T00:00:00+00:00");
}

TEST_CASE("stage entries are recognised by direction and role") {
  const auto s = WithTemplates();
  const json assigned = {{"CATEGORY_ID", "3"}, {"STAGE_ID", "C3:ASSIGNED"}};
  const json meeting = {{"CATEGORY_ID", "3"}, {"STAGE_ID", "C3:MEETING"}};
  const struct {
    json before;
    json after;
    const char* type;
    const char* direction;
    const char* role;
  } rows[] = {
      {nullptr, assigned, "deal", "sales", "assigned"},
      {assigned, meeting, "deal", "sales", "meeting"},
      {meeting, meeting, "deal", "", ""},  // no move
      {nullptr,
       {{"CATEGORY_ID", "4"}, {"STAGE_ID", "C4:ASSIGNED"}},
       "deal",
       "production",
       "assigned"},
      {nullptr, {{"CATEGORY_ID", "0"}, {"STAGE_ID", "NEW"}}, "deal", "", ""},
      {{{"STATUS_ID", "NEW"}}, {{"STATUS_ID", "CONV_ASSIGNED"}}, "lead", "lead", "assigned"},
      {{{"STATUS_ID", "NEW"}}, {{"STATUS_ID", "IN_PROCESS"}}, "lead", "", ""},
  };
  for (const auto& row : rows) {
    INFO(row.before.dump() << " -> " << row.after.dump());
    const auto entry = core::EnteredStage(row.before, row.after, row.type, s, kPipelines);
    CHECK(entry.has_value() == (std::string(row.direction) != ""));
    if (entry) {
      CHECK(entry->direction == row.direction);
      CHECK(entry->role == row.role);
    }
  }
}

TEST_CASE("a stage's templates become tasks due in working time — bound to the card") {
  const auto s = WithTemplates();
  auto tasks = core::PlanStageTasks(12, "deal", "Окна", 21, {"sales", "assigned"},
                                    "2026-11-27T16:00:00+03:00", s, kFridayFour);
  REQUIRE(tasks.size() == 1);
  const json& f = tasks[0].params["fields"];
  CHECK(tasks[0].method == "tasks.task.add");
  CHECK(f["TITLE"] == "Согласовать встречу: Окна");
  CHECK(f["RESPONSIBLE_ID"] == 21);
  CHECK(f["DEADLINE"] == "2026-11-30T11:00:00+03:00");  // 2 h on Friday, 2 h on Monday
  CHECK(f["UF_CRM_TASK"] == json::array({"D_12"}));
  CHECK(tasks[0].key == "task:deal:12:assigned:0:2026-11-27T16:00:00+03:00");

  // A template with a fixed person; a deal the same plan creates is referred to by result.
  tasks = core::PlanStageTasks("$result[carry]", "deal", "Окна", 21, {"production", "assigned"},
                               "new", s, kFridayFour);
  REQUIRE(tasks.size() == 1);
  CHECK(tasks[0].params["fields"]["RESPONSIBLE_ID"] == 99);
  CHECK(tasks[0].params["fields"]["UF_CRM_TASK"] == json::array({"D_$result[carry]"}));
}

TEST_CASE("the plan's own moves and creates get their stages' tasks") {
  const auto s = WithTemplates();
  core::Outcome out;
  out.actions.push_back(
      {"assign",
       "crm.deal.update",
       {{"id", 12}, {"fields", {{"STAGE_ID", "C3:ASSIGNED"}, {"ASSIGNED_BY_ID", 21}}}},
       "",
       std::nullopt,
       {}});
  out.actions.push_back({"make",
                         "crm.deal.add",
                         {{"fields",
                           {{"TITLE", "Новая"},
                            {"CATEGORY_ID", 3},
                            {"STAGE_ID", "C3:MEETING"},
                            {"ASSIGNED_BY_ID", 22}}}},
                         "",
                         std::nullopt,
                         {}});
  const json before = {{"ID", "12"},
                       {"TITLE", "Окна"},
                       {"CATEGORY_ID", "3"},
                       {"STAGE_ID", "C3:NEW"},
                       {"DATE_MODIFY", "m"}};
  core::AddTasksForOwnMoves(out, before, "deal", s, kPipelines, kFridayFour);
  REQUIRE(out.actions.size() == 4);
  CHECK(out.actions[2].params["fields"]["TITLE"] == "Согласовать встречу: Окна");
  CHECK(out.actions[2].params["fields"]["RESPONSIBLE_ID"] == 21);
  CHECK(out.actions[3].params["fields"]["TITLE"] == "Подготовить расчёт: Новая");
  CHECK(out.actions[3].params["fields"]["UF_CRM_TASK"] == json::array({"D_$result[make]"}));
}

}  // namespace stage_tasks_test
