// The conveyor binary as a real server on loopback next to a real emulator, and what app tests
// read back: the inbox and snapshots in its database, the emulator's state.
#pragma once

#include <unistd.h>

#include <cstdio>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "lib/store/database.h"
#include "lib/store/inbox.h"
#include "lib/store/portal_store.h"
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
  // Installs and waits for ONAPPINSTALL, which the portal posts on its own after the
  // installer: its vouched tokens replace the installer's, so compare stored state after it.
  bool InstallSettled() {
    if (Install().body["installed"] != true) return false;
    return Eventually(
        [&] {
          const auto stored = Stored();
          return stored && stored->application_token == ApplicationToken();
        },
        10);
  }
  long Count(const std::string& section, const char* key, const std::string& value) {
    long n = 0;
    for (const auto& row : emu.State(section).body)
      n += row.value(key, std::string()) == value ? 1 : 0;
    return n;
  }
  std::string ApplicationToken() { return emu.State("installations").body[0]["application_token"]; }
  // The installation as stored, or nullopt (tests run the app with the development key).
  std::optional<store::PortalRecord> Stored(const std::string& member_id = kMember) {
    auto database = store::Database::Open(db);
    if (!database) return std::nullopt;
    const auto cipher = store::TokenCipher::ForDevelopment();
    store::PortalStore portals(**database, cipher);
    auto found = portals.Find(member_id);
    return found ? *found : std::nullopt;
  }
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
  // What the portal POSTs to a page (REST.md §1.2, E5) for `user_id`: the placement frame's
  // hidden form, as a browser would submit it.
  struct PortalPost {
    std::string url;  // the handler with DOMAIN, PROTOCOL, LANG and APP_SID
    emu::FormPairs form;
    std::string Field(const std::string& name) const {
      for (const auto& [key, value] : form)
        if (key == name) return value;
      return "";
    }
    void Set(const std::string& name, const std::string& value) {
      for (auto& [key, old] : form)
        if (key == name) return void(old = value);
      form.emplace_back(name, value);
    }
  };
  PortalPost PageRequest(const std::string& placement, long user_id, const std::string& id = "",
                         const std::string& portal = "") {
    std::string query =
        "placement=" + emu::UrlEncode(placement) + "&user_id=" + std::to_string(user_id);
    if (!id.empty()) query += "&id=" + emu::UrlEncode(id);
    if (!portal.empty()) query += "&portal=" + emu::UrlEncode(portal);
    const std::string html = emu.Get("/_emulator/placements/frame?" + query).raw;
    const auto unescape = [](std::string text) {
      for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
               {"&quot;", "\""}, {"&#39;", "'"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}}) {
        for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + 1))
          text.replace(at, from.size(), to);
      }
      return text;
    };
    PortalPost post;
    const std::regex action(R"re(<form id="app-form"[^>]*action="([^"]+)")re");
    std::smatch match;
    if (std::regex_search(html, match, action)) post.url = unescape(match[1].str());
    const std::regex input(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), input);
         it != std::sregex_iterator(); ++it) {
      post.form.emplace_back(unescape((*it)[1].str()), unescape((*it)[2].str()));
    }
    return post;
  }
  // POSTs a page request to the app (its url names the app's own address).
  Answer Submit(const PortalPost& post) {
    const std::string base = app.Url("");
    const std::string path = post.url.rfind(base, 0) == 0 ? post.url.substr(base.size()) : post.url;
    httplib::Client client("127.0.0.1", app.port());
    return ToAnswer(
        client.Post(path.c_str(), emu::EncodeForm(post.form), "application/x-www-form-urlencoded"));
  }
  // A new user of the portal; returns their id.
  long AddUser(const char* name, bool admin) {
    return std::stol(
        emu.Control("users", {{"NAME", name}, {"ADMIN", admin}}).body["ID"].get<std::string>());
  }
  std::string Api(const std::string& rest) { return "/api/portals/" + kMember + rest; }
  // A call to the app's API with this Authorization header ("Bearer …" or "Session …"); PATCH
  // sends a merge patch.
  Answer Call(const std::string& method, const std::string& path, const std::string& auth,
              const json& body = nullptr) {
    httplib::Client client("127.0.0.1", app.port());
    const httplib::Headers headers = {{"Authorization", auth}};
    if (method == "PUT")
      return ToAnswer(client.Put(path.c_str(), headers, body.dump(), "application/json"));
    if (method == "PATCH") {
      return ToAnswer(
          client.Patch(path.c_str(), headers, body.dump(), "application/merge-patch+json"));
    }
    if (method == "POST")
      return ToAnswer(client.Post(path.c_str(), headers, body.dump(), "application/json"));
    if (method == "DELETE") return ToAnswer(client.Delete(path.c_str(), headers));
    return ToAnswer(client.Get(path.c_str(), headers));
  }
  // The settings patched with the operations token.
  Answer PatchSettings(const json& patch) {
    return Call("PATCH", Api("/settings"), "Bearer " + kApiToken, patch);
  }
  Answer PostEvent(const std::string& form) {
    httplib::Client client("127.0.0.1", app.port());
    return ToAnswer(client.Post("/b24/events", form, "application/x-www-form-urlencoded"));
  }
};

}  // namespace test
