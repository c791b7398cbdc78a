// The control API: people and presence, acting as users, the clock, persistence.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <thread>

#include "tests/emulator/harness.h"

namespace control_test {

using test::json;

TEST_CASE("presence set through the control API is what timeman.status and user.get report") {
  test::Emulator emu;
  const auto department = emu.Control("departments", {{"NAME", "Колл-центр"}}).body["ID"];
  emu.Control("users",
              {{"NAME", "Hunter"}, {"UF_DEPARTMENT", {std::stol(department.get<std::string>())}}});
  CHECK(emu.Hook("timeman.status", {{"USER_ID", 2}}).body["result"] == json{{"STATUS", "CLOSED"}});
  emu.Control("presence", {{"user_id", 2}, {"status", "OPENED"}, {"online", true}});
  auto status = emu.Hook("timeman.status", {{"USER_ID", 2}}).body["result"];
  CHECK(status["STATUS"] == "OPENED");
  CHECK(status["TIME_FINISH"].is_null());
  emu.Control("presence", {{"user_id", 2}, {"status", "PAUSED"}});
  CHECK(emu.Hook("timeman.status", {{"USER_ID", 2}}).body["result"]["STATUS"] == "PAUSED");
  const auto users =
      emu.Hook("user.get", {{"FILTER", {{"UF_DEPARTMENT", department}, {"IS_ONLINE", "Y"}}}}).body;
  REQUIRE(users["result"].size() == 1);
  CHECK(users["result"][0]["NAME"] == "Hunter");
  CHECK(emu.Hook("user.get", {{"ID", 99}}).raw.rfind(R"({"result":[],"time")", 0) == 0);
  CHECK(emu.Control("presence", {{"user_id", 2}, {"status", "AWAY"}}).status == 400);
}

TEST_CASE("the control API refuses bad input with a JSON error") {
  test::Emulator emu;
  CHECK(emu.Control("users", json::object()).body["error"] == "NAME_REQUIRED");
  CHECK(emu.Control("clock", {{"advance", -5}}).status == 400);
  CHECK(emu.Control("portals", {{"member_id", "testportal0000000000000000000001"}}).status == 409);
  httplib::Client client("127.0.0.1", emu.server().port());
  auto res = client.Post("/_emulator/users", "not json", "application/json");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(json::parse(res->body)["error"] == "INVALID_JSON");
}

TEST_CASE("the clock runs speed times as fast as real time without jumps") {
  test::Emulator emu;
  const auto fast = emu.Control("clock", {{"speed", 100}});
  REQUIRE(fast.status == 200);
  CHECK(fast.body["speed"] == 100.0);
  CHECK(fast.body["frozen"] == false);
  const auto real_start = std::chrono::steady_clock::now();
  const double start = emu.Get("/_emulator/clock").body["now"];
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const double later = emu.Get("/_emulator/clock").body["now"];
  const double real =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  CHECK(later - start >= 15);
  CHECK(later - start <= 100 * real + 1);

  // Slowing down continues from where virtual time stands.
  const auto slow = emu.Control("clock", {{"speed", 1}});
  const double real_gap =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - real_start).count();
  CHECK(slow.body["speed"] == 1.0);
  CHECK(slow.body["now"].get<double>() >= later);
  CHECK(slow.body["now"].get<double>() <= start + 100 * real_gap + 1);
}

TEST_CASE("the clock advances at any speed and stands still while frozen") {
  test::Emulator emu;
  emu.Control("clock", {{"speed", 100}});
  const double before = emu.Get("/_emulator/clock").body["now"];
  const auto advanced = emu.Control("clock", {{"advance", 86400}});
  CHECK(advanced.body["now"].get<double>() >= before + 86400);
  CHECK(advanced.body["speed"] == 100.0);

  const double frozen = emu.Control("clock", {{"freeze", true}}).body["now"];
  const auto moved = emu.Control("clock", {{"advance", 60}, {"speed", 5}});
  CHECK(moved.body["frozen"] == true);
  CHECK(moved.body["speed"] == 5.0);
  CHECK(moved.body["now"].get<double>() - frozen == Approx(60).margin(0.001));
  CHECK(emu.Get("/_emulator/clock").body["now"].get<double>() - frozen == Approx(60).margin(0.001));
  const auto resumed = emu.Control("clock", {{"freeze", false}});
  CHECK(resumed.body["now"].get<double>() >= frozen + 60);
  CHECK(resumed.body["now"].get<double>() < frozen + 60 + 30);
}

TEST_CASE("the clock refuses a speed that is not positive") {
  test::Emulator emu;
  for (const json& speed : {json(0), json(-2), json("fast"), json(nullptr)}) {
    const auto refused = emu.Control("clock", {{"speed", speed}, {"advance", 10}});
    CHECK(refused.status == 400);
    CHECK(refused.body["error"] == "BAD_SPEED");
    CHECK(refused.body.contains("error_description"));
  }
  const auto clock = emu.Get("/_emulator/clock").body;
  CHECK(clock["speed"] == 1.0);
  const double wall =
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  CHECK(clock["now"].get<double>() < wall + 5);  // none of the refused advances happened
}

TEST_CASE("a new emulator's clock starts at clock_start and runs at clock_speed") {
  emu::ServerOptions options;
  options.clock_start = 1796619600;  // Monday 2026-12-07 08:00 in Moscow
  options.clock_speed = 60;
  test::Emulator emu(options);
  const auto clock = emu.Get("/_emulator/clock").body;
  CHECK(clock["speed"] == 60.0);
  CHECK(clock["now"].get<double>() >= 1796619600);
  CHECK(clock["now"].get<double>() < 1796619600 + 600);
  // The portal was created in virtual time too.
  const std::string registered = emu.State("users").body[0]["DATE_REGISTER"];
  CHECK(registered.rfind("2026-12-07T08:0", 0) == 0);
}

TEST_CASE("the request log counts requests per portal and caller") {
  test::Emulator emu;
  emu.Hook("user.current");
  emu.Hook("crm.lead.get", {{"id", 99}});
  emu.Control("act", {{"as", "user"}, {"user_id", 1}, {"method", "profile"}});
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  CHECK(emu.App(tokens.access, "user.current").status == 200);
  emu.Control("tokens/expire");
  CHECK(emu.App(tokens.access, "user.current").status == 401);  // still the app's request
  CHECK(emu.App("forged", "user.current").status == 401);       // nobody's
  const auto log = emu.Get("/_emulator/log?last=0").body;
  const auto& callers = log["by_caller"]["testportal0000000000000000000001"];
  CHECK(callers["webhook"]["200"] == 1);
  CHECK(callers["webhook"]["400"] == 1);
  CHECK(callers["user"]["200"] == 1);
  CHECK(callers["app"]["200"] == 1);
  CHECK(callers["app"]["401"] == 1);
  CHECK(log["by_caller"].size() == 1);
  CHECK(log["recent"].empty());
}

TEST_CASE("with --state the portal survives a restart") {
  char path[] = "/tmp/emulator-state-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  emu::ServerOptions options;
  options.state_file = path;
  {
    test::Emulator emu(options);
    emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Persistent"}}}});
  }
  {
    test::Emulator emu(options);
    CHECK(emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["TITLE"] == "Persistent");
    CHECK(emu.Hook("crm.lead.add").body["result"] == 2);  // sequences survive too
  }
  std::remove(path);
}

TEST_CASE("each portal has an address of its own — credentials work only there") {
  test::Emulator emu;
  const auto second = emu.Control("portals", {{"plan", "enterprise"}}).body;
  const std::string member_id = second["member_id"];
  const std::string domain = second["domain"];
  CHECK(domain != emu.Base().substr(7));
  emu.Control("webhooks", {{"portal", member_id}, {"user_id", 1}, {"code", "other"}});
  httplib::Client other("http://" + domain);
  auto added = other.Post("/rest/1/other/crm.lead.add", R"({"fields":{"TITLE":"in second"}})",
                          "application/json");
  REQUIRE(added);
  CHECK(added->status == 200);
  CHECK(emu.Hook("crm.lead.list").body["total"] == 0);  // the default portal saw nothing
  const auto elsewhere = emu.PostJson("/rest/1/other/crm.lead.list", json::object());
  CHECK(elsewhere.status == 401);
  CHECK(elsewhere.body["error"] == "INVALID_CREDENTIALS");
}

TEST_CASE("a portal that changed its domain answers 302 at the old one") {
  test::Emulator emu;
  const std::string old_domain = emu.Base().substr(7);
  const auto moved = emu.Control("domain").body;
  const std::string domain = moved["domain"];
  REQUIRE(domain != old_domain);
  const auto redirect = emu.Get("/rest/1/testhook/user.current?x=1");
  CHECK(redirect.status == 302);
  httplib::Client client("127.0.0.1", emu.server().port());
  auto res = client.Post("/rest/1/testhook/crm.lead.add", R"({"fields":{"TITLE":"t"}})",
                         "application/json");
  REQUIRE(res);
  CHECK(res->status == 302);
  CHECK(res->get_header_value("Location") == "http://" + domain + "/rest/1/testhook/crm.lead.add");
  httplib::Client moved_client("http://" + domain);
  auto again = moved_client.Post("/rest/1/testhook/crm.lead.add", R"({"fields":{"TITLE":"t"}})",
                                 "application/json");
  REQUIRE(again);
  CHECK(again->status == 200);
  CHECK(emu.State("leads").body.size() == 1);  // the redirected POST changed nothing
}

TEST_CASE("a CRM section modified_since a moment holds only the rows changed since then") {
  test::Emulator emu;
  REQUIRE(emu.Control("clock", {{"freeze", true}}).status == 200);
  const auto first = emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "first"}}}});
  const auto second = emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "second"}}}});
  REQUIRE(first.status == 200);
  REQUIRE(second.status == 200);
  const double added_at = emu.Get("/_emulator/clock").body["now"];
  REQUIRE(emu.Control("clock", {{"advance", 60}}).status == 200);
  REQUIRE(
      emu.Hook("crm.lead.update", {{"id", first.body["result"]}, {"fields", {{"TITLE", "again"}}}})
          .status == 200);
  const auto since = [&](double t) {
    return emu.Get("/_emulator/state?section=leads&modified_since=" + std::to_string(t)).body;
  };
  const json changed = since(added_at + 30);
  REQUIRE(changed.size() == 1);
  CHECK(changed[0]["TITLE"] == "again");
  CHECK(since(added_at - 1).size() == 2);
  CHECK(since(added_at + 61).empty());
  CHECK(emu.State("leads").body.size() == 2);  // without it: every row
  const auto refused = emu.Get("/_emulator/state?section=leads&modified_since=yesterday");
  CHECK(refused.status == 400);
  CHECK(refused.body["error"] == "BAD_MODIFIED_SINCE");
}

}  // namespace control_test
