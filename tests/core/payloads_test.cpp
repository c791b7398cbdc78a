#include "lib/core/payloads.h"

#include <string>

#include "lib/core/form.h"

#include <catch2/catch.hpp>

namespace payloads_test {

TEST_CASE("an event form of real traffic parses (REST.md §2.3 — tokens replaced)") {
  const char* body =
      "event=ONCRMDEALADD&event_handler_id=185&data%5BFIELDS%5D%5BID%5D=7405&ts=1766047124"
      "&auth%5Baccess_token%5D=ACCESS&auth%5Bexpires%5D=1766050724&auth%5Bexpires_in%5D=3600"
      "&auth%5Bscope%5D=crm%2Cplacement&auth%5Bdomain%5D=some-domain.bitrix24.com"
      "&auth%5Bserver_endpoint%5D=https%3A%2F%2Foauth.bitrix.info%2Frest%2F&auth%5Bstatus%5D=L"
      "&auth%5Bclient_endpoint%5D=https%3A%2F%2Fsome-domain.bitrix24.com%2Frest%2F"
      "&auth%5Bmember_id%5D=MEMBER&auth%5Buser_id%5D=7&auth%5Bapplication_token%5D=APPTOKEN";
  auto event = core::ParseEvent(body);
  REQUIRE(event);
  CHECK(event->name == "ONCRMDEALADD");
  CHECK(event->EntityId() == 7405);
  CHECK(event->ts == 1766047124);
  CHECK(event->auth.member_id == "MEMBER");
  CHECK(event->auth.application_token == "APPTOKEN");
  CHECK(event->auth.user_id == 7);
  CHECK(event->auth.client_endpoint == "https://some-domain.bitrix24.com/rest/");
}

TEST_CASE("an event without its identity is refused by name") {
  struct Row {
    const char* body;
    const char* missing;
  };
  const Row rows[] = {
      {"auth[member_id]=M&auth[application_token]=T", "event"},
      {"event=ONCRMLEADADD&auth[application_token]=T", "auth[member_id]"},
      {"event=ONCRMLEADADD&auth[member_id]=M", "auth[application_token]"},
      {"%%%garbage", "event"},
  };
  for (const auto& row : rows) {
    auto event = core::ParseEvent(row.body);
    REQUIRE_FALSE(event);
    CHECK(event.error().code == core::ErrorCode::kInvalidArgument);
    CHECK(event.error().message == std::string(row.missing) + " is missing");
  }
}

TEST_CASE("a placement request parses as a real portal sends it (REST.md E5)") {
  auto page = core::ParsePageRequest(
      "DOMAIN=xxx.bitrix24.com&PROTOCOL=1&LANG=en&APP_SID=5552",
      "AUTH_ID=A&AUTH_EXPIRES=3600&REFRESH_ID=R&member_id=M&status=L"
      "&PLACEMENT=CRM_DEAL_DETAIL_TAB&PLACEMENT_OPTIONS=%7B%22ID%22%3A%228061%22%7D");
  REQUIRE(page);
  CHECK(page->domain == "xxx.bitrix24.com");
  CHECK(page->auth_expires == 3600);
  CHECK(page->refresh_id == "R");
  CHECK(page->application_token.empty());
  CHECK(page->placement_options["ID"] == "8061");
  CHECK(core::ParsePageRequest("", "member_id=M").error().message == "AUTH_ID is missing");
  CHECK(core::ParsePageRequest("", "AUTH_ID=A").error().message == "member_id is missing");
}

TEST_CASE("PLACEMENT_OPTIONS that is not a JSON object counts as no options (issue 15)") {
  const char* const rows[] = {"",
                              "&PLACEMENT_OPTIONS=",
                              "&PLACEMENT_OPTIONS=%5B%5D",
                              "&PLACEMENT_OPTIONS=undefined",
                              "&PLACEMENT_OPTIONS=%7B",
                              "&PLACEMENT_OPTIONS=5",
                              "&PLACEMENT_OPTIONS[]=1"};
  for (const char* options : rows) {
    INFO(options);
    auto page = core::ParsePageRequest("", std::string("AUTH_ID=A&member_id=M") + options);
    REQUIRE(page);
    CHECK(page->placement_options == nlohmann::json::object());
  }
  auto bracketed = core::ParsePageRequest("", "AUTH_ID=A&member_id=M&PLACEMENT_OPTIONS[ID]=7");
  REQUIRE(bracketed);
  CHECK(bracketed->placement_options["ID"] == "7");
}

TEST_CASE("a hostile form is refused whole — deep, wide, long or large (issue 15)") {
  const auto deep = "a" + [] {
    std::string brackets;
    for (int i = 0; i < 400000; ++i) brackets += "[]";
    return brackets;
  }() + "=1";
  core::FormLimits big;  // the crash body of the issue: only the depth stops it
  big.max_bytes = deep.size();
  auto parsed = core::ParseForm(deep, big);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message == "a key is longer than 256 bytes");
  core::FormLimits roomy = big;
  roomy.max_key_bytes = deep.size();
  parsed = core::ParseForm(deep, roomy);
  REQUIRE_FALSE(parsed);
  CHECK(parsed.error().message == "a key is nested deeper than 8 brackets");
  CHECK(core::ParseForm(deep).error().message == "the form is larger than 65536 bytes");

  std::string wide;
  for (int i = 0; i < 513; ++i) wide += "k" + std::to_string(i) + "=v&";
  CHECK(core::ParseForm(wide).error().message == "the form has more than 512 fields");
  std::string appended;
  for (int i = 0; i < 512; ++i) appended += "a[]=" + std::to_string(i) + "&";
  auto list = core::ParseForm(appended);
  REQUIRE(list);
  CHECK((*list)["a"].size() == 512);
  CHECK((*list)["a"][511] == "511");
  CHECK(core::ParseForm("a[1][2][3][4][5][6][7][8]=x"));
  CHECK_FALSE(core::ParseForm("a[1][2][3][4][5][6][7][8][9]=x"));
  CHECK_FALSE(core::ParseForm(std::string(257, 'k') + "=v"));
  CHECK_FALSE(core::ParseForm(std::string(3 * 86, 'k') + "=v"));
  // Escapes count after decoding: 86 escaped bytes are a key of 86.
  std::string escaped;
  for (int i = 0; i < 86; ++i) escaped += "%41";
  CHECK(core::ParseForm(escaped + "=v"));

  auto event = core::ParseEvent(deep);
  REQUIRE_FALSE(event);
  CHECK(event.error().code == core::ErrorCode::kInvalidArgument);
}

TEST_CASE("secrets compare equal only when equal") {
  CHECK(core::ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(core::ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(core::ConstantTimeEquals("abc", "abcd"));
  CHECK_FALSE(core::ConstantTimeEquals("", "a"));
}

TEST_CASE("PHP bracket forms — including lists — parse") {
  const auto form = *core::ParseForm("a[b][]=1&a[b][]=2&c=x+y&d[0]=p&d[1]=q");
  CHECK(form["a"]["b"] == nlohmann::json::array({"1", "2"}));
  CHECK(form["c"] == "x y");
  CHECK(form["d"][1] == "q");
}

TEST_CASE("an event with a name that is not one — or a CRM event without its object — is refused") {
  const struct {
    const char* body;
    const char* complaint;
  } rows[] = {
      {"event=%ZZ%&data[FIELDS][ID]=1&auth[member_id]=M&auth[application_token]=T", "event name"},
      {"event=ON CRM&data[FIELDS][ID]=1&auth[member_id]=M&auth[application_token]=T", "event name"},
      {"event=ONCRMLEADADD&data[FIELDS][ID]=%&auth[member_id]=M&auth[application_token]=T",
       "data[FIELDS][ID]"},
      {"event=ONCRMDEALUPDATE&data[FIELDS][ID]=-4&auth[member_id]=M&auth[application_token]=T",
       "data[FIELDS][ID]"},
      {"event=ONCRMDEALUPDATE&auth[member_id]=M&auth[application_token]=T", "data[FIELDS][ID]"},
  };
  for (const auto& row : rows) {
    INFO(row.body);
    auto event = core::ParseEvent(row.body);
    REQUIRE_FALSE(event);
    CHECK(event.error().code == core::ErrorCode::kInvalidArgument);
    CHECK(event.error().message.find(row.complaint) != std::string::npos);
  }
  // App events carry no object.
  CHECK(
      core::ParseEvent("event=ONAPPUNINSTALL&data[CLEAN]=1&auth[member_id]=M&"
                       "auth[application_token]=T"));
}

TEST_CASE("JSON nesting is measured in the text, strings and escapes aside") {
  CHECK(core::JsonNestingWithin(R"({"a": [1, {"b": 2}]})", 3));
  CHECK_FALSE(core::JsonNestingWithin(R"({"a": [1, {"b": 2}]})", 2));
  CHECK(core::JsonNestingWithin(R"({"a": "[[[[{{{{"})", 1));        // brackets in a string
  CHECK(core::JsonNestingWithin(R"({"a": "\"[[[[", "b": 1})", 1));  // an escaped quote
  CHECK(core::JsonNestingWithin("", 0));
  CHECK_FALSE(core::JsonNestingWithin(std::string(100000, '['), 32));
}

}  // namespace payloads_test
