// The conveyor binary as a real server on loopback next to a real emulator, and what app tests
// read back: the inbox and snapshots in its database, the emulator's state.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <map>
#include <string>

#include "lib/store/database.h"
#include "lib/store/inbox.h"
#include "lib/store/snapshot_store.h"
#include "tests/app/conveyor_process.h"

namespace test {

inline const std::string kMember = "testportal0000000000000000000001";
// The operations API's bearer token in the tests that turn the API on.
inline const std::string kApiToken = "ops-token-0123456789";
// A status the conveyor's rules leave alone: these tests are about the plumbing, and a lead the
// rules moved would bring the echo of that write into the counts.
inline const char* const kInWork = "IN_PROCESS";

struct AppFixture {
  // The reconciliation sweep is off unless a test is about it: its background reads would
  // make counts in other tests depend on timing.
  explicit AppFixture(const std::string& sweep_seconds = "0",
                      std::map<std::string, std::string> extra_env = {})
      : app{Env(emu, sweep_seconds, std::move(extra_env)), db} {}
  Emulator emu;
  std::string db = TempDb();
  ConveyorProcess app;
  ~AppFixture() {
    app.Stop();
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((db + suffix).c_str());
  }

  static std::map<std::string, std::string> Env(Emulator& emu, const std::string& sweep_seconds,
                                                std::map<std::string, std::string> env) {
    env.insert({{"CONVEYOR_CLIENT_ID", "local.conveyor"},
                {"CONVEYOR_CLIENT_SECRET", "conveyor-secret"},
                {"CONVEYOR_OAUTH_URL", emu.Base() + "/oauth/token/"},
                {"CONVEYOR_SWEEP_SECONDS", sweep_seconds},
                {"CONVEYOR_DEV", "1"}});
    return env;
  }
  static std::string TempDb() {
    char path[] = "/tmp/conveyor-db-XXXXXX";
    const int fd = mkstemp(path);
    close(fd);
    return path;
  }
  Answer Install() {
    return emu.Control("apps/install", {{"application_url", app.Url("/app")},
                                        {"installer_url", app.Url("/install")},
                                        {"install_event_url", app.Url("/b24/install")}});
  }
  long Count(const std::string& section, const char* key, const std::string& value) {
    long n = 0;
    for (const auto& row : emu.State(section).body)
      n += row.value(key, std::string()) == value ? 1 : 0;
    return n;
  }
  std::string ApplicationToken() { return emu.State("installations").body[0]["application_token"]; }
  // Events still waiting to be processed.
  long InboxDepth() {
    auto database = store::Database::Open(db);
    if (!database) return -1;
    store::Inbox inbox(**database);
    auto depth = inbox.Depth();
    return depth ? *depth : -1;
  }
  // Events on record for the portal, processed or not.
  long Received() {
    auto database = store::Database::Open(db);
    if (!database) return -1;
    store::Inbox inbox(**database);
    auto received = inbox.Received(kMember);
    return received ? *received : -1;
  }
  // The lead as the conveyor last saw it, or null.
  json SnapshotOf(const std::string& type, int64_t id) {
    auto database = store::Database::Open(db);
    if (!database) return nullptr;
    store::SnapshotStore snapshots(**database);
    auto found = snapshots.Get(kMember, type, id);
    if (!found || !*found) return nullptr;
    return json::parse((*found)->fields);
  }
  Answer PostEvent(const std::string& form) {
    httplib::Client client("127.0.0.1", app.port());
    return ToAnswer(client.Post("/b24/events", form, "application/x-www-form-urlencoded"));
  }
};

}  // namespace test
