#include "lib/core/follow_ups.h"

#include <catch2/catch.hpp>

#include "tests/core/rules_fixtures.h"

#include "lib/core/working_time.h"

namespace follow_ups_test {

using nlohmann::json;

namespace {

using test::Member;

using test::kPipelines;
constexpr int64_t kNow = 1'800'000'000;

core::Settings WithQueues() {
  core::Settings s;
  s.version = 7;
  s.sla_minutes = {{"lead.assigned", 15}, {"sales.assigned", 60}};
  s.queues["hunters"].fallback_after_minutes = 30;
  s.queues["closers"].fallback_after_minutes = 30;
  s.queues["closers"].fallback_queue = "seniors";
  s.queues["seniors"].fallback_queue = "heads";
  s.queues["heads"];
  s.queues["production"];
  return s;
}

json Lead(int64_t id, const std::string& status, int64_t owner = 5, int64_t modified_by = 1) {
  return {{"ID", std::to_string(id)},    {"TITLE", "Окна"},
          {"STATUS_ID", status},         {"ASSIGNED_BY_ID", std::to_string(owner)},
          {"MODIFY_BY_ID", modified_by}, {"DATE_MODIFY", "2027-01-15T10:00:00+03:00"}};
}

json Deal(int64_t id, const std::string& stage, int64_t owner = 21) {
  return {{"ID", std::to_string(id)},
          {"TITLE", "Окна в дом"},
          {"CATEGORY_ID", "3"},
          {"STAGE_ID", stage},
          {"ASSIGNED_BY_ID", std::to_string(owner)},
          {"MODIFY_BY_ID", "1"},
          {"DATE_MODIFY", "2027-01-15T10:00:00+03:00"}};
}

core::EntityChange Change(const std::string& type, const json& before, const json& after,
                          json timer = nullptr) {
  return {
      "m", type, core::IdField(after, "ID"), "ONCRMLEADUPDATE", before, after, std::move(timer)};
}

core::Action Update(const std::string& type, int64_t id, json fields) {
  return {"k", "crm." + type + ".update", {{"id", id}, {"fields", std::move(fields)}}, "", {}, {}};
}

}  // namespace

TEST_CASE("an item the plan hands to someone at an assigned stage gets an SLA timer") {
  const auto s = WithQueues();
  core::Outcome out;
  out.actions.push_back(Update("lead", 9, {{"STATUS_ID", "CONV_ASSIGNED"}, {"ASSIGNED_BY_ID", 5}}));
  core::AddFollowUps(out, Change("lead", nullptr, Lead(9, "NEW")), s, kPipelines, kNow);
  REQUIRE(out.timers.size() == 1);
  const auto& t = out.timers[0];
  CHECK(t.kind == "sla");
  CHECK(t.tag == "5");
  CHECK(t.entity_type == "lead");
  CHECK(t.entity_id == 9);
  CHECK(t.due_at == kNow + 15 * 60);
  CHECK(t.data == json{{"assignee", 5}, {"stage", "CONV_ASSIGNED"}, {"minutes", 15}});
}

TEST_CASE("no SLA timer where the stage has no SLA") {
  auto s = WithQueues();
  s.sla_minutes.erase("lead.assigned");
  core::Outcome out;
  out.actions.push_back(Update("lead", 9, {{"STATUS_ID", "CONV_ASSIGNED"}, {"ASSIGNED_BY_ID", 5}}));
  core::AddFollowUps(out, Change("lead", nullptr, Lead(9, "NEW")), s, kPipelines, kNow);
  CHECK(out.timers.empty());
}

TEST_CASE("a deal the plan creates at an assigned stage gets its SLA timer by reference") {
  const auto s = WithQueues();
  core::Outcome out;
  out.actions.push_back(
      {"handover:lead:9:deal",
       "crm.deal.add",
       {{"fields", {{"CATEGORY_ID", 3}, {"STAGE_ID", "C3:ASSIGNED"}, {"ASSIGNED_BY_ID", 21}}}},
       "",
       {},
       {}});
  core::AddFollowUps(out, Change("lead", nullptr, Lead(9, "CONV_READY_NOW")), s, kPipelines, kNow);
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].kind == "sla");
  CHECK(out.timers[0].entity_id == "$result[handover:lead:9:deal]");
  CHECK(out.timers[0].due_at == kNow + 3600);
}

TEST_CASE("an item left at a free stage is offered again and a continued wait keeps its start") {
  const auto s = WithQueues();
  core::Outcome first;
  core::AddFollowUps(first, Change("lead", nullptr, Lead(9, "CONV_FREE")), s, kPipelines, kNow);
  REQUIRE(first.timers.size() == 1);
  CHECK(first.timers[0].kind == "wait");
  CHECK(first.timers[0].due_at == kNow + core::kWaitRecheckSeconds);
  CHECK(first.timers[0].data == json{{"since", kNow}, {"alerted", false}});

  core::Outcome again;
  const json timer = {{"kind", "wait"}, {"data", {{"since", kNow - 600}, {"alerted", true}}}};
  core::AddFollowUps(again, Change("lead", Lead(9, "CONV_FREE"), Lead(9, "CONV_FREE"), timer), s,
                     kPipelines, kNow);
  REQUIRE(again.timers.size() == 1);
  CHECK(again.timers[0].data == json{{"since", kNow - 600}, {"alerted", true}});
}

TEST_CASE("a waiting item is offered again less often once held and not outside working time") {
  const auto s = WithQueues();
  const json held = {{"kind", "wait"}, {"data", {{"since", kNow - 3600}, {"alerted", true}}}};
  core::Outcome out;
  core::AddFollowUps(out, Change("lead", Lead(9, "CONV_FREE"), Lead(9, "CONV_FREE"), held), s,
                     kPipelines, kNow);
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].due_at == kNow + core::kHeldRecheckSeconds);

  // Friday 17:59 local: the next offer is Monday's start, not 18:01.
  const int64_t friday_evening = core::WorkdayStartOfDate(2027, 1, 15, s.schedule) + 9 * 3600 - 60;
  core::Outcome evening;
  core::AddFollowUps(evening, Change("lead", nullptr, Lead(9, "CONV_FREE")), s, kPipelines,
                     friday_evening);
  REQUIRE(evening.timers.size() == 1);
  CHECK(evening.timers[0].due_at == core::WorkdayStartOfDate(2027, 1, 18, s.schedule));
}

TEST_CASE("an item the plan moves out of the free stage gets no wait timer") {
  const auto s = WithQueues();
  core::Outcome out;
  out.actions.push_back(Update("lead", 9, {{"STATUS_ID", "JUNK"}}));
  core::AddFollowUps(out, Change("lead", nullptr, Lead(9, "CONV_FREE")), s, kPipelines, kNow);
  CHECK(out.timers.empty());
}

TEST_CASE("a free deal whose client is ready on a later day waits for that day's start") {
  const auto s = WithQueues();
  json deal = Deal(40, "C3:NEW");
  deal[s.ready_date_field] = "2027-01-18";  // a Monday
  const int64_t monday_nine = core::WorkdayStartOfDate(2027, 1, 18, s.schedule);
  core::Outcome out;
  core::AddFollowUps(out, Change("deal", nullptr, deal), s, kPipelines, kNow);
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].kind == "ready_day");
  CHECK(out.timers[0].due_at == monday_nine);
  CHECK(core::ReadyDayStart(deal, s) == monday_nine);
  // On that day the deal is an ordinary free deal again.
  core::Outcome later;
  core::AddFollowUps(later, Change("deal", nullptr, deal), s, kPipelines, monday_nine);
  REQUIRE(later.timers.size() == 1);
  CHECK(later.timers[0].kind == "wait");
}

TEST_CASE("the fallback chain follows the queues and stops at a cycle") {
  auto s = WithQueues();
  CHECK(core::FallbackChain("closers", s) == std::vector<std::string>{"seniors", "heads"});
  CHECK(core::FallbackChain("hunters", s).empty());
  s.queues["heads"].fallback_queue = "closers";
  CHECK(core::FallbackChain("closers", s) == std::vector<std::string>{"seniors", "heads"});
}

TEST_CASE("a waiting deal goes down the fallback chain only after its queue's time") {
  const auto s = WithQueues();
  const json deal = Deal(40, "C3:NEW");
  core::WaitContext context;
  context.fallback_members["seniors"] = {Member(31, 0, core::Presence::kClosed)};
  context.fallback_members["heads"] = {Member(41, 2), Member(42, 1)};
  const int64_t since = kNow - 29 * 60;
  auto early =
      core::PlanFallback(deal, "deal", "sales", context, s, kPipelines, since, false, kNow);
  CHECK(early.actions.empty());
  CHECK(early.decisions.empty());

  auto out = core::PlanFallback(deal, "deal", "sales", context, s, kPipelines, kNow - 31 * 60,
                                false, kNow);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].method == "crm.deal.update");
  CHECK(out.actions[0].params["fields"] ==
        json{{"ASSIGNED_BY_ID", 42}, {"STAGE_ID", "C3:ASSIGNED"}});
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "fallback_queue");
  CHECK(out.decisions[0].assignee == 42);
  CHECK(out.decisions[0].body["fallback_queue"] == "heads");
  CHECK(out.decisions[0].body["waited_minutes"] == 31);
}

TEST_CASE("with no fallback queue member the duty person takes the item") {
  auto s = WithQueues();
  s.queues["hunters"].duty_users = {77, 78};
  const auto out = core::PlanFallback(Lead(9, "CONV_FREE"), "lead", "lead", {}, s, kPipelines,
                                      kNow - 3600, false, kNow);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].params["fields"] ==
        json{{"ASSIGNED_BY_ID", 77}, {"STATUS_ID", "CONV_ASSIGNED"}});
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "fallback_duty");
}

TEST_CASE("with nobody at all the item is held and the alert users are told once") {
  auto s = WithQueues();
  s.queues["hunters"].alert_users = {90, 91};
  core::WaitContext context;
  context.portal_url = "https://b24.example";
  const auto out = core::PlanFallback(Lead(9, "CONV_FREE"), "lead", "lead", context, s, kPipelines,
                                      kNow - 3600, false, kNow);
  REQUIRE(out.actions.size() == 2);
  CHECK(out.actions[0].method == "im.notify.system.add");
  CHECK(out.actions[0].params["USER_ID"] == 90);
  CHECK(out.actions[0].params["MESSAGE"].get<std::string>().find(
            "https://b24.example/crm/lead/details/9/") != std::string::npos);
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "held");
  // The next wait timer remembers the alert; the next offer tells nobody again.
  core::Outcome held = out;
  core::AddFollowUps(held, Change("lead", nullptr, Lead(9, "CONV_FREE")), s, kPipelines, kNow);
  REQUIRE(held.timers.size() == 1);
  CHECK(held.timers[0].data["alerted"] == true);
  const auto again = core::PlanFallback(Lead(9, "CONV_FREE"), "lead", "lead", context, s,
                                        kPipelines, kNow - 3600, true, kNow);
  CHECK(again.actions.empty());
  CHECK(again.decisions.empty());
}

TEST_CASE("an SLA is breached only when the same person left the item untouched at its stage") {
  const json data = {{"assignee", 5}, {"stage", "CONV_ASSIGNED"}, {"minutes", 15}};
  const struct {
    const char* name;
    json entity;
    bool breached;
  } rows[] = {
      {"untouched", Lead(9, "CONV_ASSIGNED", 5, 1), true},
      {"saved by the assignee", Lead(9, "CONV_ASSIGNED", 5, 5), false},
      {"moved on", Lead(9, "CONV_READY_NOW", 5, 1), false},
      {"given to someone else", Lead(9, "CONV_ASSIGNED", 6, 1), false},
      {"deleted", nullptr, false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(core::SlaBreached(row.entity, data) == row.breached);
  }
}

TEST_CASE("a breached SLA passes the item to the best other member and tells both") {
  const auto s = WithQueues();
  core::SlaContext context;
  context.members = {Member(5, 2), Member(6, 3), Member(7, 1)};
  context.user_names = {{7, "Вера Линейная"}};
  context.portal_url = "https://b24.example";
  const json data = {{"assignee", 5}, {"stage", "CONV_ASSIGNED"}, {"minutes", 15}};
  const auto out =
      core::PlanSlaReassign(Lead(9, "CONV_ASSIGNED"), "lead", "lead", data, context, s);
  REQUIRE(out.actions.size() == 3);
  CHECK(out.actions[0].params["fields"] ==
        json{{"ASSIGNED_BY_ID", 7}, {"STATUS_ID", "CONV_ASSIGNED"}});
  CHECK(out.actions[1].params["USER_ID"] == 5);
  CHECK(out.actions[1].params["MESSAGE"].get<std::string>().find("Вера Линейная") !=
        std::string::npos);
  CHECK(out.actions[2].params["USER_ID"] == 7);
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "sla_reassigned");
  CHECK(out.decisions[0].assignee == 7);
  CHECK(out.decisions[0].body["previous"] == 5);
  // The new person gets an SLA of their own.
  core::Outcome next = out;
  core::AddFollowUps(next, Change("lead", Lead(9, "CONV_ASSIGNED"), Lead(9, "CONV_ASSIGNED")), s,
                     kPipelines, kNow);
  REQUIRE(next.timers.size() == 1);
  CHECK(next.timers[0].tag == "7");
}

TEST_CASE("a breached SLA keeps the item when nobody else is less busy") {
  const auto s = WithQueues();
  core::SlaContext context;
  context.members = {Member(5, 3), Member(6, 3), Member(7, 4)};
  const json data = {{"assignee", 5}, {"stage", "CONV_ASSIGNED"}, {"minutes", 15}};
  const auto out =
      core::PlanSlaReassign(Lead(9, "CONV_ASSIGNED"), "lead", "lead", data, context, s);
  CHECK(out.actions.empty());
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "sla_kept");
  CHECK(out.decisions[0].body["why"] == "nobody less busy");
}

TEST_CASE("a breached SLA with nobody else available keeps the item and journals it") {
  const auto s = WithQueues();
  core::SlaContext context;
  context.members = {Member(5, 0), Member(6, 0, core::Presence::kPaused)};
  const json data = {{"assignee", 5}, {"stage", "CONV_ASSIGNED"}, {"minutes", 15}};
  const auto out =
      core::PlanSlaReassign(Lead(9, "CONV_ASSIGNED"), "lead", "lead", data, context, s);
  CHECK(out.actions.empty());
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "sla_kept");
}

TEST_CASE("a sales deal sent back from the meeting counts a rescheduled meeting") {
  const core::Settings s;
  CHECK(core::MeetingRescheduled(Deal(40, "C3:MEETING"), Deal(40, "C3:ASSIGNED"), s, kPipelines));
  CHECK(core::MeetingRescheduled(Deal(40, "C3:MEETING"), Deal(40, "C3:NEW"), s, kPipelines));
  CHECK_FALSE(
      core::MeetingRescheduled(Deal(40, "C3:MEETING"), Deal(40, "C3:OFFER"), s, kPipelines));
  CHECK_FALSE(
      core::MeetingRescheduled(Deal(40, "C3:ASSIGNED"), Deal(40, "C3:MEETING"), s, kPipelines));
  CHECK_FALSE(core::MeetingRescheduled(nullptr, Deal(40, "C3:ASSIGNED"), s, kPipelines));
  const auto d =
      core::MeetingRescheduledDecision(Deal(40, "C3:MEETING"), Deal(40, "C3:ASSIGNED"), s);
  CHECK(d.kind == "meeting_rescheduled");
  CHECK(d.body == json{{"from", "C3:MEETING"}, {"to", "C3:ASSIGNED"}});
}

}  // namespace follow_ups_test
