#include "lib/core/distribution.h"

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/core/decision.h"
#include "tests/core/rules_fixtures.h"

namespace distribution_test {

namespace {

using core::Presence;
using core::Verdict;

using test::Member;

// "7:chosen 8:eligible" — short enough for a table, and what the journal shows.
std::string Verdicts(const core::Choice& choice) {
  std::string out;
  for (const auto& candidate : choice.candidates) {
    if (!out.empty()) out += ' ';
    out +=
        std::to_string(candidate.user_id) + ":" + std::string(core::VerdictName(candidate.verdict));
  }
  return out;
}

}  // namespace

TEST_CASE("presence reads timeman.status and names itself stably") {
  struct Row {
    const char* status;
    Presence presence;
    const char* name;
  };
  const Row rows[] = {
      {"OPENED", Presence::kOpened, "opened"}, {"PAUSED", Presence::kPaused, "paused"},
      {"CLOSED", Presence::kClosed, "closed"}, {"EXPIRED", Presence::kExpired, "expired"},
      {"opened", Presence::kOpened, "opened"}, {"", Presence::kUnknown, "unknown"},
      {"OPEN", Presence::kUnknown, "unknown"}, {"OPENED ", Presence::kUnknown, "unknown"},
  };
  for (const auto& row : rows) {
    INFO(row.status);
    CHECK(core::ParsePresence(row.status) == row.presence);
    CHECK(core::PresenceName(row.presence) == row.name);
    CHECK(core::ParsePresence(core::PresenceName(row.presence)) == row.presence);
  }
}

TEST_CASE("verdicts have stable journal names") {
  const std::pair<Verdict, const char*> rows[] = {
      {Verdict::kChosen, "chosen"},          {Verdict::kEligible, "eligible"},
      {Verdict::kInactive, "inactive"},      {Verdict::kAbsent, "absent"},
      {Verdict::kOffline, "offline"},        {Verdict::kAtCap, "at_cap"},
      {Verdict::kZeroWeight, "zero_weight"},
  };
  for (const auto& [verdict, name] : rows) CHECK(core::VerdictName(verdict) == name);
}

TEST_CASE("each candidate gets the verdict that explains it") {
  auto with = [](core::Candidate candidate, auto change) {
    change(candidate);
    return candidate;
  };
  struct Row {
    const char* what;
    core::Candidate candidate;
    bool require_online;
    Verdict verdict;
  };
  const Row rows[] = {
      {"present and free", Member(2), false, Verdict::kEligible},
      {"dismissed", with(Member(2), [](auto& c) { c.active = false; }), false, Verdict::kInactive},
      {"day paused", with(Member(2), [](auto& c) { c.presence = Presence::kPaused; }), false,
       Verdict::kAbsent},
      {"day closed", with(Member(2), [](auto& c) { c.presence = Presence::kClosed; }), false,
       Verdict::kAbsent},
      {"day expired", with(Member(2), [](auto& c) { c.presence = Presence::kExpired; }), false,
       Verdict::kAbsent},
      {"presence unknown", with(Member(2), [](auto& c) { c.presence = Presence::kUnknown; }), false,
       Verdict::kAbsent},
      {"offline, online required", with(Member(2), [](auto& c) { c.online = false; }), true,
       Verdict::kOffline},
      {"online unknown, online required", Member(2), true, Verdict::kOffline},
      {"online, online required", with(Member(2), [](auto& c) { c.online = true; }), true,
       Verdict::kEligible},
      {"offline, online not required", with(Member(2), [](auto& c) { c.online = false; }), false,
       Verdict::kEligible},
      {"at the cap", with(Member(2, 5), [](auto& c) { c.cap = 5; }), false, Verdict::kAtCap},
      {"over the cap", with(Member(2, 6), [](auto& c) { c.cap = 5; }), false, Verdict::kAtCap},
      {"below the cap", with(Member(2, 4), [](auto& c) { c.cap = 5; }), false, Verdict::kEligible},
      {"no cap", with(Member(2, 500), [](auto& c) { c.cap = 0; }), false, Verdict::kEligible},
      {"weight zero", with(Member(2), [](auto& c) { c.weight = 0; }), false, Verdict::kZeroWeight},
      {"weight negative", with(Member(2), [](auto& c) { c.weight = -1; }), false,
       Verdict::kZeroWeight},
      // The most lasting reason is reported when several apply.
      {"dismissed and absent",
       with(Member(2),
            [](auto& c) {
              c.active = false;
              c.presence = Presence::kClosed;
            }),
       false, Verdict::kInactive},
      {"zero weight and absent",
       with(Member(2),
            [](auto& c) {
              c.weight = 0;
              c.presence = Presence::kClosed;
            }),
       false, Verdict::kZeroWeight},
      {"absent and offline",
       with(Member(2),
            [](auto& c) {
              c.presence = Presence::kPaused;
              c.online = false;
            }),
       true, Verdict::kAbsent},
      {"offline and at the cap",
       with(Member(2, 3),
            [](auto& c) {
              c.cap = 3;
              c.online = false;
            }),
       true, Verdict::kOffline},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    core::QueueRules rules;
    rules.require_online = row.require_online;
    const auto alone = core::ChooseAssignee({row.candidate}, rules);
    REQUIRE(alone.candidates.size() == 1);
    const Verdict expected = row.verdict == Verdict::kEligible ? Verdict::kChosen : row.verdict;
    CHECK(alone.candidates[0].verdict == expected);
    CHECK(alone.assignee.has_value() == (row.verdict == Verdict::kEligible));
    CHECK(alone.candidates[0].presence == row.candidate.presence);
  }
}

TEST_CASE("the lowest load wins — ties go to the longest waiting — then the smaller id") {
  auto weighted = [](int64_t user_id, int open_items, double weight) {
    auto candidate = Member(user_id, open_items);
    candidate.weight = weight;
    return candidate;
  };
  auto assigned_at = [](int64_t user_id, int open_items, int64_t last_assigned_at) {
    auto candidate = Member(user_id, open_items);
    candidate.last_assigned_at = last_assigned_at;
    return candidate;
  };
  auto capped = [](int64_t user_id, int open_items, int cap) {
    auto candidate = Member(user_id, open_items);
    candidate.cap = cap;
    return candidate;
  };
  auto absent = [](int64_t user_id, Presence presence) {
    auto candidate = Member(user_id);
    candidate.presence = presence;
    return candidate;
  };
  struct Row {
    const char* what;
    std::vector<core::Candidate> candidates;
    std::optional<int64_t> assignee;
    const char* verdicts;
  };
  const Row rows[] = {
      {"empty queue", {}, std::nullopt, ""},
      {"fewest open items",
       {Member(1, 3), Member(2, 1), Member(3, 2)},
       2,
       "1:eligible 2:chosen 3:eligible"},
      {"weight 2 takes twice the load: 4/2 beats 3/1",
       {weighted(1, 3, 1), weighted(2, 4, 2)},
       2,
       "1:eligible 2:chosen"},
      {"weight 2 at twice the load ties, then the smaller id",
       {weighted(5, 3, 1), weighted(4, 6, 2)},
       4,
       "5:eligible 4:chosen"},
      {"weight 2 above twice the load loses",
       {weighted(1, 3, 1), weighted(2, 7, 2)},
       1,
       "1:chosen 2:eligible"},
      {"fractional weight", {weighted(1, 1, 0.5), weighted(2, 1, 1)}, 2, "1:eligible 2:chosen"},
      {"tie: never assigned first",
       {assigned_at(1, 2, 1700000000), assigned_at(2, 2, 0), assigned_at(3, 2, 1600000000)},
       2,
       "1:eligible 2:chosen 3:eligible"},
      {"tie: least recently assigned",
       {assigned_at(1, 2, 1700000000), assigned_at(3, 2, 1600000000)},
       3,
       "1:eligible 3:chosen"},
      {"tie: smaller user id",
       {Member(9, 1), Member(4, 1), Member(7, 1)},
       4,
       "9:eligible 4:chosen 7:eligible"},
      {"load beats recency",
       {assigned_at(1, 1, 1700000000), assigned_at(2, 2, 0)},
       1,
       "1:chosen 2:eligible"},
      {"the least loaded is at the cap", {capped(1, 2, 2), Member(2, 5)}, 2, "1:at_cap 2:chosen"},
      {"everybody at the cap",
       {capped(1, 2, 2), capped(2, 3, 3)},
       std::nullopt,
       "1:at_cap 2:at_cap"},
      {"everybody absent",
       {absent(1, Presence::kClosed), absent(2, Presence::kPaused), absent(3, Presence::kExpired),
        absent(4, Presence::kUnknown)},
       std::nullopt,
       "1:absent 2:absent 3:absent 4:absent"},
      {"the only present one takes it although loaded",
       {absent(1, Presence::kClosed), Member(2, 40)},
       2,
       "1:absent 2:chosen"},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    const auto choice = core::ChooseAssignee(row.candidates, core::QueueRules{});
    CHECK(choice.assignee == row.assignee);
    CHECK(Verdicts(choice) == row.verdicts);
  }
}

TEST_CASE("the journal gets each candidate's numbers in input order") {
  auto heavy = Member(11, 6);
  heavy.weight = 2;
  heavy.cap = 10;
  auto off = Member(12, 1);
  off.presence = Presence::kPaused;
  auto unweighted = Member(13, 2);
  unweighted.weight = 0;
  const auto choice = core::ChooseAssignee({heavy, off, unweighted}, core::QueueRules{});
  REQUIRE(choice.candidates.size() == 3);
  const auto& first = choice.candidates[0];
  CHECK(first.user_id == 11);
  CHECK(first.verdict == Verdict::kChosen);
  CHECK(first.open_items == 6);
  CHECK(first.cap == 10);
  CHECK(first.weight == 2);
  CHECK(first.load == 3);
  CHECK(choice.candidates[1].user_id == 12);
  CHECK(choice.candidates[1].presence == Presence::kPaused);
  CHECK(choice.candidates[1].load == 1);
  CHECK(choice.candidates[2].verdict == Verdict::kZeroWeight);
  CHECK(choice.candidates[2].load == 0);
}

TEST_CASE("the same inputs give the same choice whatever their order") {
  std::vector<core::Candidate> queue = {Member(5, 2), Member(3, 2), Member(8, 1), Member(1, 1)};
  queue[2].last_assigned_at = 1700000500;
  queue[3].last_assigned_at = 1700000500;
  const auto first = core::ChooseAssignee(queue, core::QueueRules{});
  CHECK(first.assignee == 1);
  CHECK(core::ChooseAssignee(queue, core::QueueRules{}).assignee == first.assignee);
  std::vector<core::Candidate> reversed(queue.rbegin(), queue.rend());
  CHECK(core::ChooseAssignee(reversed, core::QueueRules{}).assignee == 1);
}

TEST_CASE("handing out one by one spreads items by weight") {
  // Each round gives the item to the chosen member, as the conveyor does. Loads never drift
  // more than one item apart, and after 32 items the weight-2 member holds half of them.
  std::vector<core::Candidate> queue = {Member(1), Member(2), Member(3)};
  queue[1].weight = 2;
  for (int64_t now = 1; now <= 32; ++now) {
    const auto choice = core::ChooseAssignee(queue, core::QueueRules{});
    REQUIRE(choice.assignee);
    double lowest = 1e9, highest = 0;
    for (auto& member : queue) {
      if (member.user_id == *choice.assignee) {
        ++member.open_items;
        member.last_assigned_at = now;
      }
      lowest = std::min(lowest, member.open_items / member.weight);
      highest = std::max(highest, member.open_items / member.weight);
    }
    CHECK(highest - lowest <= 1);
  }
  CHECK(queue[0].open_items == 8);
  CHECK(queue[1].open_items == 16);
  CHECK(queue[2].open_items == 8);
}

TEST_CASE("rotation first: the fewest hand-outs today per weight, then the load") {
  auto member = [](int64_t user_id, int today, int open_items, double weight = 1) {
    auto candidate = Member(user_id, open_items);
    candidate.handed_out_today = today;
    candidate.weight = weight;
    return candidate;
  };
  struct Row {
    const char* what;
    std::vector<core::Candidate> candidates;
    int64_t assignee;
  };
  const Row rows[] = {
      // A quick worker keeps fewer items open, but still waits for the others' turn.
      {"fewer today beats a lighter load", {member(1, 5, 0), member(2, 4, 3)}, 2},
      {"equal turns: the lighter load", {member(1, 4, 1), member(2, 4, 3)}, 1},
      {"weight 2 is given twice the turns: 7/2 beats 4/1",
       {member(1, 4, 0), member(2, 7, 0, 2)},
       2},
      {"weight 2 at twice the turns ties, then the load", {member(1, 4, 2), member(2, 8, 1, 2)}, 2},
  };
  for (const auto& row : rows) {
    INFO(row.what);
    CHECK(core::ChooseAssignee(row.candidates, core::QueueRules{}).assignee == row.assignee);
  }
}

TEST_CASE("over a day, handing out by rotation leaves equal weights at most one apart") {
  // Member 2 closes items at once and member 3 never does: loads differ, turns do not.
  std::vector<core::Candidate> queue = {Member(1), Member(2), Member(3)};
  std::vector<int> given(3, 0);
  for (int64_t now = 1; now <= 60; ++now) {
    const auto choice = core::ChooseAssignee(queue, core::QueueRules{});
    REQUIRE(choice.assignee);
    const size_t i = static_cast<size_t>(*choice.assignee - 1);
    ++given[i];
    ++queue[i].handed_out_today;
    queue[i].last_assigned_at = now;
    if (i != 1) ++queue[i].open_items;
    const auto [low, high] = std::minmax_element(given.begin(), given.end());
    CHECK(*high - *low <= 1);
  }
  CHECK(given == std::vector<int>{20, 20, 20});
}

TEST_CASE("the journal says what told whether each candidate was at work") {
  auto hours = Member(21);
  hours.presence_source = core::PresenceSource::kWorkingHours;
  hours.handed_out_today = 3;
  const auto rows = core::CandidatesJson(core::ChooseAssignee({Member(20), hours}, {}));
  CHECK(rows[0]["presence_source"] == "timeman");
  CHECK(rows[1]["presence_source"] == "working_hours");
  CHECK(rows[1]["handed_out_today"] == 3);
}

}  // namespace distribution_test
