#include "emulator/day/tally.h"

#include <algorithm>
#include <climits>
#include <vector>

#include "emulator/day/calendar.h"
#include "emulator/day/rows.h"

namespace day {
namespace {

std::vector<PersonCount> CountPeople(const std::vector<Person>& people,
                                     const std::map<long, long>& owner_of,
                                     const std::set<long>& absent) {
  std::vector<PersonCount> out;
  for (const auto& person : people) {
    int count = 0;
    for (const auto& [item, owner] : owner_of) count += owner == person.id ? 1 : 0;
    out.push_back({person.id, person.name, count, absent.count(person.id) == 0});
  }
  return out;
}

// An item handed to `owner` at `at` (virtual seconds).
struct HandOut {
  long owner = 0;
  double at = 0;
};

// The worst local day's most minus fewest hand-outs among the people at work.
Fairness FairnessOf(const std::vector<Person>& people, const std::set<long>& absent,
                    const std::vector<HandOut>& hand_outs, const Calendar& calendar) {
  std::map<std::string, std::map<long, int>> by_day;  // day -> person -> items
  for (const auto& h : hand_outs) ++by_day[calendar.Date(h.at)][h.owner];
  Fairness worst;
  for (const auto& [day, counts] : by_day) {
    int low = INT_MAX, high = 0;
    for (const auto& person : people) {
      if (absent.count(person.id) != 0) continue;
      const auto found = counts.find(person.id);
      const int n = found == counts.end() ? 0 : found->second;
      low = std::min(low, n);
      high = std::max(high, n);
    }
    if (low == INT_MAX) continue;
    if (worst.day.empty() || high - low > worst.spread) worst = {high - low, day};
  }
  return worst;
}

bool Among(const std::vector<Person>& people, long id) {
  return std::any_of(people.begin(), people.end(), [id](const Person& p) { return p.id == id; });
}

}  // namespace

void Tally::LeadCreated(long lead_id, bool repeat, const std::string& source, double at) {
  created_[lead_id] = {repeat, at, -1};
  ++sources_[source];
}

void Tally::Observe(const json& leads, const json& deals, const Pipelines& pipelines) {
  for (const auto& row : leads) {
    const long id = IdOf(row.value("ID", json()));
    const auto created = created_.find(id);
    if (created == created_.end()) continue;  // not a lead of this day
    LeadSeen& lead = created->second;
    const std::string status = row.value("STATUS_ID", std::string());
    const long assignee = IdOf(row.value("ASSIGNED_BY_ID", json()));
    if (lead.handed_out_at < 0 && status != kLeadNew && status != kLeadFree) {
      // MOVED_TIME is when the lead entered the status it has now, on the portal's clock, so
      // the time does not depend on how often the portal is looked at.
      lead.handed_out_at = NumberOf(row, "MOVED_TIME", NumberOf(row, "DATE_MODIFY", 0));
    }
    if (status == kLeadAssigned && Among(company_.hunters, assignee)) {
      const auto first = lead_hunter_.emplace(id, assignee).first;
      if (first->second != assignee) reassigned_.insert({'l', id});
    }
    if (lead.repeat &&
        (status == kLeadDuplicate || IdOf(row.value("UF_CRM_CONVEYOR_DUPLICATE_OF", json())) > 0)) {
      recognised_.insert(id);
    }
  }
  for (const auto& row : deals) {
    const long id = IdOf(row.value("ID", json()));
    const long category = row.contains("CATEGORY_ID") ? IdOf(row["CATEGORY_ID"]) : 0;
    const long assignee = IdOf(row.value("ASSIGNED_BY_ID", json()));
    const std::string stage_id = row.value("STAGE_ID", std::string());
    if (category == pipelines.sales.id) {
      DealSeen& seen = sales_deals_[id];
      seen.lead_id = IdOf(row.value("LEAD_ID", json()));
      seen.role = pipelines.sales.Role(stage_id);
      if (seen.lead_id > 0 && !deal_of_lead_.count(seen.lead_id)) deal_of_lead_[seen.lead_id] = id;
      if (seen.closer == 0 && seen.role != "FREE" && Among(company_.closers, assignee)) {
        // The deal entered its stage with the closer: a hand-over moves it out of FREE or
        // creates it at ASSIGNED; either way MOVED_TIME says when, on the portal's clock to a
        // fraction of a second, however long after it this poll came.
        seen.closer = assignee;
        seen.assigned_at = NumberOf(row, "MOVED_TIME", NumberOf(row, "DATE_MODIFY", 0));
      } else if (seen.closer != 0 && assignee != seen.closer && Among(company_.closers, assignee)) {
        reassigned_.insert({'d', id});
      }
    } else if (category == pipelines.production.id) {
      long& master = production_master_[id];
      if (master == 0 && Among(company_.production, assignee)) {
        master = assignee;
        production_assigned_at_[id] = NumberOf(row, "MOVED_TIME", NumberOf(row, "DATE_MODIFY", 0));
      }
      if (master != 0 && assignee != master && Among(company_.production, assignee))
        reassigned_.insert({'d', id});
      const long sales_deal = IdOf(row.value("UF_CRM_CONVEYOR_SALES_DEAL", json()));
      if (sales_deal > 0) carried_.insert(sales_deal);
    }
  }
}

void Tally::Moved(MoveKind kind, long item_id, double at, const std::string& ready_date) {
  ++moves_[kind];
  switch (kind) {
    case MoveKind::kReadyNow:
      ready_now_at_.emplace(item_id, at);
      break;
    case MoveKind::kReadyLater:
      ready_later_date_.emplace(item_id, ready_date);
      break;
    case MoveKind::kJunk:
      junk_.insert(item_id);
      break;
    case MoveKind::kMeeting:
    case MoveKind::kReschedule:
    case MoveKind::kOffer:
    case MoveKind::kAgreed:
    case MoveKind::kContract:
    case MoveKind::kLost:
    case MoveKind::kProduction:
    case MoveKind::kShipped:
      break;
  }
}

int Tally::handed_over() const {
  int count = 0;
  for (const auto& [lead, at] : ready_now_at_) {
    const auto deal = deal_of_lead_.find(lead);
    count += deal != deal_of_lead_.end() && sales_deals_.at(deal->second).closer != 0 ? 1 : 0;
  }
  return count;
}

std::vector<Wait> Tally::LeadWaits() const {
  std::vector<Wait> waits;
  for (const auto& [id, lead] : created_) waits.push_back({lead.created_at, lead.handed_out_at});
  for (const auto& [lead, at] : ready_now_at_) {
    const auto deal = deal_of_lead_.find(lead);
    const DealSeen* seen = deal != deal_of_lead_.end() ? &sales_deals_.at(deal->second) : nullptr;
    waits.push_back({at, seen != nullptr && seen->closer != 0 ? seen->assigned_at : -1});
  }
  return waits;
}

int Tally::Waiting() const {
  int count = 0;
  for (const auto& wait : LeadWaits()) count += wait.until < 0 ? 1 : 0;
  for (const auto& [id, seen] : sales_deals_) {
    count += seen.role == "CONTRACT" && carried_.count(id) == 0 ? 1 : 0;
  }
  for (const auto& [id, master] : production_master_) count += master == 0 ? 1 : 0;
  return count;
}

void Tally::Fill(Summary& s) const {
  s.leads_created = created();
  s.repeat_enquiries = 0;
  for (const auto& [id, lead] : created_) {
    s.repeat_enquiries += lead.repeat ? 1 : 0;
    s.last_arrival = std::max(s.last_arrival, lead.created_at);
  }
  const std::vector<Wait> lead_waits = LeadWaits();
  s.caught_up_after = created_.empty() ? -1 : CaughtUpAfter(lead_waits, s.last_arrival);
  s.leads_waiting = 0;  // a lead has at most one wait going on
  for (const auto& wait : lead_waits) s.leads_waiting += wait.until < 0 ? 1 : 0;
  s.repeats_recognised = static_cast<int>(recognised_.size());
  s.sources.assign(sources_.begin(), sources_.end());
  const Calendar calendar{s.tz_minutes};
  s.leads_per_hunter = CountPeople(company_.hunters, lead_hunter_, company_.absent);
  std::vector<HandOut> to_hunters;
  for (const auto& [lead, hunter] : lead_hunter_)
    to_hunters.push_back({hunter, created_.at(lead).handed_out_at});
  s.hunters_fairness = FairnessOf(company_.hunters, company_.absent, to_hunters, calendar);
  s.ready_now = static_cast<int>(ready_now_at_.size());
  s.ready_later = static_cast<int>(ready_later_date_.size());
  s.junk = static_cast<int>(junk_.size());
  s.left_alone = static_cast<int>(left_alone_.size());

  std::map<long, long> closer_of;
  for (const auto& [id, seen] : sales_deals_) {
    if (seen.closer != 0) closer_of[id] = seen.closer;
  }
  s.sales_deals = static_cast<int>(sales_deals_.size());
  s.deals_per_closer = CountPeople(company_.closers, closer_of, company_.absent);
  std::vector<HandOut> to_closers;
  for (const auto& [id, seen] : sales_deals_) {
    if (seen.closer != 0) to_closers.push_back({seen.closer, seen.assigned_at});
  }
  s.closers_fairness = FairnessOf(company_.closers, company_.absent, to_closers, calendar);
  std::vector<double> waits;
  for (const auto& [lead, at] : ready_now_at_) {
    const auto deal = deal_of_lead_.find(lead);
    if (deal == deal_of_lead_.end()) continue;
    const DealSeen& seen = sales_deals_.at(deal->second);
    if (seen.closer != 0) waits.push_back(std::max(0.0, seen.assigned_at - at));
  }
  s.handed_over = static_cast<int>(waits.size());
  s.handover_median = Percentile(waits, 50);
  s.handover_p95 = Percentile(waits, 95);
  s.ready_later_leads.clear();
  for (const auto& [lead, date] : ready_later_date_) {
    ReadyLaterLead r;
    r.lead_id = lead;
    r.ready_date = date;
    const auto deal = deal_of_lead_.find(lead);
    if (deal != deal_of_lead_.end()) {
      const DealSeen& seen = sales_deals_.at(deal->second);
      r.deal_id = deal->second;
      r.assigned_at = seen.closer != 0 ? seen.assigned_at : 0;
      const Person* closer = company_.Find(seen.closer);
      r.closer = closer != nullptr ? closer->name : "";
    }
    s.ready_later_leads.push_back(r);
  }
  auto moves = [this](MoveKind kind) {
    const auto it = moves_.find(kind);
    return it == moves_.end() ? 0 : it->second;
  };
  s.meetings = moves(MoveKind::kMeeting);
  s.rescheduled_meetings = moves(MoveKind::kReschedule);
  s.offers = moves(MoveKind::kOffer);
  s.contracts = moves(MoveKind::kContract);
  s.lost = moves(MoveKind::kLost);
  s.production_deals = production_deals();
  std::map<long, long> master_of;
  for (const auto& [id, master] : production_master_) {
    if (master != 0) master_of[id] = master;
  }
  s.production_per_master = CountPeople(company_.production, master_of, company_.absent);
  std::vector<HandOut> to_masters;
  for (const auto& [id, master] : master_of)
    to_masters.push_back({master, production_assigned_at_.at(id)});
  s.masters_fairness = FairnessOf(company_.production, company_.absent, to_masters, calendar);
  s.production_moves = moves(MoveKind::kProduction) + moves(MoveKind::kShipped);
  s.reassigned = static_cast<int>(reassigned_.size());
  s.shipped = moves(MoveKind::kShipped);
}

}  // namespace day
