// The control API: people and presence, acting as users, the clock, persistence.
#include <catch2/catch.hpp>

#include <cstdio>

#include "tests/emulator/harness.h"

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
