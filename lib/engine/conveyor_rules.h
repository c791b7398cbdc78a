// The conveyor's rules on a live portal: what a change means (a lead arriving, a lead waiting
// at the free stage, …), what the pure rules of lib/core need to decide it — duplicates by
// phone and e-mail, the queue's members with their presence and load — read in batch calls
// shared by a round's events, then the plan the pure rules make of it.
// Thread-safety: Plan may run on several threads at once.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/change.h"
#include "lib/core/clock.h"
#include "lib/core/deal_rules.h"
#include "lib/core/follow_ups.h"
#include "lib/core/handover.h"
#include "lib/core/lead_intake.h"
#include "lib/core/read_ahead.h"
#include "lib/core/stage_tasks.h"
#include "lib/engine/planning_round.h"
#include "lib/engine/portal_settings.h"
#include "lib/store/decision_log.h"
#include "lib/store/portal_store.h"

namespace engine {

// Reads that ride along in the queue's request (REST economy: one batch instead of several).
struct ReadAlong {
  std::vector<b24::BatchCommand> riders;  // keys must start with 'x'
  std::set<int64_t> also_named;           // people outside the queue whose names are wanted
  std::vector<b24::BatchItem> answers;    // the riders' answers, filled in
};

class ConveyorRules : public core::Rules {
 public:
  // `decisions` tell each member's hand-outs of the day, which the rotation evens out.
  ConveyorRules(b24::RestClient& client, PortalSettings& settings, store::PortalStore& portals,
                store::DecisionLog& decisions, core::Clock& clock)
      : client_(client),
        settings_(settings),
        portals_(portals),
        decisions_(decisions),
        clock_(clock) {}

  core::Result<core::Outcome> Plan(const core::EntityChange& change) override {
    return std::move(PlanAll({change}, {}).front());
  }
  // The reads of the queues the round's items will likely need (core::LikelyQueueNeeds), and of
  // the pipelines and departments when they are due: the kept ones, even old, tell whose loads
  // to read. `expected` are of one portal.
  std::vector<core::Read> ReadAhead(const std::vector<core::EntityChange>& expected) override;
  // Plans the changes in order, sharing one PlanningRound per portal: every read the round's
  // plans need goes out in as few batch requests as their dependencies allow (typically one or
  // two for the whole round, none when read ahead), and loads count what the round's earlier
  // plans handed out. `read_ahead` are answers of the first change's portal.
  std::vector<core::Result<core::Outcome>> PlanAll(
      const std::vector<core::EntityChange>& changes,
      const std::vector<core::Answer>& read_ahead) override;
  // An SLA timer whose item was taken into work, a wait or ready-day timer whose item left the
  // free stage: nothing to do.
  bool StillDue(const core::EntityChange& change) override;

  // Each queue's members now, as a plan would judge them (presence and its source, load, turns
  // today): what the set-up page shows. Reads through a round of its own.
  core::Result<std::map<std::string, std::vector<core::Candidate>>> QueuesNow(
      const std::string& member_id);

 private:
  // A round's reads are put off a few times at most: pipelines, then departments (then their
  // pages past the first), then presence, loads and duplicates, then the duplicates' owners.
  static constexpr int kMaxPasses = 6;

  core::Result<core::Outcome> PlanOne(const core::EntityChange& change, PlanningRound& round);
  // What the round's later plans must count: the items this outcome hands out.
  static void CountAssignments(const core::EntityChange& change, const core::Outcome& outcome,
                               const core::Settings& settings, PlanningRound& round);
  core::Result<core::Outcome> PlanLead(const core::EntityChange& change,
                                       const core::Settings& settings,
                                       const core::Pipelines& pipelines, PlanningRound& round);
  core::Result<core::Outcome> PlanDeal(const core::EntityChange& change,
                                       const core::Settings& settings,
                                       const core::Pipelines& pipelines, PlanningRound& round);
  core::Result<core::HandoverContext> HandoverContextFor(const core::Settings& settings,
                                                         const core::Pipelines& pipelines,
                                                         const nlohmann::json& lead,
                                                         PlanningRound& round);
  core::Result<core::LeadContext> LeadContextFor(const core::Settings& settings,
                                                 const nlohmann::json* lead_for_duplicates,
                                                 PlanningRound& round);
  // A due timer's change: an SLA check, a waiting item offered again (then the fallback), a
  // ready-later deal whose day has come.
  core::Result<core::Outcome> PlanTimer(const core::EntityChange& change,
                                        const core::Settings& settings,
                                        const core::Pipelines& pipelines, PlanningRound& round);
  // The duplicate searches for `lead` (keys starting with 'x'), and the hits in their answers
  // (their owners read in one more request when there are any).
  static std::vector<b24::BatchCommand> DuplicateFinds(const nlohmann::json& lead);
  core::Result<std::vector<core::DuplicateHit>> DuplicatesFrom(
      const nlohmann::json& lead, const std::vector<b24::BatchItem>& found, PlanningRound& round);
  // The queue's members with presence (timeman.status) and open items — leads at the assigned
  // stage for hunters; open deals of the pipeline `category_id` for the others — and their
  // names into `names` when given. One request for all members; loads are read once per round
  // (plus what the round handed out), presence is kept for kPresenceSeconds and departments'
  // members and names for kDictionarySeconds (REST economy, issue #4 item 9).
  core::Result<std::vector<core::Candidate>> QueueCandidates(
      const core::Settings& settings, const std::string& queue, int64_t category_id,
      PlanningRound& round, std::map<int64_t, std::string>* names = nullptr,
      ReadAlong* along = nullptr);
  // The crm.category ids of the settings' sales and production pipelines (-1 for one the
  // portal does not have). The portal's pipelines are read once and kept for
  // kDictionarySeconds.
  core::Result<core::Pipelines> PipelinesOf(const core::Settings& settings, PlanningRound& round);
  static core::Pipelines PipelinesNamed(const core::Settings& settings,
                                        const std::map<std::string, int64_t>& by_name);
  // The reads behind the kept dictionaries and QueueCandidates' reads of `members` now
  // (presence not kept, names not kept when `names`, every member's load): built in one place,
  // so that ReadAhead asks exactly what the plans will. MemberReads requires mutex_.
  static b24::BatchCommand PipelinesRead();
  // The department's members from `start` on (user.get answers 50 a page).
  static b24::BatchCommand DepartmentRead(int64_t department, long start = 0);
  static b24::BatchCommand NameRead(int64_t user);
  // `online`: the queue requires online members, so IS_ONLINE is read (user.get, 50 a read).
  std::vector<b24::BatchCommand> MemberReads(const std::string& member_id,
                                             const core::Settings& settings,
                                             const std::set<int64_t>& members, int64_t category_id,
                                             bool names, bool online, double now);
  // A portal whose timeman.status is missing (a plan without work-time tracking, an app
  // without the scope, no right to see others' days) takes its presence from the working
  // hours for kDictionarySeconds, then asks again. Requires mutex_.
  bool WithoutTimeman(const std::string& member_id, double now) const;
  // The queue for an item's direction with its category ("lead", "sales", "production").
  core::Result<std::vector<core::Candidate>> DirectionCandidates(
      const core::Settings& settings, const std::string& queue, const std::string& direction,
      const core::Pipelines& pipelines, PlanningRound& round,
      std::map<int64_t, std::string>* names = nullptr, ReadAlong* along = nullptr);
  std::string PortalUrl(const std::string& member_id);

  // Pipelines, departments and names change rarely: read again after an hour.
  static constexpr double kDictionarySeconds = 3600;
  static constexpr double kPresenceSeconds = 60;
  // A queue's department is read up to this many members (40 pages in one batch request).
  static constexpr long kMostDepartmentMembers = 2000;
  struct PipelineNames {
    double read_at = 0;
    std::map<std::string, int64_t> by_name;
  };
  template <typename T>
  struct Kept {
    double read_at = -1e18;
    T value{};
  };

  b24::RestClient& client_;
  PortalSettings& settings_;
  store::PortalStore& portals_;
  store::DecisionLog& decisions_;
  core::Clock& clock_;
  std::mutex mutex_;
  std::map<std::string, PipelineNames> pipelines_;  // GUARDED_BY(mutex_), by member_id
  // By member_id and department / user; GUARDED_BY(mutex_).
  std::map<std::pair<std::string, int64_t>, Kept<std::vector<std::pair<int64_t, bool>>>>
      department_members_;  // (user, active)
  std::map<std::pair<std::string, int64_t>, Kept<core::Presence>> presence_;
  std::map<std::pair<std::string, int64_t>, Kept<bool>> online_;
  std::map<std::string, double> timeman_missing_since_;  // by member_id
  std::map<std::pair<std::string, int64_t>, Kept<std::string>> names_;
};

}  // namespace engine
