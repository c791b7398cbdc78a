// Issue 16 (day one on a customer's portal): a portal on any plan, fair to every employee —
// each over real HTTP against the real binary and emulator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "lib/core/change.h"
#include "tests/app/app_fixture.h"

namespace day_one_test {

using test::json;

namespace {

// Every day, all day: the tests run at any hour, and a portal without work-time tracking takes
// presence from its working hours.
const json kAlwaysWorking = {{"day_start", "00:00"},
                             {"day_end", "24:00"},
                             {"workdays", {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}};

struct DayOneFixture : test::AppFixture {
  DayOneFixture() : AppFixture("0", {{"CONVEYOR_API_TOKEN", test::kApiToken}}) {}

  long AddLead(const std::string& title) {
    return emu
        .Control("act", {{"as", "user"},
                         {"method", "crm.lead.add"},
                         {"params", {{"fields", {{"TITLE", title}, {"STATUS_ID", "NEW"}}}}}})
        .body["result"]
        .get<long>();
  }
  // Leads per ASSIGNED_BY_ID among `leads`; 0 counts the unassigned (the portal's default
  // owner, the admin, counts as unassigned too: it is nobody's queue).
  long Department(const char* name) {
    return std::stol(emu.Control("departments", {{"NAME", name}}).body["ID"].get<std::string>());
  }
  long Employee(const char* name, long department) {
    const long id =
        std::stol(emu.Control("users", {{"NAME", name}, {"UF_DEPARTMENT", {department}}})
                      .body["ID"]
                      .get<std::string>());
    REQUIRE(emu.Control("presence", {{"user_id", id}, {"status", "OPENED"}}).status == 200);
    return id;
  }
  json Act(const std::string& method, const json& params) {
    return emu.Control("act", {{"as", "user"}, {"method", method}, {"params", params}}).body;
  }
  json Settings() {
    return Call("GET", Api("/settings"), "Bearer " + test::kApiToken).body["settings"];
  }
  std::map<long, int> Owners(const std::vector<long>& leads, const std::vector<long>& queue) {
    std::map<long, int> owners;
    for (const auto& row : emu.State("leads").body) {
      const long id = core::IdValue(row["ID"]);
      if (std::find(leads.begin(), leads.end(), id) == leads.end()) continue;
      const long owner = core::IdValue(row.value("ASSIGNED_BY_ID", json()));
      ++owners[std::find(queue.begin(), queue.end(), owner) == queue.end() ? 0 : owner];
    }
    return owners;
  }
};

}  // namespace

TEST_CASE("on a plan without work-time tracking every lead is assigned, evenly") {
  DayOneFixture f;
  REQUIRE(f.emu.Control("plan", {{"plan", "free"}}).status == 200);
  REQUIRE(f.Install().body["installed"] == true);
  const std::vector<long> hunters = {f.AddUser("Анна", false), f.AddUser("Борис", false),
                                     f.AddUser("Вера", false)};
  REQUIRE(f.PatchSettings(
               {{"queues", {{"hunters", {{"users", hunters}}}}}, {"schedule", kAlwaysWorking}})
              .status == 200);
  std::vector<long> leads;
  for (int i = 1; i <= 9; ++i) leads.push_back(f.AddLead("Заявка " + std::to_string(i)));
  REQUIRE(test::Eventually([&] { return f.Owners(leads, hunters)[0] == 0; }, 30));
  const auto owners = f.Owners(leads, hunters);
  for (const long hunter : hunters) {
    INFO("hunter " << hunter);
    CHECK(owners.at(hunter) == 3);
  }
  // The journal says what decided that they were at work (it is written after the portal is).
  json assigned = json::array();
  REQUIRE(test::Eventually(
      [&] {
        assigned = json::array();
        const auto journal =
            f.Call("GET", f.Api("/decisions?limit=50"), "Bearer " + test::kApiToken).body;
        for (const auto& decision : journal["decisions"])
          if (decision["kind"] == "assigned") assigned.push_back(decision);
        return assigned.size() == 9;
      },
      10));
  for (const auto& decision : assigned) {
    for (const auto& candidate : decision["reasons"]["candidates"])
      CHECK(candidate["presence_source"] == "working_hours");
  }
}

TEST_CASE("a queue that asks for online members reads IS_ONLINE: only those online get work") {
  DayOneFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const long online = f.AddUser("Анна", false);
  const long offline = f.AddUser("Борис", false);
  for (const long user : {online, offline}) {
    REQUIRE(f.emu
                .Control("presence",
                         {{"user_id", user}, {"status", "OPENED"}, {"online", user == online}})
                .status == 200);
  }
  REQUIRE(
      f.PatchSettings(
           {{"queues", {{"hunters", {{"users", {online, offline}}, {"require_online", true}}}}}})
          .status == 200);
  std::vector<long> leads;
  for (int i = 1; i <= 4; ++i) leads.push_back(f.AddLead("Звонок " + std::to_string(i)));
  REQUIRE(test::Eventually([&] { return f.Owners(leads, {online, offline})[online] == 4; }, 30));
}

TEST_CASE("departments named after the roles work right after the install, with no set-up") {
  DayOneFixture f;
  const long operators = f.Department("КОЛЛ-ЦЕНТР");
  const long sales = f.Department("Отдел продаж");
  f.Department("Бухгалтерия");
  const long anna = f.Employee("Анна", operators);
  f.Employee("Дмитрий", sales);
  REQUIRE(f.Install().body["installed"] == true);
  // Nobody touched the settings: the installer found the departments.
  const auto queues = f.Settings()["queues"];
  CHECK(queues["hunters"]["departments"] == json{operators});
  CHECK(queues["closers"]["departments"] == json{sales});
  CHECK(queues["production"]["departments"] == json::array());
  const long lead = f.AddLead("Окна");
  REQUIRE(test::Eventually([&] { return f.Owners({lead}, {anna})[anna] == 1; }, 20));
  // The journal says what the installer chose, by name.
  const auto journal =
      f.Call("GET", f.Api("/decisions?limit=50"), "Bearer " + test::kApiToken).body["decisions"];
  json set_up;
  for (const auto& decision : journal)
    if (decision["kind"] == "set_up") set_up = decision;
  REQUIRE(set_up.is_object());
  CHECK(set_up["reasons"]["departments"]["hunters"] ==
        json{{{"id", operators}, {"name", "КОЛЛ-ЦЕНТР"}}});
}

TEST_CASE("the installing admin's time zone becomes the portal's working calendar") {
  DayOneFixture f;
  const long admin = std::stol(
      f.emu
          .Control("users",
                   {{"NAME", "Ольга"}, {"ADMIN", true}, {"TIME_ZONE", "Asia/Yekaterinburg"}})
          .body["ID"]
          .get<std::string>());
  REQUIRE(f.emu
              .Control("apps/install", {{"application_url", f.app.Url("/app")},
                                        {"installer_url", f.app.Url("/install")},
                                        {"install_event_url", f.app.Url("/b24/install")},
                                        {"admin_user_id", admin}})
              .body["installed"] == true);
  CHECK(f.Settings()["schedule"]["time_zone"] == "Asia/Yekaterinburg");
}

TEST_CASE("a portal that had the stages already: the settings follow them and the rules fire") {
  DayOneFixture f;
  // «Продажи» exists, its meeting stage under an id of the portal's own making.
  const long pipeline =
      f.Act("crm.category.add",
            {{"entityTypeId", 2}, {"fields", {{"name", "Продажи"}}}})["result"]["category"]["id"]
          .get<long>();
  const std::string prefix = "C" + std::to_string(pipeline) + ":";
  REQUIRE(f.Act("crm.status.add", {{"fields",
                                    {{"ENTITY_ID", "DEAL_STAGE_" + std::to_string(pipeline)},
                                     {"STATUS_ID", "UC_MEET01"},
                                     {"NAME", "Встреча назначена"},
                                     {"SORT", 30}}}})
              .contains("result"));
  REQUIRE(f.Install().body["installed"] == true);
  CHECK(f.Settings()["sales"]["meeting"] == "UC_MEET01");
  // A deal reaching that stage gets the meeting's task, as on a portal Conveyor set up itself.
  const long closer = f.AddUser("Дмитрий", false);
  const long deal = f.Act("crm.deal.add", {{"fields",
                                            {{"TITLE", "Окна"},
                                             {"CATEGORY_ID", pipeline},
                                             {"STAGE_ID", prefix + "ASSIGNED"},
                                             {"ASSIGNED_BY_ID", closer}}}})["result"]
                        .get<long>();
  f.Act("crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + "UC_MEET01"}}}});
  REQUIRE(test::Eventually(
      [&] {
        for (const auto& task : f.emu.State("tasks").body) {
          if (task.value("TITLE", std::string()) == "Подготовить расчёт: Окна") return true;
        }
        return false;
      },
      20));
}

TEST_CASE("an admin marks a person away: they get no work until then, and the journal says so") {
  DayOneFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const long anna = f.AddUser("Анна", false);
  const long boris = f.AddUser("Борис", false);
  for (const long user : {anna, boris})
    REQUIRE(f.emu.Control("presence", {{"user_id", user}, {"status", "OPENED"}}).status == 200);
  // Анна's day is open (work-time tracking says so), but she is on holiday through next year.
  REQUIRE(f.PatchSettings({{"queues", {{"hunters", {{"users", {anna, boris}}}}}},
                           {"away", {{std::to_string(anna), "2099-12-31"}}}})
              .status == 200);
  std::vector<long> leads;
  for (int i = 1; i <= 3; ++i) leads.push_back(f.AddLead("Звонок " + std::to_string(i)));
  REQUIRE(test::Eventually([&] { return f.Owners(leads, {anna, boris})[boris] == 3; }, 20));
  json assigned;
  REQUIRE(test::Eventually(
      [&] {
        const auto journal =
            f.Call("GET", f.Api("/decisions?limit=20"), "Bearer " + test::kApiToken).body;
        for (const auto& d : journal["decisions"])
          if (d["kind"] == "assigned") assigned = d;
        return assigned.is_object();
      },
      10));
  for (const auto& candidate : assigned["reasons"]["candidates"]) {
    if (candidate["user_id"] != anna) continue;
    CHECK(candidate["verdict"] == "absent");
    CHECK(candidate["presence_source"] == "marked_away");
  }
}

TEST_CASE("what waited before the install is handed out only when an admin asks, with a count") {
  DayOneFixture f;
  // Three enquiries nobody took, from before the conveyor was installed.
  std::vector<long> old;
  for (int i = 1; i <= 3; ++i) old.push_back(f.AddLead("Старая заявка " + std::to_string(i)));
  REQUIRE(f.Install().body["installed"] == true);
  const long hunter = f.AddUser("Анна", false);
  REQUIRE(f.emu.Control("presence", {{"user_id", hunter}, {"status", "OPENED"}}).status == 200);
  REQUIRE(f.PatchSettings({{"queues", {{"hunters", {{"users", {hunter}}}}}}}).status == 200);

  const std::string ops = "Bearer " + test::kApiToken;
  const auto view = f.Call("GET", f.Api("/setup"), ops);
  REQUIRE(view.status == 200);
  CHECK(view.body["waiting"]["leads"] == 3);
  CHECK(view.body["queues"]["hunters"]["people"] == 1);
  CHECK(view.body["queues"]["hunters"]["at_work"] == 1);
  CHECK(view.body["queues"]["hunters"]["members"][0]["name"] == "Анна");
  std::vector<std::string> missing;
  for (const auto& m : view.body["missing"])
    missing.push_back(m.value("queue", m["code"].get<std::string>()));
  CHECK(missing == std::vector<std::string>{"closers", "production"});
  // Nothing old was touched on its own.
  CHECK(f.Owners(old, {hunter})[hunter] == 0);

  const auto done = f.Call("POST", f.Api("/setup/distribute"), ops, json::object());
  REQUIRE(done.status == 202);
  CHECK(done.body["queued"]["leads"] == 3);
  CHECK(done.body["left"]["leads"] == 0);
  REQUIRE(test::Eventually([&] { return f.Owners(old, {hunter})[hunter] == 3; }, 20));
  REQUIRE(test::Eventually(
      [&] { return f.Call("GET", f.Api("/setup"), ops).body["waiting"]["leads"] == 0; }, 10));
}

TEST_CASE(
    "marking away through the API: a date or paused, back again, and bad input changes nothing") {
  DayOneFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const long anna = f.AddUser("Анна", false);
  const std::string ops = "Bearer " + test::kApiToken;
  const auto version = [&] {
    return f.Call("GET", f.Api("/settings"), ops).body["version"].get<int>();
  };
  const int before = version();
  const std::string path = f.Api("/away/" + std::to_string(anna));
  for (const json& bad : {json::object(), json{{"until", "2026-02-30"}}, json{{"until", 5}},
                          json{{"until", "2099-01-01"}, {"paused", true}}}) {
    INFO(bad.dump());
    const auto refused = f.Call("PUT", path, ops, bad);
    CHECK(refused.status == 400);
    CHECK(refused.body["error"] == "invalid_request");
  }
  CHECK(version() == before);
  const auto marked = f.Call("PUT", path, ops, {{"until", "2099-12-31"}});
  REQUIRE(marked.status == 200);
  CHECK(f.Settings()["away"][std::to_string(anna)] == "2099-12-31");
  REQUIRE(f.Call("PUT", path, ops, {{"paused", true}}).status == 200);
  CHECK(f.Settings()["away"][std::to_string(anna)] == "paused");
  REQUIRE(f.Call("DELETE", path, ops).status == 200);
  CHECK(f.Settings()["away"].empty());
  CHECK(version() == before + 3);
  CHECK(f.Call("PUT", f.Api("/away/0"), ops, {{"paused", true}}).status == 400);
}

TEST_CASE("the set-up lists every employee of a portal with more than a page of them") {
  DayOneFixture f;
  const long team = f.Department("Отдел А");
  for (int i = 0; i < 120; ++i) {
    const std::string name = "Сотрудник " + std::to_string(i);
    REQUIRE(f.emu.Control("users", {{"NAME", name}, {"UF_DEPARTMENT", {team}}}).status == 200);
  }
  REQUIRE(f.emu.Control("users", {{"NAME", "Уволенный"}, {"ACTIVE", false}}).status == 200);
  REQUIRE(f.Install().body["installed"] == true);
  const auto view = f.Call("GET", f.Api("/setup"), "Bearer " + test::kApiToken);
  REQUIRE(view.status == 200);
  std::set<std::string> names;
  for (const auto& person : view.body["directory"]["people"]) names.insert(person["name"]);
  CHECK(names.size() == 121);  // the 120, and the admin; not the dismissed one
  CHECK(names.count("Сотрудник 119") == 1);
  CHECK(names.count("Уволенный") == 0);
}

}  // namespace day_one_test
