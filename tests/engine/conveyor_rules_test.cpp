// The conveyor's lead rules on an emulated portal, through the inbox worker: a new lead goes to
// the least loaded hunter at work, a repeat enquiry goes to the original's owner, who is told,
// and every decision is journaled with the candidates and why.
#include "lib/engine/conveyor_rules.h"

#include <catch2/catch.hpp>

#include "lib/engine/sweeper.h"
#include "tests/engine/conveyor_fixture.h"

namespace conveyor_rules_test {

using nlohmann::json;

namespace {

using test::InstallDefaults;

}  // namespace

TEST_CASE("new leads go to the least loaded hunter at work — and the choice is journaled") {
  test::ConveyorFixture f;
  const long first = f.AddLead("Окна", "8 912 345-67-89");
  const long second = f.AddLead("Двери", "+7 (900) 000 00 01");
  f.Drain();
  const json a = f.Lead(first);
  const json b = f.Lead(second);
  CHECK(a["STATUS_ID"] == "CONV_ASSIGNED");
  CHECK(b["STATUS_ID"] == "CONV_ASSIGNED");
  // One each: after the first the two present hunters differ in load by one.
  CHECK(a["ASSIGNED_BY_ID"] != b["ASSIGNED_BY_ID"]);
  for (const auto& lead : {a, b}) {
    const long owner = std::stol(lead["ASSIGNED_BY_ID"].get<std::string>());
    CHECK((owner == f.hunters[0] || owner == f.hunters[1]));
  }
  auto journal = f.decisions.ForEntity(f.kMember, "lead", first);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  const auto& d = (*journal)[0].decision;
  CHECK(d.kind == "assigned");
  CHECK(d.settings_version == 1);
  REQUIRE(d.body["candidates"].size() == 3);
  CHECK(d.body["candidates"][2]["verdict"] == "absent");  // Вера
}

TEST_CASE("a department of more than a page of people: all of them are the queue's members") {
  test::ConveyorFixture f;
  std::vector<long> operators;
  const long big = std::stol(
      f.emu.Control("departments", {{"NAME", "Большой колл-центр"}}).body["ID"].get<std::string>());
  for (int i = 0; i < 120; ++i) {
    auto user = f.emu.Control(
        "users", {{"NAME", "Оператор " + std::to_string(i)}, {"UF_DEPARTMENT", {big}}});
    REQUIRE(user.status == 200);
    operators.push_back(std::stol(user.body["ID"].get<std::string>()));
  }
  // Only the 110th has opened the day: on the third page of user.get.
  f.Present(operators[110], "OPENED");
  f.Configure([&](json& body) { body["queues"]["hunters"]["departments"] = {big}; });
  const long id = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  CHECK(f.Lead(id)["ASSIGNED_BY_ID"] == std::to_string(operators[110]));
  auto journal = f.decisions.ForEntity(f.kMember, "lead", id);
  REQUIRE(journal);
  REQUIRE_FALSE(journal->empty());
  CHECK((*journal)[0].decision.body["candidates"].size() == 120);
}

TEST_CASE("a burst of new leads is planned as one round — a few requests and even shares") {
  test::ConveyorFixture f;
  for (int i = 0; i < 6; ++i)
    f.AddLead("Заявка " + std::to_string(i), "+7 900 000 00 1" + std::to_string(i));
  const long before = f.client.Stats().calls;
  f.Drain();
  // The re-reads with the pipelines and departments read ahead; presence, loads and the
  // duplicate searches of all six; the writes of all six. Planned one at a time, each lead cost
  // two or more; without the read-ahead the round cost five.
  CHECK(f.client.Stats().calls - before == 3);
  std::map<std::string, int> shares;
  for (long id = 1; id <= 6; ++id) {
    const json lead = f.Lead(id);
    CHECK(lead["STATUS_ID"] == "CONV_ASSIGNED");
    ++shares[lead["ASSIGNED_BY_ID"].get<std::string>()];
  }
  CHECK(shares == std::map<std::string, int>{{std::to_string(f.hunters[0]), 3},
                                             {std::to_string(f.hunters[1]), 3}});
}

TEST_CASE("a repeat enquiry goes to the original's owner — who is told") {
  test::ConveyorFixture f;
  const long original = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  const std::string owner = f.Lead(original)["ASSIGNED_BY_ID"];
  const long repeat = f.AddLead("Окна ещё раз", "+7 912 345 67 89");
  f.Drain();
  const json lead = f.Lead(repeat);
  CHECK(lead["STATUS_ID"] == "CONV_ASSIGNED");  // in work with the owner, who is at work
  CHECK(lead["ASSIGNED_BY_ID"] == owner);
  CHECK(lead.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json()).dump().find(std::to_string(original)) !=
        std::string::npos);
  auto notifications = f.emu.State("notifications").body;
  bool told = false;
  for (const auto& n : notifications) {
    told = told || (n["USER_ID"].is_number() && n["USER_ID"].get<long>() == std::stol(owner));
  }
  CHECK(told);
  auto journal = f.decisions.ForEntity(f.kMember, "lead", repeat);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  CHECK((*journal)[0].decision.kind == "duplicate");
}

TEST_CASE("a repeat enquiry whose owner is away goes to the queue — the owner is told") {
  test::ConveyorFixture f;
  const long original = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  const long owner = std::stol(f.Lead(original)["ASSIGNED_BY_ID"].get<std::string>());
  f.Present(owner, "CLOSED");
  f.Advance(120);  // past the presence the conveyor keeps for a minute
  const long repeat = f.AddLead("Окна ещё раз", "+7 912 345 67 89");
  f.Drain();
  const json lead = f.Lead(repeat);
  CHECK(lead["STATUS_ID"] == "CONV_ASSIGNED");
  const long other = owner == f.hunters[0] ? f.hunters[1] : f.hunters[0];
  CHECK(lead["ASSIGNED_BY_ID"] == std::to_string(other));
  CHECK(core::IdValue(lead.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json())) == original);
  CHECK(f.Told(owner));
  auto journal = f.decisions.ForEntity(f.kMember, "lead", repeat);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  const auto& decision = (*journal)[0].decision;
  CHECK(decision.kind == "assigned");  // a turn of the rotation
  CHECK(decision.body["repeat_of"]["id"] == original);
  CHECK(decision.body["owner"] == json{{"user_id", owner}, {"why_not", "closed"}});
}

TEST_CASE("with nobody at work a new lead waits at the free stage") {
  test::ConveyorFixture f;
  for (const long hunter : f.hunters) {
    REQUIRE(f.emu.Control("presence", {{"user_id", hunter}, {"status", "CLOSED"}}).status == 200);
  }
  const long id = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  CHECK(f.Lead(id)["STATUS_ID"] == "CONV_FREE");
  auto journal = f.decisions.ForEntity(f.kMember, "lead", id);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  CHECK((*journal)[0].decision.kind == "waiting");
}

TEST_CASE("a ready-now lead is handed over to a closer as a sales deal — once") {
  test::ConveyorFixture f;
  const long id = f.AddLead("Окна в дом", "8 912 345-67-89");
  f.Drain();
  const long hunter = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  f.Act(hunter, "crm.lead.update",
        {{"id", id}, {"fields", {{"STATUS_ID", "CONV_READY_NOW"}, {"OPPORTUNITY", 150000}}}});
  for (const char* key : {"ready", "ready-again"}) {  // the event delivered twice
    REQUIRE(f.inbox.Enqueue(f.kMember, key, "ONCRMLEADUPDATE", "lead", id, "{}",
                            static_cast<int64_t>(f.clock.Now())));
  }
  f.Drain();

  auto deals = f.emu.Hook("crm.deal.list", {{"filter", {{"LEAD_ID", id}}}, {"select", {"*"}}});
  REQUIRE(deals.body["result"].size() == 1);
  const json deal = deals.body["result"][0];
  const long closer = std::stol(deal["ASSIGNED_BY_ID"].get<std::string>());
  CHECK((closer == f.closers[0] || closer == f.closers[1]));
  CHECK(deal["STAGE_ID"].get<std::string>().find(":ASSIGNED") != std::string::npos);
  CHECK(deal["TITLE"] == "Окна в дом");
  CHECK(std::stod(deal["OPPORTUNITY"].get<std::string>()) == 150000);
  CHECK(std::stol(deal["CONTACT_ID"].get<std::string>()) > 0);
  const json lead = f.Lead(id);
  CHECK(lead["STATUS_ID"] == "CONVERTED");
  const std::string deal_id = deal["ID"];
  for (const auto& [type, owner] :
       {std::pair<std::string, std::string>{"deal", deal_id}, {"lead", std::to_string(id)}}) {
    auto comments = f.emu.Hook("crm.timeline.comment.list",
                               {{"filter", {{"ENTITY_TYPE", type}, {"ENTITY_ID", owner}}}});
    REQUIRE(comments.body["result"].size() == 1);
    const std::string text = comments.body["result"][0]["COMMENT"];
    CHECK(text.find("#" + deal_id) != std::string::npos);  // the deal's number, spliced in
  }
  bool told = false;
  for (const auto& n : f.emu.State("notifications").body) {
    told = told || (n["USER_ID"].is_number() && n["USER_ID"].get<long>() == closer);
  }
  CHECK(told);
  // The auto-task of the sales stage the deal was created in, for the closer, bound to the deal.
  auto tasks = f.emu.Hook("tasks.task.list", {{"filter", {{"RESPONSIBLE_ID", closer}}},
                                              {"select", {"ID", "TITLE", "UF_CRM_TASK"}}});
  REQUIRE(tasks.status == 200);
  const json& list = tasks.body["result"]["tasks"];
  REQUIRE(list.size() == 1);
  CHECK(list[0].dump().find("Согласовать встречу с клиентом: Окна в дом") != std::string::npos);
  INFO(list[0].dump());
  CHECK(list[0].dump().find("D_" + deal_id) != std::string::npos);

  auto journal = f.decisions.ForEntity(f.kMember, "lead", id);
  REQUIRE(journal);
  REQUIRE(journal->size() == 2);  // assigned to the hunter, then handed over
  CHECK((*journal)[1].decision.kind == "handover");
  CHECK((*journal)[1].decision.assignee == closer);
}

TEST_CASE("a sales deal reaching the contract stage is carried into production — once") {
  test::ConveyorFixture f;
  const long id = f.AddLead("Окна в дом", "8 912 345-67-89");
  f.Drain();
  const long hunter = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  f.Act(hunter, "crm.lead.update", {{"id", id}, {"fields", {{"STATUS_ID", "CONV_READY_NOW"}}}});
  REQUIRE(f.inbox.Enqueue(f.kMember, "ready", "ONCRMLEADUPDATE", "lead", id, "{}",
                          static_cast<int64_t>(f.clock.Now())));
  f.Drain();
  const json sales = f.emu.Hook("crm.deal.list", {{"filter", {{"LEAD_ID", id}}}, {"select", {"*"}}})
                         .body["result"][0];
  const long deal = std::stol(sales["ID"].get<std::string>());
  const long closer = std::stol(sales["ASSIGNED_BY_ID"].get<std::string>());
  const std::string prefix = sales["STAGE_ID"].get<std::string>().substr(
      0, sales["STAGE_ID"].get<std::string>().find(':') + 1);
  f.Act(closer, "crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + "CONTRACT"}}}});
  for (const char* key : {"contract", "contract-again"}) {
    REQUIRE(f.inbox.Enqueue(f.kMember, key, "ONCRMDEALUPDATE", "deal", deal, "{}",
                            static_cast<int64_t>(f.clock.Now())));
  }
  f.Drain();

  auto made = f.emu.Hook(
      "crm.deal.list",
      {{"filter", {{"ORIGIN_ID", "conveyor:deal:" + std::to_string(deal)}}}, {"select", {"*"}}});
  REQUIRE(made.body["result"].size() == 1);
  const json production = made.body["result"][0];
  CHECK(production["ASSIGNED_BY_ID"] == std::to_string(f.masters[0]));
  CHECK(production["STAGE_ID"].get<std::string>().find(":ASSIGNED") != std::string::npos);
  CHECK(production["CONTACT_ID"] == sales["CONTACT_ID"]);
  const long production_id = std::stol(production["ID"].get<std::string>());
  auto item = f.emu.Hook("crm.item.get", {{"entityTypeId", 2}, {"id", production_id}});
  REQUIRE(item.status == 200);
  CHECK(item.body["result"]["item"]["observers"].dump().find(std::to_string(closer)) !=
        std::string::npos);
  auto journal = f.decisions.ForEntity(f.kMember, "deal", deal);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  CHECK((*journal)[0].decision.kind == "carried_over");
}

namespace {

// The closer's sales deal of `lead` moved to the contract stage; the event queued.
long ToContract(test::ConveyorFixture& f, long lead, const std::string& key) {
  const json sales = f.SalesDealOf(lead);
  const long deal = std::stol(sales["ID"].get<std::string>());
  const std::string stage = sales["STAGE_ID"];
  f.Act(std::stol(sales["ASSIGNED_BY_ID"].get<std::string>()), "crm.deal.update",
        {{"id", deal},
         {"fields", {{"STAGE_ID", stage.substr(0, stage.find(':') + 1) + "CONTRACT"}}}});
  f.Queue("ONCRMDEALUPDATE", "deal", deal, key);
  return deal;
}

}  // namespace

// The floor of a lead's way when nothing else happens on the portal: an event names only its
// item, so each step costs the item's read and, decided on what came back, the writes; a new
// lead's duplicate search needs the lead's phones and e-mails, read first. What names the new
// deal (its comments, the notification, its task, the lead's link to it) goes in a batch after
// the one that made it, so that nothing names a deal that failed to be made (issue 15).
// 3 + 3 + 3 requests.
TEST_CASE("a lead's way costs the floor — three requests at each of its three steps") {
  test::ConveyorFixture f;
  // A first lead's way: the departments are known from then on, as on a portal at work.
  ToContract(f, f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}}), "first");
  f.Drain();
  long before = f.client.Stats().calls;
  const long id = f.AddLead("Двери", "+7 900 000 00 02");
  f.Drain();
  // The lead's read with the hunters' presence and loads; its duplicate searches; the writes.
  CHECK(f.client.Stats().calls - before == 3);
  CHECK(f.Kinds("lead", id) == std::vector<std::string>{"assigned"});
  const long hunter = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  f.Act(hunter, "crm.lead.update", {{"id", id}, {"fields", {{"STATUS_ID", "CONV_READY_NOW"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", id, "ready");
  before = f.client.Stats().calls;
  f.Drain();
  // The lead's read with the closers' presence, loads and names; then the deal and the contact;
  // then what names them: the contact on the deal, the lead's conversion, the comments, the
  // notification and the task.
  CHECK(f.client.Stats().calls - before == 3);
  CHECK(f.Kinds("lead", id).back() == "handover");

  const long deal = ToContract(f, id, "contract");
  before = f.client.Stats().calls;
  f.Drain();
  // The deal's read with the production staff's presence and loads; the production deal; what
  // names it.
  CHECK(f.client.Stats().calls - before == 3);
  CHECK(f.Kinds("deal", deal) == std::vector<std::string>{"carried_over"});
}

TEST_CASE("a journey holds every stage its lead and deals passed — with who had them") {
  test::ConveyorFixture f;
  const long lead = f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}});
  const json sales = f.SalesDealOf(lead);
  const long deal = std::stol(sales["ID"].get<std::string>());
  const long closer = std::stol(sales["ASSIGNED_BY_ID"].get<std::string>());
  const long hunter = std::stol(f.Lead(lead)["ASSIGNED_BY_ID"].get<std::string>());
  const std::string stage = sales["STAGE_ID"];
  const std::string prefix = stage.substr(0, stage.find(':') + 1);
  f.Act(closer, "crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + "CONTRACT"}}}});
  f.Queue("ONCRMDEALUPDATE", "deal", deal, "contract");
  f.Drain();

  CHECK(f.journeys.JourneyOf(f.kMember, "deal", deal).value() == lead);
  auto view = f.journeys.Journey(f.kMember, lead);
  REQUIRE(view);
  REQUIRE(view->items.size() == 3);  // the lead, its sales deal and the production deal
  CHECK(view->items[0].stage == "CONVERTED");
  CHECK(view->items[2].sales_deal_id == deal);
  CHECK(view->items[2].responsible == f.masters[0]);
  std::vector<std::string> path;
  for (const auto& t : view->transitions) {
    path.push_back(t.entity_type + ":" + t.stage.substr(t.stage.find(':') + 1) + ":" +
                   std::to_string(t.responsible));
  }
  const std::string h = std::to_string(hunter), c = std::to_string(closer);
  const std::vector<std::string> expected = {
      "lead:NEW:1",  // as it arrived, with the admin who made it
      "lead:CONV_ASSIGNED:" + h,
      "lead:CONV_READY_NOW:" + h,
      "deal:ASSIGNED:" + c,  // the hand-over makes the deal, then converts the lead
      "lead:CONVERTED:" + h,
      "deal:CONTRACT:" + c,
      "deal:ASSIGNED:" + std::to_string(f.masters[0])};
  CHECK(path == expected);
  for (size_t i = 1; i < view->transitions.size(); ++i)
    CHECK(view->transitions[i].at >= view->transitions[i - 1].at);
}

TEST_CASE("a ready-later lead's deal waits for that working day and then goes to a closer") {
  test::ConveyorFixture f;
  const auto settings = InstallDefaults();
  // Three days ahead, in the portal's calendar; a weekend moves it on to Monday.
  const auto ahead = static_cast<int64_t>(f.clock.Now()) + 3 * 86400;
  const std::string date = core::FormatLocalTime(ahead, settings.schedule).substr(0, 10);
  const long lead =
      f.QualifiedLead({{"STATUS_ID", "CONV_READY_LATER"}, {settings.ready_date_field, date}});
  const json waiting = f.SalesDealOf(lead);
  INFO(date);
  const long deal = std::stol(waiting["ID"].get<std::string>());
  CHECK(waiting["STAGE_ID"].get<std::string>().find(":NEW") != std::string::npos);
  CHECK(f.Lead(lead)["STATUS_ID"] == "CONVERTED");
  CHECK(f.Kinds("lead", lead).back() == "scheduled");

  // The evening before: still waiting; the events of the day change nothing.
  const int64_t day_start = core::ReadyDayStart(waiting, settings);
  REQUIRE(day_start > static_cast<int64_t>(f.clock.Now()));
  f.Advance(static_cast<double>(day_start) - f.clock.Now() - 3600);
  f.Queue("ONCRMDEALUPDATE", "deal", deal, "touch");
  f.Drain();
  CHECK(f.Deal(deal)["STAGE_ID"].get<std::string>().find(":NEW") != std::string::npos);

  f.Advance(3601);
  f.Drain();  // the timer's round
  const json assigned = f.Deal(deal);
  CHECK(assigned["STAGE_ID"].get<std::string>().find(":ASSIGNED") != std::string::npos);
  const long closer = std::stol(assigned["ASSIGNED_BY_ID"].get<std::string>());
  CHECK((closer == f.closers[0] || closer == f.closers[1]));
  CHECK(f.Kinds("deal", deal) == std::vector<std::string>{"assigned"});
}

TEST_CASE("a lead left untouched past its SLA goes to the other hunter and both are told") {
  test::ConveyorFixture f;
  const long id = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  const long first = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  const long other = first == f.hunters[0] ? f.hunters[1] : f.hunters[0];
  f.Advance(14 * 60);
  f.Drain();
  CHECK(f.Lead(id)["ASSIGNED_BY_ID"] == std::to_string(first));  // not yet

  f.Advance(2 * 60);  // 16 minutes: the install defaults give hunters 15
  f.Drain();
  CHECK(f.Lead(id)["ASSIGNED_BY_ID"] == std::to_string(other));
  CHECK(f.Lead(id)["STATUS_ID"] == "CONV_ASSIGNED");
  CHECK(f.Told(first));
  CHECK(f.Told(other));
  const auto kinds = f.Kinds("lead", id);
  CHECK(kinds == std::vector<std::string>{"assigned", "sla_reassigned"});
}

TEST_CASE("a lead its hunter works on is not taken away by the SLA") {
  test::ConveyorFixture f;
  const long id = f.AddLead("Окна", "8 912 345-67-89");
  f.Drain();
  const long hunter = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  f.Advance(5 * 60);
  f.Act(hunter, "crm.lead.update", {{"id", id}, {"fields", {{"COMMENTS", "Перезвонить"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", id, "comment");
  f.Drain();
  f.Advance(20 * 60);
  f.Drain();
  CHECK(f.Lead(id)["ASSIGNED_BY_ID"] == std::to_string(hunter));
  CHECK(f.Kinds("lead", id) == std::vector<std::string>{"assigned"});
}

TEST_CASE("a waiting deal goes to the first closer who comes to work") {
  test::ConveyorFixture f;
  f.ToWorkingMorning();
  for (const long closer : f.closers) f.Present(closer, "CLOSED");
  const long lead = f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}});
  const long deal = std::stol(f.SalesDealOf(lead)["ID"].get<std::string>());
  CHECK(f.Deal(deal)["STAGE_ID"].get<std::string>().find(":NEW") != std::string::npos);
  f.Present(f.closers[2], "OPENED");                               // Жанна is back
  f.Advance(static_cast<double>(core::kWaitRecheckSeconds) + 61);  // and presence is read again
  f.Drain();
  CHECK(f.Deal(deal)["ASSIGNED_BY_ID"] == std::to_string(f.closers[2]));
}

TEST_CASE("a deal nobody can take goes to the duty person after the queue's fallback time") {
  test::ConveyorFixture f;
  f.ToWorkingMorning();
  for (const long closer : f.closers) f.Present(closer, "CLOSED");
  f.Configure([&f](json& s) {
    s["queues"]["closers"]["duty_users"] = {f.masters[0]};
    s["queues"]["closers"]["fallback_after_minutes"] = 30;
  });
  const long lead = f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}});
  const long deal = std::stol(f.SalesDealOf(lead)["ID"].get<std::string>());
  f.Advance(10 * 60);
  f.Drain();
  CHECK(f.Deal(deal)["STAGE_ID"].get<std::string>().find(":NEW") != std::string::npos);
  f.Advance(25 * 60);
  f.Drain();
  const json taken = f.Deal(deal);
  CHECK(taken["ASSIGNED_BY_ID"] == std::to_string(f.masters[0]));
  CHECK(taken["STAGE_ID"].get<std::string>().find(":ASSIGNED") != std::string::npos);
  CHECK(f.Kinds("deal", deal) == std::vector<std::string>{"fallback_duty"});
}

TEST_CASE("with no fallback at all the deal is held and the alert users are told once") {
  test::ConveyorFixture f;
  f.ToWorkingMorning();
  for (const long closer : f.closers) f.Present(closer, "CLOSED");
  f.Configure([&f](json& s) { s["queues"]["closers"]["alert_users"] = {f.masters[0]}; });
  const long lead = f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}});
  const long deal = std::stol(f.SalesDealOf(lead)["ID"].get<std::string>());
  for (int i = 0; i < 3; ++i) {
    f.Advance(31 * 60);
    f.Drain();
  }
  CHECK(f.Deal(deal)["STAGE_ID"].get<std::string>().find(":NEW") != std::string::npos);
  CHECK(f.Kinds("deal", deal) == std::vector<std::string>{"held"});
  long alerts = 0;
  for (const auto& n : f.emu.State("notifications").body) {
    if (n["USER_ID"].is_number() && n["USER_ID"].get<long>() == f.masters[0]) ++alerts;
  }
  CHECK(alerts == 1);
}

TEST_CASE("a sales deal sent back from the meeting stage counts a rescheduled meeting") {
  test::ConveyorFixture f;
  const long lead = f.QualifiedLead({{"STATUS_ID", "CONV_READY_NOW"}});
  const json sales = f.SalesDealOf(lead);
  const long deal = std::stol(sales["ID"].get<std::string>());
  const long closer = std::stol(sales["ASSIGNED_BY_ID"].get<std::string>());
  const std::string stage = sales["STAGE_ID"];
  const std::string prefix = stage.substr(0, stage.find(':') + 1);
  for (const char* next : {"MEETING", "ASSIGNED"}) {
    f.Act(closer, "crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + next}}}});
    f.Queue("ONCRMDEALUPDATE", "deal", deal, std::string("to-") + next);
    f.Drain();
  }
  CHECK(f.Kinds("deal", deal) == std::vector<std::string>{"meeting_rescheduled"});
}

TEST_CASE("equal hunters get equal shares within one — every event delivered twice") {
  test::ConveyorFixture f;
  f.Present(f.hunters[2], "OPENED");  // all three at work, equal weights
  // The test's own reads of the portal must not eat the app's request budget.
  REQUIRE(f.emu.Control("limits", {{"bucket", 100000}}).status == 200);
  std::map<std::string, int> shares;
  for (int i = 0; i < 12; ++i) {
    const long id = f.AddLead("Заявка " + std::to_string(i),
                              "+7 900 100 " + std::to_string(1000 + i).substr(0, 2) + " " +
                                  std::to_string(1000 + i).substr(2));
    f.Queue("ONCRMLEADADD", "lead", id, "again" + std::to_string(id));  // delivered twice
    f.Drain();
    // Every third lead, each hunter finishes one of theirs: equal work, equal pace.
    if (i % 3 == 2) {
      for (const long hunter : f.hunters) {
        auto open =
            f.emu.Hook("crm.lead.list",
                       {{"filter", {{"ASSIGNED_BY_ID", hunter}, {"STATUS_ID", "CONV_ASSIGNED"}}},
                        {"select", {"ID"}}});
        REQUIRE(!open.body["result"].empty());
        const long done = std::stol(open.body["result"][0]["ID"].get<std::string>());
        f.Act(hunter, "crm.lead.update", {{"id", done}, {"fields", {{"STATUS_ID", "JUNK"}}}});
        f.Queue("ONCRMLEADUPDATE", "lead", done, "junk" + std::to_string(done));
      }
      f.Drain();
    }
  }
  for (long id = 1; id <= 12; ++id) ++shares[f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>()];
  REQUIRE(shares.size() == 3);
  int low = 12, high = 0;
  for (const auto& [hunter, n] : shares) {
    low = std::min(low, n);
    high = std::max(high, n);
  }
  CHECK(high - low <= 1);
  long assigned = 0;
  const auto journal = f.decisions.Recent(f.kMember, 1000);
  REQUIRE(journal);
  for (const auto& entry : *journal) assigned += entry.decision.kind == "assigned" ? 1 : 0;
  CHECK(assigned == 12);  // one decision per lead although each event came twice
}

TEST_CASE("the echo of the app's own write and a timer whose item moved on cost no request") {
  test::ConveyorFixture f;
  engine::EchoExpectations echoes;
  engine::Executor executor{f.client, f.operations, f.snapshots, f.clock, &echoes};
  engine::InboxWorker worker{f.inbox,     f.snapshots, f.client, f.rules, executor,
                             f.decisions, f.timers,    f.clock,  {},      &echoes};
  const auto drain = [&] {
    for (int i = 0; i < 5; ++i) REQUIRE(worker.RunOnce());
    REQUIRE(*f.inbox.Depth() == 0);
  };
  const long id = f.AddLead("Окна", "8 912 345-67-89");
  drain();
  const long hunter = std::stol(f.Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
  const long start = f.client.Stats().calls;
  f.Queue("ONCRMLEADDELETE", "lead", id, "delete");  // never taken for an echo: looked at
  drain();
  const long before = f.client.Stats().calls;
  CHECK(before > start);
  f.Queue("ONCRMLEADUPDATE", "lead", id, "echo");  // Bitrix24 announces our assignment
  drain();
  CHECK(f.client.Stats().calls == before);

  // The hunter's own change is not mistaken for an echo.
  f.Act(hunter, "crm.lead.update", {{"id", id}, {"fields", {{"STATUS_ID", "JUNK"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", id, "junk");
  drain();
  const long after_junk = f.client.Stats().calls;
  CHECK(after_junk > before);
  // Its SLA timer comes due: the snapshot shows the lead left the stage, so no look.
  f.Advance(16 * 60);
  drain();
  CHECK(f.client.Stats().calls == after_junk);
  CHECK(f.Lead(id)["ASSIGNED_BY_ID"] == std::to_string(hunter));
}

TEST_CASE("a lead of before the install is not a new arrival when someone touches it") {
  test::ConveyorFixture f;
  // Made before the install: no event of it reached the conveyor.
  const long old = f.emu
                       .Control("act", {{"as", "user"},
                                        {"method", "crm.lead.add"},
                                        {"params", {{"fields", {{"TITLE", "Старая заявка"}}}}}})
                       .body["result"]
                       .get<long>();
  const std::string owner = f.Lead(old)["ASSIGNED_BY_ID"];
  store::SweepMarks marks{*f.db};
  engine::Sweeper sweeper{f.portals, f.snapshots, marks, f.inbox, f.client, f.clock};
  REQUIRE(sweeper.SweepPortal(f.kMember));  // the install's first sweep: the horizon
  const long fresh = f.AddLead("Новая заявка", "+7 900 555 33 44");
  f.Act(f.hunters[0], "crm.lead.update", {{"id", old}, {"fields", {{"COMMENTS", "перезвонить"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", old, "touched");
  f.Drain();
  CHECK(f.Lead(old)["STATUS_ID"] == "NEW");
  CHECK(f.Lead(old)["ASSIGNED_BY_ID"] == owner);
  CHECK(f.Kinds("lead", old).empty());
  CHECK(f.Lead(fresh)["STATUS_ID"] == "CONV_ASSIGNED");  // a new one still is
}

}  // namespace conveyor_rules_test
