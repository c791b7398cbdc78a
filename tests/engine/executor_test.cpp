// The executor against a real emulator and real SQLite: a plan runs in one batch, a repeated
// plan sends nothing, an answer lost after the portal applied a write never duplicates it, and
// a write the portal certainly refused is sent again.
#include "lib/engine/executor.h"

#include <catch2/catch.hpp>

#include <thread>

#include "lib/core/change.h"
#include "tests/emulator/harness.h"
#include "tests/engine/engine_fixture.h"

namespace executor_test {

using nlohmann::json;

namespace {

struct ExecutorFixture : test::EngineFixture {
  ExecutorFixture() {
    REQUIRE(emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Order"}}}}).status == 200);
  }

  // A hand-over shaped plan: a deal made from lead 1 (found again by LEAD_ID), a comment on it,
  // and the lead marked — each under its own key.
  static std::vector<core::Action> Plan() {
    core::Action deal{"handover:lead:1:deal",
                      "crm.deal.add",
                      {{"fields", {{"TITLE", "Order"}, {"LEAD_ID", 1}}}},
                      "ready now",
                      core::Lookup{"crm.deal.list", {{"filter", {{"LEAD_ID", 1}}}}},
                      {{"deal", "$result[handover:lead:1:deal]"}}};
    core::Action comment{"handover:lead:1:comment",
                         "crm.timeline.comment.add",
                         {{"fields",
                           {{"ENTITY_TYPE", "deal"},
                            {"ENTITY_ID", "$result[handover:lead:1:deal]"},
                            {"COMMENT", "handed over"}}}},
                         "ready now",
                         std::nullopt,
                         {}};
    core::Action lead{"handover:lead:1:lead",
                      "crm.lead.update",
                      {{"id", 1}, {"fields", {{"COMMENTS", "handed over"}}}},
                      "ready now",
                      std::nullopt,
                      {{"lead", 1}}};
    return {deal, comment, lead};
  }

  long Count(const std::string& method, const json& params = json::object()) {
    auto answer = emu.Hook(method, params);
    REQUIRE(answer.status == 200);
    return answer.body["total"].get<long>();
  }
  // The next write batch (after `skip` that pass) runs on the portal and answers 500: applied,
  // its answer lost.
  void LoseNextBatchAnswer(int skip = 0) {
    REQUIRE(emu.Control("faults", {{"method", "batch"},
                                   {"skip", skip},
                                   {"after", true},
                                   {"status", 500},
                                   {"error", "INTERNAL_SERVER_ERROR"}})
                .status == 200);
  }
  long Comments() {
    return Count("crm.timeline.comment.list",
                 {{"filter", {{"ENTITY_TYPE", "deal"}, {"ENTITY_ID", 1}}}});
  }
};

// A whole hand-over: the deal, a comment and a task on it (each found again by its lookup when
// its answer is lost), and a notification (which nothing can find: at most once).
std::vector<core::Action> HandOver() {
  auto plan = ExecutorFixture::Plan();
  const std::string deal = "$result[handover:lead:1:deal]";
  plan[1].lookup = core::Lookup{
      "crm.timeline.comment.list",
      {{"filter", {{"ENTITY_ID", deal}, {"ENTITY_TYPE", "deal"}}}, {"select", {"ID", "COMMENT"}}},
      {{"COMMENT", "handed over"}}};
  plan.push_back(
      {"task:deal:" + deal + ":assigned:0:new",
       "tasks.task.add",
       {{"fields",
         {{"TITLE", "Call the client"}, {"RESPONSIBLE_ID", 1}, {"UF_CRM_TASK", {"D_" + deal}}}}},
       "auto-task",
       core::Lookup{"tasks.task.list",
                    {{"filter", {{"TITLE", "Call the client"}, {"RESPONSIBLE_ID", 1}}},
                     {"select", {"ID", "TITLE", "UF_CRM_TASK"}}},
                    {{"title", "Call the client"}, {"ufCrmTask", "D_" + deal}}},
       {}});
  plan.push_back({"handover:lead:1:notify",
                  "im.notify.system.add",
                  {{"USER_ID", 1}, {"MESSAGE", "deal " + deal}},
                  "the closer is told",
                  std::nullopt,
                  {}});
  return plan;
}

long Rows(test::Emulator& emu, const std::string& section) {
  return static_cast<long>(emu.State(section).body.size());
}

}  // namespace

TEST_CASE("a 500 on the batch that makes the deal: nothing naming it went — all of it once") {
  ExecutorFixture f;
  f.LoseNextBatchAnswer();
  auto report = f.executor.Run(f.kMember, HandOver());
  REQUIRE_FALSE(report);
  CHECK(f.Count("crm.deal.list") == 1);  // it ran; its answer was lost
  CHECK(f.Comments() == 0);              // what names it waited for the answer
  CHECK(Rows(f.emu, "notifications") == 0);
  report = f.executor.Run(f.kMember, HandOver());
  REQUIRE(report);
  CHECK(report->found == 1);  // the deal, by its lookup
  CHECK(report->sent == 4);   // the lead, the comment, the task, the notification
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
  CHECK(Rows(f.emu, "notifications") == 1);
}

TEST_CASE(
    "a 500 on the batch naming the deal loses no comment or task — a notification at most once") {
  ExecutorFixture f;
  f.LoseNextBatchAnswer(1);
  auto report = f.executor.Run(f.kMember, HandOver());
  REQUIRE_FALSE(report);
  report = f.executor.Run(f.kMember, HandOver());
  REQUIRE(report);
  CHECK(report->skipped == 2);  // the deal and the lead: their batch answered
  CHECK(report->found == 2);    // the comment and the task, by their lookups
  CHECK(report->unknown == 1);  // the notification: nothing can find it, so not again
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
  CHECK(Rows(f.emu, "notifications") == 1);
  // The task is also known under the deal's id: the deal's own event, planning the same task
  // for deal 1, finds it done.
  auto alias = f.operations.Find(f.kMember, "task:deal:1:assigned:0:new");
  REQUIRE(alias);
  CHECK(*alias);
}

TEST_CASE("a 500 before anything ran: the retry makes all of it — nothing is lost") {
  ExecutorFixture f;
  // An internal error answered before the batch ran: its outcome unknown to the app.
  REQUIRE(f.emu
              .Control("faults", {{"method", "batch"},
                                  {"count", 1},
                                  {"status", 500},
                                  {"error", "INTERNAL_SERVER_ERROR"}})
              .status == 200);
  REQUIRE_FALSE(f.executor.Run(f.kMember, HandOver()));
  auto report = f.executor.Run(f.kMember, HandOver());
  REQUIRE(report);
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
  CHECK(Rows(f.emu, "notifications") == 1);
}

TEST_CASE("a command naming one that failed is not sent — the next attempt plans it again") {
  ExecutorFixture f;
  auto plan = HandOver();
  plan[0].method = "crm.deal.no_such_method";  // the portal refuses the deal
  auto report = f.executor.Run(f.kMember, plan);
  REQUIRE_FALSE(report);
  CHECK(f.Count("crm.deal.list") == 0);
  CHECK(f.Comments() == 0);
  CHECK(Rows(f.emu, "tasks") == 0);
  CHECK(Rows(f.emu, "notifications") == 0);  // no message naming "$result[...]"
  for (const char* key : {"handover:lead:1:comment", "handover:lead:1:notify"}) {
    auto found = f.operations.Find(f.kMember, key);
    REQUIRE(found);
    CHECK_FALSE(*found);  // never begun: free to go next time
  }
  report = f.executor.Run(f.kMember, HandOver());
  REQUIRE(report);
  CHECK(Rows(f.emu, "notifications") == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
}

TEST_CASE("a task planned on a reference is done under the id it stood for") {
  ExecutorFixture f;
  auto report = f.executor.Run(f.kMember, HandOver());
  REQUIRE(report);
  CHECK(report->sent == 5);
  core::Action again = HandOver()[3];
  again.key = "task:deal:1:assigned:0:new";
  again.look_first = true;
  report = f.executor.Run(f.kMember, {again});
  REQUIRE(report);
  CHECK(report->skipped == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
}

TEST_CASE("an unseen item's task is looked for before it is first sent") {
  ExecutorFixture f;
  REQUIRE(f.executor.Run(f.kMember, HandOver()));
  // As if the task's key had never been recorded.
  REQUIRE(f.operations.Abandon(f.kMember, "task:deal:1:assigned:0:new"));
  core::Action again = HandOver()[3];
  again.key = "task:deal:1:assigned:0:other";
  again.lookup->match["ufCrmTask"] = "D_1";
  again.look_first = true;
  auto report = f.executor.Run(f.kMember, {again});
  REQUIRE(report);
  CHECK(report->found == 1);
  CHECK(Rows(f.emu, "tasks") == 1);
}

TEST_CASE("keys are begun only as their batch goes out") {
  ExecutorFixture f;
  // 20 plans of three comments: two batches. The first one's answer is held back a while.
  std::vector<std::vector<core::Action>> plans;
  for (int i = 0; i < 20; ++i) {
    std::vector<core::Action> plan;
    for (const char* part : {"a", "b", "c"}) {
      const std::string key = "note:" + std::to_string(i) + ":" + part;
      plan.push_back({key,
                      "crm.timeline.comment.add",
                      {{"fields", {{"ENTITY_TYPE", "lead"}, {"ENTITY_ID", 1}, {"COMMENT", key}}}},
                      "test",
                      std::nullopt,
                      {}});
    }
    plans.push_back(plan);
  }
  REQUIRE(f.emu
              .Control("faults",
                       {{"method", "batch"}, {"after", true}, {"status", 200}, {"delay_ms", 1500}})
              .status == 200);
  std::vector<core::Result<engine::ExecutionReport>> reports;
  std::thread round([&] { reports = f.executor.RunAll(f.kMember, plans); });
  const auto begun = [&](const std::string& key) {
    auto found = f.operations.Find(f.kMember, key);
    return found && *found;
  };
  REQUIRE(test::Eventually([&] { return begun("note:0:a"); }, 5));
  // The first batch is out and waiting; the second has not left, so nothing of it is begun —
  // a crash now would leave it to be sent again, not taken for sent.
  CHECK_FALSE(begun("note:19:c"));
  round.join();
  REQUIRE(reports.size() == 20);
  for (const auto& report : reports) CHECK(report);
  CHECK(begun("note:19:c"));
}

TEST_CASE("a plan runs in a request and one for what names its results — once") {
  ExecutorFixture f;
  const long before = f.client.Stats().calls;
  auto report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE(report);
  CHECK(report->sent == 3);
  CHECK(report->echoes == 2);  // the new deal and the updated lead, re-read with their writes
  // The deal and the lead; then the comment, which names the deal.
  CHECK(f.client.Stats().calls - before == 2);
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);

  // The echoes are stored: the deal's snapshot is exactly what the portal now answers.
  auto deal = f.emu.Hook("crm.deal.get", {{"id", 1}});
  auto snapshot = f.snapshots.Get(f.kMember, "deal", 1);
  REQUIRE(snapshot);
  REQUIRE(*snapshot);
  CHECK((*snapshot)->hash == core::ContentHash(deal.body["result"]));

  report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE(report);
  CHECK(report->skipped == 3);
  CHECK(report->sent == 0);
  CHECK(f.client.Stats().calls - before == 2);
  CHECK(f.Count("crm.deal.list") == 1);
}

TEST_CASE("an answer lost after the portal applied the batch duplicates nothing") {
  ExecutorFixture f;
  f.LoseNextBatchAnswer();
  auto report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE_FALSE(report);
  CHECK(report.error().code == core::ErrorCode::kUnavailable);
  CHECK(f.Count("crm.deal.list") == 1);  // it did run

  report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE(report);
  CHECK(report->found == 1);  // the deal, by its lookup
  // The lead update is harmless to repeat; the comment waited for the deal's answer, so it
  // was never sent and goes now.
  CHECK(report->sent == 2);
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);
  auto operation = f.operations.Find(f.kMember, "handover:lead:1:deal");
  REQUIRE(operation);
  REQUIRE(*operation);
  CHECK((*operation)->result == "1");
}

TEST_CASE("a batch the portal refused is sent again in full") {
  ExecutorFixture f;
  // Refusals before running: the client's retries run out, the outcome is certain.
  REQUIRE(f.emu.Control("faults", {{"method", "batch"}, {"count", 20}}).status == 200);
  auto report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE_FALSE(report);
  CHECK(f.Count("crm.deal.list") == 0);
  REQUIRE(f.emu.Delete("/_emulator/faults").status == 200);

  report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE(report);
  CHECK(report->sent == 3);
  CHECK(f.Count("crm.deal.list") == 1);
  CHECK(f.Comments() == 1);
}

TEST_CASE("a command the portal rejected inside a batch is sent again — its siblings are not") {
  ExecutorFixture f;
  auto plan = ExecutorFixture::Plan();
  plan[1].params["fields"]["ENTITY_TYPE"] = "nonsense";
  auto report = f.executor.Run(f.kMember, plan);
  REQUIRE_FALSE(report);
  CHECK(report.error().message.find("handover:lead:1:comment") != std::string::npos);
  CHECK(f.Comments() == 0);

  report = f.executor.Run(f.kMember, ExecutorFixture::Plan());
  REQUIRE(report);
  CHECK(report->skipped == 2);
  CHECK(report->sent == 1);
  CHECK(f.Comments() == 1);
  CHECK(f.Count("crm.deal.list") == 1);
}

TEST_CASE("plans of several events share one request — a failing plan fails alone") {
  ExecutorFixture f;
  REQUIRE(f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Second"}}}}).status == 200);
  std::vector<std::vector<core::Action>> plans;
  for (int lead = 1; lead <= 3; ++lead) {
    const std::string key = "mark:lead:" + std::to_string(lead);
    // Lead 3 does not exist: its plan fails, the others stand.
    plans.push_back({{key,
                      "crm.lead.update",
                      {{"id", lead}, {"fields", {{"COMMENTS", "seen"}}}},
                      "test",
                      std::nullopt,
                      {{"lead", lead}}}});
  }
  const long before = f.client.Stats().calls;
  auto reports = f.executor.RunAll(f.kMember, plans);
  CHECK(f.client.Stats().calls - before == 1);
  REQUIRE(reports.size() == 3);
  REQUIRE(reports[0]);
  REQUIRE(reports[1]);
  CHECK(reports[0]->sent == 1);
  CHECK(reports[1]->echoes == 1);
  REQUIRE_FALSE(reports[2]);
  CHECK(reports[2].error().message.find("mark:lead:3") != std::string::npos);
  CHECK(f.emu.Hook("crm.lead.get", {{"id", 2}}).body["result"]["COMMENTS"] == "seen");
}

TEST_CASE("plans over the batch limit are split between plans — never inside one") {
  ExecutorFixture f;
  // 20 plans of three comments, the later two naming the first's result: 60 commands, so two
  // groups — and a split after the 50th command would cut the 17th plan in two.
  std::vector<std::vector<core::Action>> plans;
  const auto comment = [](const std::string& key, const std::string& text) {
    return core::Action{
        key,
        "crm.timeline.comment.add",
        {{"fields", {{"ENTITY_TYPE", "lead"}, {"ENTITY_ID", 1}, {"COMMENT", text}}}},
        "test",
        std::nullopt,
        {}};
  };
  for (int i = 0; i < 20; ++i) {
    const std::string key = "note:" + std::to_string(i);
    plans.push_back({comment(key, key), comment(key + ":b", "after $result[" + key + "]"),
                     comment(key + ":c", "after $result[" + key + "]")});
  }
  const long before = f.client.Stats().calls;
  auto reports = f.executor.RunAll(f.kMember, plans);
  // Two groups of plans, each in a batch of the first comments and one of those naming them.
  CHECK(f.client.Stats().calls - before == 4);
  for (const auto& report : reports) {
    REQUIRE(report);
    CHECK(report->sent == 3);
  }
  auto comments = f.emu.Hook(
      "crm.timeline.comment.list",
      {{"filter", {{"ENTITY_TYPE", "lead"}, {"ENTITY_ID", 1}}}, {"order", {{"ID", "DESC"}}}});
  CHECK(comments.body["total"] == 60);
  for (const auto& row : comments.body["result"])
    CHECK(row["COMMENT"].get<std::string>().find("$result") == std::string::npos);
}

}  // namespace executor_test
