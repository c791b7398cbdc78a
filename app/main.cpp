// The conveyor executable: command line, configuration and wiring. Nothing else lives here.
#include <pthread.h>

#include <csignal>
#include <fstream>
#include <iostream>
#include <memory>
#include <thread>

#include <httplib.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "app/config.h"
#include "app/embedded.h"
#include "handlers/deps.h"
#include "handlers/routes.h"
#include "lib/b24/rate_limiter.h"
#include "lib/b24/rest_client.h"
#include "lib/b24/transport.h"
#include "lib/engine/backfill_runs.h"
#include "lib/engine/conveyor_rules.h"
#include "lib/engine/executor.h"
#include "lib/engine/followed_clock.h"
#include "lib/engine/inbox_worker.h"
#include "lib/engine/installations.h"
#include "lib/engine/log.h"
#include "lib/engine/logging_rules.h"
#include "lib/engine/periodic.h"
#include "lib/engine/portal_settings.h"
#include "lib/engine/portal_tokens.h"
#include "lib/engine/reports.h"
#include "lib/engine/sweeper.h"
#include "lib/engine/system_clock.h"
#include "lib/store/database.h"
#include "lib/store/decision_log.h"
#include "lib/store/inbox.h"
#include "lib/store/operation_log.h"
#include "lib/store/portal_store.h"
#include "lib/store/settings_store.h"
#include "lib/store/snapshot_store.h"
#include "lib/store/sweep_marks.h"
#include "lib/store/timer_store.h"
#include "lib/store/token_cipher.h"

namespace {

constexpr size_t kServerThreads = 64;

int Fail(const std::string& message, int code = 2) {
  std::cerr << "conveyor: " << message << "\n";
  return code;
}

int Serve(app::Config config) {
  const auto level = engine::LevelNamed(config.log_level);
  if (!level) {
    return Fail("CONVEYOR_LOG_LEVEL must be trace, debug, info, warn, error, critical or off");
  }
  engine::UseJsonLines(*level);
  auto listen = app::ParseHostPort(config.listen);
  if (!listen) return Fail("CONVEYOR_LISTEN: " + listen.error().message);
  if (auto valid = app::Validate(config); !valid) return Fail(valid.error().message);
  auto manifest = core::ParseManifest(nlohmann::json::parse(app::kManifestJson, nullptr, false));
  auto spec = core::ParseInstallSpec(nlohmann::json::parse(app::kInstallSpecJson, nullptr, false));
  auto defaults =
      core::ParseSettings(nlohmann::json::parse(app::kDefaultSettingsJson, nullptr, false));
  if (!manifest || !spec || !defaults)
    return Fail("the embedded manifest, install spec or default settings are invalid", 1);

  auto cipher = config.dev && config.encryption_key.empty()
                    ? core::Result<store::TokenCipher>(store::TokenCipher::ForDevelopment())
                    : store::TokenCipher::FromKey(config.encryption_key);
  if (!cipher) return Fail("CONVEYOR_ENCRYPTION_KEY: " + cipher.error().message);
  if (config.dev && config.encryption_key.empty())
    engine::Log(spdlog::level::warn, "development mode: tokens are sealed with a public key");
  store::DatabaseOptions db_options;
  db_options.background_checkpoints = true;
  auto db = store::Database::Open(config.db, db_options);
  if (!db) return Fail("CONVEYOR_DB: " + db.error().message, 1);
  // A second connection copies the WAL back into the database file, off the request path.
  auto checkpointer = store::Database::Open(config.db);
  if (!checkpointer) return Fail("CONVEYOR_DB: " + checkpointer.error().message, 1);

  // SIGTERM/SIGINT are blocked in every thread started below and taken by sigwait on the main
  // thread: shutdown runs outside any signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  engine::SystemClock system_clock;
  std::unique_ptr<engine::FollowedClock> followed_clock;
  if (!config.clock_url.empty()) {
    auto followed = engine::FollowedClock::Start(config.clock_url);
    if (!followed) return Fail("CONVEYOR_CLOCK_URL: " + followed.error().message, 1);
    followed_clock = std::move(*followed);
    engine::Log(spdlog::level::warn, "development mode: following a virtual clock",
                {{"url", config.clock_url}});
  }
  core::Clock& clock = followed_clock ? static_cast<core::Clock&>(*followed_clock) : system_clock;
  store::PortalStore portals(**db, *cipher);
  store::Inbox inbox(**db);
  engine::PortalTokens tokens(portals, clock);
  b24::HttplibTransport transport;
  b24::RateLimiter limiter({}, clock);
  b24::ClientOptions client_options;
  client_options.oauth_url = config.oauth_url;
  client_options.client_id = config.client_id;
  client_options.client_secret = config.client_secret;
  client_options.timeout_seconds = config.rest_timeout_seconds;
  b24::RestClient client(client_options, transport, tokens, limiter, clock);

  handlers::Deps deps;
  deps.version = CONVEYOR_VERSION;
  deps.client_id = config.client_id;
  deps.manifest = *manifest;
  deps.spec = *spec;
  deps.portals = &portals;
  deps.inbox = &inbox;
  deps.client = &client;
  deps.transport = &transport;
  deps.clock = &clock;

  std::unique_ptr<httplib::Server> server;
  if (!config.tls_cert.empty()) {
    server = std::make_unique<httplib::SSLServer>(config.tls_cert.c_str(), config.tls_key.c_str());
    if (!server->is_valid()) return Fail("cannot load CONVEYOR_TLS_CERT / CONVEYOR_TLS_KEY");
  } else {
    server = std::make_unique<httplib::Server>();
  }
  // Headers and body leave in two writes; without TCP_NODELAY the body waits for the client's
  // delayed ACK (~40 ms per keep-alive request).
  server->set_tcp_nodelay(true);
  // httplib closes a keep-alive connection after 5 requests by default; event senders reuse
  // theirs for bursts, and a reconnect per 5 events costs more than the event itself.
  server->set_keep_alive_max_count(1000);
  // A connection holds a thread while it idles between requests (cpp-httplib has no event
  // loop): many threads and a short idle time, so that a few idle or slow clients cannot take
  // them all. Bitrix24's queue sends bursts, which a 2-second keep-alive still covers.
  server->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server->set_keep_alive_timeout(2);
  server->set_read_timeout(5);
  server->set_write_timeout(5);
  // One access line per request; the path only, never a query string or a body.
  server->set_logger([](const httplib::Request& req, const httplib::Response& res) {
    engine::Log(spdlog::level::info, "request",
                {{"method", req.method}, {"path", req.path}, {"status", res.status}});
  });
  int port = listen->port;
  if (port == 0) {
    port = server->bind_to_any_port(listen->host);
  } else if (!server->bind_to_port(listen->host, port)) {
    port = -1;
  }
  if (port < 0) return Fail("cannot listen on " + config.listen, 1);
  const std::string scheme = config.tls_cert.empty() ? "http" : "https";
  deps.public_url = config.public_url.empty()
                        ? scheme + "://" + listen->host + ":" + std::to_string(port)
                        : config.public_url;
  while (!deps.public_url.empty() && deps.public_url.back() == '/') deps.public_url.pop_back();
  // Workers drain the inbox: events acknowledged to Bitrix24 are processed even after a crash.
  store::SnapshotStore snapshots(**db);
  store::OperationLog operations(**db);
  // Whatever the last process began and never sent, it never sent: the next attempt sends it.
  if (auto forgotten = operations.ForgetUnsent(); !forgotten) {
    return Fail(forgotten.error().message, 1);
  } else if (*forgotten > 0) {
    engine::Log(spdlog::level::info, "operations begun and never sent are forgotten",
                {{"count", *forgotten}});
  }
  store::SettingsStore settings_store(**db);
  engine::PortalSettings settings(settings_store, *defaults);
  store::DecisionLog decisions(**db);
  engine::ConveyorRules conveyor_rules(client, settings, portals, decisions, clock);
  engine::LoggingRules rules(conveyor_rules);
  engine::EchoExpectations echoes;
  store::JourneyStore journeys(**db);
  engine::Executor executor(client, operations, snapshots, clock, &echoes, &journeys);
  store::TimerStore timers(**db);
  engine::InboxWorker worker(inbox, snapshots, client, rules, executor, decisions, timers, clock,
                             {}, &echoes, &journeys);
  if (auto released = inbox.ReleaseLeases(); !released)
    return Fail("CONVEYOR_DB: " + released.error().message, 1);
  engine::WorkerPool workers(worker, clock, 2);
  deps.workers = &workers;
  deps.decisions = &decisions;
  deps.echoes = &echoes;
  deps.journeys = &journeys;
  engine::Reports reports(journeys, decisions, settings, &client, clock);
  deps.reports = &reports;
  engine::Backfill backfill(client, journeys);
  engine::BackfillRuns backfills(backfill, journeys);
  deps.backfills = &backfills;
  engine::SetUp set_up(client, settings, conveyor_rules, timers, clock);
  deps.set_up = &set_up;
  deps.settings_store = &settings_store;
  deps.settings = &settings;
  deps.api_token = config.api_token;
  const handlers::PageSessions sessions(cipher->DeriveKey("conveyor page sessions v1"));
  deps.sessions = &sessions;
  deps.bx24_url = config.bx24_url;
  store::SweepMarks marks(**db);
  engine::Sweeper sweeper(portals, snapshots, marks, inbox, client, clock);
  deps.sweeper = &sweeper;
  engine::Installations::Wiring install_wiring;
  install_wiring.portals = &portals;
  install_wiring.client = &client;
  install_wiring.transport = &transport;
  install_wiring.oauth = client_options;
  install_wiring.clock = &clock;
  install_wiring.spec = *spec;
  install_wiring.manifest = *manifest;
  install_wiring.public_url = deps.public_url;
  install_wiring.sweeper = &sweeper;
  install_wiring.backfills = &backfills;
  install_wiring.reports = &reports;
  install_wiring.first_setup =
      engine::FirstSetupWiring{&client, &settings_store, &decisions, *defaults, *spec};
  engine::Installations installations(std::move(install_wiring));
  deps.installations = &installations;
  // Checkpoint in a quiet second, or at least every other second of a burst. The intake's
  // commits are synced (an acknowledged event survives a power loss); after a checkpoint the
  // WAL is written again from its start, and a sync of a file that does not grow is much
  // cheaper than one that does (bench/intake.sh: ~4,000 events/s with the WAL growing through
  // a burst, ~4,900 with it restarting every 2 s).
  engine::Periodic checkpoints(1, [&checkpointer, &deps, last_seen = -1L, waited = 0]() mutable {
    const long seen = deps.events_received.load();
    if (seen != last_seen && ++waited < 2) {
      last_seen = seen;
      return;
    }
    last_seen = seen;
    waited = 0;
    (void)(*checkpointer)->Checkpoint();
  });
  std::unique_ptr<engine::Periodic> sweeps;
  if (config.sweep_seconds > 0) {
    sweeps = std::make_unique<engine::Periodic>(config.sweep_seconds,
                                                [&sweeper] { (void)sweeper.SweepAll(); });
  }
  handlers::RegisterRoutes(*server, deps);
  if (!config.port_file.empty()) std::ofstream(config.port_file) << "{\"port\":" << port << "}\n";
  engine::Log(spdlog::level::info, "listening",
              {{"version", deps.version},
               {"address", scheme + "://" + listen->host + ":" + std::to_string(port)},
               {"public_url", deps.public_url}});

  std::thread serving([&server] { server->listen_after_bind(); });
  int signal = 0;
  sigwait(&signals, &signal);
  server->stop();
  serving.join();
  client.Shutdown();  // no REST call or retry holds the workers back
  if (sweeps) sweeps->Stop();
  backfills.StopAll();
  workers.Stop();
  engine::Log(spdlog::level::info, "stopped");
  spdlog::shutdown();  // flushes the background log thread
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Conveyor: call center -> sales -> production for Bitrix24"};
  cli.require_subcommand(1);
  app::Config config;
  app::ApplyEnvironment(config);  // flags parsed below override the environment
  auto* serve = cli.add_subcommand("serve", "Run the HTTP server");
  serve->add_option("--listen", config.listen, "host:port (env CONVEYOR_LISTEN)");
  serve->add_option("--public-url", config.public_url,
                    "base URL Bitrix24 calls (env CONVEYOR_PUBLIC_URL)");
  serve->add_option("--db", config.db, "SQLite file (env CONVEYOR_DB)");
  serve->add_option("--oauth-url", config.oauth_url,
                    "OAuth token endpoint (env CONVEYOR_OAUTH_URL)");
  serve->add_option("--tls-cert", config.tls_cert, "PEM certificate (env CONVEYOR_TLS_CERT)");
  serve->add_option("--tls-key", config.tls_key, "PEM key (env CONVEYOR_TLS_KEY)");
  serve->add_option("--log-level", config.log_level,
                    "trace|debug|info|warn|error (env CONVEYOR_LOG_LEVEL)");
  serve->add_flag("--dev", config.dev,
                  "allow the insecure development encryption key (env CONVEYOR_DEV=1)");
  serve->add_option("--sweep-seconds", config.sweep_seconds,
                    "reconciliation sweep interval, 0 = off (env CONVEYOR_SWEEP_SECONDS)");
  serve->add_option("--rest-timeout-seconds", config.rest_timeout_seconds,
                    "how long a portal's answer is awaited (env CONVEYOR_REST_TIMEOUT_SECONDS)");
  serve->add_option("--bx24-url", config.bx24_url,
                    "BX24 library URL the pages load, empty = none (env CONVEYOR_BX24_URL)");
  serve->add_option("--port-file", config.port_file, "write {\"port\":N} here once listening");
  CLI11_PARSE(cli, argc, argv);
  try {
    return Serve(config);
  } catch (const std::exception& e) {
    std::cerr << "conveyor: fatal: " << e.what() << "\n";
    return 1;
  }
}
