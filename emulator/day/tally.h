// What the simulated day has seen happen on the portal — who got which lead and deal and when,
// what the people did — kept between polls and turned into the Summary at the end.
// Thread-safety: one thread.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "emulator/day/backlog.h"
#include "emulator/day/company.h"
#include "emulator/day/people.h"
#include "emulator/day/pipelines.h"
#include "emulator/day/summary.h"

namespace day {

class Tally {
 public:
  explicit Tally(const Company& company) : company_(company) {}

  // A lead created at virtual time `at` (the portal's answer to crm.lead.add).
  void LeadCreated(long lead_id, bool repeat, const std::string& source, double at);
  // Reads the state sections `leads` and `deals` of one poll.
  void Observe(const json& leads, const json& deals, const Pipelines& pipelines);
  // A person's move, done at virtual time `at`; `ready_date` for ready-later leads.
  void Moved(MoveKind kind, long item_id, double at, const std::string& ready_date);
  void LeftAlone(long lead_id) { left_alone_.insert(lead_id); }

  int created() const { return static_cast<int>(created_.size()); }
  int handed_over() const;
  int production_deals() const { return static_cast<int>(production_master_.size()); }
  // What waits for the conveyor as of the last Observe: leads not yet handed out to a hunter,
  // ready-now leads whose deal is not with a closer, contracts not yet carried into
  // production, production deals without a master. Ready-later deals wait for their day, not
  // for the conveyor, and are not counted.
  int Waiting() const;

  // Fills the counts of `summary` from what was seen.
  void Fill(Summary& summary) const;

 private:
  struct LeadSeen {
    bool repeat = false;
    double created_at = 0;
    double handed_out_at = -1;  // when it first left NEW / CONV_FREE; -1 until then
  };
  struct DealSeen {
    long lead_id = 0;
    long closer = 0;  // the first closer it reached; 0 until then
    double assigned_at = 0;
    std::string role;  // its stage as last seen: "ASSIGNED", "CONTRACT", ...
  };

  // The leads' stretches of waiting for the conveyor (see backlog.h).
  std::vector<Wait> LeadWaits() const;

  const Company& company_;
  std::map<long, LeadSeen> created_;  // the leads of this run
  std::map<std::string, int> sources_;
  std::set<long> recognised_;                     // repeat enquiries the app marked
  std::map<long, long> lead_hunter_;              // lead -> first hunter at CONV_ASSIGNED
  std::map<long, double> ready_now_at_;           // lead -> when it became ready now
  std::map<long, std::string> ready_later_date_;  // lead -> the client's day
  std::set<long> junk_;
  std::set<long> left_alone_;
  std::map<long, DealSeen> sales_deals_;           // sales deal id -> what was seen
  std::map<long, long> deal_of_lead_;              // lead -> its first sales deal
  std::map<long, long> production_master_;         // production deal -> first master (0: none)
  std::map<long, double> production_assigned_at_;  // production deal -> when it reached them
  std::set<long> carried_;                         // sales deals with a production deal
  std::set<std::pair<char, long>> reassigned_;     // ('l' lead | 'd' deal, id) seen with another
  std::map<MoveKind, int> moves_;
};

}  // namespace day
