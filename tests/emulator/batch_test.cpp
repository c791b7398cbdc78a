// batch: references between commands, halt, per-command results and errors, the 50 limit.
#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace batch_test {

using test::json;

TEST_CASE("batch runs commands in order and substitutes $result references") {
  test::Emulator emu;
  const auto answer =
      emu.Hook("batch", {{"halt", 0},
                         {"cmd",
                          {{"lead", "crm.lead.add?fields[TITLE]=First"},
                           {"get", "crm.lead.get?id=$result[lead]"},
                           {"user", "user.current"},
                           {"dep", "department.get?ID=$result[user][UF_DEPARTMENT][0]"},
                           {"list", "crm.lead.list?select[]=ID&select[]=TITLE"},
                           {"copy", "crm.lead.add?fields[TITLE]=Copy of $result[get][TITLE]"},
                           {"by_index", "crm.lead.get?id=$result[list][0][ID]"}}}});
  REQUIRE(answer.status == 200);
  const auto& r = answer.body["result"];
  CHECK(r["result"]["lead"] == 1);
  CHECK(r["result"]["get"]["TITLE"] == "First");
  CHECK(r["result"]["dep"][0]["NAME"] == "Компания");
  CHECK(r["result"]["by_index"]["ID"] == "1");
  CHECK(r["result_total"]["list"] == 1);
  CHECK(r["result_error"] == json::array());  // PHP prints an empty map as []
  CHECK(r["result_next"] == json::array());
  CHECK(r["result_time"]["get"].contains("duration"));
  CHECK(emu.Hook("crm.lead.get", {{"id", 2}}).body["result"]["TITLE"] == "Copy of First");
}

TEST_CASE("a batch reference to a missing field yields the node its walk reached") {
  // As the portal's core walks it: the user's fourth department is the list of its departments,
  // and a list is left as text inside a longer value.
  test::Emulator emu;
  const auto r =
      emu.Hook("batch", {{"cmd",
                          {{"user", "user.current"},
                           {"whole", "department.get?ID=$result[user][UF_DEPARTMENT][3]"},
                           {"inner",
                            "crm.lead.add?fields[TITLE]=x "
                            "$result[user][UF_DEPARTMENT][3]"}}}})
          .body["result"];
  CHECK(r["result_error"] == json::array());
  CHECK(r["result"]["whole"].size() == 1);
  CHECK(r["result"]["whole"][0]["ID"] == "1");
  CHECK(emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["TITLE"] ==
        "x $result[user][UF_DEPARTMENT][3]");
}

TEST_CASE("batch reports per-command errors and stops at the first with halt") {
  test::Emulator emu;
  const json cmd = {{"a", "crm.deal.get?id=42"}, {"b", "user.current"}};
  auto go_on = emu.Hook("batch", {{"halt", 0}, {"cmd", cmd}}).body["result"];
  CHECK(go_on["result_error"]["a"]["error_description"] == "Not found");
  CHECK(go_on["result"]["b"]["ID"] == "1");
  auto halted = emu.Hook("batch", {{"halt", 1}, {"cmd", cmd}}).body["result"];
  CHECK(halted["result_error"]["a"]["error"] == "");
  CHECK(halted["result"] == json::array());
}

TEST_CASE("batch takes 50 commands — more are refused one by one — no nested batch") {
  test::Emulator emu;
  json cmd = json::object();
  for (int i = 0; i < 52; ++i)
    cmd["c" + std::to_string(i)] = "crm.lead.add?fields[TITLE]=L" + std::to_string(i);
  cmd["nested"] = "batch?cmd[x]=user.current";
  const auto r = emu.Hook("batch", {{"cmd", cmd}}).body["result"];
  CHECK(r["result"].size() == 50);
  CHECK(r["result_error"]["c50"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED");
  CHECK(r["result_error"]["c51"]["error_description"] == "Max batch length exceeded");
  CHECK(r["result_error"]["nested"]["error"] == "ERROR_BATCH_LENGTH_EXCEEDED");
  CHECK(emu.Hook("crm.lead.list").body["total"] == 50);
  const auto nested =
      emu.Hook("batch", {{"cmd", {{"x", "batch?cmd[y]=user.current"}}}}).body["result"];
  CHECK(nested["result_error"]["x"]["error"] == "ERROR_BATCH_METHOD_NOT_ALLOWED");
}

TEST_CASE("a form-encoded batch carries double-encoded commands") {
  test::Emulator emu;
  // cmd[0]=crm.lead.add?fields[TITLE]=John%26Martin, itself url-encoded once more.
  const auto answer =
      emu.PostForm("/rest/1/testhook/batch",
                   "halt=0&cmd%5B0%5D=crm.lead.add%3Ffields%5BTITLE%5D%3DJohn%2526Martin");
  REQUIRE(answer.status == 200);
  CHECK(emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["TITLE"] == "John&Martin");
}

}  // namespace batch_test
