// The REST front door: addresses, parameter encodings, authentication and error envelopes.
#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace rest_api_test {

using test::json;

TEST_CASE("a method answers at /rest/<m> — /rest/<m>.json and through a webhook — in any case") {
  test::Emulator emu;
  const auto id = emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "A"}}}}).body["result"];
  REQUIRE(id == 1);
  for (const std::string path :
       {"/rest/1/testhook/crm.lead.get", "/rest/1/testhook/crm.lead.get.json",
        "/rest/1/testhook/CRM.Lead.Get"}) {
    INFO(path);
    const auto got = emu.Get(path + "?id=1");
    CHECK(got.status == 200);
    CHECK(got.body["result"]["TITLE"] == "A");
  }
}

TEST_CASE("parameters arrive as JSON — as a bracket form or in the query string") {
  test::Emulator emu;
  emu.PostForm(
      "/rest/1/testhook/crm.lead.add",
      "fields%5BTITLE%5D=Form&fields[PHONE][0][VALUE]=%2B7+912&fields[PHONE][0][VALUE_TYPE]=WORK");
  emu.Get("/rest/1/testhook/crm.lead.add?FIELDS[TITLE]=Query");  // upper-case FIELDS also works
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Json"}}}});
  const auto list = emu.Hook("crm.lead.list", {{"select", {"ID", "TITLE", "PHONE"}}});
  REQUIRE(list.body["result"].size() == 3);
  CHECK(list.body["result"][0]["TITLE"] == "Form");
  CHECK(list.body["result"][0]["PHONE"][0]["VALUE"] == "+7 912");
  CHECK(list.body["result"][1]["TITLE"] == "Query");
  CHECK(list.body["result"][2]["TITLE"] == "Json");
}

TEST_CASE("a malformed JSON body is refused with a clear error and changes nothing") {
  test::Emulator emu;
  httplib::Client client("127.0.0.1", emu.server().port());
  auto res = client.Post("/rest/1/testhook/crm.lead.add", "{\"fields\":", "application/json");
  REQUIRE(res);
  CHECK(res->status == 400);
  CHECK(json::parse(res->body)["error"] == "ERROR_ARGUMENT");
  CHECK(emu.Hook("crm.lead.list").body["total"] == 0);
}

TEST_CASE("legacy CRM values print as strings — Y/N flags and ISO dates") {
  test::Emulator emu;
  emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "[B]Deal[/B]"}, {"OPPORTUNITY", 1000000}}}});
  const auto answer = emu.Hook("crm.deal.get", {{"id", 1}});
  const auto& deal = answer.body["result"];
  CHECK(deal["ID"] == "1");
  CHECK(deal["OPPORTUNITY"] == "1000000.00");
  CHECK(deal["CATEGORY_ID"] == "0");
  CHECK(deal["STAGE_ID"] == "NEW");
  CHECK(deal["STAGE_SEMANTIC_ID"] == "P");
  CHECK(deal["CLOSED"] == "N");
  CHECK(deal["LEAD_ID"].is_null());
  CHECK(deal["DATE_CREATE"].get<std::string>().size() == 25);  // 2024-08-30T14:29:00+03:00
  CHECK(answer.raw.find(R"("TITLE":"[B]Deal[\/B]")") != std::string::npos);
  CHECK(answer.raw.find(R"("time":{"start":)") != std::string::npos);
  for (const char* key : {"finish", "duration", "processing", "date_start", "date_finish",
                          "operating_reset_at", "operating"}) {
    CHECK(answer.body["time"].contains(key));
  }
}

TEST_CASE("every error has the documented status — code and text") {
  test::Emulator emu;
  emu.Control("webhooks", {{"user_id", 1}, {"code", "second"}});
  struct Row {
    std::string path;
    int status;
    const char* error;
    const char* description;
  };
  const Row rows[] = {
      {"/rest/1/testhook/crm.deal.get?id=99", 400, "", "Not found"},
      {"/rest/1/testhook/crm.deal.get?id=abc", 400, "", "ID is not defined or invalid."},
      {"/rest/1/testhook/no.such.method", 404, "ERROR_METHOD_NOT_FOUND", "Method not found!"},
      {"/rest/crm.deal.get?id=1", 401, "NO_AUTH_FOUND", "Wrong authorization data"},
      {"/rest/crm.deal.get?id=1&auth=forged", 401, "invalid_token",
       "Unable to get application by token"},
      {"/rest/1/wrongcode/crm.deal.get?id=1", 401, "INVALID_CREDENTIALS",
       "Invalid request credentials"},
      {"/rest/2/second/crm.deal.get?id=1", 401, "INVALID_CREDENTIALS",
       "Invalid request credentials"},
      {"/rest/1/testhook/event.bind?event=ONCRMLEADADD&handler=http://a.b/c", 403,
       "WRONG_AUTH_TYPE", "Current authorization type is denied for this method"},
      {"/rest/1/testhook/placement.get", 403, "WRONG_AUTH_TYPE",
       "Current authorization type is denied for this method Application context required"},
      {"/rest/1/testhook/crm.item.get?entityTypeId=2&id=5", 400, "NOT_FOUND", "Element not found"},
      {"/rest/1/testhook/crm.item.get?entityTypeId=999&id=5", 400, "ENTITY_TYPE_NOT_SUPPORTED",
       "Entity type 999 is not supported"},
      {"/rest/1/testhook/timeman.status?USER_ID=77", 400, "", "User not found"},
      {"/rest/1/testhook/im.notify.system.add?MESSAGE=x", 400, "USER_ID_EMPTY",
       "User ID can't be empty"},
  };
  for (const auto& row : rows) {
    INFO(row.path);
    const auto answer = emu.Get(row.path);
    CHECK(answer.status == row.status);
    CHECK(answer.body["error"] == row.error);
    CHECK(answer.body["error_description"] == row.description);
    CHECK_FALSE(answer.body.contains("result"));
  }
}

TEST_CASE("an OAuth token is accepted as auth — access_token or a Bearer header") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  CHECK(emu.Get("/rest/user.current?auth=" + tokens.access).body["result"]["ID"] == "1");
  CHECK(emu.Get("/rest/user.current.json?access_token=" + tokens.access).body["result"]["ID"] ==
        "1");
  const auto bearer = emu.PostJson("/rest/user.current", json::object(),
                                   {{"Authorization", "Bearer " + tokens.access}});
  CHECK(bearer.body["result"]["ID"] == "1");
}

TEST_CASE("scopes limit an app's methods") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app, "crm,placement");
  CHECK(emu.App(tokens.access, "crm.lead.list").status == 200);
  const auto denied = emu.App(tokens.access, "tasks.task.list");
  CHECK(denied.status == 401);
  CHECK(denied.body["error"] == "insufficient_scope");
}

TEST_CASE("user.admin is true for an administrator and false for anyone else") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app, "crm");  // a basic method: no scope needed
  CHECK(emu.Hook("user.admin").raw.rfind(R"({"result":true,"time":)", 0) == 0);
  CHECK(emu.App(tokens.access, "user.admin").body["result"] == true);
  const auto clerk = emu.Control("users", {{"NAME", "Иван"}}).body["ID"].get<std::string>();
  emu.Control("webhooks", {{"user_id", std::stol(clerk)}, {"code", "clerkhook"}});
  const auto by_clerk = emu.PostJson("/rest/" + clerk + "/clerkhook/user.admin", json::object());
  CHECK(by_clerk.raw.rfind(R"({"result":false,"time":)", 0) == 0);
}

}  // namespace rest_api_test
