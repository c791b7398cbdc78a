// CRM entities, pipelines, stages, user fields and lists as the docs describe them.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/emulator/harness.h"

namespace crm_test {

using test::json;

namespace {

void AddLeads(test::Emulator& emu, int count) {
  for (int done = 0; done < count;) {
    json cmd = json::object();
    for (int i = 0; i < 50 && done < count; ++i, ++done) {
      cmd["l" + std::to_string(done)] =
          "crm.lead.add?fields[TITLE]=Lead " + std::to_string(done + 1);
    }
    REQUIRE(emu.Hook("batch", {{"cmd", cmd}}).status == 200);
  }
}

}  // namespace

TEST_CASE("lists page by 50 with next and total — start=-1 and >ID scan without counting") {
  test::Emulator emu;
  AddLeads(emu, 120);
  auto first = emu.Hook("crm.lead.list", {{"select", {"ID"}}});
  CHECK(first.body["result"].size() == 50);
  CHECK(first.body["next"] == 50);
  CHECK(first.body["total"] == 120);
  auto last = emu.Hook("crm.lead.list", {{"select", {"ID"}}, {"start", 100}});
  CHECK(last.body["result"].size() == 20);
  CHECK_FALSE(last.body.contains("next"));
  // Keyset scan: order by ID, filter >ID, start=-1.
  long seen = 0, last_id = 0;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = emu.Hook("crm.lead.list", {{"order", {{"ID", "ASC"}}},
                                           {"filter", {{">ID", last_id}}},
                                           {"select", {"ID"}},
                                           {"start", -1}});
    CHECK(page.body["total"] == 0);
    CHECK_FALSE(page.body.contains("next"));
    const auto& rows = page.body["result"];
    seen += static_cast<long>(rows.size());
    if (rows.size() < 50) break;
    last_id = std::stol(rows.back()["ID"].get<std::string>());
  }
  CHECK(seen == 120);
  auto desc = emu.Hook("crm.lead.list", {{"order", {{"ID", "DESC"}}}, {"select", {"ID", "TITLE"}}});
  CHECK(desc.body["result"][0]["TITLE"] == "Lead 120");
}

TEST_CASE("ID ranges and ID DESC without a count answer only the rows in their bounds") {
  test::Emulator emu;
  AddLeads(emu, 120);
  REQUIRE(emu.Hook("crm.lead.delete", {{"id", 60}}).status == 200);
  auto ids = [&emu](const json& filter, const json& order = {{"ID", "ASC"}}) {
    const auto page = emu.Hook(
        "crm.lead.list", {{"filter", filter}, {"order", order}, {"select", {"ID"}}, {"start", -1}});
    REQUIRE(page.status == 200);
    std::vector<long> out;
    for (const auto& row : page.body["result"])
      out.push_back(std::stol(row["ID"].get<std::string>()));
    return out;
  };
  // A backfill's range of one page: the deleted row is not there, nothing past the range is.
  const auto range = ids({{">=ID", 51}, {"<ID", 101}});
  REQUIRE(range.size() == 49);
  CHECK(range.front() == 51);
  CHECK(range.back() == 100);
  CHECK(std::find(range.begin(), range.end(), 60) == range.end());
  CHECK(ids({{"<=ID", 3}}) == std::vector<long>{1, 2, 3});
  CHECK(ids({{"=ID", "7"}}) == std::vector<long>{7});
  CHECK(ids({{">=ID", "118"}}) == std::vector<long>{118, 119, 120});
  CHECK(ids({{">ID", 200}}).empty());
  CHECK(ids({{">=ID", 100}, {"<ID", 50}}).empty());
  // The largest ID first, a page of them; bounded from above too.
  const auto desc = ids(json::object(), {{"ID", "DESC"}});
  REQUIRE(desc.size() == 50);
  CHECK(desc.front() == 120);
  CHECK(desc.back() == 71);
  CHECK(ids({{"<ID", 4}}, {{"ID", "desc"}}) == std::vector<long>{3, 2, 1});
}

TEST_CASE("a deal's pipeline is immutable in crm.deal.update and a foreign stage is ignored") {
  test::Emulator emu;
  const long category =
      emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Продажи"}}}})
          .body["result"]["category"]["id"];
  const auto deal =
      emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "D"}, {"CATEGORY_ID", category}}}})
          .body["result"];
  const std::string prefix = "C" + std::to_string(category) + ":";
  CHECK(emu.Hook("crm.deal.get", {{"id", deal}}).body["result"]["STAGE_ID"] == prefix + "NEW");
  CHECK(emu.Hook("crm.deal.update",
                 {{"id", deal}, {"fields", {{"CATEGORY_ID", 0}, {"STAGE_ID", "WON"}}}})
            .body["result"] == true);
  auto got = emu.Hook("crm.deal.get", {{"id", deal}}).body["result"];
  CHECK(got["CATEGORY_ID"] == std::to_string(category));
  CHECK(got["STAGE_ID"] == prefix + "NEW");
  emu.Hook("crm.deal.update", {{"id", deal}, {"fields", {{"STAGE_ID", prefix + "WON"}}}});
  got = emu.Hook("crm.deal.get", {{"id", deal}}).body["result"];
  CHECK(got["STAGE_ID"] == prefix + "WON");
  CHECK(got["STAGE_SEMANTIC_ID"] == "S");
  CHECK(got["CLOSED"] == "Y");
}

TEST_CASE("a new pipeline gets the default stages with the C<n>: prefix — cut to 21 characters") {
  test::Emulator emu;
  long category = 0;
  for (int i = 0; i < 10; ++i) {
    category = emu.Hook("crm.category.add",
                        {{"entityTypeId", 2}, {"fields", {{"name", "P" + std::to_string(i)}}}})
                   .body["result"]["category"]["id"];
  }
  REQUIRE(category == 10);
  const auto stages =
      emu.Hook("crm.status.list", {{"filter", {{"ENTITY_ID", "DEAL_STAGE_10"}}}}).body["result"];
  std::vector<std::string> ids;
  for (const auto& s : stages) ids.push_back(s["STATUS_ID"]);
  CHECK(ids == std::vector<std::string>{"C10:NEW", "C10:PREPARATION", "C10:PREPAYMENT_INVOIC",
                                        "C10:EXECUTING", "C10:FINAL_INVOICE", "C10:WON", "C10:LOSE",
                                        "C10:APOLOGY"});
  CHECK(stages[5]["SEMANTICS"] == "S");
  CHECK(stages[0]["SEMANTICS"].is_null());
  CHECK(stages[7]["EXTRA"]["SEMANTICS"] == "apology");
  const auto types = emu.Hook("crm.status.entity.types").body["result"];
  bool found = false;
  for (const auto& t : types) {
    if (t["ID"] == "DEAL_STAGE_10") {
      found = true;
      CHECK(t["PREFIX"] == "C10");
      CHECK(t["SEMANTIC_INFO"]["FINAL_SUCCESS_FIELD"] == "C10:WON");
    }
  }
  CHECK(found);
  const auto no_delete = emu.Hook("crm.category.delete", {{"entityTypeId", 2}, {"id", 0}});
  CHECK(no_delete.status == 400);
  CHECK(no_delete.body["error_description"] == "Default deal category can not be deleted");
}

TEST_CASE("crm.status.add prefixes pipeline stages and keeps process stages before success") {
  test::Emulator emu;
  emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Производство"}}}});
  const auto id = emu.Hook("crm.status.add", {{"fields",
                                               {{"ENTITY_ID", "DEAL_STAGE_1"},
                                                {"STATUS_ID", "PLANNED"},
                                                {"NAME", "Запланировано"},
                                                {"SORT", 25}}}});
  REQUIRE(id.status == 200);
  CHECK(emu.Hook("crm.status.get", {{"id", id.body["result"]}}).body["result"]["STATUS_ID"] ==
        "C1:PLANNED");
  const auto duplicate = emu.Hook(
      "crm.status.add",
      {{"fields", {{"ENTITY_ID", "DEAL_STAGE_1"}, {"STATUS_ID", "C1:PLANNED"}, {"NAME", "x"}}}});
  CHECK(duplicate.body["error"] == "ERROR_CORE");
  const auto after_won = emu.Hook(
      "crm.status.add",
      {{"fields", {{"ENTITY_ID", "STATUS"}, {"STATUS_ID", "LATE"}, {"NAME", "x"}, {"SORT", 45}}}});
  CHECK(after_won.status == 400);
  CHECK(after_won.body["error_description"].get<std::string>().rfind("Cannot create more stages",
                                                                     0) == 0);
  const auto failure = emu.Hook("crm.status.add", {{"fields",
                                                    {{"ENTITY_ID", "STATUS"},
                                                     {"STATUS_ID", "SPAM"},
                                                     {"NAME", "Спам"},
                                                     {"SORT", 60},
                                                     {"SEMANTICS", "F"}}}});
  CHECK(failure.status == 200);
  const auto missing = emu.Hook("crm.status.add", {{"fields", {{"NAME", "x"}}}});
  CHECK(missing.body["error_description"] ==
        "The field ENTITY_ID is required.\nThe field STATUS_ID is required.");
}

// Issue 16 item 9: a reason is a failure stage of its own. crm-status-add.md: SEMANTICS "F" on
// add, failure stages sorted after the success one; crm-status-fields.md: SEMANTICS immutable.
TEST_CASE("a failure stage keeps its semantics and must sort after the success stage") {
  test::Emulator emu;
  emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Продажи"}}}});
  const auto early = emu.Hook("crm.status.add", {{"fields",
                                                  {{"ENTITY_ID", "DEAL_STAGE_1"},
                                                   {"STATUS_ID", "LOST"},
                                                   {"NAME", "Отказ в продажах"},
                                                   {"SORT", 55},
                                                   {"SEMANTICS", "F"}}}});
  CHECK(early.status == 400);
  CHECK(early.body["error_description"] == "Cannot add semantics with the specified sort order.");
  const auto at_won = emu.Hook("crm.status.add", {{"fields",
                                                   {{"ENTITY_ID", "DEAL_STAGE_1"},
                                                    {"STATUS_ID", "LOST"},
                                                    {"NAME", "Отказ в продажах"},
                                                    {"SORT", 60},
                                                    {"SEMANTICS", "F"}}}});
  CHECK(at_won.status == 400);
  const auto lost = emu.Hook("crm.status.add", {{"fields",
                                                 {{"ENTITY_ID", "DEAL_STAGE_1"},
                                                  {"STATUS_ID", "LOST"},
                                                  {"NAME", "Отказ в продажах"},
                                                  {"SORT", 61},
                                                  {"SEMANTICS", "F"}}}});
  REQUIRE(lost.status == 200);
  const auto update =
      emu.Hook("crm.status.update", {{"id", lost.body["result"]}, {"fields", {{"SEMANTICS", ""}}}});
  CHECK(update.status == 200);
  const json row = emu.Hook("crm.status.get", {{"id", lost.body["result"]}}).body["result"];
  CHECK(row["STATUS_ID"] == "C1:LOST");
  CHECK(row["SEMANTICS"] == "F");
  // Sorted between WON (60) and LOSE (70): the first failure of the pipeline.
  CHECK(row["EXTRA"]["SEMANTICS"] == "failure");
  const auto deal = emu.Hook(
      "crm.deal.add", {{"fields", {{"TITLE", "x"}, {"CATEGORY_ID", 1}, {"STAGE_ID", "C1:LOST"}}}});
  REQUIRE(deal.status == 200);
  CHECK(
      emu.Hook("crm.deal.get", {{"id", deal.body["result"]}}).body["result"]["STAGE_SEMANTIC_ID"] ==
      "F");
}

TEST_CASE("user fields get the UF_CRM_ prefix and appear in both dialects") {
  test::Emulator emu;
  const auto uf = emu.Hook(
      "crm.lead.userfield.add",
      {{"fields", {{"USER_TYPE_ID", "date"}, {"FIELD_NAME", "ready_date"}, {"LABEL", "Ready"}}}});
  REQUIRE(uf.status == 200);
  CHECK(emu.Hook("crm.lead.userfield.get", {{"id", uf.body["result"]}})
            .body["result"]["FIELD_NAME"] == "UF_CRM_READY_DATE");
  CHECK(emu.Hook("crm.lead.userfield.add",
                 {{"fields", {{"USER_TYPE_ID", "date"}, {"FIELD_NAME", "UF_READY_DATE"}}}})
            .body["error"] == "ERROR_CORE");
  CHECK(emu.Hook("crm.lead.userfield.add",
                 {{"fields", {{"USER_TYPE_ID", "string"}, {"FIELD_NAME", "bad name"}}}})
            .body["error"] == "ERROR_CORE");
  const auto fields = emu.Hook("crm.lead.fields").body["result"];
  CHECK(fields["UF_CRM_READY_DATE"]["isDynamic"] == true);
  CHECK(fields["UF_CRM_READY_DATE"]["formLabel"] == "Ready");
  CHECK(fields["STATUS_ID"]["statusType"] == "STATUS");
  CHECK(fields["PHONE"]["type"] == "crm_multifield");
  emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "x"}, {"UF_CRM_READY_DATE", "2026-12-01"}}}});
  CHECK(emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["UF_CRM_READY_DATE"] == "2026-12-01");
  const auto item =
      emu.Hook("crm.item.get", {{"entityTypeId", 1}, {"id", 1}}).body["result"]["item"];
  CHECK(item["ufCrmReadyDate"] == "2026-12-01");
  CHECK(item["stageId"] == "NEW");
  CHECK(item["id"] == 1);
}

TEST_CASE("crm.item moves a deal between pipelines and keeps observers") {
  test::Emulator emu;
  emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Продажи"}}}});
  const auto added = emu.Hook(
      "crm.item.add", {{"entityTypeId", 2},
                       {"fields", {{"title", "X"}, {"opportunity", 99.5}, {"observers", {1}}}}});
  REQUIRE(added.status == 200);
  const auto& item = added.body["result"]["item"];
  CHECK(item["opportunity"] == 99.5);
  CHECK(item["observers"] == json::array({1}));
  CHECK(item["categoryId"] == 0);
  const auto moved =
      emu.Hook("crm.item.update", {{"entityTypeId", 2},
                                   {"id", item["id"]},
                                   {"fields", {{"categoryId", 1}, {"stageId", "C1:PREPARATION"}}}});
  CHECK(moved.body["result"]["item"]["categoryId"] == 1);
  CHECK(moved.body["result"]["item"]["stageId"] == "C1:PREPARATION");
  CHECK(emu.Hook("crm.item.delete", {{"entityTypeId", 2}, {"id", item["id"]}})
            .raw.rfind(R"({"result":[])", 0) == 0);
}

TEST_CASE(
    "multifields append — replace and delete by ID — duplicates are found by normalised phone") {
  test::Emulator emu;
  emu.Hook("crm.contact.add",
           {{"fields", {{"NAME", "Anna"}, {"PHONE", {{{"VALUE", "8 (912) 345-67-89"}}}}}}});
  emu.Hook("crm.lead.add", {{"fields",
                             {{"TITLE", "L"},
                              {"PHONE", {{{"VALUE", "+79123456789 доб. 12"}}}},
                              {"EMAIL", {{{"VALUE", "A@Example.com"}}}}}}});
  const auto found =
      emu.Hook("crm.duplicate.findbycomm", {{"type", "PHONE"}, {"values", {"9123456789"}}}).body;
  CHECK(found["result"]["LEAD"] == json::array({1}));
  CHECK(found["result"]["CONTACT"] == json::array({1}));
  const auto none =
      emu.Hook("crm.duplicate.findbycomm", {{"type", "EMAIL"}, {"values", {"b@example.com"}}});
  CHECK(none.raw.rfind(R"({"result":[])", 0) == 0);
  CHECK(emu.Hook("crm.duplicate.findbycomm",
                 {{"type", "EMAIL"}, {"values", {" a@example.COM "}}, {"entity_type", "LEAD"}})
            .body["result"]["LEAD"] == json::array({1}));
  const auto phone_id = emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["PHONE"][0]["ID"];
  emu.Hook(
      "crm.lead.update",
      {{"id", 1},
       {"fields", {{"PHONE", {{{"ID", phone_id}, {"VALUE", "+7 900"}}, {{"VALUE", "+7 901"}}}}}}});
  auto phones = emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["PHONE"];
  REQUIRE(phones.size() == 2);
  CHECK(phones[0]["VALUE"] == "+7 900");
  emu.Hook("crm.lead.update",
           {{"id", 1}, {"fields", {{"PHONE", {{{"ID", phone_id}, {"DELETE", "Y"}}}}}}});
  phones = emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["PHONE"];
  CHECK(phones.size() == 1);
  CHECK(phones[0]["VALUE"] == "+7 901");
}

TEST_CASE("deal contacts — timeline comments — to-dos — tasks and notifications") {
  test::Emulator emu;
  emu.Hook("crm.contact.add", {{"fields", {{"NAME", "A"}}}});
  emu.Hook("crm.contact.add", {{"fields", {{"NAME", "B"}}}});
  emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "D"}}}});
  CHECK(emu.Hook("crm.deal.contact.items.set",
                 {{"id", 1},
                  {"items", {{{"CONTACT_ID", 2}}, {{"CONTACT_ID", 1}, {"IS_PRIMARY", "Y"}}}}})
            .body["result"] == true);
  const auto items = emu.Hook("crm.deal.contact.items.get", {{"id", 1}}).body["result"];
  REQUIRE(items.size() == 2);
  CHECK(items[0]["CONTACT_ID"] == 1);
  CHECK(items[0]["IS_PRIMARY"] == "Y");
  CHECK(emu.Hook("crm.deal.get", {{"id", 1}}).body["result"]["CONTACT_ID"] == "1");

  CHECK(emu.Hook("crm.timeline.comment.add",
                 {{"fields",
                   {{"ENTITY_ID", 1}, {"ENTITY_TYPE", "deal"}, {"COMMENT", "handed over"}}}})
            .body["result"] == 1);
  CHECK(emu.Hook("crm.timeline.comment.add",
                 {{"FIELDS", {{"ENTITY_ID", 1}, {"ENTITY_TYPE", "deal"}, {"COMMENT", "x"}}}})
            .status == 400);  // only lowercase `fields`
  CHECK(emu.Hook("crm.timeline.comment.add",
                 {{"fields", {{"ENTITY_ID", 9}, {"ENTITY_TYPE", "deal"}, {"COMMENT", "x"}}}})
            .body["error"] == "OWNER_NOT_FOUND");
  const auto comments = emu.Hook("crm.timeline.comment.list",
                                 {{"filter", {{"ENTITY_ID", 1}, {"ENTITY_TYPE", "deal"}}}});
  CHECK(comments.body["result"][0]["COMMENT"] == "handed over");

  CHECK(emu.Hook("crm.activity.todo.add", {{"ownerTypeId", 2},
                                           {"ownerId", 1},
                                           {"deadline", "2026-12-01T10:00:00"},
                                           {"title", "Call"}})
            .body["result"]["id"] == 1);
  const auto task = emu.Hook(
      "tasks.task.add",
      {{"fields",
        {{"TITLE", "Agree the meeting"}, {"RESPONSIBLE_ID", 1}, {"UF_CRM_TASK", {"D_1"}}}}});
  CHECK(task.body["result"]["task"]["id"] == "1");
  CHECK(task.body["result"]["task"]["responsibleId"] == "1");
  CHECK(emu.Hook("tasks.task.add", {{"fields", {{"RESPONSIBLE_ID", 1}}}}).body["error"] ==
        "ERROR_CORE");
  const auto tasks = emu.Hook(
      "tasks.task.list", {{"filter", {{"RESPONSIBLE_ID", 1}}}, {"select", {"ID", "UF_CRM_TASK"}}});
  CHECK(tasks.body["result"]["tasks"][0]["ufCrmTask"] == json::array({"D_1"}));
  CHECK(tasks.body["total"] == 1);

  CHECK(
      emu.Hook("im.notify.system.add", {{"USER_ID", 1}, {"MESSAGE", "New deal"}}).body["result"] ==
      1);
  CHECK(emu.State("notifications").body[0]["MESSAGE"] == "New deal");
}

}  // namespace crm_test
