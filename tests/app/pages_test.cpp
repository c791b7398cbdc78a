// The pages Bitrix24 loads in an iframe, over real HTTP through the emulator's placement calls:
// who may open them, the session they carry, and what that session may do.
#include <catch2/catch.hpp>

#include "tests/app/app_fixture.h"

namespace pages_test {

using test::json;
using test::kMember;

namespace {

struct PagesFixture : test::AppFixture {
  PagesFixture()
      : AppFixture("0", {{"CONVEYOR_API_TOKEN", test::kApiToken}, {"CONVEYOR_BX24_URL", ""}}) {
    REQUIRE(Install().body["installed"] == true);
  }
  // The page as the emulator's placement call got it.
  json Open(const std::string& placement, long user_id, const std::string& id = "") {
    json request = {{"placement", placement}, {"user_id", user_id}};
    if (!id.empty()) request["id"] = id;
    return emu.Control("placements/open", request).body;
  }
  // The boot JSON a served page carries.
  static json Boot(const json& page) {
    const std::string html = page.value("body", "");
    const std::string open = "<script id=\"conveyor-boot\" type=\"application/json\">";
    const auto from = html.find(open);
    if (from == std::string::npos) return nullptr;
    const auto to = html.find("</script>", from);
    return json::parse(html.substr(from + open.size(), to - from - open.size()), nullptr, false);
  }
  // A call with the page's session.
  test::Answer Call(const std::string& method, const std::string& path, const std::string& session,
                    const json& body = nullptr) {
    return AppFixture::Call(method, path, "Session " + session, body);
  }
  test::Answer PostPage(const std::string& form) {
    httplib::Client client("127.0.0.1", app.port());
    return test::ToAnswer(client.Post("/placements/deal?DOMAIN=x.bitrix24.ru&PROTOCOL=1&LANG=ru",
                                      form, "application/x-www-form-urlencoded"));
  }
};

}  // namespace

TEST_CASE("the deal tab opens with a session for the user the portal vouches for") {
  PagesFixture f;
  const json page = f.Open("CRM_DEAL_DETAIL_TAB", 1, "5");
  INFO(page.dump());
  REQUIRE(page["status"] == 200);
  CHECK(page["content_type"].get<std::string>().rfind("text/html", 0) == 0);
  const json boot = PagesFixture::Boot(page);
  REQUIRE(boot.is_object());
  CHECK(boot["entity_type"] == "deal");
  CHECK(boot["entity_id"] == 5);
  CHECK(boot["member_id"] == kMember);
  CHECK(boot["user"]["id"] == 1);
  CHECK(boot["user"]["admin"] == true);
  CHECK(boot["portal_url"].get<std::string>().rfind("http://127.0.0.1:", 0) == 0);
  CHECK(page["body"].get<std::string>().find("{{") == std::string::npos);  // all filled in
  // The session reads this portal's data, and nothing once it is tampered with.
  const std::string session = boot["session"];
  CHECK(f.Call("GET", f.Api("/settings"), session).status == 200);
  std::string forged = session;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  const auto refused = f.Call("GET", f.Api("/settings"), forged);
  CHECK(refused.status == 401);
  CHECK(refused.body["error"] == "invalid_session");
  CHECK(f.Call("GET", "/api/portals/otherportal/settings", session).status == 403);
}

TEST_CASE("a page request without the portal's own application token is refused") {
  PagesFixture f;
  const std::string base =
      "AUTH_ID=abc&REFRESH_ID=def&member_id=" + kMember +
      "&PLACEMENT=CRM_DEAL_DETAIL_TAB&PLACEMENT_OPTIONS=%7B%22ID%22%3A%225%22%7D";
  CHECK(f.PostPage(base + "&APPLICATION_TOKEN=not-the-token").status == 401);
  // The right token with an access token the portal does not know: the user is not proven.
  CHECK(f.PostPage(base + "&APPLICATION_TOKEN=" + f.ApplicationToken()).status == 401);
  CHECK(f.PostPage("AUTH_ID=abc&member_id=unknown&APPLICATION_TOKEN=x").status == 401);
  CHECK(f.PostPage("nothing=here").status == 400);
}

TEST_CASE("only a portal administrator changes the settings from the app page") {
  PagesFixture f;
  const long operator_id = f.AddUser("Оператор", false);
  // A viewer the settings name: reads the settings and previews, never saves.
  REQUIRE(f.PatchSettings({{"reports", {{"viewers", {operator_id}}}}}).status == 200);
  const json mine = PagesFixture::Boot(f.Open("DEFAULT", operator_id));
  REQUIRE(mine.is_object());
  CHECK(mine["user"]["admin"] == false);
  CHECK(mine["user"]["wide"] == true);
  CHECK(mine["entity_type"] == "");
  const std::string session = mine["session"];
  const json current = f.Call("GET", f.Api("/settings"), session).body;
  json changed = current["settings"];
  changed["queues"]["closers"]["cap"] = 12;

  // A viewer may preview; the preview names what would change.
  const auto preview = f.Call("POST", f.Api("/settings/preview"), session, changed);
  REQUIRE(preview.status == 200);
  CHECK(preview.body["valid"] == true);
  REQUIRE(preview.body["changes"].size() == 1);
  CHECK(preview.body["changes"][0]["path"] == "queues.closers.cap");
  CHECK(preview.body["changes"][0]["before"] == 15);
  json invalid = changed;
  invalid["queues"]["closers"]["cap"] = -3;
  const auto bad = f.Call("POST", f.Api("/settings/preview"), session, invalid);
  CHECK(bad.body["valid"] == false);
  CHECK(bad.body["error"].get<std::string>().find("queues.closers.cap") != std::string::npos);

  const auto denied = f.Call("PUT", f.Api("/settings"), session, changed);
  CHECK(denied.status == 403);
  CHECK(denied.body["error"] == "admin_required");
  CHECK(f.Call("GET", f.Api("/settings"), session).body["version"] == current["version"]);

  const json admin = PagesFixture::Boot(f.Open("DEFAULT", 1));
  REQUIRE(admin.is_object());
  const auto saved = f.Call("PUT", f.Api("/settings"), admin["session"], changed);
  CHECK(saved.status == 200);
  CHECK(f.Call("GET", f.Api("/settings"), session).body["settings"]["queues"]["closers"]["cap"] ==
        12);
}

TEST_CASE("the set-up is refused to a card's tab and to an employee who heads nothing") {
  PagesFixture f;
  const long employee = f.AddUser("Оператор", false);
  const json card = PagesFixture::Boot(f.Open("CRM_DEAL_DETAIL_TAB", employee, "5"));
  const json page = PagesFixture::Boot(f.Open("DEFAULT", employee));
  REQUIRE(card.is_object());
  REQUIRE(page.is_object());
  for (const std::string session : {card["session"], page["session"]}) {
    const auto view = f.Call("GET", f.Api("/setup"), session);
    CHECK(view.status == 403);
    CHECK(view.body["error"] == "access_required");
    const auto away = f.Call("PUT", f.Api("/away/1"), session, {{"paused", true}});
    CHECK(away.status == 403);
    const auto distribute = f.Call("POST", f.Api("/setup/distribute"), session, json::object());
    CHECK(distribute.status == 403);
    CHECK(distribute.body["error"] == "admin_required");
  }
  CHECK(f.AppFixture::Call("GET", f.Api("/settings"), "Bearer " + test::kApiToken)
            .body["settings"]["away"]
            .empty());
  // The admin's page reads it, and may mark anyone.
  const json admin = PagesFixture::Boot(f.Open("DEFAULT", 1));
  const auto view = f.Call("GET", f.Api("/setup"), admin["session"]);
  REQUIRE(view.status == 200);
  CHECK(view.body["you"]["may_mark"] == "all");
  bool listed = false;
  for (const auto& person : view.body["directory"]["people"]) listed |= person["id"] == employee;
  CHECK(listed);
}

TEST_CASE("the reports answer a page session in JSON and CSV and refuse bad filters") {
  PagesFixture f;
  const std::string session = PagesFixture::Boot(f.Open("DEFAULT", 1))["session"];
  f.emu.Control("act", {{"as", "user"},
                        {"method", "crm.lead.add"},
                        {"params", {{"fields", {{"TITLE", "Окна"}, {"SOURCE_ID", "WEB"}}}}}});
  REQUIRE(test::Eventually(
      [&] { return f.Call("GET", f.Api("/report"), session).body["funnel"][0]["count"] == 1; },
      10));
  const json report = f.Call("GET", f.Api("/report?source=WEB"), session).body;
  CHECK(report["funnel"][0]["step"] == "leads");
  CHECK(report["funnel"][0]["count"] == 1);
  CHECK(report["revenue"]["journeys"] == 1);
  CHECK(f.Call("GET", f.Api("/report?source=CALL"), session).body["funnel"][0]["count"] == 0);
  CHECK(f.Call("GET", f.Api("/report?from=yesterday"), session).status == 400);

  httplib::Client client("127.0.0.1", f.app.port());
  const auto csv = client.Get(f.Api("/report.csv?section=funnel").c_str(),
                              {{"Authorization", "Session " + session}});
  REQUIRE(csv);
  CHECK(csv->status == 200);
  CHECK(csv->get_header_value("Content-Type").rfind("text/csv", 0) == 0);
  CHECK(csv->body.rfind("step,label,count,conversion,of_first\r\nleads,", 0) == 0);
  CHECK(f.Call("GET", f.Api("/report.csv?section=secrets"), session).status == 400);
  CHECK(f.Call("GET", f.Api("/report.csv"), session).status == 400);
}

TEST_CASE("the pages' scripts and styles are served and nothing else is") {
  PagesFixture f;
  httplib::Client client("127.0.0.1", f.app.port());
  const auto script = client.Get("/assets/common.js");
  REQUIRE(script);
  CHECK(script->status == 200);
  CHECK(script->get_header_value("Content-Type").rfind("text/javascript", 0) == 0);
  CHECK(client.Get("/assets/missing.js")->status == 404);
  CHECK(client.Get("/assets/../CMakeLists.txt")->status == 404);
}

}  // namespace pages_test
