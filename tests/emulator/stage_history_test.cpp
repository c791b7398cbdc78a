// crm.stagehistory.list as api-reference/crm/crm-stage-history-list.md describes it, the rows
// lead and deal changes write, and the control API that seeds history for backfills.
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "tests/emulator/harness.h"

namespace stage_history_test {

using test::json;

namespace {

constexpr double kStart = 1796619600;  // 2026-12-07 08:00 in Moscow, the portal's zone

// An emulator whose virtual clock stands at kStart until advanced: rows get exact times. (The
// leaky bucket does not drain either, so a test makes fewer than 50 REST calls.)
emu::ServerOptions FrozenAtStart() {
  emu::ServerOptions options;
  options.clock_start = kStart;
  options.clock_speed = 1e-9;
  return options;
}

json History(test::Emulator& emu, const json& params) {
  const auto answer = emu.Hook("crm.stagehistory.list", params);
  REQUIRE(answer.status == 200);
  return answer.body;
}

json Items(test::Emulator& emu, const json& params) {
  return History(emu, params)["result"]["items"];
}

std::vector<long> Ids(const json& items, const char* field = "ID") {
  std::vector<long> out;
  for (const auto& item : items) out.push_back(item[field].get<long>());
  return out;
}

}  // namespace

TEST_CASE("a lead's creation and moves are rows of TYPE_ID 1 2 and 3 with the documented types") {
  test::Emulator emu(FrozenAtStart());
  const long lead = emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "L"}}}}).body["result"];
  emu.Control("clock", {{"advance", 60}});
  emu.Hook("crm.lead.update", {{"id", lead}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
  emu.Hook("crm.lead.update", {{"id", lead}, {"fields", {{"TITLE", "no stage change"}}}});
  emu.Control("clock", {{"advance", 60}});
  emu.Hook("crm.item.update",
           {{"entityTypeId", 1}, {"id", lead}, {"fields", {{"stageId", "CONVERTED"}}}});

  const auto body = History(emu, {{"entityTypeId", 1}});
  CHECK(body["total"] == 3);
  CHECK_FALSE(body.contains("next"));
  const auto& items = body["result"]["items"];
  REQUIRE(items.size() == 3);
  // Keys in the documented order; ID, TYPE_ID and OWNER_ID are numbers, not strings.
  std::vector<std::string> keys;
  for (const auto& item : items[0].items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"ID", "TYPE_ID", "OWNER_ID", "CREATED_TIME",
                                         "STATUS_SEMANTIC_ID", "STATUS_ID"});
  CHECK(items[0]["ID"] == 1);
  CHECK(items[0]["ID"].is_number_integer());
  CHECK(items[0]["OWNER_ID"] == lead);
  CHECK(items[0]["TYPE_ID"] == 1);
  CHECK(items[0]["STATUS_ID"] == "NEW");
  CHECK(items[0]["STATUS_SEMANTIC_ID"] == "P");
  // CREATED_TIME is the portal's ISO date, the same instant as the lead's DATE_CREATE.
  CHECK(items[0]["CREATED_TIME"] == "2026-12-07T08:00:00+03:00");
  CHECK(emu.Hook("crm.lead.get", {{"id", lead}}).body["result"]["DATE_CREATE"] ==
        items[0]["CREATED_TIME"]);
  CHECK(items[1]["TYPE_ID"] == 2);
  CHECK(items[1]["STATUS_ID"] == "IN_PROCESS");
  CHECK(items[1]["CREATED_TIME"] == "2026-12-07T08:01:00+03:00");
  CHECK(items[2]["TYPE_ID"] == 3);
  CHECK(items[2]["STATUS_ID"] == "CONVERTED");
  CHECK(items[2]["STATUS_SEMANTIC_ID"] == "S");
  CHECK(items[2]["CREATED_TIME"] == "2026-12-07T08:02:00+03:00");
}

TEST_CASE("a deal's rows carry CATEGORY_ID and a pipeline move is TYPE_ID 5") {
  test::Emulator emu(FrozenAtStart());
  const long category =
      emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Second"}}}})
          .body["result"]["category"]["id"];
  const long deal = emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "D"}}}}).body["result"];
  emu.Hook("crm.item.update",
           {{"entityTypeId", 2}, {"id", deal}, {"fields", {{"stageId", "PREPARATION"}}}});
  emu.Hook("crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", "WON"}}}});
  const std::string prefix = "C" + std::to_string(category) + ":";
  emu.Hook("crm.item.update",
           {{"entityTypeId", 2},
            {"id", deal},
            {"fields", {{"categoryId", category}, {"stageId", prefix + "LOSE"}}}});
  // Created straight on a final stage: written as a finalization, as the crm module does.
  const long lost = emu.Hook("crm.deal.add", {{"fields", {{"STAGE_ID", "LOSE"}}}}).body["result"];

  const auto items = Items(emu, {{"entityTypeId", 2}});
  REQUIRE(items.size() == 5);
  std::vector<std::string> keys;
  for (const auto& item : items[0].items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"ID", "TYPE_ID", "OWNER_ID", "CREATED_TIME", "CATEGORY_ID",
                                         "STAGE_SEMANTIC_ID", "STAGE_ID"});
  CHECK(items[0]["TYPE_ID"] == 1);
  CHECK(items[0]["CATEGORY_ID"] == 0);
  CHECK(items[0]["CATEGORY_ID"].is_number_integer());
  CHECK(items[0]["STAGE_ID"] == "NEW");
  CHECK(items[1]["TYPE_ID"] == 2);
  CHECK(items[1]["STAGE_ID"] == "PREPARATION");
  CHECK(items[2]["TYPE_ID"] == 3);
  CHECK(items[2]["STAGE_SEMANTIC_ID"] == "S");
  CHECK(items[3]["TYPE_ID"] == 5);
  CHECK(items[3]["CATEGORY_ID"] == category);
  CHECK(items[3]["STAGE_ID"] == prefix + "LOSE");
  CHECK(items[3]["STAGE_SEMANTIC_ID"] == "F");
  CHECK(items[4]["OWNER_ID"] == lost);
  CHECK(items[4]["TYPE_ID"] == 3);
  CHECK(items[4]["STAGE_SEMANTIC_ID"] == "F");
  // Leads and deals are separate tables with IDs of their own.
  CHECK(Items(emu, {{"entityTypeId", 1}}).empty());
}

TEST_CASE("filter by OWNER_ID and CREATED_TIME with modifiers — order DESC — select") {
  test::Emulator emu(FrozenAtStart());
  const long first = emu.Hook("crm.lead.add").body["result"];
  const long second = emu.Hook("crm.lead.add").body["result"];
  emu.Control("clock", {{"advance", 3600}});
  emu.Hook("crm.lead.update", {{"id", first}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
  emu.Hook("crm.lead.update", {{"id", second}, {"fields", {{"STATUS_ID", "JUNK"}}}});
  emu.Control("clock", {{"advance", 3600}});
  emu.Hook("crm.lead.update", {{"id", first}, {"fields", {{"STATUS_ID", "PROCESSED"}}}});

  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", {{"OWNER_ID", first}}}})) ==
        std::vector<long>{1, 3, 5});
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", {{"=OWNER_ID", "2"}}}})) ==
        std::vector<long>{2, 4});
  // An ISO time in the filter, with or without the offset (then read in the portal's zone).
  CHECK(Ids(Items(emu, {{"entityTypeId", 1},
                        {"filter", {{">=CREATED_TIME", "2026-12-07T09:00:00+03:00"}}}})) ==
        std::vector<long>{3, 4, 5});
  const json window = {{">CREATED_TIME", "2026-12-07T09:00:00"},
                       {"<=CREATED_TIME", "2026-12-07T10:00:00"}};
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", window}})) == std::vector<long>{5});
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", {{"TYPE_ID", {2, 3}}}}})) ==
        std::vector<long>{3, 4, 5});
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", {{"!=STATUS_SEMANTIC_ID", "P"}}}})) ==
        std::vector<long>{4});
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"filter", {{"@STATUS_ID", {"NEW", "JUNK"}}}}})) ==
        std::vector<long>{1, 2, 4});

  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"order", {{"ID", "DESC"}}}})) ==
        std::vector<long>{5, 4, 3, 2, 1});
  // By time, newest first; rows of one instant keep ID order.
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}, {"order", {{"CREATED_TIME", "desc"}}}})) ==
        std::vector<long>{5, 3, 4, 1, 2});

  // select keeps the fields asked for, in that order, and always ID.
  const auto selected = Items(emu, {{"entityTypeId", 1},
                                    {"filter", {{"OWNER_ID", second}}},
                                    {"select", {"STATUS_ID", "CREATED_TIME", "NO_SUCH_FIELD"}}});
  REQUIRE(selected.size() == 2);
  std::vector<std::string> keys;
  for (const auto& item : selected[1].items()) keys.push_back(item.key());
  CHECK(keys == std::vector<std::string>{"STATUS_ID", "CREATED_TIME", "ID"});
  CHECK(selected[1]["STATUS_ID"] == "JUNK");
}

TEST_CASE("stage history pages by 50 with total and next — start=-1 scans by ID") {
  test::Emulator emu;
  for (int done = 0; done < 120;) {
    json cmd = json::object();
    for (int i = 0; i < 50 && done < 120; ++i, ++done) {
      cmd["d" + std::to_string(done)] = "crm.deal.add?fields[TITLE]=D";
    }
    REQUIRE(emu.Hook("batch", {{"cmd", cmd}}).status == 200);
  }
  const auto first = History(emu, {{"entityTypeId", 2}, {"select", {"ID"}}});
  CHECK(first["result"]["items"].size() == 50);
  CHECK(first["total"] == 120);
  CHECK(first["next"] == 50);
  const auto last = History(emu, {{"entityTypeId", 2}, {"select", {"ID"}}, {"start", 100}});
  CHECK(last["result"]["items"].size() == 20);
  CHECK(last["result"]["items"][0]["ID"] == 101);
  CHECK_FALSE(last.contains("next"));
  // Keyset: order by ID, filter >ID, start=-1, no count.
  long seen = 0, last_id = 0;
  for (int pages = 0; pages < 10; ++pages) {
    const auto page = History(emu, {{"entityTypeId", 2},
                                    {"order", {{"ID", "ASC"}}},
                                    {"filter", {{">ID", last_id}}},
                                    {"start", -1}});
    CHECK(page["total"] == 0);
    CHECK_FALSE(page.contains("next"));
    const auto& rows = page["result"]["items"];
    seen += static_cast<long>(rows.size());
    if (rows.size() < 50) break;
    last_id = rows.back()["ID"].get<long>();
  }
  CHECK(seen == 120);
  // In a batch, the list's total and next land in result_total and result_next.
  const auto batch = emu.Hook("batch", {{"cmd", {{"h", "crm.stagehistory.list?entityTypeId=2"}}}});
  CHECK(batch.body["result"]["result_total"]["h"] == 120);
  CHECK(batch.body["result"]["result_next"]["h"] == 50);
}

TEST_CASE("stage history ID ranges and ID DESC without a count answer only their rows") {
  test::Emulator emu;
  json cmd = json::object();
  for (int i = 0; i < 30; ++i) cmd["l" + std::to_string(i)] = "crm.lead.add?fields[TITLE]=L";
  REQUIRE(emu.Hook("batch", {{"cmd", cmd}}).status == 200);
  REQUIRE(emu.Hook("crm.lead.delete", {{"id", 10}}).status == 200);  // and its history row
  auto ids = [&emu](const json& filter, const json& order) {
    return Ids(Items(emu, {{"entityTypeId", 1},
                           {"filter", filter},
                           {"order", order},
                           {"select", {"ID"}},
                           {"start", -1}}));
  };
  CHECK(ids({{">=ID", 8}, {"<ID", 13}}, {{"ID", "ASC"}}) == std::vector<long>{8, 9, 11, 12});
  CHECK(ids({{"<=ID", "2"}}, {{"ID", "ASC"}}) == std::vector<long>{1, 2});
  CHECK(ids({{">ID", 30}}, {{"ID", "ASC"}}).empty());
  CHECK(ids({{">=ID", 20}, {"<ID", 5}}, {{"ID", "ASC"}}).empty());
  CHECK(ids(json::object(), {{"ID", "DESC"}}).front() == 30);
  CHECK(ids({{"<ID", 12}, {">ID", 8}}, {{"ID", "DESC"}}) == std::vector<long>{11, 9});
}

TEST_CASE("crm.stagehistory.list refuses what the docs refuse") {
  test::Emulator emu;
  emu.Hook("crm.lead.add");
  const auto missing = emu.Hook("crm.stagehistory.list");
  CHECK(missing.status == 400);
  CHECK(missing.body["error"] == "100");
  const auto contact = emu.Hook("crm.stagehistory.list", {{"entityTypeId", 3}});
  CHECK(contact.status == 400);
  CHECK(contact.body["error"] == "ENTITY_TYPE_NOT_SUPPORTED");
  CHECK(contact.body["error_description"] == "Entity type CONTACT is not supported");
  const auto spa = emu.Hook("crm.stagehistory.list", {{"entityTypeId", 130}});
  CHECK(spa.body["error"] == "ENTITY_TYPE_NOT_SUPPORTED");
  // Invoices are supported types; the emulator keeps none, so their history is empty.
  for (int invoice : {5, 31}) {
    const auto empty = History(emu, {{"entityTypeId", invoice}});
    CHECK(empty["result"]["items"].empty());
    CHECK(empty["total"] == 0);
  }
  const auto field =
      emu.Hook("crm.stagehistory.list", {{"entityTypeId", 1}, {"filter", {{"STAGE_ID", "NEW"}}}});
  CHECK(field.status == 400);
  CHECK(field.body["error"] == "INVALID_ARG_VALUE");
  CHECK(field.body["error_description"] ==
        "Invalid filter: field 'STAGE_ID' is not allowed in filter");
  const auto value = emu.Hook("crm.stagehistory.list",
                              {{"entityTypeId", 1}, {"filter", {{">=CREATED_TIME", "yesterday"}}}});
  CHECK(value.body["error_description"] ==
        "Invalid filter: field 'CREATED_TIME' has invalid value");
  const auto owner =
      emu.Hook("crm.stagehistory.list", {{"entityTypeId", 1}, {"filter", {{"OWNER_ID", "one"}}}});
  CHECK(owner.body["error_description"] == "Invalid filter: field 'OWNER_ID' has invalid value");
  const auto order =
      emu.Hook("crm.stagehistory.list", {{"entityTypeId", 1}, {"order", {{"TITLE", "ASC"}}}});
  CHECK(order.body["error"] == "INVALID_ARG_VALUE");
  CHECK(order.body["error_description"] == "Invalid order: field 'TITLE' is not allowed in order");
  const auto direction =
      emu.Hook("crm.stagehistory.list", {{"entityTypeId", 1}, {"order", {{"ID", "UP"}}}});
  CHECK(direction.body["error_description"] ==
        "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'ID'");
}

TEST_CASE("stage history needs the crm scope and a valid token like any crm method") {
  test::AppStub app;
  {
    test::Emulator emu;
    const auto tokens = test::Install(emu, app, "crm,placement");
    CHECK(emu.App(tokens.access, "crm.stagehistory.list", {{"entityTypeId", 2}}).status == 200);
    CHECK(emu.App("forged", "crm.stagehistory.list", {{"entityTypeId", 2}}).status == 401);
  }
  {
    test::Emulator emu;
    const auto tokens = test::Install(emu, app, "user");
    const auto denied = emu.App(tokens.access, "crm.stagehistory.list", {{"entityTypeId", 2}});
    CHECK(denied.status == 401);
    CHECK(denied.body["error"] == "insufficient_scope");
  }
}

TEST_CASE("deleting a lead deletes its stage history") {
  test::Emulator emu;
  const long kept = emu.Hook("crm.lead.add").body["result"];
  const long gone = emu.Hook("crm.lead.add").body["result"];
  emu.Hook("crm.lead.update", {{"id", gone}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
  REQUIRE(emu.Hook("crm.lead.delete", {{"id", gone}}).status == 200);
  CHECK(Ids(Items(emu, {{"entityTypeId", 1}}), "OWNER_ID") == std::vector<long>{kept});
}

TEST_CASE("seeded history with past times — replace — state sections — errors") {
  test::Emulator emu(FrozenAtStart());
  const long deal = emu.Hook("crm.deal.add").body["result"];
  // Given out of time order, in both time forms.
  const json rows = json::array(
      {{{"OWNER_ID", deal}, {"STAGE_ID", "WON"}, {"CREATED_TIME", "2026-11-10T12:00:00+03:00"}},
       {{"OWNER_ID", deal},
        {"STAGE_ID", "NEW"},
        {"TYPE_ID", 1},
        {"CREATED_TIME", "2026-11-01T09:00:00"}},
       {{"OWNER_ID", deal}, {"STAGE_ID", "EXECUTING"}, {"CREATED_TIME", kStart - 30 * 86400}}});
  const auto seeded =
      emu.Control("stagehistory", {{"entityTypeId", 2}, {"replace", true}, {"rows", rows}});
  REQUIRE(seeded.status == 200);
  CHECK(seeded.body["added"] == 3);
  // The creation row written at virtual now is gone; IDs follow time.
  const auto items = Items(emu, {{"entityTypeId", 2}});
  REQUIRE(items.size() == 3);
  CHECK(Ids(items, "TYPE_ID") == std::vector<long>{1, 2, 3});
  CHECK(items[0]["ID"].get<long>() < items[1]["ID"].get<long>());
  CHECK(items[0]["CREATED_TIME"] == "2026-11-01T09:00:00+03:00");
  CHECK(items[1]["STAGE_ID"] == "EXECUTING");
  CHECK(items[1]["CREATED_TIME"] == "2026-11-07T08:00:00+03:00");
  CHECK(items[2]["STAGE_SEMANTIC_ID"] == "S");
  CHECK(Ids(Items(emu, {{"entityTypeId", 2},
                        {"filter", {{"<CREATED_TIME", "2026-11-08T00:00:00+03:00"}}}}),
            "TYPE_ID") == std::vector<long>{1, 2});

  CHECK(emu.State("deal_history").body.size() == 3);
  CHECK(emu.Get("/_emulator/state").body["portals"][0]["stage_history"]["DEAL"] == 3);

  const auto owner = emu.Control(
      "stagehistory",
      {{"entityTypeId", 2},
       {"rows", json::array({{{"OWNER_ID", 99}, {"STAGE_ID", "NEW"}, {"CREATED_TIME", kStart}}})}});
  CHECK(owner.status == 404);
  CHECK(owner.body["error"] == "OWNER_NOT_FOUND");
  const auto stage = emu.Control(
      "stagehistory",
      {{"entityTypeId", 2},
       {"rows",
        json::array({{{"OWNER_ID", deal}, {"STAGE_ID", "NEW"}, {"CREATED_TIME", kStart}},
                     {{"OWNER_ID", deal}, {"STAGE_ID", "NOPE"}, {"CREATED_TIME", kStart}}})}});
  CHECK(stage.status == 400);
  CHECK(stage.body["error"] == "BAD_STAGE");
  CHECK(Items(emu, {{"entityTypeId", 2}}).size() == 3);  // one bad row adds nothing
  CHECK(emu.Control("stagehistory", {{"entityTypeId", 3}, {"rows", json::array()}}).status == 400);
}

TEST_CASE("with --state the stage history survives a restart") {
  char path[] = "/tmp/emulator-history-XXXXXX";
  const int fd = mkstemp(path);
  REQUIRE(fd >= 0);
  close(fd);
  emu::ServerOptions options;
  options.state_file = path;
  {
    test::Emulator emu(options);
    const long lead = emu.Hook("crm.lead.add").body["result"];
    emu.Hook("crm.lead.update", {{"id", lead}, {"fields", {{"STATUS_ID", "JUNK"}}}});
  }
  {
    test::Emulator emu(options);
    CHECK(Ids(Items(emu, {{"entityTypeId", 1}}), "TYPE_ID") == std::vector<long>{1, 3});
    emu.Hook("crm.lead.add");
    CHECK(Ids(Items(emu, {{"entityTypeId", 1}})) == std::vector<long>{1, 2, 3});
  }
  std::remove(path);
}

}  // namespace stage_history_test
