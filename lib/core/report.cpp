#include "lib/core/report.h"

#include <algorithm>
#include <array>
#include <set>
#include <sstream>
#include <tuple>
#include <unordered_map>

#include "lib/core/working_time.h"

namespace core {
namespace {

using json = nlohmann::json;

enum Dir { kLead = 0, kSales = 1, kProduction = 2, kOther = 3 };
constexpr std::array<const char*, 3> kDirNames = {"lead", "sales", "production"};

Dir DirOf(const IndexedItem& item, const Catalog& catalog) {
  if (!item.is_deal) return kLead;
  if (item.category >= 0 && item.category == catalog.sales.category) return kSales;
  if (item.category >= 0 && item.category == catalog.production.category) return kProduction;
  return kOther;
}

const CatalogDirection& DirectionOf(const Catalog& catalog, int dir) {
  return dir == kLead ? catalog.lead : dir == kSales ? catalog.sales : catalog.production;
}

// "C3:NEW" -> "NEW": settings name stages without the pipeline prefix.
std::string Unprefixed(const std::string& stage) {
  const auto colon = stage.find(':');
  return colon == std::string::npos ? stage : stage.substr(colon + 1);
}

// Stage (text id) -> its place in the direction's progress: in-progress stages in order, then
// won; lost stages have none (-1).
struct StageOrder {
  std::unordered_map<uint32_t, int> place;
  std::vector<const CatalogStage*> progress;  // by place

  int Of(uint32_t stage) const {
    const auto found = place.find(stage);
    return found == place.end() ? -1 : found->second;
  }
};

StageOrder OrderOf(const CatalogDirection& direction, const TextTable& texts) {
  StageOrder order;
  for (const char semantic : {'P', 'S'}) {
    for (const auto& stage : direction.stages) {
      if (stage.semantic != semantic) continue;
      const uint32_t id = texts.Find(stage.id);
      if (id != TextTable::kNone) order.place[id] = static_cast<int>(order.progress.size());
      order.progress.push_back(&stage);
    }
  }
  return order;
}

int FurthestPlace(const IndexedItem& item, const StageOrder& order) {
  int furthest = order.Of(item.stage);
  for (const auto& move : item.moves) furthest = std::max(furthest, order.Of(move.stage));
  return furthest;
}

// When the item entered its current stage.
int64_t Since(const IndexedItem& item) {
  return item.moves.empty() ? item.created_at : item.moves.back().at;
}

struct Percentiles {
  int64_t median = 0;
  int64_t p90 = 0;
};

// Nearest-rank percentiles; reorders `values`.
Percentiles PercentilesOf(std::vector<int64_t>& values) {
  Percentiles out;
  if (values.empty()) return out;
  const auto rank = [&values](double q) {
    const auto k = static_cast<std::size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(k), values.end());
    return values[k];
  };
  out.median = rank(0.5);
  out.p90 = rank(0.9);
  return out;
}

std::string UserName(const Catalog& catalog, int64_t user) {
  const auto found = catalog.users.find(user);
  return found == catalog.users.end() ? "#" + std::to_string(user) : found->second;
}

// The journey's items by direction.
struct JourneyParts {
  const IndexedItem* lead = nullptr;
  std::vector<const IndexedItem*> sales, production, other;
  int64_t start = 0;
};

JourneyParts PartsOf(const std::vector<uint32_t>& members, const ReportIndex& index,
                     const Catalog& catalog) {
  JourneyParts parts;
  bool first = true;
  for (const uint32_t i : members) {
    const IndexedItem& item = index.items()[i];
    switch (DirOf(item, catalog)) {
      case kLead:
        parts.lead = &item;
        break;
      case kSales:
        parts.sales.push_back(&item);
        break;
      case kProduction:
        parts.production.push_back(&item);
        break;
      case kOther:
        parts.other.push_back(&item);
        break;
    }
    if (first || item.created_at < parts.start) parts.start = item.created_at;
    first = false;
  }
  return parts;
}

bool Touched(const IndexedItem& item, int64_t employee) {
  if (item.responsible == employee) return true;
  for (const auto& move : item.moves) {
    if (move.responsible == employee) return true;
  }
  return false;
}

bool Selected(const JourneyParts& parts, const ReportQuery& query, const TextTable& texts) {
  if (query.from != 0 && parts.start < query.from) return false;
  if (query.to != 0 && parts.start >= query.to) return false;
  const IndexedItem* first = parts.lead != nullptr       ? parts.lead
                             : !parts.sales.empty()      ? parts.sales.front()
                             : !parts.production.empty() ? parts.production.front()
                             : !parts.other.empty()      ? parts.other.front()
                                                         : nullptr;
  if (first == nullptr) return false;
  if (!query.source.empty() && texts.Text(first->source) != query.source) return false;
  if (!query.region.empty() &&
      (parts.lead == nullptr || texts.Text(parts.lead->region) != query.region)) {
    return false;
  }
  if (query.pipeline == "lead" && parts.lead == nullptr) return false;
  if (query.pipeline == "sales" && parts.sales.empty()) return false;
  if (query.pipeline == "production" && parts.production.empty()) return false;
  if (query.employee != 0) {
    bool touched = false;
    for (const auto* group : {&parts.sales, &parts.production, &parts.other}) {
      for (const auto* item : *group) touched = touched || Touched(*item, query.employee);
    }
    if (parts.lead != nullptr) touched = touched || Touched(*parts.lead, query.employee);
    if (!touched) return false;
  }
  return true;
}

struct Money {
  double won = 0;
  double open = 0;

  void Count(const IndexedItem& deal) {
    if (deal.semantic == 'S') won += deal.amount;
    if (deal.semantic == 'P') open += deal.amount;
  }
  json ToJson() const { return {{"won", won}, {"open", open}}; }
};

// Midnight (portal time) of the day `t` falls in, and of that week's Monday.
std::pair<int64_t, int64_t> DayAndWeekStart(int64_t t, const WorkSchedule& schedule) {
  const int64_t local = t + int64_t{UtcOffsetMinutes(t, schedule)} * 60;
  const int64_t day = (local >= 0 ? local / 86400 : (local - 86399) / 86400);
  const int64_t weekday = ((day % 7) + 7 + 3) % 7;  // 1970-01-01 was a Thursday; Monday = 0
  // DaysFromCivil carries day numbers past the month into later months.
  return {LocalDateStart(1970, 1, static_cast<int>(day) + 1, schedule),
          LocalDateStart(1970, 1, static_cast<int>(day - weekday) + 1, schedule)};
}

// Who had a lost item when it reached its failure stage: the move into that stage says, else
// the item's responsible now.
int64_t ReasonPersonOf(const IndexedItem& item) {
  for (auto move = item.moves.rbegin(); move != item.moves.rend(); ++move) {
    if (move->stage == item.stage)
      return move->responsible > 0 ? move->responsible : item.responsible;
  }
  return item.responsible;
}

// The name of a stage as the catalog knows it, else its id.
std::string ReasonLabelOf(const Catalog& catalog, int dir, const std::string& stage) {
  for (const auto& known : DirectionOf(catalog, dir).stages) {
    if (known.id == stage) return known.name;
  }
  return stage;
}

bool DirectionWanted(const ReportQuery& query, int dir) {
  return query.pipeline.empty() || query.pipeline == kDirNames[static_cast<std::size_t>(dir)];
}

}  // namespace

Result<ReportQuery> ParseReportQuery(const std::map<std::string, std::string>& params,
                                     const WorkSchedule& schedule) {
  ReportQuery query;
  const auto fail = [](const std::string& message) {
    return tl::unexpected(Error{ErrorCode::kInvalidArgument, message});
  };
  const auto get = [&params](const char* key) {
    const auto found = params.find(key);
    return found == params.end() ? std::string() : found->second;
  };
  for (const auto& [key, out] :
       {std::pair<const char*, int64_t*>{"from", &query.from}, {"to", &query.to}}) {
    const std::string text = get(key);
    if (text.empty()) continue;
    int year = 0, month = 0, day = 0;
    char dash1 = 0, dash2 = 0, extra = 0;
    std::istringstream in(text);
    in >> year >> dash1 >> month >> dash2 >> day;
    if (in.fail() || dash1 != '-' || dash2 != '-' || (in >> extra) || text.size() != 10 ||
        month < 1 || month > 12 || day < 1 || day > 31 || year < 1970 || year > 9999) {
      return fail(std::string(key) + " must be a date YYYY-MM-DD");
    }
    // "to" is the last day, included: up to the next day's midnight.
    *out = LocalDateStart(year, month, key == std::string("to") ? day + 1 : day, schedule);
  }
  if (query.from != 0 && query.to != 0 && query.to <= query.from)
    return fail("to must not be before from");
  query.source = get("source");
  query.region = get("region");
  const std::string employee = get("employee");
  if (!employee.empty()) {
    if (employee.size() > 18 || employee.find_first_not_of("0123456789") != std::string::npos ||
        (query.employee = std::stoll(employee)) <= 0) {
      return fail("employee must be a user id");
    }
  }
  query.pipeline = get("pipeline");
  if (!query.pipeline.empty() && query.pipeline != "lead" && query.pipeline != "sales" &&
      query.pipeline != "production") {
    return fail("pipeline must be lead, sales or production");
  }
  return query;
}

json BuildReport(const ReportIndex& index, const Catalog& catalog, const Settings& settings,
                 const ReportQuery& query, const SkipCounts& skipped, int64_t now) {
  const TextTable& texts = index.texts();
  const std::array<StageOrder, 3> orders = {OrderOf(catalog.lead, texts),
                                            OrderOf(catalog.sales, texts),
                                            OrderOf(catalog.production, texts)};
  std::set<uint32_t> qualifying;
  for (const std::string* stage :
       {&settings.lead.ready_now, &settings.lead.ready_later, &settings.lead.converted}) {
    if (const uint32_t id = texts.Find(*stage); id != TextTable::kNone) qualifying.insert(id);
  }
  // A role's stage in each direction, as a text id.
  const auto role_stages = [&](const std::string& lead, const std::string& sales,
                               const std::string& production) {
    std::array<uint32_t, 3> ids = {texts.Find(lead), TextTable::kNone, TextTable::kNone};
    for (const int dir : {kSales, kProduction}) {
      for (const auto& stage : DirectionOf(catalog, dir).stages) {
        if (Unprefixed(stage.id) == (dir == kSales ? sales : production))
          ids[static_cast<std::size_t>(dir)] = texts.Find(stage.id);
      }
    }
    return ids;
  };
  // Where the conveyor hands items out (counted as "handed out"), and where they wait for it
  // (whoever made such an item does not have it).
  const auto assigned =
      role_stages(settings.lead.assigned, settings.sales.assigned, settings.production.assigned);
  const auto free = role_stages(settings.lead.free, settings.sales.free, settings.production.free);
  const auto [today, week] = DayAndWeekStart(now, settings.schedule);

  long leads = 0, qualified = 0, handed_over = 0, carried_over = 0, shipped = 0, journeys = 0;
  std::vector<long> sales_reached(orders[kSales].progress.size());
  std::vector<long> production_reached(orders[kProduction].progress.size());
  Money once, sales_money, production_money;
  long sales_deals = 0, production_deals = 0;
  std::string currency;
  // Stays per direction and stage (by text id: the table of stage ids is small and dense).
  std::array<std::vector<std::vector<int64_t>>, 3> durations;
  std::vector<int64_t> cycles;
  std::vector<json> stuck;
  struct Load {
    long open = 0, today = 0, week = 0;
  };
  std::map<std::pair<int64_t, int>, Load> load;  // (user, direction)
  // Lost items: per (direction, failure stage) and per (direction, failure stage, person).
  std::map<std::pair<int, uint32_t>, long> reasons;
  std::map<std::tuple<int, uint32_t, int64_t>, long> reasons_by_person;

  for (const auto& [journey_id, members] : index.journeys()) {
    const JourneyParts parts = PartsOf(members, index, catalog);
    if (!Selected(parts, query, texts)) continue;
    ++journeys;
    // The funnel.
    if (parts.lead != nullptr) {
      ++leads;
      bool ready = !parts.sales.empty() || qualifying.count(parts.lead->stage) != 0;
      for (const auto& move : parts.lead->moves) ready = ready || qualifying.count(move.stage) != 0;
      if (ready) ++qualified;
    }
    const auto reach = [](const std::vector<const IndexedItem*>& deals, const StageOrder& order,
                          std::vector<long>& reached) {
      int furthest = -1;
      for (const auto* deal : deals) furthest = std::max(furthest, FurthestPlace(*deal, order));
      for (int place = 0; place <= furthest && place < static_cast<int>(reached.size()); ++place)
        ++reached[static_cast<std::size_t>(place)];
    };
    if (!parts.sales.empty()) {
      ++handed_over;
      reach(parts.sales, orders[kSales], sales_reached);
    }
    if (!parts.production.empty()) {
      ++carried_over;
      reach(parts.production, orders[kProduction], production_reached);
    }
    const IndexedItem* shipped_deal = nullptr;
    for (const auto* deal : parts.production) {
      if (deal->semantic == 'S') shipped_deal = deal;
    }
    if (shipped_deal != nullptr) ++shipped;
    // Revenue: the money deal once, beside every deal's own sum.
    const auto& money_side =
        settings.reports.revenue_from == "production" ? parts.production : parts.sales;
    const auto& other_side =
        settings.reports.revenue_from == "production" ? parts.sales : parts.production;
    const auto& carrying = money_side.empty() ? other_side : money_side;
    if (!carrying.empty()) {
      // The money deal's amount, won once any deal of the journey is (a shipment, say).
      bool won = false, open = false;
      for (const auto* group : {&parts.sales, &parts.production}) {
        for (const auto* deal : *group) {
          won = won || deal->semantic == 'S';
          open = open || deal->semantic == 'P';
        }
      }
      if (won) {
        once.won += carrying.front()->amount;
      } else if (open) {
        once.open += carrying.front()->amount;
      }
      if (currency.empty()) currency = texts.Text(carrying.front()->currency);
    }
    for (const auto* deal : parts.sales) sales_money.Count(*deal);
    for (const auto* deal : parts.production) production_money.Count(*deal);
    sales_deals += static_cast<long>(parts.sales.size());
    production_deals += static_cast<long>(parts.production.size());
    // Cycle: from the journey's start to the production deal's arrival at a won stage.
    if (shipped_deal != nullptr) {
      for (const auto& move : shipped_deal->moves) {
        const int place = orders[kProduction].Of(move.stage);
        if (place >= 0 &&
            orders[kProduction].progress[static_cast<std::size_t>(place)]->semantic == 'S') {
          cycles.push_back(move.at - parts.start);
          break;
        }
      }
    }
    // Stage times and stuck items, per item of a wanted direction.
    for (const uint32_t i : members) {
      const IndexedItem& item = index.items()[i];
      const int dir = DirOf(item, catalog);
      if (dir == kOther || !DirectionWanted(query, dir)) continue;
      for (std::size_t m = 0; m + 1 < item.moves.size(); ++m) {
        auto& stays = durations[static_cast<std::size_t>(dir)];
        if (stays.size() <= item.moves[m].stage) stays.resize(item.moves[m].stage + 1);
        stays[item.moves[m].stage].push_back(item.moves[m + 1].at - item.moves[m].at);
      }
      if (item.semantic == 'F' && item.known && item.stage != TextTable::kNone) {
        const int64_t person = ReasonPersonOf(item);
        if (query.employee == 0 || person == query.employee) {
          ++reasons[{dir, item.stage}];
          ++reasons_by_person[{dir, item.stage, person}];
        }
      }
      if (item.semantic != 'P') continue;
      const std::string stage = texts.Text(item.stage);
      const auto norm = settings.reports.stage_norm_hours.find(
          std::string(kDirNames[static_cast<std::size_t>(dir)]) + "." + Unprefixed(stage));
      if (norm == settings.reports.stage_norm_hours.end()) continue;
      const int64_t norm_s = int64_t{norm->second} * 3600;
      const int64_t over = now - Since(item) - norm_s;
      if (over <= 0) continue;
      stuck.push_back({{"entity_type", item.is_deal ? "deal" : "lead"},
                       {"entity_id", item.entity_id},
                       {"title", item.title},
                       {"direction", kDirNames[static_cast<std::size_t>(dir)]},
                       {"stage", stage},
                       {"responsible", item.responsible},
                       {"responsible_name", UserName(catalog, item.responsible)},
                       {"since", Since(item)},
                       {"norm_s", norm_s},
                       {"over_s", over}});
    }
  }
  // Load: open items now and items handed out today and this week, whatever the period.
  for (const auto& item : index.items()) {
    if (!item.known) continue;
    const int dir = DirOf(item, catalog);
    if (dir == kOther || !DirectionWanted(query, dir)) continue;
    if (item.semantic == 'P' && item.responsible > 0 &&
        item.stage != free[static_cast<std::size_t>(dir)]) {
      ++load[{item.responsible, dir}].open;
    }
    for (const auto& move : item.moves) {
      if (move.stage != assigned[static_cast<std::size_t>(dir)] || move.responsible <= 0 ||
          move.at < week || move.at > now) {
        continue;
      }
      Load& row = load[{move.responsible, dir}];
      ++row.week;
      if (move.at >= today) ++row.today;
    }
  }

  json funnel = json::array();
  const auto step = [&funnel](const std::string& key, const std::string& label, long count) {
    const long previous = funnel.empty() ? count : funnel.back()["count"].get<long>();
    const long first = funnel.empty() ? count : funnel.front()["count"].get<long>();
    funnel.push_back(
        {{"step", key},
         {"label", label},
         {"count", count},
         {"conversion",
          previous > 0 ? static_cast<double>(count) / static_cast<double>(previous) : 0.0},
         {"of_first", first > 0 ? static_cast<double>(count) / static_cast<double>(first) : 0.0}});
  };
  step("leads", "leads", leads);
  step("qualified", "qualified", qualified);
  step("handed_over", "handed over", handed_over);
  for (std::size_t k = 0; k < sales_reached.size(); ++k) {
    const CatalogStage& stage = *orders[kSales].progress[k];
    if (stage.semantic == 'P') step("sales:" + stage.id, stage.name, sales_reached[k]);
  }
  step("carried_over", "carried over", carried_over);
  for (std::size_t k = 0; k < production_reached.size(); ++k) {
    const CatalogStage& stage = *orders[kProduction].progress[k];
    if (stage.semantic == 'P') step("production:" + stage.id, stage.name, production_reached[k]);
  }
  step("shipped", "shipped", shipped);

  json per_pipeline = json::array();
  per_pipeline.push_back({{"pipeline", "sales"},
                          {"deals", sales_deals},
                          {"won", sales_money.won},
                          {"open", sales_money.open}});
  per_pipeline.push_back({{"pipeline", "production"},
                          {"deals", production_deals},
                          {"won", production_money.won},
                          {"open", production_money.open}});
  const Money total{sales_money.won + production_money.won,
                    sales_money.open + production_money.open};
  const json revenue = {
      {"currency", currency},
      {"revenue_from", settings.reports.revenue_from},
      {"journeys", journeys},
      {"once", once.ToJson()},
      {"per_pipeline", per_pipeline},
      {"per_pipeline_total", total.ToJson()},
      {"double_counted", Money{total.won - once.won, total.open - once.open}.ToJson()}};

  json stage_times = json::array();
  for (int dir : {kLead, kSales, kProduction}) {
    auto& stays = durations[static_cast<std::size_t>(dir)];
    std::set<uint32_t> listed;
    const auto row = [&](uint32_t stage, const std::string& id, const std::string& label) {
      if (stage >= stays.size() || stays[stage].empty()) return;
      const Percentiles p = PercentilesOf(stays[stage]);
      stage_times.push_back({{"direction", kDirNames[static_cast<std::size_t>(dir)]},
                             {"stage", id},
                             {"label", label},
                             {"count", stays[stage].size()},
                             {"median_s", p.median},
                             {"p90_s", p.p90}});
      listed.insert(stage);
    };
    for (const auto& stage : DirectionOf(catalog, dir).stages) {
      if (const uint32_t id = texts.Find(stage.id); id != TextTable::kNone)
        row(id, stage.id, stage.name);
    }
    for (uint32_t stage = 0; stage < stays.size(); ++stage) {
      if (listed.count(stage) == 0) row(stage, texts.Text(stage), texts.Text(stage));
    }
  }
  const Percentiles cycle = PercentilesOf(cycles);

  std::sort(stuck.begin(), stuck.end(), [](const json& a, const json& b) {
    return a["over_s"].get<int64_t>() > b["over_s"].get<int64_t>();
  });
  if (stuck.size() > 100) stuck.resize(100);

  json load_rows = json::array();
  std::array<std::vector<long>, 3> handed;
  for (const auto& [key, row] : load) {
    if (query.employee != 0 && key.first != query.employee) continue;
    json skips = json::object();
    if (const auto found = skipped.find(key.first); found != skipped.end()) {
      for (const auto& [verdict, count] : found->second) skips[verdict] = count;
    }
    load_rows.push_back({{"user_id", key.first},
                         {"name", UserName(catalog, key.first)},
                         {"direction", kDirNames[static_cast<std::size_t>(key.second)]},
                         {"open", row.open},
                         {"today", row.today},
                         {"week", row.week},
                         {"skipped", skips}});
    handed[static_cast<std::size_t>(key.second)].push_back(row.week);
  }
  json fairness = json::array();
  for (int dir : {kLead, kSales, kProduction}) {
    const auto& counts = handed[static_cast<std::size_t>(dir)];
    if (counts.empty()) continue;
    const auto [low, high] = std::minmax_element(counts.begin(), counts.end());
    fairness.push_back({{"direction", kDirNames[static_cast<std::size_t>(dir)]},
                        {"users", counts.size()},
                        {"min", *low},
                        {"max", *high},
                        {"spread", *high - *low}});
  }

  // Reasons: the failure stages items ended in, each direction's own chosen one marked.
  const std::array<std::string, 3> chosen_lost = {settings.lead.junk, settings.sales.lost,
                                                  settings.production.lost};
  std::array<long, 3> lost_per_direction = {0, 0, 0};
  for (const auto& [key, count] : reasons)
    lost_per_direction[static_cast<std::size_t>(key.first)] += count;
  std::vector<std::pair<std::pair<int, uint32_t>, long>> reason_rows(reasons.begin(),
                                                                     reasons.end());
  std::stable_sort(reason_rows.begin(), reason_rows.end(), [](const auto& a, const auto& b) {
    return a.first.first != b.first.first ? a.first.first < b.first.first : a.second > b.second;
  });
  json by_stage = json::array();
  for (const auto& [key, count] : reason_rows) {
    const std::size_t dir = static_cast<std::size_t>(key.first);
    const std::string stage = texts.Text(key.second);
    const bool chosen = !chosen_lost[dir].empty() && Unprefixed(stage) == chosen_lost[dir];
    by_stage.push_back(
        {{"direction", kDirNames[dir]},
         {"stage", stage},
         {"label", ReasonLabelOf(catalog, key.first, stage)},
         {"role", chosen ? (key.first == kLead ? "junk" : "lost") : ""},
         {"count", count},
         {"share", static_cast<double>(count) / static_cast<double>(lost_per_direction[dir])}});
  }
  json by_person = json::array();
  for (const auto& [key, count] : reasons_by_person) {
    const auto [dir, stage_id, person] = key;
    const std::string stage = texts.Text(stage_id);
    by_person.push_back({{"direction", kDirNames[static_cast<std::size_t>(dir)]},
                         {"stage", stage},
                         {"label", ReasonLabelOf(catalog, dir, stage)},
                         {"user_id", person},
                         {"name", UserName(catalog, person)},
                         {"count", count}});
  }

  return {{"generated_at", now},
          {"funnel", funnel},
          {"revenue", revenue},
          {"stage_times", stage_times},
          {"cycle", {{"count", cycles.size()}, {"median_s", cycle.median}, {"p90_s", cycle.p90}}},
          {"stuck", stuck},
          {"load", load_rows},
          {"fairness", fairness},
          {"reasons", {{"by_stage", by_stage}, {"by_person", by_person}}}};
}

namespace {

std::string CsvField(const json& value) {
  std::string text = value.is_string() ? value.get<std::string>()
                     : value.is_null() ? ""
                                       : value.dump();
  // A cell starting with = + - @ tab or CR is a formula to a spreadsheet: quote it as text.
  if (!text.empty() && std::string("=+-@\t\r").find(text.front()) != std::string::npos &&
      !value.is_number()) {
    text = "'" + text;
  }
  // Russian Excel splits on ';' as others split on ','.
  if (text.find_first_of(",;\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string CsvRows(const json& rows, const std::vector<std::string>& columns) {
  std::string out;
  for (std::size_t i = 0; i < columns.size(); ++i) out += (i ? "," : "") + columns[i];
  out += "\r\n";
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) out += ",";
      out += CsvField(row.value(columns[i], json()));
    }
    out += "\r\n";
  }
  return out;
}

}  // namespace

Result<std::string> ReportCsv(const json& report, const std::string& section) {
  if (section == "funnel")
    return CsvRows(report["funnel"], {"step", "label", "count", "conversion", "of_first"});
  if (section == "stage_times") {
    return CsvRows(report["stage_times"],
                   {"direction", "stage", "label", "count", "median_s", "p90_s"});
  }
  if (section == "stuck") {
    return CsvRows(report["stuck"],
                   {"entity_type", "entity_id", "title", "direction", "stage", "responsible",
                    "responsible_name", "since", "norm_s", "over_s"});
  }
  if (section == "load") {
    json rows = json::array();
    for (json row : report["load"]) {
      for (const char* verdict : {"absent", "offline", "at_cap", "inactive", "zero_weight"})
        row[std::string("skipped_") + verdict] = row["skipped"].value(verdict, 0);
      rows.push_back(std::move(row));
    }
    return CsvRows(
        rows, {"user_id", "name", "direction", "open", "today", "week", "skipped_absent",
               "skipped_offline", "skipped_at_cap", "skipped_inactive", "skipped_zero_weight"});
  }
  if (section == "reasons") {
    return CsvRows(report["reasons"]["by_person"],
                   {"direction", "stage", "label", "user_id", "name", "count"});
  }
  if (section == "revenue") {
    const json& revenue = report["revenue"];
    json rows = json::array();
    rows.push_back({{"count", "once per journey"},
                    {"deals", revenue["journeys"]},
                    {"won", revenue["once"]["won"]},
                    {"open", revenue["once"]["open"]}});
    for (const auto& pipeline : revenue["per_pipeline"]) {
      rows.push_back({{"count", "pipeline " + pipeline["pipeline"].get<std::string>()},
                      {"deals", pipeline["deals"]},
                      {"won", pipeline["won"]},
                      {"open", pipeline["open"]}});
    }
    rows.push_back({{"count", "per-pipeline total"},
                    {"won", revenue["per_pipeline_total"]["won"]},
                    {"open", revenue["per_pipeline_total"]["open"]}});
    rows.push_back({{"count", "double counted"},
                    {"won", revenue["double_counted"]["won"]},
                    {"open", revenue["double_counted"]["open"]}});
    return CsvRows(rows, {"count", "deals", "won", "open"});
  }
  return tl::unexpected(Error{ErrorCode::kInvalidArgument,
                              "section must be funnel, revenue, stage_times, stuck, load or "
                              "reasons"});
}

}  // namespace core
