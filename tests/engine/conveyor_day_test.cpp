// One working day of the conveyor on the emulated portal, end to end through the inbox worker
// with the virtual clock: repeat enquiries, an SLA breach, hand-overs now and on the next day,
// every closer away for a while, a carry-over into production — every event delivered twice.
// Then the whole portal is read back and must be exactly what the rules promise.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/core/working_time.h"
#include "tests/engine/conveyor_fixture.h"

namespace conveyor_day_test {

using nlohmann::json;

namespace {

// Ids arrive as numbers or strings, depending on the method.
long Id(const json& value) {
  if (value.is_number()) return value.get<long>();
  if (value.is_string() && !value.get<std::string>().empty())
    return std::stol(value.get<std::string>());
  return 0;
}

std::string Text(const json& row, const char* field) {
  const json value = row.value(field, json());
  return value.is_string() ? value.get<std::string>() : value.is_null() ? "" : value.dump();
}

struct DayFixture : test::ConveyorFixture {
  const core::Settings defaults = test::InstallDefaults();
  int64_t day_start[2] = {0, 0};  // 09:00 of the first working day and of the next one

  DayFixture() {
    const auto now = static_cast<int64_t>(clock.Now());
    ToWorkingMorning();
    day_start[0] = core::NextWorkdayStart(now, defaults.schedule);
    day_start[1] = core::NextWorkdayStart(day_start[0] + 1, defaults.schedule);
    // The test's own reads of the portal must not eat the app's request budget.
    REQUIRE(emu.Control("limits", {{"bucket", 100000}}).status == 200);
  }
  // The portal's local time `hour`:`minute` of day 0 or 1, as Unix seconds.
  int64_t Time(int day, int hour, int minute) const {
    return day_start[day] + (hour - 9) * 3600 + minute * 60;
  }
  // Moves both clocks on to that time.
  void At(int day, int hour, int minute) {
    const double ahead = static_cast<double>(Time(day, hour, minute)) - clock.Now();
    REQUIRE(ahead > 0);
    Advance(ahead);
  }
  // Bitrix24 delivers at least once: every event is queued twice, under two keys.
  void Twice(const std::string& event, const std::string& type, long id, const std::string& key) {
    Queue(event, type, id, key + "#1");
    Queue(event, type, id, key + "#2");
  }
  long NewLead(const std::string& title, const std::string& phone) {
    const long id = AddLead(title, phone);  // queued once by AddLead
    Queue("ONCRMLEADADD", "lead", id, "add-again" + std::to_string(id));
    return id;
  }
  void Mark(long hunter, long lead, const json& fields) {
    Act(hunter, "crm.lead.update", {{"id", lead}, {"fields", fields}});
    Twice("ONCRMLEADUPDATE", "lead", lead, "mark" + std::to_string(lead) + fields.dump());
  }
  void Move(long closer, long deal, const std::string& stage) {
    const std::string prefix = "C" + std::to_string(Category("Продажи")) + ":";
    Act(closer, "crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + stage}}}});
    Twice("ONCRMDEALUPDATE", "deal", deal, "move" + std::to_string(deal) + stage);
  }
  json Rows(const std::string& section) { return emu.State(section).body; }
  long Category(const std::string& name) {
    for (const auto& row : Rows("categories")) {
      if (row.value("name", "") == name) return Id(row["id"]);
    }
    FAIL("no pipeline " << name);
    return 0;
  }
  long Owner(long lead) { return Id(Lead(lead)["ASSIGNED_BY_ID"]); }
};

// A notification by what it says, so that who was told what is pinned, not only who.
std::string NotificationKind(const std::string& message) {
  if (message.rfind("Повторное обращение", 0) == 0) return "duplicate";
  if (message.find("не взят в работу") != std::string::npos) return "sla_late";
  if (message.find("вам назначено") != std::string::npos) return "sla_next";
  if (message.find("передал(а) вам сделку") != std::string::npos) return "handover";
  return "other: " + message;
}

}  // namespace

TEST_CASE("a day on the conveyor with every event twice — the whole portal exactly after it") {
  DayFixture f;
  const long anna = f.hunters[0], boris = f.hunters[1], vera = f.hunters[2];
  const long dmitry = f.closers[0], elena = f.closers[1], zhanna = f.closers[2];
  const long zinovy = f.masters[0];
  const long sales = f.Category("Продажи"), production = f.Category("Производство");
  const std::string s = "C" + std::to_string(sales) + ":";
  const std::string p = "C" + std::to_string(production) + ":";
  const std::string tomorrow =
      core::FormatLocalTime(f.day_start[1], f.defaults.schedule).substr(0, 10);
  INFO("day 1 starts " << core::FormatLocalTime(f.day_start[0], f.defaults.schedule) << ", day 2 "
                       << tomorrow);

  // 10:00 (ToWorkingMorning) — four enquiries at once, planned as one round: even shares,
  // ties to the smaller id.
  const long windows = f.NewLead("Окна", "8 912 345-67-89");
  const long doors = f.NewLead("Двери", "+7 900 000 00 01");
  const long balcony = f.NewLead("Балкон", "+7 900 000 00 02");
  const long roof = f.NewLead("Крыша", "+7 900 000 00 03");
  f.Drain();
  CHECK(f.Owner(windows) == anna);
  CHECK(f.Owner(doors) == boris);
  CHECK(f.Owner(balcony) == anna);
  CHECK(f.Owner(roof) == boris);

  // 10:05 — two repeat enquiries spelt otherwise go to the originals' owners; two new ones are
  // shared out (2:2 open, the tie to Анна, then Борис).
  f.At(0, 10, 5);
  const long windows_again = f.NewLead("Окна ещё раз", "+7 (912) 345 67 89");
  const long doors_again = f.NewLead("Двери повторно", "8-900-000-00-01");
  const long fence = f.NewLead("Забор", "+7 900 000 00 04");
  const long gate = f.NewLead("Ворота", "+7 900 000 00 05");
  f.Drain();
  CHECK(f.Owner(windows_again) == anna);
  CHECK(f.Owner(doors_again) == boris);
  CHECK(f.Owner(fence) == anna);
  CHECK(f.Owner(gate) == boris);

  // 10:06 — Анна's client is ready now (both closers free: the tie goes to Дмитрий); Борис's
  // is ready tomorrow; Борис's roof is not our city.
  f.At(0, 10, 6);
  f.Mark(anna, windows, {{"STATUS_ID", "CONV_READY_NOW"}, {"OPPORTUNITY", 150000}});
  f.Mark(boris, doors,
         {{"STATUS_ID", "CONV_READY_LATER"}, {f.defaults.ready_date_field, tomorrow}});
  f.Mark(boris, roof, {{"STATUS_ID", "JUNK"}});
  f.Drain();
  const long windows_deal = Id(f.SalesDealOf(windows)["ID"]);
  const long doors_deal = Id(f.SalesDealOf(doors)["ID"]);
  CHECK(f.Deal(windows_deal)["ASSIGNED_BY_ID"] == std::to_string(dmitry));
  CHECK(f.Deal(doors_deal)["STAGE_ID"] == s + "NEW");

  // 10:10 — Анна takes the fence into work (Борис leaves the gate for later); Дмитрий books
  // the meeting.
  f.At(0, 10, 10);
  f.Mark(anna, fence, {{"COMMENTS", "Перезвонить"}});
  f.Move(dmitry, windows_deal, "MEETING");
  f.Drain();

  // 10:16 — the balcony lay untouched past the hunters' 15 minutes; Борис has less open work
  // (one lead to Анна's two), so it is his, and both are told.
  f.At(0, 10, 14);
  f.Drain();
  CHECK(f.Owner(balcony) == anna);  // not before the SLA
  f.At(0, 10, 16);
  f.Drain();
  CHECK(f.Owner(balcony) == boris);

  // 10:17 — both closers leave; at 10:21 the balcony's client is ready now: the deal waits at
  // the free stage with its hunter as keeper. The gate's SLA (10:20) finds Анна as busy as
  // Борис (one open lead each): it stays with him.
  f.At(0, 10, 17);
  f.Present(dmitry, "CLOSED");
  f.Present(elena, "CLOSED");
  f.At(0, 10, 21);
  f.Mark(boris, balcony, {{"STATUS_ID", "CONV_READY_NOW"}});
  f.Drain();
  const long balcony_deal = Id(f.SalesDealOf(balcony)["ID"]);
  CHECK(f.Deal(balcony_deal)["STAGE_ID"] == s + "NEW");
  CHECK(f.Deal(balcony_deal)["ASSIGNED_BY_ID"] == std::to_string(boris));
  CHECK(f.Owner(gate) == boris);
  f.At(0, 10, 24);  // offered again at 10:23: still nobody
  f.Drain();
  CHECK(f.Deal(balcony_deal)["STAGE_ID"] == s + "NEW");
  // Елена is back; the next offer (10:26) reads presence again (kept a minute) and she gets it.
  f.Present(elena, "OPENED");
  f.At(0, 10, 27);
  f.Drain();
  CHECK(f.Deal(balcony_deal)["ASSIGNED_BY_ID"] == std::to_string(elena));

  // 10:40 — Дмитрий is back and sends the contract: one production deal, for the master.
  f.At(0, 10, 40);
  f.Present(dmitry, "OPENED");
  f.Move(dmitry, windows_deal, "CONTRACT");
  f.Drain();
  // 10:45 — Елена books her meeting.
  f.At(0, 10, 45);
  f.Move(elena, balcony_deal, "MEETING");
  f.Drain();

  // 19:00 — the day closes, Дмитрий stays late; a note on the deal waiting for tomorrow does
  // not hand it out to him.
  f.At(0, 19, 0);
  for (const long user : {anna, boris, elena, zinovy}) f.Present(user, "CLOSED");
  f.Act(boris, "crm.deal.update",
        {{"id", doors_deal}, {"fields", {{"COMMENTS", "Клиент ждёт звонка утром"}}}});
  f.Twice("ONCRMDEALUPDATE", "deal", doors_deal, "note");
  f.Drain();
  CHECK(f.Deal(doors_deal)["STAGE_ID"] == s + "NEW");
  f.At(0, 19, 30);
  f.Present(dmitry, "CLOSED");

  // Day 2: the staff open their day before nine; the deal is handed out at nine, not before —
  // to Дмитрий: one open deal each, the tie to the smaller id.
  f.At(1, 8, 50);
  for (const long user : {anna, boris, dmitry, elena, zinovy}) f.Present(user, "OPENED");
  f.At(1, 8, 59);
  f.Drain();
  CHECK(f.Deal(doors_deal)["STAGE_ID"] == s + "NEW");
  f.At(1, 9, 1);
  f.Drain();

  // ---- The portal after the day, exactly. ----
  {  // leads: stages, people and links
    const json rows = f.Rows("leads");
    std::map<long, std::pair<std::string, long>> leads;
    for (const auto& row : rows)
      leads[Id(row["ID"])] = {Text(row, "STATUS_ID"), Id(row["ASSIGNED_BY_ID"])};
    const std::map<long, std::pair<std::string, long>> expected = {
        {windows, {"CONVERTED", anna}},
        {doors, {"CONVERTED", boris}},
        {balcony, {"CONVERTED", boris}},
        {roof, {"JUNK", boris}},
        // Repeat enquiries go into work with their owners, who are at work (issue 16, item 5).
        {windows_again, {"CONV_ASSIGNED", anna}},
        {doors_again, {"CONV_ASSIGNED", boris}},
        {fence, {"CONV_ASSIGNED", anna}},
        {gate, {"CONV_ASSIGNED", boris}}};
    CHECK(leads == expected);
    for (const auto& row : rows) {
      const long id = Id(row["ID"]);
      const long duplicate_of = Id(row.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json()));
      const long sales_deal = Id(row.value("UF_CRM_CONVEYOR_SALES_DEAL", json()));
      INFO("lead " << id);
      CHECK(duplicate_of == (id == windows_again ? windows : id == doors_again ? doors : 0));
      CHECK(sales_deal == (id == windows   ? windows_deal
                           : id == doors   ? doors_deal
                           : id == balcony ? balcony_deal
                                           : 0));
    }
  }

  {  // deals: pipelines, stages, people, links
    std::map<long, std::tuple<long, std::string, long, long>> deals;  // category, stage, who, lead
    long production_deal = 0;
    for (const auto& row : f.Rows("deals")) {
      const long id = Id(row["ID"]);
      deals[id] = {Id(row["CATEGORY_ID"]), Text(row, "STAGE_ID"), Id(row["ASSIGNED_BY_ID"]),
                   Id(row.value("LEAD_ID", json()))};
      if (Id(row["CATEGORY_ID"]) == production) production_deal = id;
    }
    const std::map<long, std::tuple<long, std::string, long, long>> expected = {
        {windows_deal, {sales, s + "CONTRACT", dmitry, windows}},
        {doors_deal, {sales, s + "ASSIGNED", dmitry, doors}},
        {balcony_deal, {sales, s + "MEETING", elena, balcony}},
        {production_deal, {production, p + "ASSIGNED", zinovy, windows}}};
    CHECK(deals == expected);
    for (const auto& [lead, deal] : {std::pair<long, long>{windows, windows_deal},
                                     {doors, doors_deal},
                                     {balcony, balcony_deal}}) {
      CHECK(f.Deal(deal)["ORIGIN_ID"] == "conveyor:lead:" + std::to_string(lead));
    }
    CHECK(std::stod(f.Deal(windows_deal)["OPPORTUNITY"].get<std::string>()) == 150000);
    CHECK(Text(f.Deal(doors_deal), f.defaults.ready_date_field.c_str()).substr(0, 10) == tomorrow);
    // The production deal: linked to the sales deal, the same client, the closer observing.
    auto made =
        f.emu.Hook("crm.deal.list",
                   {{"filter", {{"ORIGIN_ID", "conveyor:deal:" + std::to_string(windows_deal)}}},
                    {"select", {"*", "UF_*"}}});
    REQUIRE(made.body["result"].size() == 1);
    const json made_deal = made.body["result"][0];
    CHECK(Id(made_deal["ID"]) == production_deal);
    CHECK(Id(made_deal["UF_CRM_CONVEYOR_SALES_DEAL"]) == windows_deal);
    CHECK(made_deal["CONTACT_ID"] == f.Deal(windows_deal)["CONTACT_ID"]);
    CHECK(std::stod(made_deal["OPPORTUNITY"].get<std::string>()) == 150000);
    auto item = f.emu.Hook("crm.item.get", {{"entityTypeId", 2}, {"id", production_deal}});
    REQUIRE(item.status == 200);
    std::vector<long> observers;
    for (const auto& o : item.body["result"]["item"]["observers"]) observers.push_back(Id(o));
    CHECK(observers == std::vector<long>{dmitry});

    // Contacts: one per handed-over lead, made from it, on its deal (and the production deal).
    std::map<long, long> contact_of_lead;
    const json contacts = f.Rows("contacts");
    CHECK(contacts.size() == 3);
    for (const auto& row : contacts) {
      const std::string origin = Text(row, "ORIGIN_ID");
      REQUIRE(origin.rfind("conveyor:lead:", 0) == 0);
      contact_of_lead[std::stol(origin.substr(14))] = Id(row["ID"]);
    }
    CHECK(contact_of_lead.size() == 3);
    CHECK(Id(f.Deal(windows_deal)["CONTACT_ID"]) == contact_of_lead[windows]);
    CHECK(Id(f.Deal(doors_deal)["CONTACT_ID"]) == contact_of_lead[doors]);
    CHECK(Id(f.Deal(balcony_deal)["CONTACT_ID"]) == contact_of_lead[balcony]);

    // Auto-tasks of the stages entered, per the install templates, bound to their deals and
    // due after the template's working hours / days.
    const auto when = [&f](int day, int hour, int minute) { return f.Time(day, hour, minute); };
    using Task = std::tuple<std::string, long, std::string, int64_t>;
    const auto deal_ref = [](long id) { return "D_" + std::to_string(id); };
    std::vector<Task> expected_tasks = {
        {"Согласовать встречу с клиентом: Окна", dmitry, deal_ref(windows_deal), when(0, 14, 6)},
        {"Подготовить расчёт: Окна", dmitry, deal_ref(windows_deal), when(1, 10, 10)},
        {"Согласовать встречу с клиентом: Балкон", elena, deal_ref(balcony_deal), when(0, 14, 27)},
        {"Запланировать производство: Окна", zinovy, deal_ref(production_deal), when(1, 9, 40)},
        {"Подготовить расчёт: Балкон", elena, deal_ref(balcony_deal), when(1, 10, 45)},
        {"Согласовать встречу с клиентом: Двери", dmitry, deal_ref(doors_deal), when(1, 13, 1)}};
    std::vector<Task> tasks;
    for (const auto& row : f.Rows("tasks")) {
      const json bound = row.value("UF_CRM_TASK", json::array());
      REQUIRE(bound.size() == 1);
      const auto deadline = static_cast<int64_t>(row["DEADLINE"].get<double>());
      tasks.emplace_back(Text(row, "TITLE"), Id(row["RESPONSIBLE_ID"]), bound[0], deadline);
    }
    REQUIRE(tasks.size() == expected_tasks.size());
    for (size_t i = 0; i < tasks.size(); ++i) {  // in the order they were made
      INFO("task " << i << ": " << std::get<0>(tasks[i]));
      CHECK(std::get<0>(tasks[i]) == std::get<0>(expected_tasks[i]));
      CHECK(std::get<1>(tasks[i]) == std::get<1>(expected_tasks[i]));
      CHECK(std::get<2>(tasks[i]) == std::get<2>(expected_tasks[i]));
      // The clocks moved to whole minutes; a round takes well under half a minute.
      CHECK(std::abs(std::get<3>(tasks[i]) - std::get<3>(expected_tasks[i])) < 30);
    }

    // Timeline comments: the hand-over on both cards.
    std::map<std::pair<std::string, long>, int> comments;
    for (const auto& row : f.Rows("comments")) {
      const std::pair<std::string, long> card = {Text(row, "ENTITY_TYPE"), Id(row["ENTITY_ID"])};
      ++comments[card];
      if (card.second == (card.first == "deal" ? windows_deal : windows)) {
        CHECK(Text(row, "COMMENT") == "Передано от Анна к Дмитрий: лид #" +
                                          std::to_string(windows) + " → сделка #" +
                                          std::to_string(windows_deal));
      }
    }
    std::map<std::pair<std::string, long>, int> handed_over_all = {{{"deal", windows_deal}, 1},
                                                                   {{"lead", windows}, 1}};
    for (const auto& [lead, deal] :
         {std::pair<long, long>{doors, doors_deal}, {balcony, balcony_deal}}) {
      handed_over_all[{"deal", deal}] = 1;
      handed_over_all[{"lead", lead}] = 1;
    }
    // A deal that waited (for its day, or for a closer) is announced when it reaches its closer.
    CHECK(comments == handed_over_all);
  }

  {  // notifications: who was told what
    std::multiset<std::pair<long, std::string>> told;
    for (const auto& n : f.Rows("notifications"))
      told.insert({Id(n["USER_ID"]), NotificationKind(Text(n, "MESSAGE"))});
    std::multiset<std::pair<long, std::string>> all_told = {{anna, "duplicate"},
                                                            {boris, "duplicate"},
                                                            {anna, "sla_late"},
                                                            {boris, "sla_next"},
                                                            {dmitry, "handover"}};
    all_told.insert({dmitry, "handover"});  // the doors deal, in the morning
    all_told.insert({elena, "handover"});   // the balcony deal, once she was back
    CHECK(told == all_told);
  }

  {  // the journal: every decision, per entity
    using Kinds = std::vector<std::string>;
    const std::map<std::pair<std::string, long>, Kinds> expected = {
        {{"lead", windows}, {"assigned", "handover"}},
        {{"lead", doors}, {"assigned", "scheduled"}},
        {{"lead", balcony}, {"assigned", "sla_reassigned", "waiting"}},
        {{"lead", roof}, {"assigned"}},
        // The SLA follows a repeat enquiry too; nobody less busy to move it to: kept.
        {{"lead", windows_again}, {"duplicate", "sla_kept"}},
        {{"lead", doors_again}, {"duplicate", "sla_kept"}},
        {{"lead", fence}, {"assigned"}},
        {{"lead", gate}, {"assigned", "sla_kept"}},
        {{"deal", windows_deal}, {"carried_over"}},
        {{"deal", doors_deal}, {"assigned"}},
        {{"deal", balcony_deal}, {"assigned"}}};
    size_t total = 0;
    for (const auto& [entity, kinds] : expected) {
      INFO(entity.first << " " << entity.second);
      CHECK(f.Kinds(entity.first, entity.second) == kinds);
      total += kinds.size();
    }
    const auto journal = f.decisions.Recent(f.kMember, 1000);
    REQUIRE(journal);
    CHECK(journal->size() == total);  // nothing else, although every event came twice

    // Fair among equals: the hunters' new leads and the closers' deals within one of each
    // other; the absent never chosen, and journaled as absent whenever they were candidates.
    std::map<long, int> hunters, closers;
    for (const auto& entry : *journal) {
      const auto& d = entry.decision;
      if (d.entity_type == "lead" && d.kind == "assigned") ++hunters[d.assignee];
      if ((d.kind == "handover" || (d.entity_type == "deal" && d.kind == "assigned")))
        ++closers[d.assignee];
      CHECK(d.assignee != vera);
      CHECK(d.assignee != zhanna);
      for (const auto& c : d.body.value("candidates", json::array())) {
        if (Id(c["user_id"]) == vera || Id(c["user_id"]) == zhanna) CHECK(c["verdict"] == "absent");
      }
    }
    CHECK(hunters == std::map<long, int>{{anna, 3}, {boris, 3}});
    CHECK(closers == std::map<long, int>{{dmitry, 2}, {elena, 1}});
    for (const auto* shares : {&hunters, &closers}) {
      int low = 1 << 30, high = 0;
      for (const auto& [user, n] : *shares) {
        low = std::min(low, n);
        high = std::max(high, n);
      }
      CHECK(high - low <= 1);
    }
  }
}

// Two enquiries with one phone created before the worker looks at the first (a form sent twice,
// a call and a form) are planned in one round: the older is the original and goes to a hunter,
// the newer is its duplicate and goes to that hunter too.
TEST_CASE("two enquiries with one phone arriving together — the older is the original") {
  test::ConveyorFixture f;
  const long first = f.AddLead("Окна", "8 912 345-67-89");
  const long second = f.AddLead("Окна ещё раз", "+7 912 345 67 89");
  f.Drain();
  const json a = f.Lead(first), b = f.Lead(second);
  const std::string anna = std::to_string(f.hunters[0]);
  CHECK(f.Kinds("lead", first) == std::vector<std::string>{"assigned"});
  CHECK(f.Kinds("lead", second) == std::vector<std::string>{"duplicate"});
  CHECK(a["STATUS_ID"] == "CONV_ASSIGNED");
  CHECK(a["ASSIGNED_BY_ID"] == anna);
  CHECK(b["STATUS_ID"] == "CONV_ASSIGNED");  // in work with the original's hunter
  CHECK(b["ASSIGNED_BY_ID"] == anna);
  CHECK(Id(b.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json())) == first);
  CHECK(Id(a.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json())) == 0);
}

}  // namespace conveyor_day_test
