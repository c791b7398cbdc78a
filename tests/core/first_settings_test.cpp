#include "lib/core/first_settings.h"

#include <catch2/catch.hpp>

namespace first_settings_test {

using nlohmann::json;

namespace {

core::StageSpec Stage(const char* role, const char* id, const char* name) {
  return {role, id, name, 10, ""};
}

core::InstallSpec Spec() {
  core::InstallSpec spec;
  spec.lead_statuses = {Stage("free", "CONV_FREE", "Свободный лид"),
                        Stage("assigned", "CONV_ASSIGNED", "Менеджер назначен")};
  core::PipelineSpec sales;
  sales.role = "sales";
  sales.name = "Продажи";
  sales.stages = {Stage("free", "NEW", "Свободный лид"),
                  Stage("meeting", "MEETING", "Встреча назначена"),
                  Stage("carry_over", "CONTRACT", "Договор и счёт отправлены")};
  spec.pipelines = {sales};
  return spec;
}

}  // namespace

TEST_CASE("departments named after a role are known in Russian or English, in any case") {
  const struct {
    const char* name;
    const char* queue;  // "" for none
  } rows[] = {
      {"Колл-центр", "hunters"},      {"КОЛЛ-ЦЕНТР", "hunters"},
      {"колл центр", "hunters"},      {"Call center", "hunters"},
      {"CALL-CENTRE", "hunters"},     {"Отдел продаж", "closers"},
      {" Отдел  ПРОДАЖ ", "closers"}, {"Продажи", "closers"},
      {"Sales", "closers"},           {"Производство", "production"},
      {"production", "production"},   {"Бухгалтерия", ""},
      {"Продажи и маркетинг", ""},    {"", ""},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const auto queue = core::QueueOfDepartmentName(row.name);
    CHECK(queue.value_or("") == row.queue);
  }
}

TEST_CASE("the first settings give empty queues their departments — and leave chosen ones") {
  core::Settings defaults;
  defaults.queues["closers"].users = {77};  // chosen already: kept
  const json departments = {{{"ID", "3"}, {"NAME", "Колл-центр"}},
                            {{"ID", "4"}, {"NAME", "Отдел продаж"}},
                            {{"ID", "5"}, {"NAME", "Производство"}},
                            {{"ID", "6"}, {"NAME", "Call center"}},
                            {{"ID", "7"}, {"NAME", "Бухгалтерия"}}};
  const auto setup = core::FirstSettings(defaults, departments, Spec(), {}, "");
  CHECK(setup.settings.queues.at("hunters").departments == std::vector<int64_t>{3, 6});
  CHECK(setup.settings.queues.at("closers").departments.empty());
  CHECK(setup.settings.queues.at("closers").users == std::vector<int64_t>{77});
  CHECK(setup.settings.queues.at("production").departments == std::vector<int64_t>{5});
  CHECK(setup.departments["hunters"][1] == json{{"id", 6}, {"name", "Call center"}});
  CHECK_FALSE(setup.departments.contains("closers"));
}

TEST_CASE("stage roles follow the stages the portal had already, found by name") {
  core::PortalLayout layout;
  layout.lead_statuses = {{{"STATUS_ID", "NEW"}, {"NAME", "Новый"}},
                          {{"STATUS_ID", "IN_PROCESS"}, {"NAME", "Свободный лид"}},
                          {{"STATUS_ID", "CONV_ASSIGNED"}, {"NAME", "В работе"}}};
  layout.categories = {{{"id", 9}, {"name", "Продажи"}}};
  layout.stages[9] = {{{"STATUS_ID", "C9:NEW"}, {"NAME", "Свободный лид"}},
                      {{"STATUS_ID", "C9:UC_MEET01"}, {"NAME", "Встреча назначена"}},
                      {{"STATUS_ID", "C9:CONTRACT"}, {"NAME", "Договор"}}};
  const auto setup = core::FirstSettings(core::Settings{}, json::array(), Spec(), layout, "");
  CHECK(setup.settings.lead.free == "IN_PROCESS");         // reused by name
  CHECK(setup.settings.lead.assigned == "CONV_ASSIGNED");  // Conveyor's own id, renamed
  CHECK(setup.settings.sales.meeting == "UC_MEET01");      // without the C9: prefix
  CHECK(setup.settings.sales.free == "NEW");
  CHECK(setup.settings.sales.carry_over == "CONTRACT");
  CHECK(setup.stages == json{{"lead.free", "IN_PROCESS"}, {"sales.meeting", "UC_MEET01"}});
}

TEST_CASE("the installing admin's time zone becomes the portal's, when it is a real zone") {
  core::Settings defaults;
  defaults.schedule.time_zone = "Europe/Moscow";
  const auto taken = core::FirstSettings(defaults, json::array(), Spec(), {}, "Asia/Yekaterinburg");
  CHECK(taken.settings.schedule.time_zone == "Asia/Yekaterinburg");
  CHECK(taken.time_zone == "Asia/Yekaterinburg");
  for (const char* zone : {"", "Mars/Olympus", "+05:00"}) {
    INFO(zone);
    const auto kept = core::FirstSettings(defaults, json::array(), Spec(), {}, zone);
    CHECK(kept.settings.schedule.time_zone == "Europe/Moscow");
    CHECK(kept.time_zone.empty());
  }
}

// Issue 16 item 9: the lost role follows a failure stage the portal had by name, as the others.
TEST_CASE("the lost role follows the portal's own lost stage, and stays when provisioned") {
  core::InstallSpec spec = Spec();
  core::StageSpec lost = Stage("lost", "LOST", "Отказ в продажах");
  lost.semantics = "F";
  spec.pipelines[0].stages.push_back(lost);
  core::Settings defaults;
  defaults.sales.lost = "LOST";
  core::PortalLayout layout;
  layout.categories = {{{"id", 9}, {"name", "Продажи"}}};
  layout.stages[9] = {
      {{"STATUS_ID", "C9:NEW"}, {"NAME", "Свободный лид"}},
      {{"STATUS_ID", "C9:WON"}, {"NAME", "Успех"}, {"SEMANTICS", "S"}},
      {{"STATUS_ID", "C9:UC_NO1"}, {"NAME", "Отказ в продажах"}, {"SEMANTICS", "F"}}};
  const auto found = core::FirstSettings(defaults, json::array(), spec, layout, "");
  CHECK(found.settings.sales.lost == "UC_NO1");
  CHECK(found.stages["sales.lost"] == "UC_NO1");
  // Provisioned under Conveyor's id: nothing to follow.
  layout.stages[9][2]["STATUS_ID"] = "C9:LOST";
  const auto own = core::FirstSettings(defaults, json::array(), spec, layout, "");
  CHECK(own.settings.sales.lost == "LOST");
  CHECK_FALSE(own.stages.contains("sales.lost"));
  // A role nobody chose (the defaults of an old version) is not filled in.
  const auto unchosen = core::FirstSettings(core::Settings{}, json::array(), spec, layout, "");
  CHECK(unchosen.settings.sales.lost.empty());
}

}  // namespace first_settings_test
