// The operations API over real HTTP: its token, settings that are validated, versioned and take
// effect, the decisions journal and an item's journey read back.
#include <catch2/catch.hpp>

#include "tests/app/app_fixture.h"

namespace api_test {

using test::json;
using test::kMember;

namespace {

struct ApiFixture : test::AppFixture {
  ApiFixture() : AppFixture("0", {{"CONVEYOR_API_TOKEN", test::kApiToken}}) {}
  test::Answer Get(const std::string& path, const std::string& token = test::kApiToken) {
    httplib::Client client("127.0.0.1", app.port());
    return test::ToAnswer(client.Get(path.c_str(), {{"Authorization", "Bearer " + token}}));
  }
  test::Answer Put(const std::string& path, const json& body, httplib::Headers headers = {}) {
    httplib::Client client("127.0.0.1", app.port());
    headers.emplace("Authorization", "Bearer " + test::kApiToken);
    return test::ToAnswer(client.Put(path.c_str(), headers, body.dump(), "application/json"));
  }
  std::string Settings() { return "/api/portals/" + kMember + "/settings"; }
};

}  // namespace

TEST_CASE("the operations API wants its token and a known portal") {
  ApiFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const auto wrong = f.Get(f.Settings(), "not-the-token-at-all");
  CHECK(wrong.status == 401);
  CHECK(wrong.body["error"] == "invalid_token");
  CHECK(wrong.raw.find(test::kApiToken) == std::string::npos);
  CHECK(f.Get("/api/portals/nobody/settings").status == 404);
  CHECK(f.Get(f.Settings()).status == 200);
}

TEST_CASE("without a configured token the operations API is off") {
  test::AppFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  httplib::Client client("127.0.0.1", f.app.port());
  const auto answer =
      test::ToAnswer(client.Get(("/api/portals/" + kMember + "/settings").c_str(),
                                {{"Authorization", "Bearer anything-at-all-here"}}));
  CHECK(answer.status == 403);
  CHECK(answer.body["error"] == "api_disabled");
}

TEST_CASE("settings are validated and versioned and a stale version is refused") {
  ApiFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const auto initial = f.Get(f.Settings());
  REQUIRE(initial.status == 200);
  CHECK(initial.body["version"] == 1);  // the installer's first settings
  json settings = initial.body["settings"];

  json bad = settings;
  bad["queues"]["hunters"]["cap"] = -1;
  const auto refused = f.Put(f.Settings(), bad);
  CHECK(refused.status == 400);
  CHECK(refused.body["error"] == "invalid_settings");
  CHECK(refused.body["error_description"].get<std::string>().find("queues.hunters.cap") !=
        std::string::npos);
  CHECK(f.Get(f.Settings()).body["version"] == 1);  // nothing stored

  settings["queues"]["hunters"]["cap"] = 5;
  const auto saved = f.Put(f.Settings(), settings, {{"If-Match", "1"}});
  REQUIRE(saved.status == 200);
  CHECK(saved.body["version"] == 2);
  const auto read = f.Get(f.Settings());
  CHECK(read.body["version"] == 2);
  CHECK(read.body["settings"]["queues"]["hunters"]["cap"] == 5);
  const auto stale = f.Put(f.Settings(), settings, {{"If-Match", "1"}});
  CHECK(stale.status == 409);
  CHECK(f.Put(f.Settings(), json::array()).status == 400);

  // A merge patch changes what it names and keeps the rest.
  httplib::Client client("127.0.0.1", f.app.port());
  const auto patched = test::ToAnswer(
      client.Patch(f.Settings().c_str(), {{"Authorization", "Bearer " + test::kApiToken}},
                   R"({"queues": {"closers": {"departments": [7]}}})", "application/json"));
  REQUIRE(patched.status == 200);
  CHECK(patched.body["version"] == 3);
  const auto now = f.Get(f.Settings()).body["settings"];
  CHECK(now["queues"]["closers"]["departments"] == json::array({7}));
  CHECK(now["queues"]["hunters"]["cap"] == 5);
  CHECK(now["texts"]["ru"]["handover_comment"] == settings["texts"]["ru"]["handover_comment"]);
}

TEST_CASE("settings saved through the API take effect and the decision is read back") {
  ApiFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const long hunter =
      std::stol(f.emu.Control("users", {{"NAME", "Анна"}}).body["ID"].get<std::string>());
  REQUIRE(f.emu.Control("presence", {{"user_id", hunter}, {"status", "OPENED"}}).status == 200);
  json settings = f.Get(f.Settings()).body["settings"];
  settings["queues"]["hunters"]["users"] = {hunter};
  const auto saved = f.Put(f.Settings(), settings);
  INFO(saved.raw);
  REQUIRE(saved.status == 200);

  const auto added =
      f.emu.Control("act", {{"as", "user"},
                            {"method", "crm.lead.add"},
                            {"params", {{"fields", {{"TITLE", "Окна"}, {"STATUS_ID", "NEW"}}}}}});
  const long lead = added.body["result"].get<long>();
  const std::string path =
      "/api/portals/" + kMember + "/decisions?entity_type=lead&entity_id=" + std::to_string(lead);
  REQUIRE(test::Eventually([&] { return f.Get(path).body["decisions"].size() == 1; }, 10));
  const json decision = f.Get(path).body["decisions"][0];
  CHECK(decision["kind"] == "assigned");
  CHECK(decision["assignee"] == hunter);
  CHECK(decision["settings_version"] == 2);  // the installer's were 1
  CHECK(decision["reasons"]["candidates"][0]["verdict"] == "chosen");
  // The installer's set-up and this assignment.
  CHECK(f.Get("/api/portals/" + kMember + "/decisions?limit=5").body["decisions"].size() == 2);
  CHECK(f.Get("/api/portals/" + kMember + "/decisions?entity_type=task&entity_id=1").status == 400);
  CHECK(f.Get("/api/portals/" + kMember + "/decisions?limit=0").status == 400);

  // The lead's journey: as it arrived, then with the hunter.
  const std::string journey = "/api/portals/" + kMember + "/journey?entity_type=lead&entity_id=";
  const auto path_of = f.Get(journey + std::to_string(lead));
  REQUIRE(path_of.status == 200);
  CHECK(path_of.body["journey_id"] == lead);
  REQUIRE(path_of.body["items"].size() == 1);
  CHECK(path_of.body["items"][0]["responsible"] == hunter);
  REQUIRE(path_of.body["transitions"].size() == 2);
  CHECK(path_of.body["transitions"][0]["stage"] == "NEW");
  CHECK(path_of.body["transitions"][1]["stage"] == "CONV_ASSIGNED");
  CHECK(path_of.body["transitions"][1]["responsible"] == hunter);
  CHECK(f.Get(journey + "999").status == 404);
  CHECK(f.Get(journey + "x").status == 400);

  httplib::Client client("127.0.0.1", f.app.port());
  const auto metrics = client.Get("/metrics");
  REQUIRE(metrics);
  CHECK(metrics->body.find("conveyor_decisions_total{kind=\"assigned\"} 1") != std::string::npos);
  CHECK(metrics->body.find("conveyor_rest_commands_total ") != std::string::npos);
  // The lead's read and the hunter's assignment: counted by kind, their commands by method.
  CHECK(metrics->body.find("conveyor_rest_requests_by_kind_total{kind=\"read\"} ") !=
        std::string::npos);
  CHECK(metrics->body.find("conveyor_rest_requests_by_kind_total{kind=\"write\"} ") !=
        std::string::npos);
  CHECK(metrics->body.find("conveyor_rest_commands_by_method_total{method=\"crm.lead.get\"} ") !=
        std::string::npos);
}

TEST_CASE("installing reads the portal's history and the API shows the progress and restarts it") {
  ApiFixture f;
  // Leads made before the app came: no event will ever tell the conveyor of them.
  for (const char* title : {"Старый лид 1", "Старый лид 2", "Старый лид 3"}) {
    f.emu.Control("act", {{"as", "user"},
                          {"method", "crm.lead.add"},
                          {"params", {{"fields", {{"TITLE", title}, {"STATUS_ID", "NEW"}}}}}});
  }
  REQUIRE(f.Install().body["installed"] == true);
  const std::string backfill = "/api/portals/" + kMember + "/backfill";
  REQUIRE(test::Eventually([&] { return f.Get(backfill).body["done"] == true; }, 10));
  const json status = f.Get(backfill).body;
  INFO(status.dump());
  CHECK(status["running"] == false);
  CHECK(status["error"] == "");
  CHECK(status["lists"].size() == 4);
  CHECK(status["lists"][0]["kind"] == "lead");
  CHECK(status["lists"][0]["rows"] == 3);
  const json report = f.Get("/api/portals/" + kMember + "/report").body;
  CHECK(report["funnel"][0]["count"] == 3);

  httplib::Client client("127.0.0.1", f.app.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + test::kApiToken}};
  const auto bad = client.Post(backfill.c_str(), auth, R"({"over": "yes"})", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  const auto again = client.Post(backfill.c_str(), auth, R"({"over": true})", "application/json");
  REQUIRE(again);
  CHECK(again->status == 202);
  REQUIRE(test::Eventually([&] { return f.Get(backfill).body["done"] == true; }, 10));
  CHECK(f.Get(backfill).body["lists"][0]["rows"] == 3);  // read again from the start
}

TEST_CASE(
    "a clean uninstall takes the portal's report with it — installed again it starts afresh") {
  ApiFixture f;
  const auto add_lead = [&f](const char* title) {
    return f.emu
        .Control("act", {{"as", "user"},
                         {"method", "crm.lead.add"},
                         {"params", {{"fields", {{"TITLE", title}, {"STATUS_ID", "NEW"}}}}}})
        .body;
  };
  for (const char* title : {"Старый лид 1", "Старый лид 2", "Старый лид 3"}) add_lead(title);
  REQUIRE(f.Install().body["installed"] == true);
  const std::string backfill = "/api/portals/" + kMember + "/backfill";
  const std::string report = "/api/portals/" + kMember + "/report";
  REQUIRE(test::Eventually([&] { return f.Get(backfill).body["done"] == true; }, 10));
  REQUIRE(f.Get(report).body["funnel"][0]["count"] == 3);

  f.emu.Control("apps/uninstall", {{"clean", true}});
  REQUIRE(test::Eventually([&] { return f.Get(report).status == 404; }));
  // Meanwhile the portal lost those leads and got a new one.
  for (int id = 1; id <= 3; ++id)
    f.emu.Control("act", {{"as", "user"}, {"method", "crm.lead.delete"}, {"params", {{"id", id}}}});
  add_lead("Новый лид");
  REQUIRE(f.Install().body["installed"] == true);
  REQUIRE(test::Eventually([&] { return f.Get(backfill).body["done"] == true; }, 10));
  const json fresh = f.Get(report).body;
  INFO(fresh.dump());
  CHECK(fresh["funnel"][0]["count"] == 1);
}

// Issue 16 item 9: the installer makes each direction's lost stage, the settings name it, and a
// deal moved there is counted among the reasons of its direction, under the person who had it.
TEST_CASE("a sales deal moved to the sales lost stage shows up in the report's reasons") {
  ApiFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  const json settings = f.Get(f.Settings()).body["settings"];
  CHECK(settings["sales"]["lost"] == "LOST");
  CHECK(settings["production"]["lost"] == "LOST");
  long sales = -1;
  for (const auto& row : f.emu.State("categories").body) {
    if (row["name"] == "Продажи") sales = row["id"].get<long>();
  }
  REQUIRE(sales > 0);
  const std::string lost = "C" + std::to_string(sales) + ":LOST";
  const long closer =
      std::stol(f.emu.Control("users", {{"NAME", "Пётр"}}).body["ID"].get<std::string>());
  const auto added = f.emu.Control(
      "act",
      {{"as", "user"},
       {"method", "crm.deal.add"},
       {"params",
        {{"fields", {{"TITLE", "Кухня"}, {"CATEGORY_ID", sales}, {"ASSIGNED_BY_ID", closer}}}}}});
  const long deal = added.body["result"].get<long>();
  REQUIRE(deal > 0);
  const std::string journey =
      "/api/portals/" + kMember + "/journey?entity_type=deal&entity_id=" + std::to_string(deal);
  REQUIRE(test::Eventually([&] { return f.Get(journey).status == 200; }, 10));
  f.emu.Control("act", {{"as", "user"},
                        {"method", "crm.deal.update"},
                        {"params", {{"id", deal}, {"fields", {{"STAGE_ID", lost}}}}}});
  const std::string report = "/api/portals/" + kMember + "/report?pipeline=sales";
  REQUIRE(test::Eventually([&] { return !f.Get(report).body["reasons"]["by_stage"].empty(); }, 10));
  const json reasons = f.Get(report).body["reasons"];
  INFO(reasons.dump());
  REQUIRE(reasons["by_stage"].size() == 1);
  CHECK(reasons["by_stage"][0]["stage"] == lost);
  CHECK(reasons["by_stage"][0]["label"] == "Отказ в продажах");
  CHECK(reasons["by_stage"][0]["role"] == "lost");
  CHECK(reasons["by_stage"][0]["count"] == 1);
  REQUIRE(reasons["by_person"].size() == 1);
  CHECK(reasons["by_person"][0]["user_id"] == closer);
  CHECK(reasons["by_person"][0]["name"] == "Пётр");

  httplib::Client client("127.0.0.1", f.app.port());
  const std::string csv_path = "/api/portals/" + kMember + "/report.csv?section=reasons";
  const auto csv =
      client.Get(csv_path.c_str(), {{"Authorization", "Bearer " + std::string(test::kApiToken)}});
  REQUIRE(csv);
  CHECK(csv->status == 200);
  CHECK(csv->body.find(lost + ",Отказ в продажах," + std::to_string(closer)) != std::string::npos);
}

TEST_CASE("a body nested past any settings' depth is refused, and the server stays up") {
  ApiFixture f;
  REQUIRE(f.Install().body["installed"] == true);
  // 40,000 levels fit in the body limit; merging or walking them recursively would overflow a
  // thread's stack.
  std::string deep;
  for (int i = 0; i < 40000; ++i) deep += "{\"a\":";
  deep += "1";
  deep += std::string(40000, '}');
  httplib::Client client("127.0.0.1", f.app.port());
  const httplib::Headers auth = {{"Authorization", "Bearer " + test::kApiToken}};
  for (const char* method : {"PATCH", "PUT", "POST"}) {
    INFO(method);
    const std::string path = std::string("/api/portals/") + kMember +
                             (std::string(method) == "POST" ? "/settings/preview" : "/settings");
    const auto answer = test::ToAnswer(
        std::string(method) == "PATCH"
            ? client.Patch(path.c_str(), auth, deep, "application/merge-patch+json")
        : std::string(method) == "PUT" ? client.Put(path.c_str(), auth, deep, "application/json")
                                       : client.Post(path.c_str(), auth, deep, "application/json"));
    CHECK(answer.status == 400);
    CHECK(answer.body["error"] == "invalid_request");
  }
  CHECK(f.Get(f.Settings()).status == 200);
}

}  // namespace api_test
