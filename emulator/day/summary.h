// What a simulated day showed, as readable text for people and as JSON for tests and scripts.
// Times are virtual unix seconds unless the name says otherwise. Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace day {

// Items the conveyor handed a person (the first owner in their queue; a reassignment by the
// SLA is counted apart, in Summary::reassigned).
struct PersonCount {
  long id = 0;
  std::string name;
  int count = 0;
  bool at_work = true;  // false for one absent all day
};

// The fairness of a queue: on each local day, the most minus the fewest items handed out among
// the people at work; the worst day's. Equal weights should give at most 1 (issue 16).
struct Fairness {
  int spread = 0;
  std::string day;  // the worst day, "2026-12-08"; empty when nothing was handed out
};

struct ReadyLaterLead {
  long lead_id = 0;
  std::string ready_date;  // "2026-12-08"
  long deal_id = 0;        // 0: no sales deal yet
  double assigned_at = 0;  // 0: the deal is not with a closer yet
  std::string closer;
};

struct Decision {
  std::string labels;  // as the app printed them: kind="assigned"
  std::string value;
};

struct Summary {
  std::string portal;
  int tz_minutes = 180;
  double first_day_start = 0;  // 09:00 of the simulated Monday
  double end = 0;              // when the simulation stopped
  uint64_t seed = 1;
  double speed = 1;
  double real_seconds = 0;
  double arrivals_per_minute = 0;  // a rate run's arrivals per virtual minute; 0: a whole day
  double think_scale = 1;          // the factor on every person's reaction time

  int leads_planned = 0;
  int leads_created = 0;
  int repeat_enquiries = 0;    // among the leads created
  int repeats_recognised = 0;  // of those, marked by the app as repeat enquiries
  std::vector<std::pair<std::string, int>> sources;

  std::vector<PersonCount> leads_per_hunter;
  Fairness hunters_fairness;
  int ready_now = 0;
  int ready_later = 0;
  int junk = 0;
  int left_alone = 0;  // a hunter decided to leave it for now

  int sales_deals = 0;
  std::vector<PersonCount> deals_per_closer;
  Fairness closers_fairness;
  int handed_over = 0;  // ready-now leads whose sales deal reached a closer
  // From the moment the portal accepted the operator's «ready now» to the moment the deal with
  // the closer existed, both on the portal's clock: virtual seconds; -1 when none was handed over.
  double handover_median = -1;
  double handover_p95 = -1;
  // The backlog (see backlog.h): when the last lead arrived, how long after it nothing waited for
  // the conveyor (-1: something still waited when the run stopped), and how many leads waited
  // then.
  double last_arrival = 0;
  // The steady window of a rate run (RunOptions::steady_after_minutes); to = 0: none.
  struct Steady {
    double from = 0, to = 0;
    int leads = 0;                                        // arrived in the window
    long requests = 0;                                    // the app sent in it
    long depth_from = -1, depth_to = -1, depth_max = -1;  // the app's inbox; -1: not read
  } steady;
  double caught_up_after = -1;
  int leads_waiting = 0;
  std::vector<ReadyLaterLead> ready_later_leads;
  int meetings = 0;
  int rescheduled_meetings = 0;
  int offers = 0;
  int contracts = 0;
  int lost = 0;

  int production_deals = 0;
  std::vector<PersonCount> production_per_master;
  Fairness masters_fairness;
  int reassigned = 0;  // leads and deals that went on to another member of their queue (SLA)
  int production_moves = 0;
  int shipped = 0;

  long app_requests = 0;  // the app's OAuth REST requests during the run
  long app_failed = 0;    // of those, answered with an error
  long app_limited = 0;   // of those, refused by the portal's rate limit (503)
  // The REST commands the app's requests carried during the run (its /metrics,
  // conveyor_rest_commands_total): what a client sending one request per command would have
  // sent. -1 when the app's metrics were not read.
  long app_commands = -1;
  // The app's requests and the commands they carried by method, largest first.
  std::vector<std::pair<std::string, long>> requests_by_method;
  std::vector<std::pair<std::string, long>> requests_by_kind;  // "read", "write"
  std::vector<std::pair<std::string, long>> commands_by_method;
  int acts = 0;  // what the simulated people did
  int acts_refused = 0;

  bool metrics_asked = false;
  std::string metrics_error;  // why the app's metrics could not be read
  std::vector<Decision> decisions;
};

// The p-th percentile (0..100, nearest rank) of `values`; -1 when empty.
double Percentile(std::vector<double> values, double p);

// "0.8 s" under 10 s, "57 s" from there on, "-" for a negative value.
std::string Seconds(double seconds);

void PrintSummary(std::ostream& out, const Summary& summary);
nlohmann::ordered_json SummaryJson(const Summary& summary);

}  // namespace day
