// The backfill benchmark (issue #5): how close the backfill of a large portal's history comes to
// what the portal's rate limit allows. Against a running b24-emulator (bench/backfill.sh starts
// one) it installs an app as an admin would (the installer request carries the tokens), seeds
// leads, deals made from them and their stage histories with the limits raised, puts the limits
// of the measured phase back (2 requests/s, bucket 50 by default) with an empty bucket, and runs
// engine::Backfill into a fresh SQLite file through the app's own REST client, token store and
// rate limiter. It prints what it measured — rows, requests, time, rows/s against the ceiling
// (requests/s × 50 commands × 50 rows), the portal's QUERY_LIMIT_EXCEEDED — as Markdown, and as
// JSON with --json. A measurement, not a test: it exits 1 only when the run itself failed.
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "lib/b24/rate_limiter.h"
#include "lib/b24/rest_client.h"
#include "lib/b24/transport.h"
#include "lib/core/backfill_plan.h"
#include "lib/core/payloads.h"
#include "lib/core/query_encoding.h"
#include "lib/engine/backfill.h"
#include "lib/engine/installations.h"
#include "lib/engine/portal_tokens.h"
#include "lib/engine/system_clock.h"
#include "lib/store/database.h"
#include "lib/store/journey_store.h"
#include "lib/store/portal_store.h"
#include "lib/store/token_cipher.h"

namespace {

using json = nlohmann::json;

struct Options {
  std::string emulator;  // http://127.0.0.1:P
  std::string db;
  long leads = 100000;
  long deals = 100000;  // made from the first `deals` leads
  int history = 3;      // stage history rows per lead and per deal
  double bucket = 50;   // the portal's limits while the backfill runs
  double drain = 2;
  std::string client_id = "local.conveyor";
  std::string client_secret = "conveyor-secret";
  std::string json_out;
};

double Seconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void Die(const std::string& message) {
  std::fprintf(stderr, "backfill bench: %s\n", message.c_str());
  std::exit(1);
}

// The emulator's control API and the seeding webhook, over one keep-alive connection.
class Portal {
 public:
  explicit Portal(const std::string& base) : client_(base) {
    client_.set_read_timeout(600, 0);
    client_.set_write_timeout(600, 0);
  }
  json Post(const std::string& path, const json& body) {
    auto res = client_.Post(path.c_str(), body.dump(), "application/json");
    if (!res) Die("POST " + path + ": no answer");
    json answer = json::parse(res->body, nullptr, false);
    if (res->status != 200 || answer.is_discarded())
      Die("POST " + path + ": " + std::to_string(res->status) + " " + res->body.substr(0, 300));
    return answer;
  }
  json Get(const std::string& path) {
    auto res = client_.Get(path.c_str());
    if (!res || res->status != 200) Die("GET " + path + " failed");
    json answer = json::parse(res->body, nullptr, false);
    if (answer.is_discarded()) Die("GET " + path + ": not JSON");
    return answer;
  }
  json Control(const std::string& path, const json& body = json::object()) {
    return Post("/_emulator/" + path, body);
  }

 private:
  httplib::Client client_;
};

// An installer page: records the request the portal POSTs to it and finishes the installation,
// as the app's page does in a browser.
class Installer {
 public:
  Installer() {
    server_.Post("/install", [this](const httplib::Request& req, httplib::Response& res) {
      {
        std::lock_guard<std::mutex> lock(mutex_);
        const auto q = req.target.find('?');
        query_ = q == std::string::npos ? "" : req.target.substr(q + 1);
        body_ = req.body;
      }
      res.set_content("<script>BX24.installFinish();</script>", "text/html");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Installer() {
    server_.stop();
    thread_.join();
  }
  std::string Url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  core::Result<core::PageRequest> Request() {
    std::lock_guard<std::mutex> lock(mutex_);
    return core::ParsePageRequest(query_, body_);
  }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mutex_;
  std::string query_, body_;  // GUARDED_BY(mutex_)
};

constexpr double kFirstLead = 1736143200;  // 2025-01-06 09:00 in Moscow, the portal's zone
constexpr double kDay = 86400;

// Lead i is created a minute after lead i-1, worked, and converted into deal i (when i <= deals)
// or junked; deal i goes to its final stage over five days.
std::string LeadFinal(long i, const Options& o) { return i <= o.deals ? "CONVERTED" : "JUNK"; }
std::string DealFinal(long i) {
  static const char* kFinal[] = {"WON", "LOSE", "EXECUTING"};
  return kFinal[i % 3];
}

void Batches(Portal& portal, const std::string& hook, long count,
             const std::function<std::string(long)>& command) {
  for (long first = 1; first <= count; first += 50) {
    json cmd = json::object();
    for (long i = first; i < first + 50 && i <= count; ++i)
      cmd["c" + std::to_string(i)] = command(i);
    const json answer = portal.Post(hook + "batch", {{"halt", 1}, {"cmd", cmd}});
    const json& errors = answer["result"]["result_error"];
    if (errors.is_object() && !errors.empty()) Die("seeding: " + errors.dump().substr(0, 300));
  }
}

void SeedHistory(Portal& portal, int type_id, long owners, int per_owner,
                 const std::function<json(long owner, int step)>& row) {
  constexpr long kOwnersPerCall = 5000;
  for (long first = 1; first <= owners; first += kOwnersPerCall) {
    json rows = json::array();
    for (long i = first; i < first + kOwnersPerCall && i <= owners; ++i) {
      for (int step = 0; step < per_owner; ++step) rows.push_back(row(i, step));
    }
    portal.Control("stagehistory", {{"entityTypeId", type_id}, {"replace", true}, {"rows", rows}});
  }
}

// Leads, deals and per_owner history rows each (the creation row, moves, the final stage).
void Seed(Portal& portal, const std::string& hook, const Options& o) {
  Batches(portal, hook, o.leads, [&o](long i) {
    return "crm.lead.add?" + core::EncodeQuery({{"fields",
                                                 {{"TITLE", "Лид " + std::to_string(i)},
                                                  {"STATUS_ID", LeadFinal(i, o)},
                                                  {"SOURCE_ID", i % 2 ? "CALL" : "WEB"},
                                                  {"OPPORTUNITY", 1000 + i % 90 * 100},
                                                  {"CURRENCY_ID", "RUB"}}}});
  });
  Batches(portal, hook, std::min(o.deals, o.leads), [](long i) {
    return "crm.deal.add?" + core::EncodeQuery({{"fields",
                                                 {{"TITLE", "Сделка " + std::to_string(i)},
                                                  {"LEAD_ID", i},
                                                  {"STAGE_ID", DealFinal(i)},
                                                  {"OPPORTUNITY", 1000 + i % 90 * 100},
                                                  {"CURRENCY_ID", "RUB"}}}});
  });
  if (o.history <= 0) return;
  auto time = [](double at) { return static_cast<int64_t>(at); };
  SeedHistory(portal, 1, o.leads, o.history, [&](long i, int step) {
    const double created = kFirstLead + static_cast<double>(i) * 60;
    const bool last = step == o.history - 1;
    return json{{"OWNER_ID", i},
                {"STATUS_ID", step == 0 ? "NEW"
                              : last    ? LeadFinal(i, o)
                                        : "IN_PROCESS"},
                {"TYPE_ID", step == 0 ? 1
                            : last    ? 3
                                      : 2},
                {"CREATED_TIME", time(created + step * 600 + (last ? kDay : 0))}};
  });
  SeedHistory(portal, 2, std::min(o.deals, o.leads), o.history, [&](long i, int step) {
    const double created = kFirstLead + static_cast<double>(i) * 60 + kDay + 60;
    const bool last = step == o.history - 1;
    const std::string final_stage = DealFinal(i);
    return json{{"OWNER_ID", i},
                {"STAGE_ID", step == 0 ? "NEW"
                             : last    ? final_stage
                                       : "PREPARATION"},
                {"TYPE_ID", step == 0                              ? 1
                            : (last && final_stage != "EXECUTING") ? 3
                                                                   : 2},
                {"CREATED_TIME", time(created + step * kDay + (last ? 3 * kDay : 0))}};
  });
}

struct Step {
  double at;  // seconds since the run began, when this request's rows were saved
  long requests;
  long rows;
  double limiter_wait;
};

int64_t Count(store::Database& db, const char* sql) {
  store::Session session(db);
  auto statement = session.Prepare("bench count", sql);
  if (!statement) Die(statement.error().message);
  auto row = statement->Step();
  if (!row || !*row) Die("count failed");
  return statement->ColumnInt64(0);
}

std::string Thousands(double value, int decimals = 0) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  const auto dot = text.find('.');
  auto digits = static_cast<long>(dot == std::string::npos ? text.size() : dot);
  for (long at = digits - 3; at > 0; at -= 3) text.insert(static_cast<size_t>(at), ",");
  return text;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App cli{"Backfill benchmark: a large portal's history into journeys at the rate limit"};
  cli.add_option("--emulator", o.emulator, "the emulator's base URL, http://127.0.0.1:P")
      ->required();
  cli.add_option("--db", o.db, "a new SQLite file for the journeys")->required();
  cli.add_option("--leads", o.leads, "leads to seed")->capture_default_str();
  cli.add_option("--deals", o.deals, "deals to seed, made from the first leads")
      ->capture_default_str();
  cli.add_option("--history", o.history, "stage history rows per lead and per deal")
      ->capture_default_str();
  // The client's limiter keeps its defaults (50, 2/s) whatever these say, as the server's does.
  cli.add_option("--bucket", o.bucket, "the portal's bucket while measuring")
      ->capture_default_str();
  cli.add_option("--drain", o.drain, "the portal's requests per second while measuring")
      ->capture_default_str();
  cli.add_option("--client-id", o.client_id)->capture_default_str();
  cli.add_option("--client-secret", o.client_secret)->capture_default_str();
  cli.add_option("--json", o.json_out, "also write the results here");
  CLI11_PARSE(cli, argc, argv);
  o.deals = std::min(o.deals, o.leads);

  Portal portal(o.emulator);
  // Seeding is not measured: no limit while it runs.
  portal.Control("limits", {{"bucket", 1e12}, {"drain", 1e6}, {"reset", true}});
  Installer installer;
  portal.Control("apps/install", {{"application_url", installer.Url("/app")},
                                  {"installer_url", installer.Url("/install")},
                                  {"scope", "crm"}});
  auto page = installer.Request();
  if (!page) Die("the installer request: " + page.error().message);
  const std::string hook =
      portal.Control("webhooks", {{"user_id", 1}, {"code", "benchseed"}})["url"].get<std::string>();
  const std::string hook_path = hook.substr(hook.find("/rest/"));

  const double seed_start = Seconds();
  std::fprintf(stderr, "seeding %ld leads, %ld deals, %d history rows each...\n", o.leads, o.deals,
               o.history);
  Seed(portal, hook_path, o);
  const double seed_seconds = Seconds() - seed_start;
  std::fprintf(stderr, "seeded in %.1f s\n", seed_seconds);

  // The measured phase: the given limits, an empty bucket, a clean request log.
  portal.Control("limits", {{"bucket", o.bucket}, {"drain", o.drain}, {"reset", true}});
  portal.Control("log/clear");
  const json state = portal.Get("/_emulator/state");
  json limits;
  for (const auto& p : state["portals"]) {
    if (p["member_id"] == page->member_id) limits = p["limits"];
  }
  if (!limits.is_object()) Die("the installed portal is not in /_emulator/state");
  const double bucket = limits["bucket"].get<double>();
  const double drain = limits["drain"].get<double>();

  auto db = store::Database::Open(o.db);
  if (!db) Die("--db: " + db.error().message);
  const store::TokenCipher cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals(**db, cipher);
  engine::SystemClock clock;
  b24::HttplibTransport transport;
  b24::ClientOptions client_options;
  client_options.oauth_url = o.emulator + "/oauth/token/";
  client_options.client_id = o.client_id;
  client_options.client_secret = o.client_secret;
  // The installation as the app makes it: from what the OAuth server says of the installer's
  // refresh token (REST.md §1.5).
  auto grant = b24::ExchangeRefreshToken(transport, client_options, page->refresh_id,
                                         static_cast<int64_t>(clock.Now()));
  if (!grant) Die("the OAuth server refused the installer's token: " + grant.error().description);
  const store::PortalRecord record =
      engine::InstalledRecord(*grant, static_cast<int64_t>(clock.Now()));
  if (auto ok = portals.Upsert(record); !ok) Die(ok.error().message);
  engine::PortalTokens tokens(portals, clock);
  b24::RateLimiter limiter({}, clock);
  b24::RestClient client(client_options, transport, tokens, limiter, clock);
  store::JourneyStore journeys(**db);
  engine::Backfill backfill(client, journeys);

  std::vector<Step> steps;
  std::fprintf(stderr, "backfilling at bucket %g, %g requests/s...\n", bucket, drain);
  const double start = Seconds();
  auto report = backfill.Run(record.member_id, nullptr, [&](const engine::BackfillReport& r) {
    steps.push_back({Seconds() - start, r.requests, r.rows, client.Stats().limiter_wait_seconds});
  });
  const double seconds = Seconds() - start;
  if (!report) Die("the backfill failed: " + report.error().message);
  if (!report->done) Die("the backfill stopped before its end");

  const json log = portal.Get("/_emulator/log?last=0");
  const long limited = log["by_error"].value("QUERY_LIMIT_EXCEEDED", 0L);
  const long portal_requests = log.value("total", 0L);
  const int64_t items = Count(**db, "SELECT count(*) FROM journey_items");
  const int64_t transitions = Count(**db, "SELECT count(*) FROM transitions");
  // Without seeded history every item keeps the one row its creation wrote.
  const long expected = (o.leads + o.deals) * (1 + std::max(o.history, 1));

  // Steady state: from the first request the limiter held back (the burst the bucket allows is
  // spent; every later request waits for it to drain) to the end.
  size_t held = 0;
  while (held < steps.size() && steps[held].limiter_wait <= 0) ++held;
  double steady_rows_per_s = 0, steady_requests_per_s = 0, steady_seconds = 0;
  long steady_requests = 0;
  if (held + 1 < steps.size()) {
    steady_seconds = steps.back().at - steps[held].at;
    steady_requests = steps.back().requests - steps[held].requests;
    steady_rows_per_s = static_cast<double>(steps.back().rows - steps[held].rows) / steady_seconds;
    steady_requests_per_s = static_cast<double>(steady_requests) / steady_seconds;
  }
  const double nominal = 5000;  // 2 requests/s × 50 commands × 50 rows
  const double ceiling = drain * core::kCommandsPerBatch * core::kRowsPerPage;
  // What the portal allows over this run's length, the bucket's burst included.
  const double burst_ceiling =
      (bucket + drain * seconds) * core::kCommandsPerBatch * core::kRowsPerPage / seconds;
  const double rows_per_s = static_cast<double>(report->rows) / seconds;
  const double burst_requests = held < steps.size() ? static_cast<double>(steps[held].requests) : 0;
  // Until the limiter held one back, requests followed one another as fast as the portal answered
  // and their rows were saved: the time a request costs us, apart from the rate limit.
  const double per_request =
      held > 0 ? steps[held - 1].at / static_cast<double>(steps[held - 1].requests) : 0;

  std::printf(
      "Backfill: %s leads, %s deals, %d stage-history rows each; the portal's limits while "
      "measuring: bucket %g, %g requests/s (ceiling %s rows/s); %u cores\n\n",
      Thousands(static_cast<double>(o.leads)).c_str(),
      Thousands(static_cast<double>(o.deals)).c_str(), o.history, bucket, drain,
      Thousands(ceiling).c_str(), std::thread::hardware_concurrency());
  std::printf(
      "| rows saved | requests | time | rows/s | of 5,000 | steady rows/s | steady, of the "
      "ceiling | steady requests/s | s per request unthrottled | QUERY_LIMIT_EXCEEDED | target "
      "|\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|\n");
  const bool met = steady_rows_per_s >= 0.9 * ceiling;
  const char* verdict = steady_requests == 0 ? "no steady state: the run fit in the burst"
                        : met                ? "steady ≥ 90 %: met"
                                             : "steady ≥ 90 %: not met";
  std::printf("| %s | %ld | %.1f s | %s | %.1f %% | %s | %.1f %% | %.2f | %.2f | %ld | %s |\n",
              Thousands(static_cast<double>(report->rows)).c_str(), report->requests, seconds,
              Thousands(rows_per_s).c_str(), 100 * rows_per_s / nominal,
              Thousands(steady_rows_per_s).c_str(), 100 * steady_rows_per_s / ceiling,
              steady_requests_per_s, per_request, limited, verdict);
  std::printf(
      "\nSteady state: the last %ld requests, over %.1f s, after the first %.0f went in the "
      "bucket's burst. Over the whole run the portal allowed at most %s rows/s, the bucket "
      "included: %.1f %% of that. Stored: %s journey items and %s transitions (%s rows "
      "expected); the portal counted %ld requests; seeding took %.0f s.\n",
      steady_requests, steady_seconds, burst_requests, Thousands(burst_ceiling).c_str(),
      100 * rows_per_s / burst_ceiling, Thousands(static_cast<double>(items)).c_str(),
      Thousands(static_cast<double>(transitions)).c_str(),
      Thousands(static_cast<double>(expected)).c_str(), portal_requests, seed_seconds);

  if (!o.json_out.empty()) {
    json out = {{"leads", o.leads},
                {"deals", o.deals},
                {"history_per_item", o.history},
                {"bucket", bucket},
                {"drain", drain},
                {"rows", report->rows},
                {"expected_rows", expected},
                {"journey_items", items},
                {"transitions", transitions},
                {"requests", report->requests},
                {"portal_requests", portal_requests},
                {"seconds", seconds},
                {"rows_per_second", rows_per_s},
                {"percent_of_5000", 100 * rows_per_s / nominal},
                {"ceiling_rows_per_second", ceiling},
                {"burst_ceiling_rows_per_second", burst_ceiling},
                {"burst_requests", burst_requests},
                {"seconds_per_request_unthrottled", per_request},
                {"steady_seconds", steady_seconds},
                {"steady_requests", steady_requests},
                {"steady_rows_per_second", steady_rows_per_s},
                {"steady_requests_per_second", steady_requests_per_s},
                {"steady_percent_of_ceiling", 100 * steady_rows_per_s / ceiling},
                {"query_limit_exceeded", limited},
                {"target_met", steady_requests > 0 && met},
                {"seed_seconds", seed_seconds}};
    std::FILE* file = std::fopen(o.json_out.c_str(), "w");
    if (file == nullptr) Die("--json: cannot write " + o.json_out);
    std::fputs(out.dump(2).c_str(), file);
    std::fclose(file);
  }
  return 0;
}
