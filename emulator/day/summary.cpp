#include "emulator/day/summary.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "emulator/day/calendar.h"

namespace day {
namespace {

using json = nlohmann::ordered_json;

std::string People(const std::vector<PersonCount>& counts, const Fairness& fairness) {
  if (counts.empty()) return "nobody";
  std::string out;
  for (const auto& c : counts) {
    if (!out.empty()) out += ", ";
    out += c.name + " " + std::to_string(c.count) + (c.at_work ? "" : " (absent)");
  }
  if (fairness.day.empty()) return out;
  return out + "; spread " + std::to_string(fairness.spread) + " (worst day " + fairness.day + ")";
}

json FairnessJson(const Fairness& fairness) {
  return {{"spread", fairness.spread},
          {"worst_day", fairness.day.empty() ? json(nullptr) : json(fairness.day)}};
}

json PeopleJson(const std::vector<PersonCount>& counts) {
  json out = json::array();
  for (const auto& c : counts) {
    out.push_back({{"id", c.id}, {"name", c.name}, {"count", c.count}, {"at_work", c.at_work}});
  }
  return out;
}

void Row(std::ostream& out, const std::string& label, const std::string& text) {
  // Labels are ASCII, so their width in bytes is their width on screen.
  out << "  " << std::left << std::setw(24) << label << text << "\n";
}

}  // namespace

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  const double rank = std::ceil(p / 100.0 * static_cast<double>(values.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return values[std::min(index, values.size() - 1)];
}

std::string Seconds(double seconds) {
  if (seconds < 0) return "-";
  // Hand-overs of a conveyor that keeps up take about a second: tenths tell them apart.
  std::ostringstream out;
  const bool tenths = std::round(seconds * 10) < 100;  // 9.96 shows as "10 s", not "10.0 s"
  out << std::fixed << std::setprecision(tenths ? 1 : 0) << seconds << " s";
  return out.str();
}

void PrintSummary(std::ostream& out, const Summary& s) {
  const Calendar calendar{s.tz_minutes};
  std::ostringstream head;
  head << "Conveyor day on portal " << s.portal << ": " << calendar.Date(s.first_day_start) << " "
       << calendar.DayTime(s.first_day_start) << " to " << calendar.DayTime(s.end) << " "
       << calendar.Iso(s.end).substr(19) << ", seed " << s.seed << ", speed " << s.speed << "x, ";
  if (s.arrivals_per_minute > 0) head << s.arrivals_per_minute << " leads per minute, ";
  if (s.think_scale != 1) head << "think time x" << s.think_scale << ", ";
  head << std::fixed << std::setprecision(0) << s.real_seconds << " s real";
  out << head.str() << "\n\n";

  std::string sources;
  for (const auto& [id, count] : s.sources) {
    sources += (sources.empty() ? "" : ", ") + id + " " + std::to_string(count);
  }
  Row(out, "leads created",
      std::to_string(s.leads_created) + " of " + std::to_string(s.leads_planned) +
          " (repeat enquiries " + std::to_string(s.repeat_enquiries) + ", recognised by the app " +
          std::to_string(s.repeats_recognised) + ")");
  Row(out, "  by source", sources.empty() ? "-" : sources);
  Row(out, "leads per hunter", People(s.leads_per_hunter, s.hunters_fairness));
  Row(out, "hunters' outcomes",
      "ready now " + std::to_string(s.ready_now) + ", ready later " +
          std::to_string(s.ready_later) + ", junk " + std::to_string(s.junk) + ", left " +
          std::to_string(s.left_alone));
  Row(out, "hand-over to a closer",
      std::to_string(s.handed_over) + " of " + std::to_string(s.ready_now) +
          " ready-now leads; median " + Seconds(s.handover_median) + ", p95 " +
          Seconds(s.handover_p95) + " (virtual)");
  if (s.leads_created > 0) {
    const std::string last = "the last lead arrived " + calendar.DayTime(s.last_arrival);
    Row(out, "backlog",
        s.caught_up_after >= 0
            ? "caught up " + Seconds(s.caught_up_after) + " after " + last + " (virtual)"
            : std::to_string(s.leads_waiting) +
                  " leads still waiting for the conveyor at the end; " + last);
  }
  if (s.steady.to > 0) {
    const auto& w = s.steady;
    std::ostringstream per_lead;
    per_lead << std::fixed << std::setprecision(2)
             << (w.leads > 0 ? static_cast<double>(w.requests) / w.leads : 0.0);
    const auto depth = [](long d) { return d < 0 ? std::string("?") : std::to_string(d); };
    Row(out, "steady window",
        calendar.HourMinute(w.from) + "-" + calendar.HourMinute(w.to) + ": " +
            std::to_string(w.leads) + " leads arrived, " + std::to_string(w.requests) +
            " app requests (" + per_lead.str() + " per lead); app inbox " + depth(w.depth_from) +
            " events at the start, " + depth(w.depth_to) + " at the end, at most " +
            depth(w.depth_max));
  }
  Row(out, "sales deals",
      std::to_string(s.sales_deals) +
          "; per closer: " + People(s.deals_per_closer, s.closers_fairness));
  Row(out, "ready later", std::to_string(s.ready_later_leads.size()) + " leads");
  for (const auto& r : s.ready_later_leads) {
    std::string line = "lead #" + std::to_string(r.lead_id) + " for " + r.ready_date + ": ";
    if (r.deal_id == 0) {
      line += "no deal yet";
    } else if (r.assigned_at <= 0) {
      line += "deal #" + std::to_string(r.deal_id) + " not with a closer yet";
    } else {
      line += "deal #" + std::to_string(r.deal_id) + " assigned " +
              calendar.DayTime(r.assigned_at) + " to " + r.closer;
    }
    Row(out, "", line);
  }
  Row(out, "sales moves",
      "meetings " + std::to_string(s.meetings) + ", rescheduled meetings " +
          std::to_string(s.rescheduled_meetings) + ", offers " + std::to_string(s.offers) +
          ", contracts " + std::to_string(s.contracts) + ", lost " + std::to_string(s.lost));
  Row(out, "production deals",
      std::to_string(s.production_deals) +
          "; per master: " + People(s.production_per_master, s.masters_fairness) + "; shipped " +
          std::to_string(s.shipped));
  Row(out, "reassigned (SLA)",
      std::to_string(s.reassigned) + " leads and deals, not counted in the spreads above");
  const auto per_lead = [&s](long count) {
    std::ostringstream text;
    text << std::fixed << std::setprecision(1)
         << (s.leads_created > 0 ? static_cast<double>(count) / s.leads_created : 0.0);
    return text.str();
  };
  Row(out, "app REST requests",
      std::to_string(s.app_requests) + " (" + per_lead(s.app_requests) + " per lead, " +
          std::to_string(s.app_failed) + " failed, " + std::to_string(s.app_limited) +
          " QUERY_LIMIT_EXCEEDED)");
  if (s.app_commands >= 0) {
    Row(out, "  one call per command",
        std::to_string(s.app_commands) + " (" + per_lead(s.app_commands) + " per lead)");
  }
  // Where they went: the ten largest methods, per lead.
  const auto largest = [&per_lead](const std::vector<std::pair<std::string, long>>& counts) {
    std::string text;
    for (size_t i = 0; i < counts.size() && i < 10 && counts[i].second > 0; ++i)
      text += (i > 0 ? ", " : "") + counts[i].first + " " + per_lead(counts[i].second);
    return text;
  };
  if (!s.requests_by_method.empty()) Row(out, "  requests per lead", largest(s.requests_by_method));
  if (!s.requests_by_kind.empty()) Row(out, "  reads and writes", largest(s.requests_by_kind));
  if (!s.commands_by_method.empty()) Row(out, "  commands per lead", largest(s.commands_by_method));
  Row(out, "people's acts",
      std::to_string(s.acts) + " (" + std::to_string(s.acts_refused) + " refused by the portal)");
  if (s.metrics_asked) {
    if (s.decisions.empty()) {
      Row(out, "conveyor decisions",
          "(none)" + (s.metrics_error.empty() ? "" : " - " + s.metrics_error));
    }
    for (size_t i = 0; i < s.decisions.size(); ++i) {
      Row(out, i == 0 ? "conveyor decisions" : "",
          "{" + s.decisions[i].labels + "} " + s.decisions[i].value);
    }
  }
}

json SummaryJson(const Summary& s) {
  const Calendar calendar{s.tz_minutes};
  json sources = json::object();
  for (const auto& [id, count] : s.sources) sources[id] = count;
  json ready_later = json::array();
  for (const auto& r : s.ready_later_leads) {
    ready_later.push_back(
        {{"lead_id", r.lead_id},
         {"ready_date", r.ready_date},
         {"deal_id", r.deal_id},
         {"assigned_at", r.assigned_at > 0 ? json(calendar.Iso(r.assigned_at)) : json(nullptr)},
         {"closer", r.closer}});
  }
  json decisions = json::object();
  for (const auto& d : s.decisions) decisions[d.labels] = d.value;
  json requests_by_method = json::object();
  for (const auto& [method, count] : s.requests_by_method) requests_by_method[method] = count;
  json requests_by_kind = json::object();
  for (const auto& [kind, count] : s.requests_by_kind) requests_by_kind[kind] = count;
  json commands_by_method = json::object();
  for (const auto& [method, count] : s.commands_by_method) commands_by_method[method] = count;
  const auto per_lead = [&s](long count) {
    return s.leads_created > 0 ? static_cast<double>(count) / s.leads_created : 0.0;
  };
  const auto absent_if_negative = [](double value) {
    return value < 0 ? json(nullptr) : json(value);
  };
  return {
      {"portal", s.portal},
      {"start", calendar.Iso(s.first_day_start)},
      {"end", calendar.Iso(s.end)},
      {"seed", s.seed},
      {"speed", s.speed},
      {"real_seconds", s.real_seconds},
      {"arrivals_per_minute",
       s.arrivals_per_minute > 0 ? json(s.arrivals_per_minute) : json(nullptr)},
      {"think_scale", s.think_scale},
      {"leads",
       {{"planned", s.leads_planned},
        {"created", s.leads_created},
        {"repeat_enquiries", s.repeat_enquiries},
        {"repeats_recognised", s.repeats_recognised},
        {"by_source", sources},
        {"per_hunter", PeopleJson(s.leads_per_hunter)},
        {"hunters_fairness", FairnessJson(s.hunters_fairness)},
        {"ready_now", s.ready_now},
        {"ready_later", s.ready_later},
        {"junk", s.junk},
        {"left", s.left_alone}}},
      {"handover",
       {{"handed_over", s.handed_over},
        {"median_seconds", s.handover_median},
        {"p95_seconds", s.handover_p95}}},
      {"backlog",
       {{"last_arrival", s.leads_created > 0 ? json(calendar.Iso(s.last_arrival)) : json(nullptr)},
        {"caught_up_seconds", absent_if_negative(s.caught_up_after)},
        {"steady", s.steady.to > 0 ? json{{"from", calendar.Iso(s.steady.from)},
                                          {"to", calendar.Iso(s.steady.to)},
                                          {"leads", s.steady.leads},
                                          {"requests", s.steady.requests},
                                          {"inbox_depth_from", s.steady.depth_from},
                                          {"inbox_depth_to", s.steady.depth_to},
                                          {"inbox_depth_max", s.steady.depth_max}}
                                   : json(nullptr)},
        {"leads_waiting", s.leads_waiting}}},
      {"ready_later", ready_later},
      {"sales",
       {{"deals", s.sales_deals},
        {"per_closer", PeopleJson(s.deals_per_closer)},
        {"closers_fairness", FairnessJson(s.closers_fairness)},
        {"meetings", s.meetings},
        {"rescheduled_meetings", s.rescheduled_meetings},
        {"offers", s.offers},
        {"contracts", s.contracts},
        {"lost", s.lost}}},
      {"production",
       {{"deals", s.production_deals},
        {"per_master", PeopleJson(s.production_per_master)},
        {"masters_fairness", FairnessJson(s.masters_fairness)},
        {"moves", s.production_moves},
        {"shipped", s.shipped}}},
      {"app_requests",
       {{"total", s.app_requests},
        {"failed", s.app_failed},
        {"query_limit_exceeded", s.app_limited},
        {"per_lead", per_lead(s.app_requests)},
        {"commands", s.app_commands >= 0 ? json(s.app_commands) : json(nullptr)},
        {"commands_per_lead", s.app_commands >= 0 ? json(per_lead(s.app_commands)) : json(nullptr)},
        {"requests_by_method", requests_by_method},
        {"requests_by_kind", requests_by_kind},
        {"commands_by_method", commands_by_method}}},
      {"reassigned", s.reassigned},
      {"acts", {{"done", s.acts}, {"refused", s.acts_refused}}},
      {"decisions", s.metrics_asked ? decisions : json(nullptr)},
  };
}

}  // namespace day
