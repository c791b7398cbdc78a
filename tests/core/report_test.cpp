// The reports over a small portal whose every number is known: three leads, one of which goes
// all the way to shipment, one stuck with its hunter, one junk; and a deal made without a lead.
#include "lib/core/report.h"

#include <catch2/catch.hpp>

#include "lib/core/json_changes.h"
#include "lib/core/working_time.h"

namespace report_test {

using nlohmann::json;

namespace {

// Monday 2026-11-23 09:00 Moscow time.
const int64_t t0 = core::DaysFromCivil(2026, 11, 23) * 86400 + 6 * 3600;
const int64_t now = t0 + 100000;  // Tuesday afternoon

core::Catalog TestCatalog() {
  core::Catalog c;
  const auto stages = [](std::vector<std::pair<std::string, char>> rows) {
    std::vector<core::CatalogStage> out;
    for (auto& [id, semantic] : rows) out.push_back({id, "name of " + id, semantic});
    return out;
  };
  c.lead.stages = stages({{"CONV_DUPLICATES", 'P'},
                          {"CONV_FREE", 'P'},
                          {"CONV_ASSIGNED", 'P'},
                          {"CONV_READY_NOW", 'P'},
                          {"CONV_READY_LATER", 'P'},
                          {"CONVERTED", 'S'},
                          {"JUNK", 'F'}});
  c.sales.category = 3;
  c.sales.stages = stages({{"C3:NEW", 'P'},
                           {"C3:ASSIGNED", 'P'},
                           {"C3:MEETING", 'P'},
                           {"C3:CONTRACT", 'P'},
                           {"C3:WON", 'S'},
                           {"C3:LOSE", 'F'}});
  c.production.category = 5;
  c.production.stages = stages({{"C5:NEW", 'P'},
                                {"C5:ASSIGNED", 'P'},
                                {"C5:PLANNED", 'P'},
                                {"C5:WON", 'S'},
                                {"C5:LOSE", 'F'}});
  c.users = {{10, "Hunter Ten"}, {11, "Hunter Eleven"}, {20, "Closer"}};
  return c;
}

struct Portal {
  core::ReportIndex index;

  void Item(const char* type, int64_t id, int64_t journey, int64_t category, const char* stage,
            const char* semantic, int64_t responsible, double amount, const char* source,
            const char* title = "") {
    core::ItemFacts f;
    f.entity_type = type;
    f.entity_id = id;
    f.journey_id = journey;
    f.category_id = category;
    f.stage = stage;
    f.semantic = semantic;
    f.responsible = responsible;
    f.amount = amount;
    f.currency = "RUB";
    f.source = source;
    f.region = "Москва";
    f.title = title;
    f.created_at = created_.count(std::string(type) + std::to_string(id))
                       ? created_[std::string(type) + std::to_string(id)]
                       : t0;
    index.Put(f);
  }
  void Move(const char* type, int64_t id, int64_t category, const char* stage, int64_t who,
            int64_t at) {
    created_.emplace(std::string(type) + std::to_string(id), at);
    index.Add({type, id, category, stage, who, at});
  }

 private:
  std::map<std::string, int64_t> created_;
};

Portal TestPortal() {
  Portal p;
  // Journey 1: qualified, handed over, carried over, shipped.
  p.Move("lead", 1, -1, "CONV_FREE", 0, t0);
  p.Move("lead", 1, -1, "CONV_ASSIGNED", 10, t0 + 60);
  p.Move("lead", 1, -1, "CONV_READY_NOW", 10, t0 + 600);
  p.Move("lead", 1, -1, "CONVERTED", 10, t0 + 700);
  p.Item("lead", 1, 1, -1, "CONVERTED", "S", 10, 1000, "CALL");
  p.Move("deal", 100, 3, "C3:ASSIGNED", 20, t0 + 700);
  p.Move("deal", 100, 3, "C3:MEETING", 20, t0 + 3700);
  p.Move("deal", 100, 3, "C3:CONTRACT", 20, t0 + 7300);
  p.Move("deal", 100, 3, "C3:WON", 20, t0 + 8000);
  p.Item("deal", 100, 1, 3, "C3:WON", "S", 20, 1000, "CALL");
  p.Move("deal", 200, 5, "C5:NEW", 0, t0 + 7300);
  p.Move("deal", 200, 5, "C5:ASSIGNED", 30, t0 + 7400);
  p.Move("deal", 200, 5, "C5:WON", 30, t0 + 90000);
  p.Item("deal", 200, 1, 5, "C5:WON", "S", 30, 1000, "CALL");
  // Journey 2: stuck with its hunter.
  p.Move("lead", 2, -1, "CONV_FREE", 0, t0 + 100);
  p.Move("lead", 2, -1, "CONV_ASSIGNED", 11, t0 + 200);
  p.Item("lead", 2, 2, -1, "CONV_ASSIGNED", "P", 11, 0, "CALL", "=HYPERLINK(\"x\"), \"quoted\"");
  // Journey 3: junk, from the web.
  p.Move("lead", 3, -1, "CONV_FREE", 0, t0 + 300);
  p.Move("lead", 3, -1, "JUNK", 0, t0 + 350);
  p.Item("lead", 3, 3, -1, "JUNK", "F", 0, 0, "WEB");
  // Journey -300: a deal made by hand, still open.
  p.Move("deal", 300, 3, "C3:NEW", 0, t0 + 400);
  p.Item("deal", 300, -300, 3, "C3:NEW", "P", 0, 500, "CALL");
  return p;
}

core::Settings TestSettings() {
  core::Settings s;
  s.reports.stage_norm_hours = {{"lead.CONV_ASSIGNED", 1}, {"sales.NEW", 100}};
  return s;
}

json Report(const core::ReportQuery& query = {}) {
  static const Portal portal = TestPortal();
  return core::BuildReport(portal.index, TestCatalog(), TestSettings(), query,
                           {{10, {{"absent", 2}}}}, now);
}

std::map<std::string, long> Funnel(const json& report) {
  std::map<std::string, long> counts;
  for (const auto& step : report["funnel"]) counts[step["step"]] = step["count"];
  return counts;
}

}  // namespace

TEST_CASE("the funnel follows journeys across the three directions") {
  const json report = Report();
  const auto counts = Funnel(report);
  CHECK(counts.at("leads") == 3);
  CHECK(counts.at("qualified") == 1);
  CHECK(counts.at("handed_over") == 2);  // the hand-made deal enters here
  CHECK(counts.at("sales:C3:NEW") == 2);
  CHECK(counts.at("sales:C3:ASSIGNED") == 1);
  CHECK(counts.at("sales:C3:CONTRACT") == 1);
  CHECK(counts.at("carried_over") == 1);
  CHECK(counts.at("production:C5:PLANNED") == 1);  // passed on the way to shipment
  CHECK(counts.at("shipped") == 1);
  CHECK(report["funnel"][0]["conversion"] == 1.0);
  CHECK(report["funnel"][1]["conversion"].get<double>() == Approx(1.0 / 3));
  CHECK(report["funnel"].back()["of_first"].get<double>() == Approx(1.0 / 3));
  CHECK(report["funnel"][3]["label"] == "name of C3:NEW");
}

TEST_CASE("revenue counts a journey once while the pipelines count it twice") {
  const json revenue = Report()["revenue"];
  CHECK(revenue["once"]["won"] == 1000.0);
  CHECK(revenue["once"]["open"] == 500.0);
  CHECK(revenue["per_pipeline_total"]["won"] == 2000.0);
  CHECK(revenue["double_counted"]["won"] == 1000.0);
  CHECK(revenue["double_counted"]["open"] == 0.0);
  CHECK(revenue["per_pipeline"][0]["deals"] == 2);
  CHECK(revenue["currency"] == "RUB");
  CHECK(revenue["journeys"] == 4);
}

TEST_CASE("stage times take the median and the 90th percentile of completed stays") {
  const json report = Report();
  json free_row;
  for (const auto& row : report["stage_times"]) {
    if (row["stage"] == "CONV_FREE") free_row = row;
  }
  REQUIRE(free_row.is_object());
  CHECK(free_row["count"] == 3);  // 60, 100 and 50 seconds
  CHECK(free_row["median_s"] == 60);
  CHECK(free_row["p90_s"] == 100);
  CHECK(report["cycle"]["count"] == 1);
  CHECK(report["cycle"]["median_s"] == 90000);
}

TEST_CASE("an item past its stage's norm is listed as stuck and the others are not") {
  const json stuck = Report()["stuck"];
  REQUIRE(stuck.size() == 1);
  CHECK(stuck[0]["entity_id"] == 2);
  CHECK(stuck[0]["responsible_name"] == "Hunter Eleven");
  CHECK(stuck[0]["over_s"] == 100000 - 200 - 3600);
}

TEST_CASE("load counts open items and hand-outs of the day and of the week") {
  const json report = Report();
  std::map<std::pair<int64_t, std::string>, json> rows;
  for (const auto& row : report["load"]) rows[{row["user_id"], row["direction"]}] = row;
  CHECK(rows.at({11, "lead"})["open"] == 1);
  CHECK(rows.at({11, "lead"})["week"] == 1);
  CHECK(rows.at({11, "lead"})["today"] == 0);  // handed out on Monday; now is Tuesday
  CHECK(rows.at({10, "lead"})["skipped"]["absent"] == 2);
  CHECK(rows.at({20, "sales"})["week"] == 1);
  CHECK(rows.at({30, "production"})["open"] == 0);
  for (const auto& row : report["fairness"]) {
    if (row["direction"] == "lead") CHECK(row["spread"] == 0);
  }
}

TEST_CASE("filters select journeys by source and employee and pipeline and period") {
  core::ReportQuery web;
  web.source = "WEB";
  CHECK(Funnel(Report(web)).at("leads") == 1);
  CHECK(Funnel(Report(web)).at("qualified") == 0);

  core::ReportQuery closer;
  closer.employee = 20;
  CHECK(Funnel(Report(closer)).at("leads") == 1);
  CHECK(Funnel(Report(closer)).at("shipped") == 1);

  core::ReportQuery production;
  production.pipeline = "production";
  const json only = Report(production);
  CHECK(Funnel(only).at("leads") == 1);
  for (const auto& row : only["stage_times"]) CHECK(row["direction"] == "production");

  auto tuesday = core::ParseReportQuery({{"from", "2026-11-24"}}, core::WorkSchedule{});
  REQUIRE(tuesday);
  CHECK(Funnel(Report(*tuesday)).at("leads") == 0);
  auto monday =
      core::ParseReportQuery({{"from", "2026-11-23"}, {"to", "2026-11-23"}}, core::WorkSchedule{});
  REQUIRE(monday);
  CHECK(Funnel(Report(*monday)).at("leads") == 3);
}

TEST_CASE("bad report parameters are refused with the parameter named") {
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, std::string>>{{"from", "23.11.2026"},
                                                        {"to", "2026-13-01"},
                                                        {"employee", "-1"},
                                                        {"employee", "abc"},
                                                        {"pipeline", "all"}}) {
    INFO(key << "=" << value);
    auto query = core::ParseReportQuery({{key, value}}, core::WorkSchedule{});
    REQUIRE_FALSE(query);
    CHECK(query.error().message.find(key) != std::string::npos);
  }
  CHECK_FALSE(
      core::ParseReportQuery({{"from", "2026-11-24"}, {"to", "2026-11-23"}}, core::WorkSchedule{}));
}

TEST_CASE("issue 16: report days begin at the portal's midnight of that date") {
  core::WorkSchedule berlin;
  berlin.time_zone = "Europe/Berlin";
  // The clocks go forward on 2027-03-28: that day lasts 23 hours.
  auto query = core::ParseReportQuery({{"from", "2027-03-28"}, {"to", "2027-03-28"}}, berlin);
  REQUIRE(query);
  CHECK(query->from == core::DaysFromCivil(2027, 3, 28) * 86400 - 3600);
  CHECK(query->to == core::DaysFromCivil(2027, 3, 29) * 86400 - 2 * 3600);
}

TEST_CASE("CSV sections quote what needs quoting and defuse spreadsheet formulas") {
  const json report = Report();
  auto stuck = core::ReportCsv(report, "stuck");
  REQUIRE(stuck);
  CHECK(stuck->rfind("entity_type,entity_id,title,", 0) == 0);
  CHECK(stuck->find("\"'=HYPERLINK(\"\"x\"\"), \"\"quoted\"\"\"") != std::string::npos);
  for (const char* section : {"funnel", "revenue", "stage_times", "load", "reasons"}) {
    INFO(section);
    auto csv = core::ReportCsv(report, section);
    REQUIRE(csv);
    CHECK(std::count(csv->begin(), csv->end(), '\n') >= 2);
  }
  CHECK_FALSE(core::ReportCsv(report, "secrets"));
}

TEST_CASE("CSV cells that a spreadsheet would run or split are neutralised (issue 15)") {
  json report = Report();
  const char* const titles[] = {"=1+1", "+7 900", "-2", "@SUM(A1)", "\tcmd", "\rcmd", "a;b"};
  json stuck = json::array();
  for (const char* title : titles) {
    json row = report["stuck"].at(0);
    row["title"] = title;
    stuck.push_back(row);
  }
  report["stuck"] = stuck;
  auto csv = core::ReportCsv(report, "stuck");
  REQUIRE(csv);
  for (const char* cell :
       {",'=1+1,", ",'+7 900,", ",'-2,", ",'@SUM(A1),", ",'\tcmd,", ",\"'\rcmd\",", ",\"a;b\","}) {
    INFO(cell);
    CHECK(csv->find(cell) != std::string::npos);
  }
}

TEST_CASE("a settings change previews leaf by leaf") {
  const json before = {{"queues", {{"closers", {{"cap", 15}, {"users", {1, 2}}}}}}, {"a", 1}};
  const json after = {{"queues", {{"closers", {{"cap", 12}, {"users", {1, 2, 3}}}}}}, {"b", 2}};
  const auto changes = core::JsonChanges(before, after);
  REQUIRE(changes.size() == 4);
  CHECK(changes[0].path == "a");
  CHECK(changes[0].after.is_null());
  CHECK(changes[1].path == "b");
  CHECK(changes[2].path == "queues.closers.cap");
  CHECK(changes[2].before == 15);
  CHECK(changes[3].path == "queues.closers.users.2");
  CHECK(core::JsonChanges(before, before).empty());
}

// Issue 16 item 9: lost items counted by the failure stage they ended in — per direction and
// per person who had them when they failed — under the report's filters.
namespace {

core::Catalog ReasonsCatalog() {
  core::Catalog c = TestCatalog();
  c.lead.stages.push_back({"CONV_JUNK_CITY", "Не наш город", 'F'});
  c.sales.stages.push_back({"C3:LOST", "Отказ в продажах", 'F'});
  c.sales.stages.push_back({"C3:LOST_PRICE", "Отказ в продажах: дорого", 'F'});
  c.production.stages.push_back({"C5:LOST", "Отказ в производстве", 'F'});
  return c;
}

Portal ReasonsPortal() {
  Portal p;
  // Leads 10 and 11: not our city, each with its hunter.
  p.Move("lead", 10, -1, "CONV_ASSIGNED", 10, t0);
  p.Move("lead", 10, -1, "CONV_JUNK_CITY", 10, t0 + 60);
  p.Item("lead", 10, 10, -1, "CONV_JUNK_CITY", "F", 10, 0, "WEB");
  p.Move("lead", 11, -1, "CONV_ASSIGNED", 11, t0 + 100);
  p.Move("lead", 11, -1, "CONV_JUNK_CITY", 11, t0 + 160);
  p.Item("lead", 11, 11, -1, "CONV_JUNK_CITY", "F", 11, 0, "CALL");
  // Lead 12: junk with hunter 11, handed to hunter 10 afterwards — 11 lost it.
  p.Move("lead", 12, -1, "CONV_ASSIGNED", 11, t0 + 200);
  p.Move("lead", 12, -1, "JUNK", 11, t0 + 260);
  p.Item("lead", 12, 12, -1, "JUNK", "F", 10, 0, "CALL");
  // Lead 13 converted; its sales deal lost at the sales lost stage.
  p.Move("lead", 13, -1, "CONVERTED", 10, t0 + 300);
  p.Item("lead", 13, 13, -1, "CONVERTED", "S", 10, 0, "CALL");
  p.Move("deal", 130, 3, "C3:ASSIGNED", 20, t0 + 300);
  p.Move("deal", 130, 3, "C3:LOST", 20, t0 + 900);
  p.Item("deal", 130, 13, 3, "C3:LOST", "F", 20, 700, "CALL");
  // A deal made by hand, lost on price.
  p.Move("deal", 140, 3, "C3:ASSIGNED", 20, t0 + 400);
  p.Move("deal", 140, 3, "C3:LOST_PRICE", 20, t0 + 950);
  p.Item("deal", 140, -140, 3, "C3:LOST_PRICE", "F", 20, 800, "CALL");
  // A sale won, its production lost.
  p.Move("deal", 150, 3, "C3:WON", 20, t0 + 500);
  p.Item("deal", 150, -150, 3, "C3:WON", "S", 20, 900, "CALL");
  p.Move("deal", 160, 5, "C5:ASSIGNED", 30, t0 + 600);
  p.Move("deal", 160, 5, "C5:LOST", 30, t0 + 1000);
  p.Item("deal", 160, -150, 5, "C5:LOST", "F", 30, 900, "CALL");
  // Ten days earlier: a sale lost, outside a period that starts at t0.
  p.Move("deal", 170, 3, "C3:LOST", 20, t0 - 10 * 86400);
  p.Item("deal", 170, -170, 3, "C3:LOST", "F", 20, 100, "CALL");
  return p;
}

json ReasonsReport(const core::ReportQuery& query = {}) {
  static const Portal portal = ReasonsPortal();
  core::Settings settings;
  settings.sales.lost = "LOST";
  settings.production.lost = "LOST";
  return core::BuildReport(portal.index, ReasonsCatalog(), settings, query, {}, now);
}

// "direction/stage" -> count, and "direction/stage/user" -> count.
std::map<std::string, long> ReasonCounts(const json& report) {
  std::map<std::string, long> out;
  for (const auto& row : report["reasons"]["by_stage"])
    out[row["direction"].get<std::string>() + "/" + row["stage"].get<std::string>()] = row["count"];
  return out;
}

std::map<std::string, long> ReasonPeople(const json& report) {
  std::map<std::string, long> out;
  for (const auto& row : report["reasons"]["by_person"]) {
    out[row["direction"].get<std::string>() + "/" + row["stage"].get<std::string>() + "/" +
        std::to_string(row["user_id"].get<int64_t>())] = row["count"];
  }
  return out;
}

}  // namespace

TEST_CASE("reasons count lost items per direction and failure stage, and per person") {
  const json report = ReasonsReport();
  CHECK(ReasonCounts(report) == std::map<std::string, long>{{"lead/CONV_JUNK_CITY", 2},
                                                            {"lead/JUNK", 1},
                                                            {"sales/C3:LOST", 2},
                                                            {"sales/C3:LOST_PRICE", 1},
                                                            {"production/C5:LOST", 1}});
  CHECK(ReasonPeople(report) == std::map<std::string, long>{{"lead/CONV_JUNK_CITY/10", 1},
                                                            {"lead/CONV_JUNK_CITY/11", 1},
                                                            {"lead/JUNK/11", 1},
                                                            {"sales/C3:LOST/20", 2},
                                                            {"sales/C3:LOST_PRICE/20", 1},
                                                            {"production/C5:LOST/30", 1}});
  const json& by_stage = report["reasons"]["by_stage"];
  REQUIRE(by_stage.size() == 5);
  // Directions in order, the most frequent reason first; names from the catalog.
  CHECK(by_stage[0]["stage"] == "CONV_JUNK_CITY");
  CHECK(by_stage[0]["label"] == "Не наш город");
  CHECK(by_stage[0]["share"].get<double>() == Approx(2.0 / 3.0));
  CHECK(by_stage[1]["role"] == "junk");  // the lead's junk status
  CHECK(by_stage[2]["stage"] == "C3:LOST");
  CHECK(by_stage[2]["role"] == "lost");  // the direction's own lost stage, as settings name it
  CHECK(by_stage[3]["role"] == "");
  CHECK(by_stage[4]["direction"] == "production");
  CHECK(by_stage[4]["role"] == "lost");
  CHECK(report["reasons"]["by_person"][0]["name"] == "Hunter Ten");
}

TEST_CASE("reasons follow the report's filters") {
  core::ReportQuery period;
  period.from = t0 - 3600;  // the lost sale of ten days ago is out
  CHECK(ReasonCounts(ReasonsReport(period))["sales/C3:LOST"] == 1);

  core::ReportQuery sales;
  sales.pipeline = "sales";
  CHECK(ReasonCounts(ReasonsReport(sales)) ==
        std::map<std::string, long>{{"sales/C3:LOST", 2}, {"sales/C3:LOST_PRICE", 1}});

  core::ReportQuery web;
  web.source = "WEB";
  CHECK(ReasonCounts(ReasonsReport(web)) ==
        std::map<std::string, long>{{"lead/CONV_JUNK_CITY", 1}});

  // A person: what they had when it failed — lead 12 is hunter 10's now but 11 lost it.
  core::ReportQuery hunter;
  hunter.employee = 11;
  CHECK(ReasonCounts(ReasonsReport(hunter)) ==
        std::map<std::string, long>{{"lead/CONV_JUNK_CITY", 1}, {"lead/JUNK", 1}});
  hunter.employee = 10;
  CHECK(ReasonCounts(ReasonsReport(hunter)) ==
        std::map<std::string, long>{{"lead/CONV_JUNK_CITY", 1}});
}

TEST_CASE("the reasons CSV has a row per direction, failure stage and person") {
  auto csv = core::ReportCsv(ReasonsReport(), "reasons");
  REQUIRE(csv);
  CHECK(csv->rfind("direction,stage,label,user_id,name,count\r\n", 0) == 0);
  CHECK(csv->find("\r\nlead,JUNK,name of JUNK,11,Hunter Eleven,1\r\n") != std::string::npos);
  CHECK(csv->find("\r\nsales,C3:LOST,Отказ в продажах,20,Closer,2\r\n") != std::string::npos);
  CHECK(std::count(csv->begin(), csv->end(), '\n') == 7);
}

}  // namespace report_test
