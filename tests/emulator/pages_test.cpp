// The portal's pages for a browser: the placement frame page, bx24.js, deal and lead cards with
// the app's tab.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "emulator/http_post.h"
#include "tests/emulator/harness.h"

namespace pages_test {

using test::json;

namespace {

struct Page {
  int status = 0;
  std::string content_type;
  std::string html;
};

Page Fetch(test::Emulator& emu, const std::string& path) {
  httplib::Client client("127.0.0.1", emu.server().port());
  auto res = client.Get(path.c_str());
  if (!res) return {};
  return {res->status, res->get_header_value("Content-Type"), res->body};
}

std::string Unescape(std::string text) {
  const std::pair<const char*, const char*> entities[] = {
      {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}, {"&#39;", "'"}, {"&amp;", "&"}};
  for (const auto& [entity, plain] : entities) {
    for (auto at = text.find(entity); at != std::string::npos; at = text.find(entity, at + 1)) {
      text.replace(at, std::string(entity).size(), plain);
    }
  }
  return text;
}

// The hidden form that loads the app's page: its action and its fields in order.
struct Form {
  std::string action;
  emu::FormPairs fields;
  std::string Field(const std::string& name) const {
    for (const auto& [key, value] : fields) {
      if (key == name) return value;
    }
    return "";
  }
};

Form FormOf(const std::string& html) {
  Form form;
  std::smatch match;
  const std::regex action(
      R"re(<form id="app-form" method="post" target="app-frame" action="([^"]*)")re");
  if (std::regex_search(html, match, action)) form.action = Unescape(match[1]);
  const std::regex input(R"re(<input type="hidden" name="([^"]*)" value="([^"]*)">)re");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), input);
       it != std::sregex_iterator(); ++it) {
    form.fields.emplace_back(Unescape((*it)[1]), Unescape((*it)[2]));
  }
  return form;
}

void BindTab(test::Emulator& emu, const test::Tokens& tokens, const std::string& placement,
             const std::string& handler, const std::string& title) {
  const auto bound = emu.App(tokens.access, "placement.bind",
                             {{"PLACEMENT", placement}, {"HANDLER", handler}, {"TITLE", title}});
  if (bound.body["result"] != true) throw std::runtime_error("placement.bind: " + bound.raw);
}

long AddUser(test::Emulator& emu, const std::string& name, const std::string& last_name) {
  const auto user = emu.Control("users", {{"NAME", name}, {"LAST_NAME", last_name}});
  return std::stol(user.body["ID"].get<std::string>());
}

}  // namespace

TEST_CASE("the placement frame page posts the placement request into the app frame") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  BindTab(emu, tokens, "CRM_DEAL_DETAIL_TAB", app.Url("/tab"), "Путь");

  const Page page =
      Fetch(emu, "/_emulator/placements/frame?placement=CRM_DEAL_DETAIL_TAB&id=5&user_id=1");
  REQUIRE(page.status == 200);
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK(page.html.find(R"(<iframe name="app-frame" id="app-frame")") != std::string::npos);
  CHECK(page.html.find("Сделка #5") != std::string::npos);
  CHECK(page.html.find(emu.Base().substr(7)) != std::string::npos);  // the portal's domain
  CHECK(page.html.find("event.source !== frame.contentWindow") != std::string::npos);
  CHECK(page.html.find("form.submit()") != std::string::npos);

  const Form form = FormOf(page.html);
  const std::string handler = app.Url("/tab") + "?DOMAIN=" + emu::UrlEncode(emu.Base().substr(7)) +
                              "&PROTOCOL=0&LANG=ru&APP_SID=";
  CHECK(form.action.rfind(handler, 0) == 0);
  std::vector<std::string> names;
  for (const auto& field : form.fields) names.push_back(field.first);
  // REST.md §1.2 and E5: exactly the documented fields, no APPLICATION_TOKEN.
  CHECK(names == std::vector<std::string>{"AUTH_ID", "AUTH_EXPIRES", "REFRESH_ID", "member_id",
                                          "status", "PLACEMENT", "PLACEMENT_OPTIONS"});
  CHECK(form.Field("member_id") == "testportal0000000000000000000001");
  CHECK(form.Field("PLACEMENT") == "CRM_DEAL_DETAIL_TAB");
  const json options = json::parse(form.Field("PLACEMENT_OPTIONS"));
  CHECK(options["ID"] == "5");
  CHECK(options["URI"] == "/crm/deal/details/5/?IFRAME=Y&IFRAME_TYPE=SIDE_SLIDER");
  CHECK(emu.App(form.Field("AUTH_ID"), "user.current").body["result"]["ID"] == "1");

  // What the browser does with the form: the app gets the placement request as from the portal.
  const auto posted = emu::PostForm(form.action, "", emu::EncodeForm(form.fields), 5);
  CHECK(posted.status == 200);
  CHECK(posted.body == "page:CRM_DEAL_DETAIL_TAB");
  const auto received = app.Requests("/tab");
  REQUIRE(received.size() == 1);
  CHECK(received[0].pairs == form.fields);
  CHECK(received[0].query == form.action.substr(form.action.find('?') + 1));
}

TEST_CASE("the placement frame page defaults to the app page of the default portal for user 1") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  const Page page = Fetch(emu, "/_emulator/placements/frame?lang=en");
  REQUIRE(page.status == 200);
  const Form form = FormOf(page.html);
  CHECK(form.action.rfind(app.Url("/app") + "?", 0) == 0);
  CHECK(form.action.find("&LANG=en&") != std::string::npos);
  CHECK(form.Field("PLACEMENT") == "DEFAULT");
  // No options, no PLACEMENT_OPTIONS (the core sends it only when there are some).
  for (const auto& field : form.fields) CHECK(field.first != "PLACEMENT_OPTIONS");
  CHECK(page.html.find(R"(data-lang="en")") != std::string::npos);
  CHECK(page.html.find(R"(data-admin="true")") != std::string::npos);
  CHECK(page.html.find("<h1 id=\"heading\">Application</h1>") != std::string::npos);
}

TEST_CASE("the placement frame page refuses what placements/open refuses with JSON errors") {
  test::Emulator emu;
  test::AppStub app;
  auto error_of = [&emu](const std::string& query) {
    const Page page = Fetch(emu, "/_emulator/placements/frame?" + query);
    CHECK(page.content_type == "application/json; charset=utf-8");
    const json body = json::parse(page.html, nullptr, false);
    return std::to_string(page.status) + " " + body.value("error", std::string("?"));
  };
  CHECK(error_of("placement=DEFAULT") == "404 NOT_INSTALLED");
  app.set_finish_install(false);
  test::Install(emu, app);
  CHECK(error_of("placement=DEFAULT") == "409 NOT_INSTALLED");
  emu.Control("apps/finish");
  CHECK(error_of("portal=nosuchportal&placement=DEFAULT") == "404 PORTAL_NOT_FOUND");
  CHECK(error_of("placement=DEFAULT&user_id=99") == "404 USER_NOT_FOUND");
  CHECK(error_of("placement=CRM_LEAD_DETAIL_TAB&id=1") == "404 PLACEMENT_NOT_BOUND");
  CHECK(error_of("placement=DEFAULT&user_id=one") == "400 BAD_USER_ID");
  CHECK(error_of("placement=DEFAULT&lang=russian") == "400 BAD_LANG");
  // placements/open gives the same answers: one function resolves both.
  CHECK(emu.Control("placements/open", {{"placement", "CRM_LEAD_DETAIL_TAB"}}).body["error"] ==
        "PLACEMENT_NOT_BOUND");
  CHECK(emu.Control("placements/open", {{"user_id", 99}}).status == 404);
}

TEST_CASE("the placement frame page escapes every value it shows or posts") {
  test::Emulator emu;
  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  BindTab(emu, tokens, "CRM_DEAL_DETAIL_TAB", app.Url("/tab"), "<img src=x onerror=alert(1)>");
  const std::string id = R"(5"><script>alert('id')</script>)";
  const Page page = Fetch(
      emu, "/_emulator/placements/frame?placement=CRM_DEAL_DETAIL_TAB&id=" + emu::UrlEncode(id));
  REQUIRE(page.status == 200);
  CHECK(page.html.find("<img") == std::string::npos);
  CHECK(page.html.find("&lt;img src=x onerror=alert(1)&gt;") != std::string::npos);
  CHECK(page.html.find("<script>alert") == std::string::npos);
  const Form form = FormOf(page.html);
  CHECK(json::parse(form.Field("PLACEMENT_OPTIONS"))["ID"] == id);
  // Bytes that are not UTF-8 are replaced, not an internal error.
  CHECK(Fetch(emu, "/_emulator/placements/frame?placement=CRM_DEAL_DETAIL_TAB&id=%FF").status ==
        200);
  CHECK(Fetch(emu, "/_emulator/placements/frame?placement=%FF").status == 404);
}

TEST_CASE("bx24.js is served as JavaScript with the functions of the stand-in library") {
  test::Emulator emu;
  const Page script = Fetch(emu, "/_emulator/bx24.js");
  REQUIRE(script.status == 200);
  CHECK(script.content_type == "application/javascript; charset=utf-8");
  for (const char* part : {"window.BX24 = {", "init:", "placement:", "info:", "resizeWindow:",
                           "fitWindow:", "openPath:", "getLang:", "isAdmin:", "getDomain:",
                           "host.postMessage(", "event.source !== host"}) {
    INFO(part);
    CHECK(script.html.find(part) != std::string::npos);
  }
}

TEST_CASE("a deal card shows its fields as text and the app's tab for the bound placement") {
  test::Emulator emu;
  const long anna = AddUser(emu, "Анна", "Петрова");
  emu.Hook("crm.deal.add", {{"fields",
                             {{"TITLE", "<script>x</script>"},
                              {"ASSIGNED_BY_ID", anna},
                              {"OPPORTUNITY", 1500},
                              {"CURRENCY_ID", "RUB"}}}});
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Заявка & вопрос"}}}});

  Page card = Fetch(emu, "/crm/deal/details/1/");
  REQUIRE(card.status == 200);
  CHECK(card.content_type == "text/html; charset=utf-8");
  CHECK(card.html.find("<script>x</script>") == std::string::npos);
  CHECK(card.html.find("&lt;script&gt;x&lt;/script&gt;") != std::string::npos);
  CHECK(card.html.find(R"(<dd id="card-stage">Новая</dd>)") != std::string::npos);
  CHECK(card.html.find(R"(<dd id="card-responsible">Анна Петрова</dd>)") != std::string::npos);
  CHECK(card.html.find(R"(<dd id="card-amount">1500.00 RUB</dd>)") != std::string::npos);
  CHECK(card.html.find("Сделка #1") != std::string::npos);
  CHECK(card.html.find("<iframe") == std::string::npos);  // no app installed: no tab

  test::AppStub app;
  const auto tokens = test::Install(emu, app);
  BindTab(emu, tokens, "CRM_DEAL_DETAIL_TAB", app.Url("/tab"), "Путь клиента");
  card = Fetch(emu, "/crm/deal/details/1/?user_id=" + std::to_string(anna));
  REQUIRE(card.status == 200);
  CHECK(card.html.find(R"(<iframe name="app-frame" id="app-frame")") != std::string::npos);
  CHECK(card.html.find("Путь клиента") != std::string::npos);
  const Form form = FormOf(card.html);
  CHECK(form.action.rfind(app.Url("/tab") + "?", 0) == 0);
  CHECK(form.Field("PLACEMENT") == "CRM_DEAL_DETAIL_TAB");
  CHECK(json::parse(form.Field("PLACEMENT_OPTIONS"))["ID"] == "1");
  CHECK(emu.App(form.Field("AUTH_ID"), "user.current").body["result"]["ID"] ==
        std::to_string(anna));
  CHECK(card.html.find(R"(data-admin="false")") != std::string::npos);

  // The lead's tab is not bound: the lead card shows no frame.
  const Page lead = Fetch(emu, "/crm/lead/details/1/");
  REQUIRE(lead.status == 200);
  CHECK(lead.html.find("Заявка &amp; вопрос") != std::string::npos);
  CHECK(lead.html.find(R"(<dd id="card-stage">Не обработан</dd>)") != std::string::npos);
  CHECK(lead.html.find("<iframe") == std::string::npos);
  BindTab(emu, tokens, "CRM_LEAD_DETAIL_TAB", app.Url("/lead-tab"), "Путь");
  const Form lead_form = FormOf(Fetch(emu, "/crm/lead/details/1/").html);
  CHECK(lead_form.action.rfind(app.Url("/lead-tab") + "?", 0) == 0);
  CHECK(lead_form.Field("PLACEMENT") == "CRM_LEAD_DETAIL_TAB");
}

TEST_CASE("card pages answer 404 HTML for an unknown item or user and leave /rest/ alone") {
  test::Emulator emu;
  emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "d"}}}});
  for (const char* path : {"/crm/deal/details/2/", "/crm/lead/details/1/",
                           "/crm/deal/details/1/?user_id=99", "/crm/deal/details/1/?portal=nope"}) {
    INFO(path);
    const Page missing = Fetch(emu, path);
    CHECK(missing.status == 404);
    CHECK(missing.content_type == "text/html; charset=utf-8");
  }
  CHECK(Fetch(emu, "/crm/deal/details/1/?user_id=x").status == 400);
  CHECK(Fetch(emu, "/crm/deal/details/1").status == 200);
  const auto rest = emu.Get("/rest/1/testhook/crm.deal.get?id=1");
  CHECK(rest.status == 200);
  CHECK(rest.body["result"]["TITLE"] == "d");
}

TEST_CASE("the frame page hands the app the viewer's token and admin flag") {
  test::Emulator emu;
  test::AppStub app;
  test::Install(emu, app);
  const long clerk = AddUser(emu, "Иван", "Клерков");
  for (const long user : {1L, clerk}) {
    INFO(user);
    const bool admin = user == 1;
    const Page page = Fetch(emu, "/_emulator/placements/frame?user_id=" + std::to_string(user));
    REQUIRE(page.status == 200);
    CHECK(page.html.find(std::string("data-admin=\"") + (admin ? "true" : "false") + "\"") !=
          std::string::npos);
    const std::string access = FormOf(page.html).Field("AUTH_ID");
    CHECK(emu.App(access, "user.current").body["result"]["ID"] == std::to_string(user));
    CHECK(emu.App(access, "user.admin").body["result"] == admin);
  }
}

}  // namespace pages_test
