// Request-rate (leaky bucket) and operating-time limits, REST.md §4.1–4.2.
#include <catch2/catch.hpp>

#include "tests/emulator/harness.h"

namespace limits_test {

using test::json;

namespace {

// Calls until the first refusal; returns how many calls passed.
int PassedBeforeRefusal(test::Emulator& emu, int max_calls, int& refused_status, json& refusal) {
  for (int i = 0; i < max_calls; ++i) {
    const auto answer = emu.Hook("user.current");
    if (answer.status != 200) {
      refused_status = answer.status;
      refusal = answer.body;
      return i;
    }
  }
  return max_calls;
}

}  // namespace

TEST_CASE("the bucket of 50 refuses the 51st request with 503 QUERY_LIMIT_EXCEEDED — then drains") {
  test::Emulator emu;
  emu.Control("clock", {{"freeze", true}});
  int status = 0;
  json refusal;
  CHECK(PassedBeforeRefusal(emu, 60, status, refusal) == 50);
  CHECK(status == 503);
  CHECK(refusal["error"] == "QUERY_LIMIT_EXCEEDED");
  CHECK(refusal["error_description"] == "Too many requests");
  emu.Control("clock", {{"advance", 1.0}});  // drains 2 requests
  CHECK(PassedBeforeRefusal(emu, 10, status, refusal) == 2);
  const auto log = emu.Get("/_emulator/log").body;
  CHECK(log["by_error"]["QUERY_LIMIT_EXCEEDED"] == 2);
}

TEST_CASE("the Enterprise plan allows a bucket of 250 draining 5 a second") {
  test::Emulator emu;
  emu.Control("clock", {{"freeze", true}});
  emu.Control("plan", {{"plan", "enterprise"}});
  int status = 0;
  json refusal;
  CHECK(PassedBeforeRefusal(emu, 300, status, refusal) == 250);
  emu.Control("clock", {{"advance", 1.0}});
  CHECK(PassedBeforeRefusal(emu, 10, status, refusal) == 5);
}

TEST_CASE("a batch of many commands counts as one request") {
  test::Emulator emu;
  emu.Control("clock", {{"freeze", true}});
  json cmd = json::object();
  for (int i = 0; i < 50; ++i) cmd["c" + std::to_string(i)] = "user.current";
  for (int i = 0; i < 50; ++i) REQUIRE(emu.Hook("batch", {{"cmd", cmd}}).status == 200);
  CHECK(emu.Hook("batch", {{"cmd", cmd}}).status == 503);
}

TEST_CASE("a method over its operating time gets 429 until its window moves on") {
  test::Emulator emu;
  emu.Control("clock", {{"freeze", true}});
  emu.Control("limits", {{"operating_limit", 480}, {"method_seconds", {{"crm.lead.list", 100}}}});
  for (int i = 0; i < 5; ++i) REQUIRE(emu.Hook("crm.lead.list").status == 200);  // 500 s > 480
  const auto blocked = emu.Hook("crm.lead.list");
  CHECK(blocked.status == 429);
  CHECK(blocked.body["error"] == "OPERATION_TIME_LIMIT");
  CHECK(blocked.body["error_description"] == "Method is blocked due to operation time limit.");
  CHECK(emu.Hook("crm.deal.list").status == 200);  // other methods are not affected
  const auto fifth = emu.Hook("crm.lead.fields");
  CHECK(fifth.body["time"]["operating"] == 0.0);
  emu.Control("clock", {{"advance", 601}});
  const auto again = emu.Hook("crm.lead.list");
  CHECK(again.status == 200);
  CHECK(again.body["time"]["operating"] == 100.0);
  CHECK(again.body["time"]["operating_reset_at"].get<double>() >
        emu.Get("/_emulator/clock").body["now"].get<double>());
}

TEST_CASE("injected faults fail the next N calls of a method") {
  test::Emulator emu;
  emu.Control("faults", {{"method", "crm.lead.add"},
                         {"count", 2},
                         {"status", 500},
                         {"error", "INTERNAL_SERVER_ERROR"},
                         {"description", "Internal server error"}});
  CHECK(emu.Hook("crm.lead.add").status == 500);
  CHECK(emu.Hook("crm.lead.add").body["error"] == "INTERNAL_SERVER_ERROR");
  CHECK(emu.Hook("crm.lead.add").status == 200);
  CHECK(emu.Hook("crm.lead.list").body["total"] == 1);
}

}  // namespace limits_test
