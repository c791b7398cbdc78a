#include "lib/core/lead_intake.h"

#include <catch2/catch.hpp>

namespace lead_intake_test {

using nlohmann::json;

namespace {

json Lead(int64_t id, const std::string& status, const std::string& phone = "+79123456789") {
  return {{"ID", std::to_string(id)},
          {"TITLE", "Lead " + std::to_string(id)},
          {"STATUS_ID", status},
          {"DATE_MODIFY", "2026-11-26T10:00:00+03:00"},
          {"PHONE", json::array({{{"VALUE", phone}, {"VALUE_TYPE", "WORK"}}})}};
}

core::Candidate Hunter(int64_t id, int open, core::Presence presence = core::Presence::kOpened) {
  core::Candidate c;
  c.user_id = id;
  c.open_items = open;
  c.presence = presence;
  return c;
}

core::Settings Defaults() {
  core::Settings s;
  s.version = 7;
  s.queues["hunters"] = core::Queue{};
  return s;
}

}  // namespace

TEST_CASE("which leads are arrivals and which are free") {
  const auto s = Defaults();
  const struct {
    json before;
    json lead;
    bool arrival;
    bool free;
  } rows[] = {
      {nullptr, Lead(1, "NEW"), true, false},
      {Lead(1, "NEW"), Lead(1, "NEW"), false, false},  // seen before: a later save
      {Lead(1, "NEW"), Lead(1, "CONV_DUPLICATES"), true, false},
      {nullptr, Lead(1, "CONV_FREE"), false, true},
      {nullptr, Lead(1, "CONV_ASSIGNED"), false, false},
      {Lead(1, "NEW"), nullptr, false, false},  // deleted
  };
  for (const auto& row : rows) {
    INFO(row.before.dump() << " -> " << row.lead.dump());
    CHECK(core::IsLeadArrival(row.before, row.lead, s) == row.arrival);
    CHECK(core::IsFreeLead(row.lead, s) == row.free);
  }
}

TEST_CASE("an arriving lead goes to the least loaded present hunter") {
  const auto s = Defaults();
  core::LeadContext context;
  context.hunters = {Hunter(10, 3), Hunter(11, 1), Hunter(12, 0, core::Presence::kClosed)};
  const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
  REQUIRE(out.actions.size() == 1);
  const auto& update = out.actions[0];
  CHECK(update.key == "arrival:lead:5");
  CHECK(update.method == "crm.lead.update");
  CHECK(update.params["id"] == 5);
  CHECK(update.params["fields"]["STATUS_ID"] == "CONV_ASSIGNED");
  CHECK(update.params["fields"]["ASSIGNED_BY_ID"] == 11);
  REQUIRE(update.touches.size() == 1);
  CHECK(update.touches[0].entity_type == "lead");
  REQUIRE(out.decisions.size() == 1);
  const auto& d = out.decisions[0];
  CHECK(d.kind == "assigned");
  CHECK(d.assignee == 11);
  CHECK(d.settings_version == 7);
  REQUIRE(d.body["candidates"].size() == 3);
  CHECK(d.body["candidates"][0]["verdict"] == "eligible");
  CHECK(d.body["candidates"][1]["verdict"] == "chosen");
  CHECK(d.body["candidates"][2]["verdict"] == "absent");
  CHECK(d.body["candidates"][2]["presence"] == "closed");
}

TEST_CASE("with no hunter available the lead waits at the free stage") {
  const auto s = Defaults();
  core::LeadContext context;
  context.hunters = {Hunter(10, 0, core::Presence::kPaused)};
  const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].params["fields"] == json{{"STATUS_ID", "CONV_FREE"}});
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "waiting");
  CHECK(out.decisions[0].assignee == 0);
  CHECK(out.decisions[0].body["why"] == "nobody_available");
  // A queue with nobody at all says so: the set-up page is where that is mended.
  const auto empty = core::PlanLeadArrival(Lead(6, "NEW"), core::LeadContext{}, s);
  CHECK(empty.decisions[0].body["why"] == "queue_empty");

  // Later, still nobody: the free lead gets a decision but no action.
  const auto free = core::PlanFreeLead(Lead(5, "CONV_FREE"), context, s);
  CHECK(free.actions.empty());
  CHECK(free.decisions[0].kind == "waiting");
  // A hunter opens the working day: the lead is handed out, once per stay at the free stage.
  context.hunters[0].presence = core::Presence::kOpened;
  const auto handed = core::PlanFreeLead(Lead(5, "CONV_FREE"), context, s);
  REQUIRE(handed.actions.size() == 1);
  CHECK(handed.actions[0].key == "assign:lead:5:2026-11-26T10:00:00+03:00");
  CHECK(handed.actions[0].params["fields"]["ASSIGNED_BY_ID"] == 10);
}

TEST_CASE("a newer lead with the same phone is not the original — the older one goes on") {
  auto s = Defaults();
  core::LeadContext context;
  context.hunters = {Hunter(10, 0)};
  // Two enquiries arriving together: each finds the other; only the newer is a duplicate.
  context.duplicates = {{"lead", 8, 1, "N"}};
  const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
  REQUIRE(out.actions.size() == 1);
  CHECK(out.actions[0].params["fields"]["STATUS_ID"] == "CONV_ASSIGNED");
  CHECK(out.actions[0].params["fields"]["ASSIGNED_BY_ID"] == 10);
}

TEST_CASE("a repeat enquiry goes into work with its original's owner, who is at work and told") {
  auto s = Defaults();
  s.texts["ru"]["duplicate_notify"] = "Повтор: {lead.title} → {original.url}";
  core::LeadContext context;
  context.portal_url = "https://b24.example";
  context.hunters = {Hunter(10, 0)};
  const struct {
    const char* what;
    std::vector<core::DuplicateHit> hits;
    std::string original_type;
    int64_t original_id;
    int64_t owner;
  } rows[] = {
      {"an older lead", {{"lead", 3, 44, "Old"}}, "lead", 3, 44},
      {"the oldest of two leads", {{"lead", 4, 45, "B"}, {"lead", 2, 46, "A"}}, "lead", 2, 46},
      {"a lead before a contact", {{"contact", 1, 50, "C"}, {"lead", 4, 45, "B"}}, "lead", 4, 45},
      {"a contact only", {{"contact", 9, 50, "C"}}, "contact", 9, 50},
      {"a newer lead beside a contact",
       {{"lead", 8, 47, "N"}, {"contact", 9, 50, "C"}},
       "contact",
       9,
       50},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    context.duplicates = row.hits;
    context.owner = Hunter(row.owner, 0);
    context.owner->presence = core::Presence::kOpened;
    const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
    REQUIRE(out.actions.size() == 2);
    const auto& fields = out.actions[0].params["fields"];
    CHECK(fields["STATUS_ID"] == "CONV_ASSIGNED");
    CHECK(fields["ASSIGNED_BY_ID"] == row.owner);
    CHECK(fields.contains("UF_CRM_CONVEYOR_DUPLICATE_OF") == (row.original_type == "lead"));
    const auto& notify = out.actions[1];
    CHECK(notify.key == "arrival:lead:5:notify");
    CHECK(notify.method == "im.notify.system.add");
    CHECK(notify.params["USER_ID"] == row.owner);
    CHECK(notify.params["MESSAGE"] == "Повтор: Lead 5 → https://b24.example/crm/" +
                                          row.original_type + "/details/" +
                                          std::to_string(row.original_id) + "/");
    REQUIRE(out.decisions.size() == 1);
    CHECK(out.decisions[0].kind == "duplicate");
    CHECK(out.decisions[0].body["original"]["id"] == row.original_id);
    CHECK(out.decisions[0].body["keys"] == json::array({"phone:+79123456789"}));
  }
}

TEST_CASE("a repeat enquiry whose owner could not take it now goes to the queue") {
  auto s = Defaults();
  core::LeadContext context;
  context.hunters = {Hunter(10, 0)};
  context.hunters[0].presence = core::Presence::kOpened;
  context.duplicates = {{"lead", 3, 44, "Old"}};
  auto away = Hunter(44, 0);
  away.presence = core::Presence::kPaused;
  auto dismissed = Hunter(44, 0);
  dismissed.presence = core::Presence::kOpened;
  dismissed.active = false;
  const struct {
    const char* what;
    std::optional<core::Candidate> owner;
    const char* why_not;
  } rows[] = {{"paused", away, "paused"},
              {"dismissed", dismissed, "inactive"},
              {"not known", std::nullopt, "unknown"}};
  for (const auto& row : rows) {
    INFO(row.what);
    context.owner = row.owner;
    const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
    REQUIRE(out.actions.size() == 2);
    const auto& fields = out.actions[0].params["fields"];
    CHECK(fields["STATUS_ID"] == "CONV_ASSIGNED");
    CHECK(fields["ASSIGNED_BY_ID"] == 10);
    CHECK(fields["UF_CRM_CONVEYOR_DUPLICATE_OF"] == 3);
    CHECK(out.actions[1].params["USER_ID"] == 44);  // the owner is told
    REQUIRE(out.decisions.size() == 1);
    CHECK(out.decisions[0].kind == "assigned");
    CHECK(out.decisions[0].body["owner"]["why_not"] == row.why_not);
    CHECK(out.decisions[0].body["repeat_of"]["id"] == 3);
  }
}

TEST_CASE("the lead itself among the hits is not its own duplicate") {
  const auto s = Defaults();
  core::LeadContext context;
  context.duplicates = {{"lead", 5, 44, "Self"}};
  context.hunters = {Hunter(10, 0)};
  const auto out = core::PlanLeadArrival(Lead(5, "NEW"), context, s);
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "assigned");
}

}  // namespace lead_intake_test
