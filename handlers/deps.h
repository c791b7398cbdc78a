// What every route needs, built once in app/ and passed by reference (no globals).
// Thread-safety: the services are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <string>

#include "handlers/page_session.h"
#include "lib/b24/rest_client.h"
#include "lib/core/clock.h"
#include "lib/core/install_spec.h"
#include "lib/engine/backfill_runs.h"
#include "lib/engine/echo_expectations.h"
#include "lib/engine/inbox_worker.h"
#include "lib/engine/installations.h"
#include "lib/engine/portal_settings.h"
#include "lib/engine/reports.h"
#include "lib/engine/set_up.h"
#include "lib/engine/sweeper.h"
#include "lib/store/decision_log.h"
#include "lib/store/inbox.h"
#include "lib/store/journey_store.h"
#include "lib/store/portal_store.h"
#include "lib/store/settings_store.h"

namespace handlers {

struct Deps {
  std::string version;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  std::string public_url;  // the base URL Bitrix24 calls, without a trailing slash
  std::string client_id;   // the app's OAuth client id: app.info names it as CODE
  core::InstallSpec spec;
  core::Manifest manifest;
  store::PortalStore* portals = nullptr;
  engine::Installations* installations = nullptr;
  store::Inbox* inbox = nullptr;
  b24::RestClient* client = nullptr;
  b24::Transport* transport = nullptr;
  core::Clock* clock = nullptr;
  engine::WorkerPool* workers = nullptr;
  engine::Sweeper* sweeper = nullptr;  // marks a new installation's starting point
  store::DecisionLog* decisions = nullptr;
  engine::EchoExpectations* echoes = nullptr;  // voided for an entity by a duplicate event
  store::JourneyStore* journeys = nullptr;
  engine::Reports* reports = nullptr;
  engine::BackfillRuns* backfills = nullptr;
  engine::SetUp* set_up = nullptr;  // the set-up page's reads and its distribute action  // started
                                    // by an installation and from the API
  store::SettingsStore* settings_store = nullptr;
  engine::PortalSettings* settings = nullptr;
  std::string api_token;  // the operations API's bearer token; empty: the API is off
  const PageSessions* sessions = nullptr;  // the pages' sessions; null: no pages are served
  std::string bx24_url;                    // the BX24 library the pages load; empty: none
  // Counted by the event route for /metrics.
  std::atomic<long> events_received{0};
  std::atomic<long> events_rejected{0};
  std::atomic<long> events_duplicate{0};
};

}  // namespace handlers
