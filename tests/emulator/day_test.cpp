// b24-day, the simulated call-center day: its calendar, plan and people as pure units, and the
// binary and the library against a real emulator (with a stand-in for the conveyor app).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "emulator/day/backlog.h"
#include "emulator/day/calendar.h"
#include "emulator/day/company.h"
#include "emulator/day/day_run.h"
#include "emulator/day/lead_plan.h"
#include "emulator/day/metrics.h"
#include "emulator/day/people.h"
#include "emulator/day/summary.h"
#include "tests/emulator/harness.h"

namespace day_test {

using test::json;

namespace {

constexpr double kThursdayNoon = 1796288400;  // 2026-12-03 12:00 Moscow (UTC+3)
constexpr double kMonday0850 = 1796622600;    // 2026-12-07 08:50 Moscow

// A contact as the portal compares it: phone digits with 8/no prefix read as +7; e-mail
// lower case without spaces.
std::string Normalised(const std::string& value) {
  std::string out;
  if (value.find('@') != std::string::npos) {
    for (const char c : value) {
      if (c != ' ') out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
    return out;
  }
  for (const char c : value) {
    if (std::isdigit(static_cast<unsigned char>(c))) out.push_back(c);
  }
  if (out.size() == 11 && out[0] == '8') out[0] = '7';
  if (out.size() == 10) out = "7" + out;
  return out;
}

struct Ran {
  int status = -1;
  std::string out;
};

// Runs the b24-day binary with `args`; its stdout (with `keep_errors` its stderr instead) and
// exit status.
Ran RunDayBinary(const std::string& args, bool keep_errors = false) {
  Ran ran;
  const std::string redirect = keep_errors ? " 2>&1 >/dev/null" : " 2>/dev/null";
  FILE* pipe = popen((std::string(B24_DAY_BIN) + " " + args + redirect).c_str(), "r");
  if (pipe == nullptr) return ran;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) ran.out.append(buffer, n);
  const int status = pclose(pipe);
  ran.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return ran;
}

// A crude conveyor played by a test on a portal provisioned as the app would: every new lead
// to the next hunter, every ready-now lead a deal of the next closer, every contract a
// production deal of the next production employee (linked to its sales deal as the app links
// it).
class StandInConveyor {
 public:
  explicit StandInConveyor(test::Emulator& emu) : emu_(emu) {
    for (const char* status :
         {"CONV_DUPLICATES", "CONV_FREE", "CONV_ASSIGNED", "CONV_READY_NOW", "CONV_READY_LATER"}) {
      Hook("crm.status.add",
           {{"fields",
             {{"ENTITY_ID", "STATUS"}, {"STATUS_ID", status}, {"NAME", status}, {"SORT", 11}}}});
    }
    Hook("crm.lead.userfield.add",
         {{"fields", {{"FIELD_NAME", "CONVEYOR_READY_DATE"}, {"USER_TYPE_ID", "date"}}}});
    Hook("crm.deal.userfield.add",
         {{"fields", {{"FIELD_NAME", "CONVEYOR_SALES_DEAL"}, {"USER_TYPE_ID", "integer"}}}});
    std::map<std::string, long> pipelines;
    for (const auto& [name, stages] : std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"Продажи", {"FREE", "ASSIGNED", "MEETING", "OFFER", "AGREED", "CONTRACT"}},
             {"Производство",
              {"FREE", "ASSIGNED", "PLANNED", "SHIPPED_1", "SHIPPED_2", "SHIPPED_3"}}}) {
      Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", name}}}});
      for (const auto& category : emu_.State("categories").body) {
        if (category["name"] == name) pipelines[name] = category["id"].get<long>();
      }
      int sort = 10;
      for (const auto& stage : stages) {
        Hook("crm.status.add", {{"fields",
                                 {{"ENTITY_ID", "DEAL_STAGE_" + std::to_string(pipelines[name])},
                                  {"STATUS_ID", stage},
                                  {"NAME", stage},
                                  {"SORT", sort++}}}});
      }
    }
    sales = pipelines["Продажи"];
    production = pipelines["Производство"];
  }

  // The company's people who take work (the absent closer does not).
  void Staff(const day::Company& company) {
    for (const auto& person : company.hunters) hunters_.push_back(person.id);
    for (const auto& person : company.closers) {
      if (company.absent.count(person.id) == 0) closers_.push_back(person.id);
    }
    for (const auto& person : company.production) masters_.push_back(person.id);
  }

  // Hands out what is new on the portal until `finished`.
  void Play(const std::atomic<bool>& finished) {
    const std::string s = "C" + std::to_string(sales) + ":";
    const std::string p = "C" + std::to_string(production) + ":";
    size_t lead_turn = 0, deal_turn = 0, production_turn = 0;  // round robin in each queue
    std::set<long> with_deal;
    while (!finished) {
      for (const auto& lead : emu_.State("leads").body) {
        const long id = lead["ID"].get<long>();
        if (lead["STATUS_ID"] == "NEW") {
          Act("crm.lead.update", {{"id", id},
                                  {"fields",
                                   {{"STATUS_ID", "CONV_ASSIGNED"},
                                    {"ASSIGNED_BY_ID", hunters_[lead_turn++ % hunters_.size()]}}}});
        } else if (lead["STATUS_ID"] == "CONV_READY_NOW" && with_deal.insert(id).second) {
          Act("crm.deal.add", {{"fields",
                                {{"TITLE", lead["TITLE"]},
                                 {"CATEGORY_ID", sales},
                                 {"STAGE_ID", s + "ASSIGNED"},
                                 {"LEAD_ID", id},
                                 {"ASSIGNED_BY_ID", closers_[deal_turn++ % closers_.size()]}}}});
        }
      }
      for (const auto& deal : emu_.State("deals").body) {
        const long id = deal["ID"].get<long>();
        if (deal["STAGE_ID"] == s + "CONTRACT" && with_production.insert(id).second) {
          Act("crm.deal.add",
              {{"fields",
                {{"TITLE", deal["TITLE"]},
                 {"CATEGORY_ID", production},
                 {"STAGE_ID", p + "ASSIGNED"},
                 {"UF_CRM_CONVEYOR_SALES_DEAL", id},
                 {"ASSIGNED_BY_ID", masters_[production_turn++ % masters_.size()]}}}});
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  long sales = 0, production = 0;
  std::set<long> with_production;  // sales deals carried into production

 private:
  json Hook(const std::string& method, const json& params) {
    const auto answer = emu_.Hook(method, params);
    if (answer.status != 200) throw std::runtime_error(method + ": " + answer.raw);
    return answer.body;
  }
  void Act(const std::string& method, const json& params) {
    emu_.Control("act", {{"as", "automation"}, {"method", method}, {"params", params}});
  }

  test::Emulator& emu_;
  std::vector<long> hunters_, closers_, masters_;
};

}  // namespace

TEST_CASE("the day's calendar finds Monday mornings and skips nights and weekends") {
  const day::Calendar calendar{180};
  CHECK(calendar.NextMondayAt(kThursdayNoon, 8, 50) == kMonday0850);
  CHECK(calendar.NextMondayAt(kMonday0850 - 3600, 8, 50) == kMonday0850);
  CHECK(calendar.NextMondayAt(kMonday0850, 8, 50) == kMonday0850 + 7 * 86400);
  CHECK(calendar.DayTime(kMonday0850) == "Mon 08:50:00");
  CHECK(calendar.Date(kMonday0850) == "2026-12-07");
  CHECK(calendar.Iso(kMonday0850) == "2026-12-07T08:50:00+03:00");
  const double monday_1750 = kMonday0850 + 9 * 3600;
  CHECK(calendar.AddWorkingTime(monday_1750, 20 * 60) ==
        kMonday0850 + 86400 + 20 * 60);  // Tue 09:10
  const double friday_1730 = kMonday0850 + 4 * 86400 + 8 * 3600 + 40 * 60;
  CHECK(calendar.DayTime(calendar.AddWorkingTime(friday_1730, 3600)) == "Mon 09:30:00");
  CHECK(calendar.DayTime(calendar.AddWorkingTime(kMonday0850, 60)) == "Mon 09:01:00");
  CHECK(calendar.DayTime(calendar.NextWorkingDayAt(friday_1730, 8, 55)) == "Mon 08:55:00");
  CHECK(calendar.Local(kMonday0850).weekday == 0);
  const day::Calendar utc{0};
  CHECK(utc.HourMinute(kMonday0850) == "05:50");
}

TEST_CASE("a seed plans the same day and a tenth of its enquiries repeat an earlier one") {
  const double start = kMonday0850 + 600, lunch = start + 4 * 3600, end = start + 9 * 3600;
  const auto plan = day::PlanLeads(200, 7, start, lunch, end);
  const auto again = day::PlanLeads(200, 7, start, lunch, end);
  REQUIRE(plan.size() == 200);
  int repeats = 0, morning = 0, lunchtime = 0;
  for (size_t i = 0; i < plan.size(); ++i) {
    const auto& lead = plan[i];
    CHECK(lead.at == again[i].at);
    CHECK(lead.phone == again[i].phone);
    CHECK(lead.email == again[i].email);
    CHECK(lead.at >= start);
    CHECK(lead.at < end);
    if (i > 0) CHECK(lead.at >= plan[i - 1].at);
    CHECK((!lead.phone.empty() || !lead.email.empty()));
    if (lead.at >= start + 3600 && lead.at < start + 2 * 3600) ++morning;  // 10:00-11:00
    if (lead.at >= lunch && lead.at < lunch + 3600) ++lunchtime;
    if (lead.repeat_of < 0) continue;
    ++repeats;
    REQUIRE(lead.repeat_of < static_cast<int>(i));
    const auto& first = plan[static_cast<size_t>(lead.repeat_of)];
    CHECK(first.repeat_of < 0);
    CHECK(lead.name == first.name);
    if (!lead.phone.empty()) {
      CHECK(lead.phone != first.phone);
      CHECK(Normalised(lead.phone) == Normalised(first.phone));
    } else {
      CHECK(lead.email != first.email);
      CHECK(Normalised(lead.email) == Normalised(first.email));
    }
  }
  CHECK(repeats == 20);
  CHECK(morning > lunchtime);
  CHECK(day::PlanLeads(200, 8, start, lunch, end)[0].at != plan[0].at);
  const auto fields = day::LeadFields(plan[0]);
  CHECK(fields["STATUS_ID"] == "NEW");
  CHECK(fields.contains("SOURCE_ID"));
}

TEST_CASE("a rate run has the day's enquiries arriving evenly from its start") {
  const double start = kMonday0850 + 600, lunch = start + 4 * 3600, end = start + 9 * 3600;
  const auto day = day::PlanLeads(400, 1, start, lunch, end);
  auto rate = day;
  day::SpreadEvenly(rate, start, 200);
  REQUIRE(rate.size() == 400);
  for (size_t i = 0; i < rate.size(); ++i) {
    CHECK(rate[i].at == Approx(start + 0.3 * static_cast<double>(i)));
    CHECK(rate[i].name == day[i].name);
    CHECK(rate[i].phone == day[i].phone);
    CHECK(rate[i].repeat_of == day[i].repeat_of);
  }
  CHECK(rate.back().at == Approx(start + 119.7));  // two minutes of arrivals
}

TEST_CASE("the conveyor catches up at the first moment after the last arrival with no wait") {
  struct Row {
    const char* what;
    std::vector<day::Wait> waits;
    double caught_up;
  };
  const double t = 1000;  // the last arrival
  const std::vector<Row> rows = {
      {"nothing waited", {}, 0},
      {"every wait ended before", {{900, 950}, {990, 999}}, 0},
      {"the last lead handed out", {{990, 999}, {t, t + 0.4}}, 0.4},
      {"a hand-over in flight", {{t - 5, t + 2}, {t, t + 0.5}}, 2},
      {"waits chained without a gap", {{t, t + 1}, {t + 0.5, t + 3}, {t + 2.9, t + 4}}, 4},
      {"a gap before a later wait", {{t, t + 1}, {t + 2, t + 9}}, 1},
      {"a wait still going on", {{t - 60, -1}, {t, t + 1}}, -1},
      {"a later wait still going on", {{t, t + 1}, {t + 5, -1}}, 1},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(day::CaughtUpAfter(row.waits, t) == Approx(row.caught_up));
  }
}

TEST_CASE("every phone writing of one number reads as the same number") {
  for (int style = 0; style < day::kPhoneStyles; ++style) {
    CAPTURE(style);
    CHECK(Normalised(day::WritePhone("9123456789", style)) == "79123456789");
  }
  CHECK(day::WritePhone("9123456789", 1) == "8 912 345-67-89");
  CHECK(day::WritePhone("9123456789", 3) == "+7 (912) 345 67 89");
  CHECK(day::WritePhone("9123456789", 4) == "9123456789");
}

TEST_CASE("people move items along their pipelines in order and by the seed") {
  int ready_now = 0, ready_later = 0, junk = 0, left = 0;
  for (long id = 1; id <= 2000; ++id) {
    const auto move = day::HunterMove(1, id);
    const auto same = day::HunterMove(1, id);
    REQUIRE(move.has_value() == same.has_value());
    if (!move) {
      ++left;
      continue;
    }
    CHECK(move->delay == same->delay);
    CHECK(move->delay >= 3 * 60);
    CHECK(move->delay <= 25 * 60);
    if (move->kind == day::MoveKind::kReadyNow) ++ready_now;
    if (move->kind == day::MoveKind::kReadyLater) {
      ++ready_later;
      CHECK(move->ready_in_days >= 1);
      CHECK(move->ready_in_days <= 2);
    }
    if (move->kind == day::MoveKind::kJunk) ++junk;
  }
  CHECK(ready_now == Approx(900).margin(100));
  CHECK(ready_later == Approx(300).margin(60));
  CHECK(junk == Approx(700).margin(100));
  CHECK(left == Approx(100).margin(50));

  int lost = 0, contracts = 0, rescheduled = 0;
  for (long deal = 1; deal <= 1000; ++deal) {
    std::string stage = "ASSIGNED";
    bool again = false;
    for (int visit = 0; visit < 10; ++visit) {
      const auto move = day::CloserMove(1, deal, stage, again, visit);
      if (!move) break;
      if (move->kind == day::MoveKind::kReschedule) {
        CHECK(stage == "MEETING");
        CHECK_FALSE(again);
        again = true;
        ++rescheduled;
      }
      stage = move->to;
    }
    CHECK((stage == "LOSE" || stage == "CONTRACT"));
    lost += stage == "LOSE" ? 1 : 0;
    contracts += stage == "CONTRACT" ? 1 : 0;
  }
  CHECK(lost == Approx(200).margin(50));
  CHECK(rescheduled == Approx(150).margin(50));
  CHECK(lost + contracts == 1000);

  std::string stage = "ASSIGNED";
  std::vector<std::string> path;
  while (auto move = day::MasterMove(1, 5, stage)) {
    stage = move->to;
    path.push_back(stage);
  }
  CHECK(path == std::vector<std::string>{"PLANNED", "SHIPPED_1", "SHIPPED_2", "SHIPPED_3", "WON"});
  CHECK_FALSE(day::CloserMove(1, 5, "FREE", false, 0).has_value());
}

TEST_CASE("the conveyor's decision counters are read from its metrics page") {
  const auto decisions = day::ParseLabelled(
      "# HELP conveyor_decisions_total Decisions\n"
      "# TYPE conveyor_decisions_total counter\n"
      "conveyor_decisions_total{kind=\"assigned\"} 123\n"
      "conveyor_decisions_total_other 5\n"
      "conveyor_decisions_total{kind=\"waiting\",reason=\"nobody at work\"} 4\n"
      "conveyor_events_total 99\n",
      "conveyor_decisions_total");
  REQUIRE(decisions.size() == 2);
  CHECK(decisions[0].labels == "kind=\"assigned\"");
  CHECK(decisions[0].value == "123");
  CHECK(decisions[1].value == "4");
  CHECK(day::ParseLabelled("conveyor_up 1\n", "conveyor_decisions_total").empty());
  CHECK(day::Percentile({5, 1, 3, 2, 4}, 50) == 3);
  CHECK(day::Percentile({5, 1, 3, 2, 4}, 95) == 5);
  CHECK(day::Percentile({}, 50) == -1);
  const std::string page =
      "conveyor_rest_calls_total 1673\n"
      "conveyor_rest_commands_total_other 5\n"
      "conveyor_rest_commands_total 6617\n";
  CHECK(day::ParseCounter(page, "conveyor_rest_commands_total") == 6617);
  CHECK(day::ParseCounter(page, "conveyor_rest_calls_total") == 1673);
  CHECK(day::ParseCounter(page, "conveyor_missing_total") == -1);
  // What a labelled counter grew by during the run, largest first; new labels count from 0.
  const auto growth = day::GrowthByLabel(
      "conveyor_rest_commands_by_method_total{method=\"crm.lead.get\"} 10\n"
      "conveyor_rest_commands_by_method_total{method=\"batch\"} 4\n",
      "conveyor_rest_commands_by_method_total{method=\"crm.lead.get\"} 15\n"
      "conveyor_rest_commands_by_method_total{method=\"batch\"} 4\n"
      "conveyor_rest_commands_by_method_total{method=\"crm.deal.add\"} 7\n"
      "conveyor_rest_calls_by_outcome_total{method=\"crm.lead.get\",outcome=\"ok\"} 99\n",
      "conveyor_rest_commands_by_method_total", "method");
  CHECK(growth == std::vector<std::pair<std::string, long>>{
                      {"crm.deal.add", 7}, {"crm.lead.get", 5}, {"batch", 0}});
}

TEST_CASE("hand-over times under ten seconds are shown to a tenth of a second") {
  CHECK(day::Seconds(0.84) == "0.8 s");
  CHECK(day::Seconds(2.06) == "2.1 s");
  CHECK(day::Seconds(9.94) == "9.9 s");
  CHECK(day::Seconds(9.96) == "10 s");
  CHECK(day::Seconds(57.4) == "57 s");
  CHECK(day::Seconds(-1) == "-");

  day::Summary summary;
  summary.leads_created = 400;
  summary.ready_now = 170;
  summary.handed_over = 170;
  summary.handover_median = 0.84;
  summary.handover_p95 = 2.06;
  summary.last_arrival = kMonday0850 + 600 + 119.7;
  summary.caught_up_after = 1.24;
  summary.app_requests = 240;
  summary.app_commands = 960;
  summary.arrivals_per_minute = 200;
  summary.think_scale = 0.01;
  summary.requests_by_kind = {{"read", 160}, {"write", 80}};
  std::ostringstream text;
  day::PrintSummary(text, summary);
  CAPTURE(text.str());
  CHECK(text.str().find("median 0.8 s, p95 2.1 s (virtual)") != std::string::npos);
  CHECK(text.str().find("caught up 1.2 s after the last lead arrived Mon 09:01:59") !=
        std::string::npos);
  CHECK(text.str().find("240 (0.6 per lead, 0 failed, 0 QUERY_LIMIT_EXCEEDED)") !=
        std::string::npos);
  CHECK(text.str().find("960 (2.4 per lead)") != std::string::npos);
  CHECK(text.str().find("200 leads per minute, think time x0.01") != std::string::npos);
  CHECK(text.str().find("reads and writes      read 0.4, write 0.2") != std::string::npos);
  const auto as_json = day::SummaryJson(summary);
  CHECK(as_json["arrivals_per_minute"] == 200.0);
  CHECK(as_json["think_scale"] == 0.01);
  CHECK(as_json["leads"]["created"] == 400);
  CHECK(as_json["handover"]["median_seconds"] == 0.84);
  CHECK(as_json["handover"]["p95_seconds"] == 2.06);
  CHECK(as_json["backlog"]["caught_up_seconds"] == 1.24);
  CHECK(as_json["backlog"]["leads_waiting"] == 0);
  CHECK(as_json["app_requests"]["total"] == 240);
  CHECK(as_json["app_requests"]["per_lead"] == 0.6);
  CHECK(as_json["app_requests"]["commands"] == 960);
  CHECK(as_json["app_requests"]["query_limit_exceeded"] == 0);
  CHECK(as_json["app_requests"]["requests_by_kind"] == json{{"read", 160}, {"write", 80}});

  summary.caught_up_after = -1;
  summary.leads_waiting = 7;
  summary.app_commands = -1;
  summary.arrivals_per_minute = 0;
  std::ostringstream waiting;
  day::PrintSummary(waiting, summary);
  CHECK(waiting.str().find("7 leads still waiting for the conveyor at the end") !=
        std::string::npos);
  CHECK(waiting.str().find("one call per command") == std::string::npos);
  const auto day_json = day::SummaryJson(summary);
  CHECK(day_json["arrivals_per_minute"].is_null());
  CHECK(day_json["backlog"]["caught_up_seconds"].is_null());
  CHECK(day_json["app_requests"]["commands"].is_null());
}

TEST_CASE("b24-day refuses bad flags and an unreachable emulator with status 2") {
  CHECK(RunDayBinary("").status == 2);
  CHECK(RunDayBinary("run").status == 2);
  CHECK(RunDayBinary("run --emulator localhost:8090").status == 2);
  CHECK(RunDayBinary("run --emulator http://127.0.0.1:1 --speed 0").status == 2);
  CHECK(RunDayBinary("run --emulator http://127.0.0.1:1 --leads many").status == 2);
  CHECK(RunDayBinary("run --emulator http://127.0.0.1:1 --leads 5").status == 2);
  CHECK(RunDayBinary("company --emulator http://127.0.0.1:1").status == 2);
  CHECK(RunDayBinary("--help").status == 0);
  // Checked before the emulator is asked: the complaint names the option.
  for (const char* bad :
       {"--arrivals-per-minute 0", "--arrivals-per-minute -5", "--arrivals-per-minute fast",
        "--think-scale 0", "--think-scale -1", "--leads 1000 --arrivals-per-minute 1",
        "--steady-after 0", "--steady-after 5"}) {
    CAPTURE(bad);
    const auto ran = RunDayBinary(std::string("run --emulator http://127.0.0.1:1 ") + bad, true);
    CHECK(ran.status == 2);
    const std::string option = std::string(bad).find("think") != std::string::npos ? "--think-scale"
                               : std::string(bad).find("steady") != std::string::npos
                                   ? "--steady-after"
                                   : "--arrivals-per-minute";
    CHECK(ran.out.find(option) != std::string::npos);
  }
}

TEST_CASE("b24-day company and a short run create the day's leads with repeat enquiries") {
  test::Emulator emu;
  const auto company = RunDayBinary("company --emulator " + emu.Base());
  REQUIRE(company.status == 0);
  REQUIRE(std::count(company.out.begin(), company.out.end(), '\n') == 1);
  const json ids = json::parse(company.out);
  CHECK(ids["users"]["hunters"].size() == 3);
  CHECK(ids["users"]["closers"].size() == 4);
  CHECK(ids["users"]["production"].size() == 3);
  const auto departments = emu.State("departments").body;
  std::set<std::string> names;
  for (const auto& d : departments) names.insert(d["NAME"].get<std::string>());
  CHECK(names.count("Колл-центр") == 1);
  CHECK(names.count("Отдел продаж") == 1);
  CHECK(names.count("Производство") == 1);

  const std::string summary_file = "/tmp/b24-day-test-" + std::to_string(getpid()) + ".json";
  const auto run =
      RunDayBinary("run --emulator " + emu.Base() +
                   " --leads 10 --seed 3 --speed 40000 --poll-ms 20 --json " + summary_file);
  REQUIRE(run.status == 0);
  CHECK(run.out.find("leads created") != std::string::npos);
  std::ifstream file(summary_file);
  const json summary = json::parse(file, nullptr, false);
  std::remove(summary_file.c_str());
  REQUIRE(summary.is_object());
  CHECK(summary["leads"]["created"] == 10);
  CHECK(summary["leads"]["repeat_enquiries"] == 1);
  CHECK(summary["app_requests"]["total"] == 0);  // no app: the people's own calls not counted
  CHECK(summary["start"].get<std::string>().find("T09:00:00+03:00") != std::string::npos);
  CHECK(summary["end"].get<std::string>().find("T12:00:00+03:00") != std::string::npos);

  // Ten leads on the portal, as forms make them; one person wrote twice.
  const auto leads = emu.State("leads").body;
  REQUIRE(leads.size() == 10);
  std::map<std::string, int> contacts;
  for (const auto& lead : leads) {
    CHECK(lead["STATUS_ID"] == "NEW");
    std::set<std::string> own;
    for (const char* type : {"PHONE", "EMAIL"}) {
      for (const auto& item : lead.value(type, json::array()))
        own.insert(Normalised(item["VALUE"]));
    }
    for (const auto& c : own) ++contacts[c];
  }
  int shared = 0;
  for (const auto& [contact, count] : contacts) shared += count > 1 ? 1 : 0;
  CHECK(shared == 1);
  const auto clock = emu.Get("/_emulator/clock").body;
  CHECK(clock["speed"] == 1.0);  // the portal's clock runs as usual again
}

// The people act on what is assigned to them, as themselves. The test plays a crude conveyor
// (every new lead to the next hunter, every ready-now lead a deal of the next closer, every
// contract a production deal) on a portal provisioned as the app would.
TEST_CASE("the company's people act as themselves on what a stand-in conveyor assigns") {
  test::Emulator emu;
  StandInConveyor conveyor(emu);
  const std::string s = "C" + std::to_string(conveyor.sales) + ":";
  const std::string p = "C" + std::to_string(conveyor.production) + ":";

  day::PortalClient portal(emu.Base(), "");
  const auto company = day::CreateCompany(portal);
  REQUIRE(company.has_value());
  conveyor.Staff(*company);

  day::RunOptions options;
  options.leads = 30;
  options.seed = 5;
  // Slow enough that closers reach contracts on a loaded sanitizer build (at 20,000x a CI run
  // saw none: the people's polls fell too far apart in virtual time).
  options.speed = 8000;
  options.poll_seconds = 0.02;
  std::ostringstream err;
  day::Progress progress(err, false);
  std::atomic<bool> finished{false};
  day::Result<day::Summary> result = tl::unexpected(day::Failure{false, "not run"});
  std::thread runner([&] {
    result = day::RunDay(portal, options, progress);
    finished = true;
  });
  conveyor.Play(finished);
  runner.join();
  REQUIRE(result.has_value());
  const day::Summary& summary = *result;
  CHECK(summary.leads_created == 30);
  CHECK(summary.repeat_enquiries == 3);
  int per_hunter = 0;
  for (const auto& h : summary.leads_per_hunter) {
    CHECK(h.count == 10);  // round robin
    per_hunter += h.count;
  }
  CHECK(per_hunter == 30);
  CHECK(summary.ready_now + summary.ready_later + summary.junk + summary.left_alone == 30);
  CHECK(summary.ready_now > 0);
  // The stand-in may answer the last moves after the day's last look at the portal.
  CHECK(summary.handed_over <= summary.ready_now);
  CHECK(summary.handed_over >= summary.ready_now - 2);
  CHECK(summary.handover_median >= 0);
  CHECK(summary.handover_p95 >= summary.handover_median);
  CHECK(summary.sales_deals == summary.handed_over);
  CHECK(summary.meetings >= 1);
  CHECK(summary.acts_refused == 0);
  CHECK(summary.contracts >= 1);
  CHECK(summary.production_deals >= 1);
  CHECK(summary.production_deals <= static_cast<int>(conveyor.with_production.size()));
  CHECK(err.str().find("leads") != std::string::npos);

  // Every act was made by the person responsible, as the portal's records show.
  for (const auto& lead : emu.State("leads").body) {
    const std::string status = lead["STATUS_ID"];
    if (status == "CONV_READY_NOW" || status == "CONV_READY_LATER" || status == "JUNK") {
      CHECK(lead["MODIFY_BY_ID"] == lead["ASSIGNED_BY_ID"]);
    }
    if (status == "CONV_READY_LATER")
      CHECK_FALSE(lead.value("UF_CRM_CONVEYOR_READY_DATE", json()).is_null());
  }
  for (const auto& deal : emu.State("deals").body) {
    const std::string stage = deal["STAGE_ID"];
    if (stage != s + "ASSIGNED" && stage != p + "ASSIGNED") {
      CHECK(deal["MOVED_BY_ID"] == deal["ASSIGNED_BY_ID"]);
    }
  }
}

// Without an app nothing is handed out: the leads arrive evenly, a minute apart, and the run
// gives up an hour after the last one with every lead still waiting. A look at the portal only
// every 500 virtual seconds would bunch them up if they were created at looks.
TEST_CASE("b24-day rate run creates leads evenly and reports what still waits") {
  test::Emulator emu;
  REQUIRE(RunDayBinary("company --emulator " + emu.Base()).status == 0);
  const std::string summary_file = "/tmp/b24-day-rate-test-" + std::to_string(getpid()) + ".json";
  const auto run = RunDayBinary("run --emulator " + emu.Base() +
                                " --leads 12 --arrivals-per-minute 1 --speed 1000 --poll-ms 500"
                                " --json " +
                                summary_file);
  REQUIRE(run.status == 0);
  CHECK(run.out.find("12 leads still waiting for the conveyor at the end") != std::string::npos);
  std::ifstream file(summary_file);
  const json summary = json::parse(file, nullptr, false);
  std::remove(summary_file.c_str());
  REQUIRE(summary.is_object());
  CHECK(summary["arrivals_per_minute"] == 1.0);
  CHECK(summary["leads"]["created"] == 12);
  CHECK(summary["start"].get<std::string>().find("T09:00:00+03:00") != std::string::npos);
  CHECK(summary["backlog"]["last_arrival"].get<std::string>().find("T09:11:") != std::string::npos);
  CHECK(summary["end"].get<std::string>().find("T10:11:") != std::string::npos);
  CHECK(summary["backlog"]["caught_up_seconds"].is_null());
  CHECK(summary["backlog"]["leads_waiting"] == 12);

  std::vector<double> created;
  for (const auto& lead : emu.State("leads").body) created.push_back(lead["DATE_CREATE"]);
  REQUIRE(created.size() == 12);
  std::sort(created.begin(), created.end());
  // A minute apart: at 1000x a stall of the loaded test machine moves one lead by seconds of
  // portal time, so the span and the typical gap are checked, not every gap.
  std::vector<double> gaps;
  for (size_t i = 1; i < created.size(); ++i) gaps.push_back(created[i] - created[i - 1]);
  std::sort(gaps.begin(), gaps.end());
  CHECK(created.back() - created.front() == Approx(11 * 60).margin(90));
  CHECK(gaps[gaps.size() / 2] == Approx(60).margin(20));
}

TEST_CASE("a rate run stops once the stand-in conveyor has handed every lead on") {
  test::Emulator emu;
  StandInConveyor conveyor(emu);
  day::PortalClient portal(emu.Base(), "");
  const auto company = day::CreateCompany(portal);
  REQUIRE(company.has_value());
  conveyor.Staff(*company);

  day::RunOptions options;
  options.leads = 20;
  options.seed = 2;
  options.speed = 200;
  options.poll_seconds = 0.02;
  options.arrivals_per_minute = 60;
  options.think_scale = 0.01;
  std::ostringstream err;
  day::Progress progress(err, false);
  std::atomic<bool> finished{false};
  day::Result<day::Summary> result = tl::unexpected(day::Failure{false, "not run"});
  std::thread runner([&] {
    result = day::RunDay(portal, options, progress);
    finished = true;
  });
  conveyor.Play(finished);
  runner.join();
  REQUIRE(result.has_value());
  const day::Summary& summary = *result;
  CHECK(summary.leads_created == 20);
  // 20 leads a second apart: 19 s at least, more when the loaded machine stalls the run.
  CHECK(summary.last_arrival - summary.first_day_start >= 18);
  CHECK(summary.last_arrival - summary.first_day_start < 60);
  // It stopped because everything was through, long before the hour after the last arrival.
  CHECK(summary.leads_waiting == 0);
  CHECK(summary.caught_up_after >= 0);
  CHECK(summary.end < summary.last_arrival + 1800);
  CHECK(summary.ready_now > 0);
  CHECK(summary.handed_over == summary.ready_now);
  CHECK(summary.handover_median >= 0);
  CHECK(summary.handover_p95 >= summary.handover_median);
  // Every contract went into production and every production deal was shipped.
  CHECK(summary.production_deals == summary.contracts);
  CHECK(summary.shipped == summary.production_deals);
}

}  // namespace day_test
