// App lifecycle and event delivery: exact keys of real traffic, no events before the
// installation is finished, the reduced set for automation, offline queues (REST.md §1–2).
#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace events_test {

using test::json;

namespace {

std::vector<std::string> Keys(const test::Received& r) {
  std::vector<std::string> keys;
  for (const auto& [key, value] : r.pairs) keys.push_back(key);
  return keys;
}

void Bind(test::Emulator& emu, test::AppStub& app, const test::Tokens& tokens,
          const std::string& event) {
  const auto bound =
      emu.App(tokens.access, "event.bind", {{"event", event}, {"handler", app.Url("/events")}});
  REQUIRE(bound.body["result"] == true);
}

}  // namespace

TEST_CASE("installing POSTs the installer page and ONAPPINSTALL with the documented keys") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  const auto installer = app.Requests("/install").at(0);
  for (const char* key : {"DOMAIN", "PROTOCOL", "LANG", "APP_SID"})
    CHECK(installer.query.find(key) != std::string::npos);
  std::vector<std::string> body_keys = Keys(installer);
  // REST.md §1.2 and E5: the installer gets no APPLICATION_TOKEN, and no PLACEMENT_OPTIONS
  // when there are no options.
  CHECK(body_keys == std::vector<std::string>{"AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "member_id",
                                              "status", "PLACEMENT"});
  CHECK(installer.form["PLACEMENT"] == "DEFAULT");
  REQUIRE(test::Eventually([&] { return !app.Requests("/install-event").empty(); }));
  const auto event = app.Requests("/install-event").at(0);
  CHECK(event.form["event"] == "ONAPPINSTALL");
  CHECK(Keys(event) ==
        std::vector<std::string>{"event", "event_handler_id", "data[VERSION]", "data[ACTIVE]",
                                 "data[INSTALLED]", "data[LANGUAGE_ID]", "ts", "auth[access_token]",
                                 "auth[expires]", "auth[expires_in]", "auth[scope]", "auth[domain]",
                                 "auth[server_endpoint]", "auth[status]", "auth[client_endpoint]",
                                 "auth[member_id]", "auth[user_id]", "auth[refresh_token]",
                                 "auth[application_token]"});
  CHECK(event.form["auth"]["application_token"] == tokens.application);
  CHECK(event.form["auth"]["member_id"] == "testportal0000000000000000000001");
  const auto info = emu.App(tokens.access, "app.info").body["result"];
  CHECK(info["INSTALLED"] == true);
  CHECK(info["VERSION"] == 1);
}

TEST_CASE("a CRM change reaches each bound handler once with exactly the real keys") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  Bind(emu, app, tokens, "ONCRMLEADADD");
  Bind(emu, app, tokens, "onCrmLeadUpdate");  // event names are case-insensitive
  const auto bindings = emu.App(tokens.access, "event.get").body["result"];
  REQUIRE(bindings.size() == 2);
  CHECK(bindings[1]["event"] == "ONCRMLEADUPDATE");
  CHECK(bindings[1]["auth_type"] == "0");
  emu.App(tokens.access, "crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  REQUIRE(test::Eventually([&] { return app.Events("ONCRMLEADADD").size() == 1; }));
  const auto event = app.Events("ONCRMLEADADD").at(0);
  CHECK(Keys(event) == std::vector<std::string>{"event", "event_handler_id", "data[FIELDS][ID]",
                                                "ts", "auth[access_token]", "auth[expires]",
                                                "auth[expires_in]", "auth[scope]", "auth[domain]",
                                                "auth[server_endpoint]", "auth[status]",
                                                "auth[client_endpoint]", "auth[member_id]",
                                                "auth[user_id]", "auth[application_token]"});
  CHECK(event.form["data"]["FIELDS"]["ID"] == "1");
  CHECK(event.form["auth"]["user_id"] == "1");
  // The token in the event works for REST calls.
  CHECK(emu.App(event.form["auth"]["access_token"], "crm.lead.get", {{"id", 1}}).status == 200);
  CHECK(app.Events("ONCRMLEADUPDATE").empty());
}

TEST_CASE("a change by automation carries only the reduced auth set") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  Bind(emu, app, tokens, "ONCRMDEALADD");
  emu.Control("act", {{"as", "automation"},
                      {"method", "crm.deal.add"},
                      {"params", {{"fields", {{"TITLE", "r"}}}}}});
  REQUIRE(test::Eventually([&] { return app.Events("ONCRMDEALADD").size() == 1; }));
  CHECK(Keys(app.Events("ONCRMDEALADD").at(0)) ==
        std::vector<std::string>{"event", "event_handler_id", "data[FIELDS][ID]", "ts",
                                 "auth[domain]", "auth[client_endpoint]", "auth[server_endpoint]",
                                 "auth[member_id]", "auth[application_token]"});
}

TEST_CASE("a simulated user's change carries that user's token") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  const auto user = emu.Control("users", {{"NAME", "Olga"}}).body["ID"];
  Bind(emu, app, tokens, "ONCRMLEADUPDATE");
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  emu.Control("act", {{"as", "user"},
                      {"user_id", 2},
                      {"method", "crm.lead.update"},
                      {"params", {{"id", 1}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}}}});
  REQUIRE(test::Eventually([&] { return app.Events("ONCRMLEADUPDATE").size() == 1; }));
  const auto event = app.Events("ONCRMLEADUPDATE").at(0);
  CHECK(event.form["auth"]["user_id"] == user);
  CHECK(emu.App(event.form["auth"]["access_token"], "user.current").body["result"]["NAME"] ==
        "Olga");
}

TEST_CASE("no event is delivered before the installation is finished") {
  test::Emulator emu;
  test::AppStub app;
  app.set_finish_install(false);
  const auto tokens = test::Install(emu, app);
  CHECK(emu.App(tokens.access, "app.info").body["result"]["INSTALLED"] == false);
  Bind(emu, app, tokens, "ONCRMLEADADD");
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "before"}}}});
  emu.Control("apps/finish");
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "after"}}}});
  REQUIRE(test::Eventually([&] { return app.Events("ONCRMLEADADD").size() == 1; }));
  emu.Control("deliveries/drain");
  const auto events = app.Events("ONCRMLEADADD");
  REQUIRE(events.size() == 1);
  CHECK(events[0].form["data"]["FIELDS"]["ID"] == "2");
}

TEST_CASE("moving a deal to another pipeline fires only ONCRMDEALMOVETOCATEGORY") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Производство"}}}});
  emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "d"}}}});
  Bind(emu, app, tokens, "ONCRMDEALUPDATE");
  Bind(emu, app, tokens, "ONCRMDEALMOVETOCATEGORY");
  emu.App(tokens.access, "crm.item.update",
          {{"entityTypeId", 2}, {"id", 1}, {"fields", {{"categoryId", 1}}}});
  REQUIRE(test::Eventually([&] { return app.Events("ONCRMDEALMOVETOCATEGORY").size() == 1; }));
  emu.Control("deliveries/drain");
  CHECK(app.Events("ONCRMDEALUPDATE").empty());
  const json data = app.Events("ONCRMDEALMOVETOCATEGORY")[0].form["data"]["FIELDS"];
  CHECK(data["ID"] == "1");
  CHECK(data["CATEGORY_ID"] == "1");
  CHECK(data["STAGE_ID"] == "C1:NEW");
}

TEST_CASE("offline events keep the latest state per object and are reserved by process_id") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  REQUIRE(emu.App(tokens.access, "event.bind",
                  {{"event", "ONCRMLEADUPDATE"}, {"event_type", "offline"}})
              .body["result"] == true);
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "a"}}}});
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "b"}}}});
  for (int i = 0; i < 3; ++i)
    emu.Hook("crm.lead.update", {{"id", 1}, {"fields", {{"TITLE", "a" + std::to_string(i)}}}});
  emu.Hook("crm.lead.update", {{"id", 2}, {"fields", {{"TITLE", "b2"}}}});
  // The app's own write tagged with a connector is not queued for that connector only.
  const auto reserved =
      emu.App(tokens.access, "event.offline.get", {{"clear", 0}, {"limit", 1}}).body["result"];
  REQUIRE(reserved["events"].size() == 1);
  CHECK(reserved["process_id"].get<std::string>().size() == 32);
  CHECK(reserved["events"][0]["EVENT_DATA"]["FIELDS"]["ID"] == "1");
  CHECK(reserved["events"][0]["MESSAGE_ID"].get<std::string>().size() == 32);
  const auto rest = emu.App(tokens.access, "event.offline.get", {{"clear", 0}}).body["result"];
  CHECK(rest["events"].size() == 1);  // disjoint from the first reservation
  const auto list = emu.App(tokens.access, "event.offline.list").body;
  CHECK(list["total"] == 2);
  emu.App(tokens.access, "event.offline.clear", {{"process_id", reserved["process_id"]}});
  CHECK(emu.App(tokens.access, "event.offline.list").body["total"] == 1);
  const auto other_user = emu.Control("users", {{"NAME", "Not admin"}});
  (void)other_user;
}

TEST_CASE("non-admins cannot bind offline events — event.bind validates its input") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  struct Row {
    json params;
    const char* error;
  };
  const Row rows[] = {
      {{{"handler", app.Url("/events")}}, "ERROR_ARGUMENT"},
      {{{"event", "ONNOTHING"}, {"handler", app.Url("/events")}}, "ERROR_EVENT_NOT_FOUND"},
      {{{"event", "ONCRMLEADADD"}}, "ERROR_ARGUMENT"},
      {{{"event", "ONCRMLEADADD"}, {"handler", "ftp://127.0.0.1/x"}}, "ERROR_UNSUPPORTED_PROTOCOL"},
      {{{"event", "ONCRMLEADADD"}, {"handler", "http://localhost/x"}}, "ERROR_WRONG_HANDLER_URL"},
      {{{"event", "ONCRMLEADADD"}, {"event_type", "sometimes"}}, "ERROR_ARGUMENT"},
  };
  for (const auto& row : rows) {
    INFO(row.params.dump());
    CHECK(emu.App(tokens.access, "event.bind", row.params).body["error"] == row.error);
  }
  Bind(emu, app, tokens, "ONCRMLEADADD");
  CHECK(emu.App(tokens.access, "event.bind",
                {{"event", "ONCRMLEADADD"}, {"handler", app.Url("/events")}})
            .body["error_description"] == "Unable to set event handler: Handler already binded");
  CHECK(emu.App(tokens.access, "event.unbind",
                {{"event", "ONCRMLEADADD"}, {"handler", app.Url("/events")}})
            .body["result"]["count"] == 1);
}

TEST_CASE("placements bind — open with the placement request — and vanish on uninstall") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  Bind(emu, app, tokens, "ONAPPUNINSTALL");
  CHECK(emu.App(tokens.access, "placement.bind",
                {{"PLACEMENT", "CRM_DEAL_DETAIL_TAB"},
                 {"HANDLER", app.Url("/tab")},
                 {"TITLE", "Путь"}})
            .body["result"] == true);
  CHECK(emu.App(tokens.access, "placement.bind",
                {{"PLACEMENT", "NO_SUCH_PLACE"}, {"HANDLER", app.Url("/tab")}})
            .body["error"] == "ERROR_PLACEMENT_NOT_FOUND");
  const auto bound = emu.App(tokens.access, "placement.get").body["result"];
  CHECK(bound[0]["placement"] == "CRM_DEAL_DETAIL_TAB");
  emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "d"}}}});
  const auto page =
      emu.Control("placements/open", {{"placement", "CRM_DEAL_DETAIL_TAB"}, {"id", "1"}});
  CHECK(page.body["status"] == 200);
  CHECK(page.body["body"] == "page:CRM_DEAL_DETAIL_TAB");
  const auto request = app.Requests("/tab").at(0);
  CHECK(json::parse(request.form["PLACEMENT_OPTIONS"].get<std::string>())["ID"] == "1");
  CHECK_FALSE(request.form.contains("APPLICATION_TOKEN"));

  emu.Control("apps/uninstall", {{"clean", true}});
  REQUIRE(test::Eventually([&] { return app.Events("ONAPPUNINSTALL").size() == 1; }));
  const auto uninstall = app.Events("ONAPPUNINSTALL")[0];
  CHECK(uninstall.form["data"]["CLEAN"] == "1");
  CHECK_FALSE(uninstall.form["auth"].contains("access_token"));
  CHECK(uninstall.form["auth"]["application_token"] == tokens.application);
  CHECK(emu.App(tokens.access, "user.current").body["error"] == "invalid_token");
  CHECK(emu.State("placements").body.empty());
  CHECK(emu.State("bindings").body.empty());
}

TEST_CASE("an update drops the app's bindings and issues a new application token") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  Bind(emu, app, tokens, "ONCRMLEADADD");
  emu.Control("apps/update", {{"version", 2}});
  CHECK(emu.App(tokens.access, "event.get").body["result"].empty());
  REQUIRE(test::Eventually([&] {
    return !app.Requests("/install-event").empty() &&
           app.Requests("/install-event").back().form["event"] == "ONAPPUPDATE";
  }));
  const auto update = app.Requests("/install-event").back();
  CHECK(update.form["data"]["PREVIOUS_VERSION"] == "1");
  CHECK(update.form["auth"]["application_token"] != tokens.application);
  CHECK(emu.App(tokens.access, "app.info").body["result"]["VERSION"] == 2);
}

TEST_CASE("dropped deliveries are lost for good — as Bitrix24 never retries") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  Bind(emu, app, tokens, "ONCRMLEADADD");
  emu.Control("deliveries/drain");  // ONAPPINSTALL must not be the one the fault drops
  emu.Control("faults", {{"event_drop_rate", 1.0}});
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "lost"}}}});
  emu.Control("deliveries/drain");
  CHECK(app.Events("ONCRMLEADADD").empty());
  CHECK(emu.Get("/_emulator/deliveries").body["by_status"]["-1"] == 1);
}

}  // namespace events_test
