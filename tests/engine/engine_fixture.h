// What the engine suites share: a REST client on an emulated portal with the app installed
// (test::ClientFixture), and real SQLite in memory holding that portal and the engine's stores.
#pragma once

#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "lib/engine/executor.h"
#include "lib/store/database.h"
#include "lib/store/decision_log.h"
#include "lib/store/inbox.h"
#include "lib/store/journey_store.h"
#include "lib/store/operation_log.h"
#include "lib/store/portal_store.h"
#include "lib/store/snapshot_store.h"
#include "lib/store/timer_store.h"
#include "tests/b24/memory_token_store.h"

namespace test {

// A file of the source tree as JSON; discarded when missing or invalid.
inline nlohmann::json ReadSourceJson(const std::string& relative) {
  std::ifstream in(std::string(CONVEYOR_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return nlohmann::json::parse(text.str(), nullptr, false);
}

struct EngineFixture : ClientFixture {
  std::unique_ptr<store::Database> db = std::move(*store::Database::Open(":memory:"));
  store::TokenCipher cipher = store::TokenCipher::ForDevelopment();
  store::PortalStore portals{*db, cipher};
  store::Inbox inbox{*db};
  store::SnapshotStore snapshots{*db};
  store::OperationLog operations{*db};
  store::DecisionLog decisions{*db};
  store::TimerStore timers{*db};
  store::JourneyStore journeys{*db};
  engine::Executor executor{client, operations, snapshots, clock, nullptr, &journeys};

  EngineFixture() {
    store::PortalRecord record;
    record.member_id = kMember;
    record.domain = "b24.example";
    REQUIRE(portals.Upsert(record));
  }
  // Puts an event into the inbox as the events handler would.
  void Queue(const std::string& event, const std::string& type, int64_t id,
             const std::string& key) {
    REQUIRE(inbox.Enqueue(kMember, key, event, type, id, "{}", static_cast<int64_t>(clock.Now())));
  }
};

}  // namespace test
