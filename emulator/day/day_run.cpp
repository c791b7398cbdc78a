#include "emulator/day/day_run.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "emulator/day/calendar.h"
#include "emulator/day/company.h"
#include "emulator/day/lead_plan.h"
#include "emulator/day/metrics.h"
#include "emulator/day/people.h"
#include "emulator/day/pipelines.h"
#include "emulator/day/rows.h"
#include "emulator/day/tally.h"

namespace day {
namespace {

constexpr long kFormUser = 1;   // web forms and telephony create leads as the portal's admin
constexpr int kNotesShown = 5;  // refused acts reported on stderr, the rest only counted
// A rate run that has not settled an hour (virtual) after its last arrival has a backlog that
// the summary shows; looking on would only make the run longer.
constexpr double kRateTail = 3600;
// Looks at the portal in a row with no new request of the app before a rate run counts as
// settled: the app is still answering the echoes of the last moves for a moment.
constexpr int kQuietPolls = 3;

// The portal's zone from a REST answer's time.date_start ("...T08:50:00+03:00").
int ZoneOf(const json& envelope, int fallback) {
  const json time = envelope.value("time", json::object());
  const std::string date = time.is_object() ? time.value("date_start", std::string()) : "";
  if (date.size() < 6) return fallback;
  const std::string zone = date.substr(date.size() - 6);
  if ((zone[0] != '+' && zone[0] != '-') || zone[3] != ':') return fallback;
  const std::string hours = zone.substr(1, 2), minutes = zone.substr(4, 2);
  if (hours.find_first_not_of("0123456789") != std::string::npos ||
      minutes.find_first_not_of("0123456789") != std::string::npos) {
    return fallback;
  }
  const int value = std::stoi(hours) * 60 + std::stoi(minutes);
  return zone[0] == '-' ? -value : value;
}

struct AppCounts {
  long total = 0;
  long failed = 0;   // answered with an error
  long limited = 0;  // refused by the rate limit (the emulator's only 503)
};

// The app's OAuth requests to this portal so far.
Result<AppCounts> AppRequests(PortalClient& portal) {
  auto log = portal.Get("log", "last=0");
  if (!log) return tl::unexpected(log.error());
  const json by_caller = log->value("by_caller", json::object());
  const json app = by_caller.is_object() && by_caller.contains(portal.member_id())
                       ? by_caller[portal.member_id()].value("app", json::object())
                       : json::object();
  AppCounts counts;
  for (const auto& item : app.items()) {
    const long count = item.value().is_number() ? item.value().get<long>() : 0;
    counts.total += count;
    if (item.key() != "200") counts.failed += count;
    if (item.key() == "503") counts.limited += count;
  }
  return counts;
}

class Day {
 public:
  Day(PortalClient& portal, const RunOptions& options, Progress& progress, Company company,
      int tz_minutes)
      : portal_(portal),
        options_(options),
        progress_(progress),
        company_(std::move(company)),
        calendar_{tz_minutes},
        tally_(company_),
        rate_(options.arrivals_per_minute > 0) {}

  Result<Summary> Run();

 private:
  struct Pending {
    std::string key;  // the state the person reacts to; another state drops the plan
    double due = 0;
    Move move;
    long user = 0;
    std::string stage_id;  // deals: the stage the move goes to
  };

  Result<double> Now();
  // Freezes the clock and moves it forward to the moment `next` finds; Resume lets it run.
  Result<double> JumpTo(double (Calendar::*next)(double, int, int) const, int hour, int minute);
  Result<bool> Resume();
  Result<bool> Presence(bool working);
  // Runs polls until virtual `until` (a rate run: until it has settled, if earlier).
  Result<bool> Phase(double until);
  Result<bool> WatchSteady(double now);
  Result<bool> Step(double now);
  // Sleeps one poll interval, creating the leads that fall due meanwhile.
  Result<bool> Pause();
  Result<bool> Settled();
  Result<bool> CreateLeads(double now);
  void PlanLead(const json& row, double now);
  void PlanDeal(const json& row, double now);
  Result<bool> Perform(long id, bool lead, const Pending& pending, double now);
  void Draw(double now);

  PortalClient& portal_;
  const RunOptions& options_;
  Progress& progress_;
  const Company company_;
  const Calendar calendar_;
  Tally tally_;
  Pipelines pipelines_;
  std::vector<PlannedLead> plan_;
  size_t next_lead_ = 0;
  std::map<long, json> leads_, deals_;  // the portal's rows as last seen
  double looked_at_ = -1;               // when (portal time); -1: never
  Summary::Steady steady_;
  std::map<long, Pending> lead_plans_, deal_plans_;
  std::map<long, std::string> lead_done_, deal_done_;  // the state last acted on (or left)
  std::map<long, int> visits_;                         // moves made on each deal
  std::set<long> rescheduled_;
  int acts_ = 0;
  int refused_ = 0;
  double run_start_ = 0, first_end_ = 0, second_start_ = 0, second_end_ = 0;
  const bool rate_;
  bool quiet_ = false;        // rate run: at the last look nothing waited and nobody had a move
  int quiet_polls_ = 0;       // looks in a row that were quiet with no new app request
  long quiet_requests_ = -1;  // the app's requests at the last quiet look
  double stopped_at_ = 0;     // the virtual time of the last look
};

Result<double> Day::Now() {
  auto clock = portal_.Clock();
  if (!clock) return tl::unexpected(clock.error());
  return clock->now;
}

Result<double> Day::JumpTo(double (Calendar::*next)(double, int, int) const, int hour, int minute) {
  auto frozen = portal_.SetClock({{"freeze", true}});
  if (!frozen) return tl::unexpected(frozen.error());
  const double target = (calendar_.*next)(frozen->now, hour, minute);
  auto moved = portal_.SetClock({{"advance", target - frozen->now}});
  if (!moved) return tl::unexpected(moved.error());
  return target;
}

Result<bool> Day::Resume() {
  auto running = portal_.SetClock({{"speed", options_.speed}, {"freeze", false}});
  if (!running) return tl::unexpected(running.error());
  return true;
}

Result<bool> Day::Presence(bool working) {
  for (const auto* group : {&company_.hunters, &company_.closers, &company_.production}) {
    for (const auto& person : *group) {
      const bool at_work = working && company_.absent.count(person.id) == 0;
      auto answer = portal_.Post(
          "presence",
          {{"user_id", person.id}, {"status", at_work ? "OPENED" : "CLOSED"}, {"online", at_work}});
      if (!answer) return tl::unexpected(answer.error());
    }
  }
  return true;
}

Result<bool> Day::CreateLeads(double now) {
  for (; next_lead_ < plan_.size() && plan_[next_lead_].at <= now; ++next_lead_) {
    const PlannedLead& lead = plan_[next_lead_];
    auto added = portal_.Act(kFormUser, "crm.lead.add", {{"fields", LeadFields(lead)}});
    if (!added) {
      if (added.error().unreachable) return tl::unexpected(added.error());
      if (++refused_ <= kNotesShown)
        progress_.Note("b24-day: a lead was refused: " + added.error().message);
      continue;
    }
    const json time = added->value("time", json::object());
    tally_.LeadCreated(IdOf(added->value("result", json())), lead.repeat_of >= 0, lead.source,
                       NumberOf(time, "start", now));
  }
  return true;
}

void Day::PlanLead(const json& row, double now) {
  const long id = IdOf(row.value("ID", json()));
  const long user = IdOf(row.value("ASSIGNED_BY_ID", json()));
  const std::string status = row.value("STATUS_ID", std::string());
  const bool hunter = std::any_of(company_.hunters.begin(), company_.hunters.end(),
                                  [user](const Person& p) { return p.id == user; });
  const std::string key = status + "|" + std::to_string(user);
  if (status != kLeadAssigned || !hunter || company_.absent.count(user) > 0) {
    lead_plans_.erase(id);
    return;
  }
  if (lead_done_[id] == key) return;
  const auto planned = lead_plans_.find(id);
  if (planned != lead_plans_.end() && planned->second.key == key) return;
  const auto move = HunterMove(options_.seed, id);
  if (!move) {
    lead_done_[id] = key;
    lead_plans_.erase(id);
    tally_.LeftAlone(id);
    return;
  }
  const double entered = NumberOf(row, "MOVED_TIME", now);
  lead_plans_[id] = {key, calendar_.AddWorkingTime(entered, move->delay * options_.think_scale),
                     *move, user, ""};
}

void Day::PlanDeal(const json& row, double now) {
  const long id = IdOf(row.value("ID", json()));
  const long user = IdOf(row.value("ASSIGNED_BY_ID", json()));
  const long category = row.contains("CATEGORY_ID") ? IdOf(row["CATEGORY_ID"]) : 0;
  const std::string stage_id = row.value("STAGE_ID", std::string());
  const std::string key = stage_id + "|" + std::to_string(user) + "|" + std::to_string(visits_[id]);
  const auto among = [user](const std::vector<Person>& people) {
    return std::any_of(people.begin(), people.end(),
                       [user](const Person& p) { return p.id == user; });
  };
  const PipelineStages* pipeline = nullptr;
  std::optional<Move> move;
  if (category == pipelines_.sales.id && among(company_.closers)) {
    pipeline = &pipelines_.sales;
    move = CloserMove(options_.seed, id, pipeline->Role(stage_id), rescheduled_.count(id) > 0,
                      visits_[id]);
  } else if (category == pipelines_.production.id && among(company_.production)) {
    pipeline = &pipelines_.production;
    move = MasterMove(options_.seed, id, pipeline->Role(stage_id));
  }
  if (!move || company_.absent.count(user) > 0) {
    deal_plans_.erase(id);
    return;
  }
  if (deal_done_[id] == key) return;
  const auto planned = deal_plans_.find(id);
  if (planned != deal_plans_.end() && planned->second.key == key) return;
  const double entered = NumberOf(row, "MOVED_TIME", now);
  deal_plans_[id] = {key, calendar_.AddWorkingTime(entered, move->delay * options_.think_scale),
                     *move, user, pipeline->StageId(move->to)};
}

Result<bool> Day::Perform(long id, bool lead, const Pending& pending, double now) {
  json fields = json::object();
  std::string ready_date;
  if (lead) {
    fields["STATUS_ID"] = pending.move.to;
    if (pending.move.kind == MoveKind::kReadyNow || pending.move.kind == MoveKind::kReadyLater) {
      // The hunter notes what the client expects to spend: 50,000 to 240,000 roubles.
      fields["OPPORTUNITY"] = 50000 + (id * 7919 % 20) * 10000;
      fields["CURRENCY_ID"] = "RUB";
    }
    if (pending.move.kind == MoveKind::kReadyLater) {
      double day = now;
      for (int i = 0; i < pending.move.ready_in_days; ++i) {
        day = calendar_.NextWorkingDayAt(day, 12, 0);
      }
      ready_date = calendar_.Date(day);
      fields[kReadyDateField] = ready_date;
    }
    if (!pending.move.reason.empty()) fields["STATUS_DESCRIPTION"] = pending.move.reason;
  } else {
    fields["STAGE_ID"] = pending.stage_id;
    if (!pending.move.reason.empty()) fields["COMMENTS"] = pending.move.reason;
  }
  auto answer = portal_.Act(pending.user, lead ? "crm.lead.update" : "crm.deal.update",
                            {{"id", id}, {"fields", fields}});
  (lead ? lead_done_ : deal_done_)[id] = pending.key;
  if (!answer) {
    if (answer.error().unreachable) return tl::unexpected(answer.error());
    if (++refused_ <= kNotesShown) {
      progress_.Note("b24-day: " + std::string(MoveName(pending.move.kind)) + " on " +
                     (lead ? "lead #" : "deal #") + std::to_string(id) +
                     " refused: " + answer.error().message);
    }
    return true;
  }
  ++acts_;
  const json time = answer->value("time", json::object());
  const double at = NumberOf(time, "start", now);
  tally_.Moved(pending.move.kind, id, at, ready_date);
  if (!lead) {
    ++visits_[id];
    if (pending.move.kind == MoveKind::kReschedule) rescheduled_.insert(id);
  }
  return true;
}

Result<bool> Day::Step(double now) {
  if (auto created = CreateLeads(now); !created) return created;
  // What changed since the last look (a second's overlap: its clock reading is not the
  // portal's moment of answering), merged into the rows seen so far.
  const double since = looked_at_ < 0 ? -1 : looked_at_ - 1;
  looked_at_ = now;
  for (const auto& [name, seen] :
       {std::pair<const char*, std::map<long, json>*>{"leads", &leads_},
        std::pair<const char*, std::map<long, json>*>{"deals", &deals_}}) {
    auto changed = portal_.Section(name, since);
    if (!changed) return tl::unexpected(changed.error());
    for (auto& row : *changed) {
      const long id = row.value("ID", 0L);
      (*seen)[id] = std::move(row);
    }
  }
  json leads = json::array(), deals = json::array();
  for (const auto& [id, row] : leads_) leads.push_back(row);
  for (const auto& [id, row] : deals_) deals.push_back(row);
  if (!pipelines_.Found()) {
    // The app provisions its pipelines when installed, which may happen during the day.
    auto categories = portal_.Section("categories");
    if (!categories) return tl::unexpected(categories.error());
    auto statuses = portal_.Section("statuses");
    if (!statuses) return tl::unexpected(statuses.error());
    pipelines_ = FindPipelines(*categories, *statuses);
  }
  tally_.Observe(leads, deals, pipelines_);
  for (const auto& row : leads) PlanLead(row, now);
  for (const auto& row : deals) PlanDeal(row, now);
  // Judged before anybody acts: a move made now shows on the portal only at the next look.
  quiet_ = next_lead_ == plan_.size() && lead_plans_.empty() && deal_plans_.empty() &&
           tally_.Waiting() == 0;

  // What is due, in the order it fell due.
  std::vector<std::pair<double, std::pair<long, bool>>> due;
  for (const auto& [id, plan] : lead_plans_) {
    if (plan.due <= now) due.push_back({plan.due, {id, true}});
  }
  for (const auto& [id, plan] : deal_plans_) {
    if (plan.due <= now) due.push_back({plan.due, {id, false}});
  }
  std::sort(due.begin(), due.end());
  for (const auto& [when, item] : due) {
    auto& plans = item.second ? lead_plans_ : deal_plans_;
    const Pending pending = plans.at(item.first);
    plans.erase(item.first);
    if (auto done = Perform(item.first, item.second, pending, now); !done) return done;
  }
  return true;
}

void Day::Draw(double now) {
  if (rate_) {
    progress_.Update(
        plan_.empty() ? 1 : static_cast<double>(next_lead_) / static_cast<double>(plan_.size()),
        calendar_.HourMinute(now),
        "leads " + std::to_string(tally_.created()) + "/" + std::to_string(plan_.size()) +
            " handed over " + std::to_string(tally_.handed_over()) + " waiting " +
            std::to_string(tally_.Waiting()));
    return;
  }
  const double total = (first_end_ - run_start_) + (second_end_ - second_start_);
  const double done =
      now <= first_end_ ? now - run_start_ : (first_end_ - run_start_) + (now - second_start_);
  progress_.Update(total > 0 ? done / total : 1, calendar_.HourMinute(now),
                   "leads " + std::to_string(tally_.created()) + "/" +
                       std::to_string(plan_.size()) + " handed over " +
                       std::to_string(tally_.handed_over()) + " production " +
                       std::to_string(tally_.production_deals()));
}

// The steady window's counts at its start and end, and the app's inbox depth within it.
Result<bool> Day::WatchSteady(double now) {
  if (options_.steady_after_minutes <= 0 || plan_.empty() || steady_.to > 0) return true;
  const double from = plan_.front().at + options_.steady_after_minutes * 60;
  if (now < from) return true;
  long depth = -1;
  if (!options_.conveyor_url.empty()) {
    std::string error;
    const std::string page = FetchMetrics(options_.conveyor_url, error);
    if (!page.empty()) depth = ParseCounter(page, "conveyor_inbox_depth");
  }
  auto requests = AppRequests(portal_);
  if (!requests) return tl::unexpected(requests.error());
  if (steady_.from == 0) {
    steady_.from = now;
    steady_.leads = -tally_.created();
    steady_.requests = -requests->total;
    steady_.depth_from = depth;
  }
  steady_.depth_max = std::max(steady_.depth_max, depth);
  if (next_lead_ == plan_.size()) {  // the last lead has arrived
    steady_.to = now;
    steady_.leads += tally_.created();
    steady_.requests += requests->total;
    steady_.depth_to = depth;
  }
  return true;
}

Result<bool> Day::Phase(double until) {
  for (;;) {
    auto now = Now();
    if (!now) return tl::unexpected(now.error());
    if (auto stepped = Step(*now); !stepped) return stepped;
    if (rate_) {
      if (auto watched = WatchSteady(*now); !watched) return watched;
    }
    stopped_at_ = std::min(*now, until);
    Draw(stopped_at_);
    if (*now >= until) return true;
    if (rate_) {
      auto settled = Settled();
      if (!settled) return settled;
      if (*settled) return true;
    }
    if (auto paused = Pause(); !paused) return paused;
  }
}

// Leads are created at their moment rather than at the next look, so that a rate run's arrivals
// come evenly instead of in bursts of a poll interval's worth.
Result<bool> Day::Pause() {
  using Steady = std::chrono::steady_clock;
  const auto after = [](double seconds) {
    return Steady::now() +
           std::chrono::duration_cast<Steady::duration>(std::chrono::duration<double>(seconds));
  };
  const auto wake = after(options_.poll_seconds);
  while (next_lead_ < plan_.size()) {
    auto now = Now();
    if (!now) return tl::unexpected(now.error());
    const auto due = after(std::max(0.0, (plan_[next_lead_].at - *now) / options_.speed));
    if (due >= wake) break;
    std::this_thread::sleep_until(due);
    auto then = Now();
    if (!then) return tl::unexpected(then.error());
    if (auto created = CreateLeads(*then); !created) return created;
  }
  std::this_thread::sleep_until(wake);
  return true;
}

// A rate run has settled when every lead has arrived, nothing waits for the conveyor (see
// Tally::Waiting), nobody has a move still to make and the app has sent no request for
// kQuietPolls looks in a row: then its requests cover every lead's whole way — but for
// ready-later leads, whose day is not in the run.
Result<bool> Day::Settled() {
  if (!quiet_) {
    quiet_polls_ = 0;
    quiet_requests_ = -1;
    return false;
  }
  auto requests = AppRequests(portal_);
  if (!requests) return tl::unexpected(requests.error());
  quiet_polls_ = requests->total == quiet_requests_ ? quiet_polls_ + 1 : 0;
  quiet_requests_ = requests->total;
  return quiet_polls_ >= kQuietPolls;
}

Result<Summary> Day::Run() {
  const auto real_start = std::chrono::steady_clock::now();
  auto baseline = AppRequests(portal_);
  if (!baseline) return tl::unexpected(baseline.error());
  std::string metrics_error;
  const std::string metrics_before =
      options_.conveyor_url.empty() ? "" : FetchMetrics(options_.conveyor_url, metrics_error);
  const long commands_before =
      metrics_before.empty() ? -1 : ParseCounter(metrics_before, "conveyor_rest_commands_total");

  // A rate run starts at the day's first working moment: its first lead arrives at once.
  auto monday = JumpTo(&Calendar::NextMondayAt, rate_ ? 9 : 8, rate_ ? 0 : 50);
  if (!monday) return tl::unexpected(monday.error());
  run_start_ = *monday;
  const double day_start = calendar_.At(run_start_, 9, 0);
  first_end_ = calendar_.At(run_start_, 18, 0);
  second_start_ = calendar_.NextWorkingDayAt(run_start_, 8, 55);
  second_end_ = calendar_.At(second_start_, 12, 0);
  // The same enquiries as the day of this seed, re-timed for a rate run.
  plan_ = PlanLeads(options_.leads, options_.seed, day_start, calendar_.At(run_start_, 13, 0),
                    first_end_);
  if (rate_) SpreadEvenly(plan_, day_start, options_.arrivals_per_minute);
  if (auto opened = Presence(true); !opened) return tl::unexpected(opened.error());
  if (auto running = Resume(); !running) return tl::unexpected(running.error());
  if (rate_) {
    const double last = plan_.empty() ? day_start : plan_.back().at;
    if (auto ran = Phase(last + kRateTail); !ran) return tl::unexpected(ran.error());
  } else {
    if (auto first = Phase(first_end_); !first) return tl::unexpected(first.error());
    // Everybody goes home; the next morning comes at once.
    if (auto closed = Presence(false); !closed) return tl::unexpected(closed.error());
    auto tuesday = JumpTo(&Calendar::NextWorkingDayAt, 8, 55);
    if (!tuesday) return tl::unexpected(tuesday.error());
    second_start_ = *tuesday;
    second_end_ = calendar_.At(second_start_, 12, 0);
    if (auto opened = Presence(true); !opened) return tl::unexpected(opened.error());
    if (auto running = Resume(); !running) return tl::unexpected(running.error());
    if (auto second = Phase(second_end_); !second) return tl::unexpected(second.error());
  }
  progress_.Finish();

  Summary summary;
  auto normal = portal_.SetClock({{"speed", 1}});  // the portal's clock runs as usual again
  if (!normal) return tl::unexpected(normal.error());
  auto requests = AppRequests(portal_);
  if (!requests) return tl::unexpected(requests.error());
  summary.portal = portal_.member_id();
  summary.tz_minutes = calendar_.tz_minutes;
  summary.first_day_start = day_start;
  summary.end = rate_ ? stopped_at_ : second_end_;
  summary.seed = options_.seed;
  summary.speed = options_.speed;
  summary.arrivals_per_minute = options_.arrivals_per_minute;
  summary.think_scale = options_.think_scale;
  summary.real_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  summary.leads_planned = static_cast<int>(plan_.size());
  tally_.Fill(summary);
  if (steady_.to > 0) summary.steady = steady_;
  summary.app_requests = requests->total - baseline->total;
  summary.app_failed = requests->failed - baseline->failed;
  summary.app_limited = requests->limited - baseline->limited;
  summary.acts = acts_;
  summary.acts_refused = refused_;
  if (!options_.conveyor_url.empty()) {
    summary.metrics_asked = true;
    const std::string page = FetchMetrics(options_.conveyor_url, summary.metrics_error);
    summary.decisions = ParseLabelled(page, "conveyor_decisions_total");
    summary.requests_by_method =
        GrowthByLabel(metrics_before, page, "conveyor_rest_calls_by_outcome_total", "method");
    summary.requests_by_kind =
        GrowthByLabel(metrics_before, page, "conveyor_rest_requests_by_kind_total", "kind");
    summary.commands_by_method =
        GrowthByLabel(metrics_before, page, "conveyor_rest_commands_by_method_total", "method");
    const long commands_after = ParseCounter(page, "conveyor_rest_commands_total");
    if (commands_before >= 0 && commands_after >= 0) {
      summary.app_commands = commands_after - commands_before;
    }
  }
  return summary;
}

}  // namespace

Result<Summary> RunDay(PortalClient& portal, const RunOptions& options, Progress& progress) {
  auto state = portal.Get("state");
  if (!state) return tl::unexpected(state.error());
  const std::string member_id = portal.member_id().empty()
                                    ? state->value("default_portal", std::string())
                                    : portal.member_id();
  bool known = false;
  for (const auto& p : state->value("portals", json::array())) {
    known = known || p.value("member_id", std::string()) == member_id;
  }
  if (!known) return tl::unexpected(Failure{false, "the emulator has no portal " + member_id});
  PortalClient client(portal.base_url(), member_id);
  auto company = FindCompany(client);
  if (!company) return tl::unexpected(company.error());
  auto profile = client.Act(kFormUser, "profile", json::object());
  if (!profile) return tl::unexpected(profile.error());
  Day day(client, options, progress, *company, ZoneOf(*profile, 180));
  return day.Run();
}

}  // namespace day
