// The REST client against a real emulator on 127.0.0.1.
#include "lib/b24/rest_client.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "lib/engine/system_clock.h"
#include "tests/b24/memory_token_store.h"
#include "tests/emulator/harness.h"

namespace rest_client_test {

using nlohmann::json;

namespace {

// The emulator's virtual clock, frozen: the client's sleeps advance it, so the limiter's and
// the portal's buckets drain together and tests never wait for real.
class EmulatorClock : public core::Clock {
 public:
  explicit EmulatorClock(test::Emulator& emu) : emu_(emu) {
    emu_.Control("clock", {{"freeze", true}});
  }
  double Now() const override { return emu_.Get("/_emulator/clock").body["now"].get<double>(); }
  void Sleep(double seconds) override { emu_.Control("clock", {{"advance", seconds}}); }

 private:
  test::Emulator& emu_;
};

struct RestClientFixture : test::ClientFixture {
  long CountOf(const std::string& method, int status) {
    const auto log = emu.Get("/_emulator/log").body;
    const auto& m = log["by_method"];
    if (!m.contains(method) || !m[method].contains(std::to_string(status))) return 0;
    return m[method][std::to_string(status)].get<long>();
  }
};

const std::string kMember = "testportal0000000000000000000001";

}  // namespace

TEST_CASE("a call returns the result — a typed failure otherwise") {
  RestClientFixture f;
  auto& client = f.client;
  auto added = client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "A"}}}});
  REQUIRE(added);
  CHECK(added->result == 1);
  auto missing = client.Call(kMember, "crm.lead.get", {{"id", 99}});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().kind == b24::FailureKind::kNotFound);
  auto unknown = client.Call("someone-else", "crm.lead.get", {{"id", 1}});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().kind == b24::FailureKind::kUnknownPortal);
}

TEST_CASE("an expired token is refreshed once — persisted — and the work goes on") {
  RestClientFixture f;
  auto& client = f.client;
  REQUIRE(client.Call(kMember, "user.current"));
  f.emu.Control("tokens/expire");
  auto after = client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "after expiry"}}}});
  REQUIRE(after);
  CHECK(f.token_store.saves() == 1);
  CHECK(f.token_store.auth().access_token != f.tokens.access);
  CHECK(f.token_store.auth().refresh_token != f.tokens.refresh);
  CHECK(client.Stats().refreshes == 1);
  CHECK(f.emu.Hook("crm.lead.list").body["total"] == 1);  // the write ran exactly once
}

TEST_CASE("a token about to expire is refreshed before use — no 401 round trip") {
  RestClientFixture f;
  auto& client = f.client;
  auto auth = f.token_store.auth();
  f.token_store.SaveTokens(kMember, auth.access_token, auth.refresh_token,
                           static_cast<int64_t>(f.clock.Now()) + 30);
  REQUIRE(client.Call(kMember, "user.current"));
  CHECK(client.Stats().refreshes == 1);
  CHECK(f.CountOf("user.current", 401) == 0);
  CHECK(f.token_store.auth().expires > static_cast<int64_t>(f.clock.Now()) + 600);
  REQUIRE(client.Call(kMember, "user.current"));  // the new token lasts: no second refresh
  CHECK(client.Stats().refreshes == 1);
  CHECK(f.token_store.saves() == 2);  // the test's own save, then the refresh's
}

TEST_CASE("eight workers hitting an expired token cause one refresh") {
  RestClientFixture f;
  auto& client = f.client;
  REQUIRE(client.Call(kMember, "user.current"));
  f.emu.Control("tokens/expire");
  std::atomic<int> ok{0};
  std::vector<std::thread> workers;
  for (int i = 0; i < 8; ++i) {
    workers.emplace_back([&] {
      if (client.Call(kMember, "crm.lead.list")) ++ok;
    });
  }
  for (auto& w : workers) w.join();
  CHECK(ok == 8);
  CHECK(client.Stats().refreshes == 1);
  CHECK(f.token_store.saves() == 1);
}

TEST_CASE("a refused refresh token marks the portal as needing a reinstall") {
  RestClientFixture f;
  auto& client = f.client;
  // Someone else spends the refresh token (e.g. an old copy of the app).
  f.emu.Get(
      "/oauth/token/"
      "?grant_type=refresh_token&client_id=local.conveyor&client_secret=conveyor-secret"
      "&refresh_token=" +
      f.tokens.refresh);
  f.emu.Control("tokens/expire");
  auto call = client.Call(kMember, "user.current");
  REQUIRE_FALSE(call);
  CHECK(call.error().kind == b24::FailureKind::kNeedsReinstall);
  CHECK(f.token_store.needs_reinstall());
  auto next = client.Call(kMember, "user.current");
  REQUIRE_FALSE(next);
  CHECK(next.error().kind == b24::FailureKind::kNeedsReinstall);
}

TEST_CASE("503 and 429 refusals are retried — nothing is lost or duplicated") {
  RestClientFixture f;
  auto& client = f.client;
  f.emu.Control("faults", {{"method", "crm.lead.add"},
                           {"count", 2},
                           {"status", 503},
                           {"error", "QUERY_LIMIT_EXCEEDED"}});
  f.emu.Control("faults", {{"method", "crm.lead.list"},
                           {"count", 1},
                           {"status", 429},
                           {"error", "OPERATION_TIME_LIMIT"}});
  REQUIRE(client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "once"}}}}));
  auto list = client.Call(kMember, "crm.lead.list");
  REQUIRE(list);
  CHECK(list->total == 1);
  CHECK(client.Stats().retries == 3);
}

TEST_CASE("an uncertain failure of a write is reported — not retried — a read is retried") {
  RestClientFixture f;
  auto& client = f.client;
  f.emu.Control("faults", {{"method", "crm.lead.add"},
                           {"count", 1},
                           {"status", 500},
                           {"error", "INTERNAL_SERVER_ERROR"}});
  auto write = client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  REQUIRE_FALSE(write);
  CHECK(write.error().kind == b24::FailureKind::kServer);
  f.emu.Control("faults", {{"method", "crm.lead.list"},
                           {"count", 1},
                           {"status", 500},
                           {"error", "INTERNAL_SERVER_ERROR"}});
  CHECK(client.Call(kMember, "crm.lead.list"));
}

TEST_CASE("batch chunks to 50 and reports each command") {
  RestClientFixture f;
  auto& client = f.client;
  std::vector<b24::BatchCommand> commands;
  for (int i = 0; i < 120; ++i) {
    commands.push_back(
        {"add" + std::to_string(i),
         "crm.lead.add",
         {{"fields",
           {{"TITLE", "Lead & " + std::to_string(i)}, {"PHONE", {{{"VALUE", "+7 912"}}}}}}}});
  }
  commands.push_back({"missing", "crm.lead.get", {{"id", 999}}});
  auto items = client.Batch(kMember, commands);
  REQUIRE(items);
  REQUIRE(items->size() == 121);
  CHECK((*items)[0].result == 1);
  CHECK((*items)[119].result == 120);
  REQUIRE((*items)[120].failure);
  CHECK((*items)[120].failure->kind == b24::FailureKind::kNotFound);
  CHECK(f.CountOf("batch", 200) == 3);
  CHECK(f.emu.Hook("crm.lead.get", {{"id", 7}}).body["result"]["TITLE"] == "Lead & 6");
  // The metrics count the commands by their own method, not as "batch".
  const auto stats = client.Stats();
  CHECK(stats.calls == 3);
  CHECK(stats.commands == 121);
  CHECK(stats.commands_by_method ==
        std::map<std::string, long>{{"crm.lead.add", 120}, {"crm.lead.get", 1}});
  // A request is a write when any of its commands writes.
  CHECK(stats.requests_by_kind == std::map<std::string, long>{{"write", 3}});
  REQUIRE(client.Batch(kMember, {{"a", "crm.lead.get", {{"id", 1}}}, {"b", "user.get", {}}}));
  CHECK(client.Stats().requests_by_kind == std::map<std::string, long>{{"read", 1}, {"write", 3}});
}

TEST_CASE("each part of a batch is announced once, as it leaves — a refusal sends nothing") {
  RestClientFixture f;
  auto& client = f.client;
  std::vector<b24::BatchCommand> commands;
  for (int i = 0; i < 60; ++i)
    commands.push_back({"add" + std::to_string(i), "crm.lead.add", {{"fields", {{"TITLE", "x"}}}}});
  // The first part meets a refusal and is retried: still announced once.
  f.emu.Control("faults",
                {{"method", "batch"}, {"status", 503}, {"error", "QUERY_LIMIT_EXCEEDED"}});
  std::vector<std::pair<size_t, size_t>> announced;
  auto items = client.Batch(kMember, commands, b24::Lane::kInteractive, false,
                            [&](size_t first, size_t end) {
                              announced.emplace_back(first, end);
                              return true;
                            });
  REQUIRE(items);
  CHECK(announced == std::vector<std::pair<size_t, size_t>>{{0, 50}, {50, 60}});
  CHECK(f.CountOf("batch", 200) == 2);

  auto refused = client.Batch(kMember, commands, b24::Lane::kInteractive, false,
                              [](size_t, size_t) { return false; });
  REQUIRE_FALSE(refused);
  CHECK(refused.error().kind == b24::FailureKind::kNotSent);
  CHECK(b24::CertainlyNotRun(refused.error().kind));
  CHECK(f.CountOf("batch", 200) == 2);
  CHECK(f.emu.State("leads").body.size() == 60);
}

TEST_CASE("a keyset scan reads every row without counting — next-paging reads them too") {
  RestClientFixture f;
  auto& client = f.client;
  std::vector<b24::BatchCommand> commands;
  for (int i = 0; i < 120; ++i)
    commands.push_back({"l" + std::to_string(i), "crm.lead.add", {{"fields", {{"TITLE", "L"}}}}});
  REQUIRE(client.Batch(kMember, commands));
  std::vector<long> ids;
  auto seen =
      client.ScanById(kMember, "crm.lead.list", {{"select", {"ID"}}}, [&](const json& rows) {
        for (const auto& r : rows) ids.push_back(std::stol(r["ID"].get<std::string>()));
        return true;
      });
  REQUIRE(seen);
  CHECK(*seen == 120);
  CHECK(ids.front() == 1);
  CHECK(ids.back() == 120);
  CHECK(f.CountOf("crm.lead.list", 200) == 3);
  auto items = client.ScanById(
      kMember, "crm.item.list", {{"entityTypeId", 1}}, [](const json&) { return true; },
      b24::Lane::kBackfill, "id");
  REQUIRE(items);
  CHECK(*items == 120);
  auto all = client.ListAll(kMember, "crm.lead.list", {{"select", {"ID"}}});
  REQUIRE(all);
  CHECK(all->size() == 120);
}

TEST_CASE("a portal's domain change is followed once the OAuth server confirms it") {
  RestClientFixture f;
  auto& client = f.client;
  const std::string domain = f.emu.Control("domain").body["domain"];
  auto added = client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "after move"}}}});
  REQUIRE(added);
  CHECK(f.token_store.auth().client_endpoint == "http://" + domain + "/rest/");
  CHECK(client.Stats().redirects == 1);
  CHECK(f.emu.State("leads").body.size() == 1);
}

TEST_CASE("a redirect the OAuth server does not confirm is refused — no token follows it") {
  RestClientFixture f;
  auto& client = f.client;
  const std::string before = f.token_store.auth().client_endpoint;
  REQUIRE(f.emu.Control("hostile", {{"mode", "redirect"}}).status == 200);
  auto added = client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  REQUIRE_FALSE(added);
  CHECK(added.error().description == "a redirect the OAuth server denies");
  CHECK(f.token_store.auth().client_endpoint == before);
  CHECK_FALSE(client.Health(kMember).healthy);
  REQUIRE(f.emu.Control("hostile", {{"mode", "off"}}).status == 200);
  REQUIRE(client.Call(kMember, "crm.lead.add", {{"fields", {{"TITLE", "y"}}}}));
  CHECK(client.Health(kMember).healthy);
}

TEST_CASE("answers of the wrong shape are failed calls that mark the portal unhealthy") {
  RestClientFixture f;
  auto& client = f.client;
  for (const char* mode : {"wrong_types", "html"}) {
    INFO(mode);
    REQUIRE(f.emu.Control("hostile", {{"mode", mode}}).status == 200);
    auto batch = client.Batch(kMember, {{"a", "crm.lead.list", json::object()}});
    CHECK_FALSE(batch);
    CHECK_FALSE(client.Health(kMember).healthy);
    REQUIRE(f.emu.Control("hostile", {{"mode", "off"}}).status == 200);
    CHECK(client.Batch(kMember, {{"a", "crm.lead.list", json::object()}}));
    CHECK(client.Health(kMember).healthy);
  }
}

TEST_CASE("the limiter keeps the portal's own limit from ever refusing a burst") {
  RestClientFixture f;
  EmulatorClock clock(f.emu);
  b24::RateLimiter limiter({}, clock);
  b24::RestClient client(test::ClientOptionsFor(f.emu.Base()), f.transport, f.token_store, limiter,
                         clock);
  for (int i = 0; i < 120; ++i) REQUIRE(client.Call(kMember, "crm.lead.list"));
  const auto log = f.emu.Get("/_emulator/log").body;
  CHECK_FALSE(log["by_error"].contains("QUERY_LIMIT_EXCEEDED"));
  CHECK(client.Stats().limiter_wait_seconds > 30);  // ~72 requests over the bucket at 2/s
}

TEST_CASE("after Shutdown a read waiting out its retries gives up at once and calls fail") {
  RestClientFixture f;
  f.emu.Control("faults",
                {{"method", "crm.lead.list"}, {"count", 20}, {"status", 500}, {"error", "ERROR"}});
  // A production backoff: its four retries would wait 2 + 4 + 8 + 16 seconds.
  auto options = test::ClientOptionsFor(f.emu.Base());
  options.backoff_seconds = 2;
  b24::RestClient client{options, f.transport, f.token_store, f.limiter, f.clock};
  std::atomic<bool> done{false};
  b24::Result<b24::Response> result = tl::unexpected(b24::Failure{});
  std::thread reader([&] {
    result = client.Call(kMember, "crm.lead.list");
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into its first backoff
  const auto stopped_at = std::chrono::steady_clock::now();
  client.Shutdown();
  reader.join();
  CHECK(std::chrono::steady_clock::now() - stopped_at < std::chrono::seconds(5));
  REQUIRE(done);
  CHECK_FALSE(result);
  auto later = client.Call(kMember, "crm.lead.list");
  REQUIRE_FALSE(later);
  CHECK(later.error().kind == b24::FailureKind::kNotSent);  // nothing left: safe to send again
  CHECK(later.error().description == "shutting down");
}

}  // namespace rest_client_test
