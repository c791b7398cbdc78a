// The reports benchmark (issue #5): a portal of 1,000,000 leads, 600,000 deals (400,000 in
// «Продажи», 200,000 in «Производство») and 10,000,000 stage transitions, generated with a fixed
// seed straight into the reports' in-memory index; then each report is built a few times and the
// median time printed as a markdown table. Usage: bench-report [--leads N] [--runs N]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include <CLI/CLI.hpp>

#include "lib/core/report.h"
#include "lib/core/working_time.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

core::Catalog MakeCatalog() {
  core::Catalog c;
  const auto stages = [](const std::vector<const char*>& ids, const char* won, const char* lost) {
    std::vector<core::CatalogStage> out;
    for (const char* id : ids) out.push_back({id, id, 'P'});
    out.push_back({won, won, 'S'});
    out.push_back({lost, lost, 'F'});
    return out;
  };
  c.lead.stages = stages(
      {"CONV_DUPLICATES", "CONV_FREE", "CONV_ASSIGNED", "CONV_READY_NOW", "CONV_READY_LATER"},
      "CONVERTED", "JUNK");
  c.sales.category = 1;
  c.sales.stages =
      stages({"C1:NEW", "C1:ASSIGNED", "C1:MEETING", "C1:OFFER", "C1:AGREED", "C1:CONTRACT"},
             "C1:WON", "C1:LOSE");
  c.production.category = 2;
  c.production.stages = stages(
      {"C2:NEW", "C2:ASSIGNED", "C2:PLANNED", "C2:SHIPPED_1", "C2:SHIPPED_2", "C2:SHIPPED_3"},
      "C2:WON", "C2:LOSE");
  return c;
}

struct Generated {
  core::ReportIndex index;
  long leads = 0, deals = 0;
  double seconds = 0;
};

// Each lead walks its funnel; 40 % become sales deals, half of those production deals. Extra
// moves (meetings moved, stages revisited) bring the transitions to ten per lead on average.
void Generate(long leads, const core::Catalog& catalog, int64_t start, Generated& out) {
  std::mt19937_64 random(20261127);
  const auto chance = [&random](double p) {
    return std::uniform_real_distribution<double>(0, 1)(random) < p;
  };
  const auto pick = [&random](long n) {
    return static_cast<long>(std::uniform_int_distribution<long>(0, n - 1)(random));
  };
  const char* sources[] = {"CALL", "WEB", "EMAIL", "ADVERTISING", "PARTNER", "RECOMMENDATION"};
  const char* regions[] = {"Москва", "Санкт-Петербург", "Казань", "Екатеринбург", "Новосибирск"};
  const auto clock = Clock::now();
  long deal_id = 0;
  for (long lead = 1; lead <= leads; ++lead) {
    int64_t t = start + lead * 30;  // a year of leads
    const int64_t hunter = 10 + pick(30), closer = 100 + pick(40), master = 200 + pick(20);
    const auto move = [&out](const char* type, int64_t id, int64_t category,
                             const std::string& stage, int64_t who, int64_t at) {
      out.index.Add({type, id, category, stage, who, at});
    };
    // The lead: free, assigned, then ready (or junk), with a few returns to work.
    core::ItemFacts facts;
    facts.entity_type = "lead";
    facts.entity_id = lead;
    facts.journey_id = lead;
    facts.created_at = t;
    facts.source = sources[pick(6)];
    facts.region = regions[pick(5)];
    facts.responsible = hunter;
    facts.currency = "RUB";
    facts.title = "Лид " + std::to_string(lead);
    move("lead", lead, -1, "CONV_DUPLICATES", 0, t);
    move("lead", lead, -1, "CONV_FREE", 0, t += 5);
    move("lead", lead, -1, "CONV_ASSIGNED", hunter, t += 60 + pick(600));
    const bool ready = chance(0.4);
    for (int back = 0; back < 1 + pick(2); ++back) {
      move("lead", lead, -1, "CONV_READY_LATER", hunter, t += 3600 + pick(86400));
      move("lead", lead, -1, "CONV_ASSIGNED", hunter, t += 600);
    }
    move("lead", lead, -1, ready ? "CONVERTED" : "JUNK", hunter, t += 600);
    facts.stage = ready ? "CONVERTED" : "JUNK";
    facts.semantic = ready ? "S" : "F";
    out.index.Put(facts);
    ++out.leads;
    if (!ready) continue;
    // The sales deal walks its stages, meetings moved now and then.
    const int64_t sale = ++deal_id;
    core::ItemFacts deal = facts;
    deal.entity_type = "deal";
    deal.entity_id = sale;
    deal.category_id = catalog.sales.category;
    deal.responsible = closer;
    deal.amount = 10000 + static_cast<double>(pick(500000));
    deal.created_at = t;
    const bool carried = chance(0.5);
    const int reach = carried ? 5 : static_cast<int>(pick(5));
    for (int s = 1; s <= reach; ++s) {
      move("deal", sale, 1, catalog.sales.stages[static_cast<std::size_t>(s)].id, closer,
           t += 3600 + pick(3 * 86400));
      if (s == 2 && chance(0.5)) {
        move("deal", sale, 1, "C1:ASSIGNED", closer, t += 86400);
        move("deal", sale, 1, "C1:MEETING", closer, t += 86400);
      }
    }
    const bool won = carried && chance(0.9);
    move("deal", sale, 1, won ? "C1:WON" : "C1:LOSE", closer, t += 86400);
    deal.stage = won ? "C1:WON" : "C1:LOSE";
    deal.semantic = won ? "S" : "F";
    out.index.Put(deal);
    ++out.deals;
    if (!carried) continue;
    // The production deal: planned, shipped in stages.
    const int64_t made = ++deal_id;
    core::ItemFacts production = deal;
    production.entity_id = made;
    production.category_id = catalog.production.category;
    production.sales_deal_id = sale;
    production.responsible = master;
    production.created_at = t;
    for (std::size_t s = 0; s < 6; ++s)
      move("deal", made, 2, catalog.production.stages[s].id, s == 0 ? 0 : master, t += 86400);
    const bool shipped = chance(0.8);
    move("deal", made, 2, shipped ? "C2:WON" : "C2:SHIPPED_3", master, t += 86400);
    production.stage = shipped ? "C2:WON" : "C2:SHIPPED_3";
    production.semantic = shipped ? "S" : "P";
    out.index.Put(production);
    ++out.deals;
  }
  out.seconds = Seconds(clock);
}

long PeakMegabytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Reports over a million journeys"};
  long leads = 1000000;
  int runs = 5;
  cli.add_option("--leads", leads, "leads to generate (deals and transitions scale with them)");
  cli.add_option("--runs", runs, "times each report is built; the median is printed");
  CLI11_PARSE(cli, argc, argv);

  const core::Catalog catalog = MakeCatalog();
  const int64_t start = core::DaysFromCivil(2025, 11, 1) * 86400;
  const int64_t now = start + leads * 30 + 200 * 86400;
  Generated data;
  Generate(leads, catalog, start, data);
  std::printf("generated %ld leads, %ld deals, %zu transitions in %.1f s; peak memory %ld MiB\n\n",
              data.leads, data.deals, data.index.move_count(), data.seconds, PeakMegabytes());

  core::Settings settings;
  settings.reports.stage_norm_hours = {{"sales.MEETING", 72}, {"production.PLANNED", 240}};
  const core::SkipCounts skips = {{10, {{"absent", 12}}}};
  struct Case {
    const char* name;
    core::ReportQuery query;
  };
  std::vector<Case> cases(6);
  cases[0].name = "everything";
  cases[1].name = "one source";
  cases[1].query.source = "WEB";
  cases[2].name = "one region";
  cases[2].query.region = "Казань";
  cases[3].name = "one employee";
  cases[3].query.employee = 120;
  cases[4].name = "production only";
  cases[4].query.pipeline = "production";
  cases[5].name = "one month";
  cases[5].query.from = start + 90 * 86400;
  cases[5].query.to = start + 120 * 86400;
  std::printf("| report | journeys | median of %d (s) | slowest (s) |\n|---|---|---|---|\n", runs);
  for (const auto& c : cases) {
    std::vector<double> times;
    long journeys = 0;
    for (int run = 0; run < runs; ++run) {
      const auto clock = Clock::now();
      const auto report = core::BuildReport(data.index, catalog, settings, c.query, skips, now);
      times.push_back(Seconds(clock));
      journeys = report["revenue"]["journeys"].get<long>();
    }
    std::sort(times.begin(), times.end());
    std::printf("| %s | %ld | %.3f | %.3f |\n", c.name, journeys, times[times.size() / 2],
                times.back());
  }
  return 0;
}
