#include "lib/core/read_ahead.h"

#include <catch2/catch.hpp>

#include "tests/core/rules_fixtures.h"

namespace read_ahead_test {

using nlohmann::json;

namespace {

using test::kPipelines;

json Lead(const std::string& status, int64_t owner = 11) {
  return {{"ID", "5"}, {"STATUS_ID", status}, {"ASSIGNED_BY_ID", std::to_string(owner)}};
}

json Deal(int64_t category, const std::string& stage, int64_t lead = 0, const char* closed = "N") {
  return {{"ID", "9"},
          {"CATEGORY_ID", std::to_string(category)},
          {"STAGE_ID", stage},
          {"ASSIGNED_BY_ID", "21"},
          {"LEAD_ID", lead > 0 ? json(std::to_string(lead)) : json(nullptr)},
          {"CLOSED", closed}};
}

// "direction names also_named" per need, for a compact table.
std::vector<std::string> Needs(const std::string& entity_type, const json& last_seen,
                               const json& timer = nullptr) {
  std::vector<std::string> out;
  for (const auto& need :
       core::LikelyQueueNeeds(entity_type, last_seen, timer, core::Settings{}, kPipelines)) {
    out.push_back(need.direction + (need.names ? " names" : "") +
                  (need.also_named > 0 ? " +" + std::to_string(need.also_named) : ""));
  }
  return out;
}

using Expected = std::vector<std::string>;

}  // namespace

TEST_CASE("a look at a lead is read ahead for the queue its next step would need") {
  const core::Settings s;
  CHECK(Needs("lead", nullptr) == Expected{"lead"});  // a new lead goes to a hunter
  CHECK(Needs("lead", Lead(s.lead.free)) == Expected{"lead"});
  CHECK(Needs("lead", Lead(s.lead.duplicate_check)) == Expected{"lead"});
  // A hunter's lead may be handed over: the closers, with names and the hunter's for the texts.
  CHECK(Needs("lead", Lead(s.lead.assigned, 11)) == Expected{"sales names +11"});
  CHECK(Needs("lead", Lead("IN_PROCESS", 12)) == Expected{"sales names +12"});
  // Done with: nothing to read ahead.
  CHECK(Needs("lead", Lead(s.lead.converted)).empty());
  CHECK(Needs("lead", Lead(s.lead.junk)).empty());
}

TEST_CASE("a look at a deal is read ahead by its pipeline and stage") {
  // A free sales deal goes to a closer; from a lead it is announced as a hand-over.
  CHECK(Needs("deal", Deal(3, "C3:NEW")) == Expected{"sales"});
  CHECK(Needs("deal", Deal(3, "C3:NEW", 5)) == Expected{"sales names +21"});
  // An open sales deal may enter the carry-over stage: production staff.
  CHECK(Needs("deal", Deal(3, "C3:ASSIGNED")) == Expected{"production"});
  CHECK(Needs("deal", Deal(4, "C4:NEW")) == Expected{"production"});
  // A production deal at work, a closed deal, a deal of another pipeline, one never seen.
  CHECK(Needs("deal", Deal(4, "C4:ASSIGNED")).empty());
  CHECK(Needs("deal", Deal(3, "C3:WON", 0, "Y")).empty());
  CHECK(Needs("deal", Deal(0, "NEW")).empty());
  CHECK(Needs("deal", nullptr).empty());
}

TEST_CASE("a due timer is read ahead for its item's queue") {
  const core::Settings s;
  const json sla = {{"kind", "sla"}, {"data", json::object()}};
  const json wait = {{"kind", "wait"}, {"data", json::object()}};
  const json ready_day = {{"kind", "ready_day"}, {"data", json::object()}};
  // An SLA reassignment names the people in its texts.
  CHECK(Needs("lead", Lead(s.lead.assigned), sla) == Expected{"lead names"});
  CHECK(Needs("deal", Deal(4, "C4:ASSIGNED"), sla) == Expected{"production names"});
  CHECK(Needs("lead", Lead(s.lead.free), wait) == Expected{"lead"});
  CHECK(Needs("deal", Deal(3, "C3:NEW", 5), ready_day) == Expected{"sales names +21"});
  CHECK(Needs("deal", Deal(3, "C3:NEW"), {{"kind", "other"}}).empty());
  CHECK(Needs("deal", nullptr, sla).empty());  // never seen: nothing to judge by
}

}  // namespace read_ahead_test
