#include "lib/core/set_up_view.h"

#include <catch2/catch.hpp>

namespace set_up_view_test {

using nlohmann::json;

namespace {

// A portal as its answers come: departments (1 the company, 5 «Колл-центр» headed by 7, 6 a
// team under it), two employees, lead statuses and the «Продажи» pipeline (id 3) with stages.
core::PortalDirectory Portal() {
  const json departments =
      json::array({{{"ID", "1"}, {"NAME", "Компания"}, {"PARENT", nullptr}, {"UF_HEAD", "1"}},
                   {{"ID", "5"}, {"NAME", "Колл-центр"}, {"PARENT", "1"}, {"UF_HEAD", "7"}},
                   {{"ID", "6"}, {"NAME", "Смена 2"}, {"PARENT", "5"}, {"UF_HEAD", "0"}},
                   {{"NAME", "no id"}}});
  const json users = json::array(
      {{{"ID", "8"}, {"NAME", "Борис"}, {"UF_DEPARTMENT", {6}}},
       {{"ID", 7}, {"NAME", "Анна"}, {"LAST_NAME", "Иванова"}, {"UF_DEPARTMENT", json::array({5})}},
       {{"ID", "9"}, {"EMAIL", "v@example.com"}, {"USER_TYPE", "employee"}},
       {{"ID", "10"}, {"NAME", "Гость"}, {"USER_TYPE", "extranet"}}});
  const json statuses = json::array(
      {{{"STATUS_ID", "CONV_FREE"}, {"NAME", "Свободный лид"}, {"SORT", "20"}},
       {{"STATUS_ID", "NEW"}, {"NAME", "Не обработан"}, {"SORT", 10}},
       {{"STATUS_ID", "JUNK"}, {"NAME", "Некачественный"}, {"SORT", 90}, {"SEMANTICS", "F"}}});
  const json categories = json::array({{{"id", 3}, {"name", "Продажи"}}, {{"id", -1}}});
  const std::map<int64_t, json> stages = {
      {3,
       json::array({{{"STATUS_ID", "C3:NEW"}, {"NAME", "Свободный лид"}, {"SORT", 10}},
                    {{"STATUS_ID", "C3:ASSIGNED"}, {"NAME", "Менеджер назначен"}, {"SORT", 20}}})}};
  return core::DirectoryOf(departments, users, statuses, categories, stages);
}

core::Candidate Member(int64_t id, core::Presence presence, bool active = true) {
  core::Candidate c;
  c.user_id = id;
  c.presence = presence;
  c.active = active;
  return c;
}

}  // namespace

TEST_CASE("the directory reads the portal's answers: names, departments, stages in order") {
  const auto d = Portal();
  REQUIRE(d.departments.size() == 3);
  CHECK(d.departments[1].name == "Колл-центр");
  CHECK(d.departments[1].head == 7);
  CHECK(d.departments[2].parent == 5);
  REQUIRE(d.people.size() == 3);  // by name; the extranet guest is no employee
  CHECK(d.people[0].name == "v@example.com");
  CHECK(d.people[1].name == "Анна Иванова");
  CHECK(d.people[1].departments == std::vector<int64_t>{5});
  CHECK(d.people[2].name == "Борис");
  REQUIRE(d.lead_stages.size() == 3);
  CHECK(d.lead_stages[0].id == "NEW");
  CHECK(d.lead_stages[2].semantic == 'F');
  REQUIRE(d.pipelines.size() == 1);
  CHECK(d.pipelines[0].stages[1].id == "C3:ASSIGNED");
}

TEST_CASE("a head marks the people of their department and of the departments under it") {
  const auto d = Portal();
  CHECK(core::HeadsDepartmentOf(d, 7, 8));  // Борис is in a team under Анна's department
  CHECK(core::HeadsDepartmentOf(d, 1, 7));  // the company's head heads everyone
  CHECK_FALSE(core::HeadsDepartmentOf(d, 8, 7));
  CHECK_FALSE(core::HeadsDepartmentOf(d, 0, 8));
  CHECK(core::HeadsAnyDepartment(d, 7));
  CHECK_FALSE(core::HeadsAnyDepartment(d, 8));
  CHECK_FALSE(core::HeadsAnyDepartment(d, 0));  // UF_HEAD "0" is nobody

  // A department tree that loops in the portal's answer ends the walk.
  auto looped = d;
  looped.departments[0].parent = 6;
  looped.departments[0].head = 0;
  CHECK_FALSE(core::HeadsDepartmentOf(looped, 99, 8));
}

TEST_CASE("what is missing: a queue with nobody, a pipeline not found, a stage not on the portal") {
  auto d = Portal();
  core::Settings s;
  s.lead = {"NEW", "CONV_FREE", "CONV_FREE", "CONV_FREE", "CONV_FREE", "CONV_FREE", "JUNK"};
  s.sales = {"Продажи", "NEW", "ASSIGNED", "", "GONE", "LOST_GONE"};
  s.production = {"Производство", "NEW", "ASSIGNED", "", "", ""};
  std::map<std::string, std::vector<core::Candidate>> members = {
      {"hunters", {Member(7, core::Presence::kOpened)}},
      {"closers", {Member(8, core::Presence::kOpened, false)}}};  // dismissed: nobody
  const json missing = core::MissingOf(s, d, members);
  std::vector<std::string> got;
  for (const auto& m : missing) {
    got.push_back(m["code"].get<std::string>() + ":" + m.value("queue", m.value("direction", "")) +
                  ":" + m.value("role", ""));
  }
  CHECK(got == std::vector<std::string>{
                   "queue_empty:closers:", "queue_empty:production:", "no_stage:sales:carry_over",
                   "no_stage:sales:lost", "no_pipeline:production:"});
  // Once all is there, nothing is missing.
  s.sales.carry_over = "";
  s.sales.lost = "";
  d.pipelines.push_back({4, "Производство", d.pipelines[0].stages});
  members["closers"] = {Member(8, core::Presence::kClosed)};
  members["production"] = {Member(9, core::Presence::kOpened)};
  CHECK(core::MissingOf(s, d, members).empty());
}

TEST_CASE("a queue's state counts its people, who is at work, who is away and until when") {
  const auto d = Portal();
  core::Settings s;
  s.queues["hunters"].departments = {5, 6};
  s.away = {{8, "2099-12-15"}};
  auto away = Member(8, core::Presence::kClosed);
  away.presence_source = core::PresenceSource::kMarkedAway;
  const std::map<std::string, std::vector<core::Candidate>> members = {
      {"hunters",
       {Member(7, core::Presence::kOpened), away, Member(9, core::Presence::kOpened, false)}}};
  const json view = core::SetUpViewJson(s, d, members, {4, 1, 0}, 1'800'000'000);
  const json& hunters = view["queues"]["hunters"];
  CHECK(hunters["people"] == 2);  // the dismissed one is not counted
  CHECK(hunters["at_work"] == 1);
  CHECK(hunters["away"] == json::array({{{"user", 8}, {"until", "2099-12-15"}}}));
  CHECK(hunters["members"][1]["source"] == "marked_away");
  CHECK(hunters["members"][0]["name"] == "Анна Иванова");
  CHECK(hunters["named_after_role"] == json::array({5}));  // «Колл-центр», not «Смена 2»
  CHECK(view["waiting"] == json{{"leads", 4}, {"sales", 1}, {"production", 0}});
  CHECK(view["directory"]["pipelines"][0]["stages"][0]["id"] == "NEW");  // as settings write it
  // A queue that requires online members counts only those online as at work.
  s.queues["hunters"].require_online = true;
  CHECK(core::SetUpViewJson(s, d, members, {}, 1'800'000'000)["queues"]["hunters"]["at_work"] == 0);
}

TEST_CASE("per-person caps are read, written back, and refused when negative") {
  json body = {{"queues", {{"closers", {{"cap", 5}, {"caps", {{"7", 2}}}}}}}};
  auto parsed = core::ParseSettings(body);
  REQUIRE(parsed);
  CHECK(parsed->queues.at("closers").caps.at(7) == 2);
  CHECK(core::SettingsToJson(*parsed)["queues"]["closers"]["caps"]["7"] == 2);
  body["queues"]["closers"]["caps"]["7"] = -1;
  auto bad = core::ParseSettings(body);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("queues.closers.caps.7") != std::string::npos);
  body["queues"]["closers"]["caps"] = {{"x", 1}};
  CHECK_FALSE(core::ParseSettings(body));
}

}  // namespace set_up_view_test
