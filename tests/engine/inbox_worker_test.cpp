// The inbox worker against a real emulator and real SQLite: changes reach the rules once,
// echoes and empty saves do not, failures are retried, nothing acknowledged is lost.
#include "lib/engine/inbox_worker.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "lib/engine/system_clock.h"
#include "tests/emulator/harness.h"
#include "tests/engine/engine_fixture.h"

namespace inbox_worker_test {

using nlohmann::json;

namespace {

const std::string kMember = "testportal0000000000000000000001";

// Rules that remember what they were shown.
class RecordingRules : public core::Rules {
 public:
  core::Result<core::Outcome> Plan(const core::EntityChange& change) override {
    changes.push_back(change);
    return core::Outcome{};
  }
  std::vector<core::EntityChange> changes;
};

struct WorkerFixture : test::EngineFixture {
  RecordingRules rules;
  engine::InboxWorker worker{inbox, snapshots, client, rules, executor, decisions, timers, clock};
};

}  // namespace

TEST_CASE("a round that outlives its lease keeps its events — no other round takes them") {
  WorkerFixture f;
  engine::WorkerOptions options;
  options.lease_seconds = 1;
  engine::InboxWorker worker{f.inbox,     f.snapshots, f.client, f.rules, f.executor,
                             f.decisions, f.timers,    f.clock,  options};
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Slow"}}}});
  f.Queue("ONCRMLEADADD", "lead", 1, "a");
  // The portal answers the round's read 2.5 s late: well past the 1-second lease.
  REQUIRE(f.emu
              .Control("faults",
                       {{"method", "batch"}, {"after", true}, {"status", 200}, {"delay_ms", 2500}})
              .status == 200);
  const double start = f.clock.Now();
  core::Result<engine::RoundReport> first = core::Fail(core::ErrorCode::kInternal, "not run");
  std::thread slow([&] { first = worker.RunOnce(); });
  REQUIRE(test::Eventually([&] { return f.clock.Now() > start + 1.8; }, 5));
  auto second = worker.RunOnce();
  REQUIRE(second);
  CHECK(second->claimed == 0);
  slow.join();
  REQUIRE(first);
  CHECK(first->changed == 1);
  CHECK(f.rules.changes.size() == 1);
}

TEST_CASE("a change reaches the rules with its before and after — an empty save does not") {
  WorkerFixture f;
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "First"}}}});
  f.Queue("ONCRMLEADADD", "lead", 1, "a");
  auto round = f.worker.RunOnce();
  REQUIRE(round);
  CHECK(round->changed == 1);
  REQUIRE(f.rules.changes.size() == 1);
  CHECK(f.rules.changes[0].before.is_null());
  CHECK(f.rules.changes[0].after["TITLE"] == "First");

  // A save that changes nothing (legacy update still fires an event): no change for the rules.
  f.emu.Hook("crm.lead.update", {{"id", 1}, {"fields", {{"TITLE", "First"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", 1, "b");
  round = f.worker.RunOnce();
  REQUIRE(round);
  CHECK(round->unchanged == 1);
  CHECK(f.rules.changes.size() == 1);

  f.emu.Hook("crm.lead.update", {{"id", 1}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", 1, "c");
  REQUIRE(f.worker.RunOnce());
  REQUIRE(f.rules.changes.size() == 2);
  CHECK(f.rules.changes[1].before["STATUS_ID"] == "NEW");
  CHECK(f.rules.changes[1].after["STATUS_ID"] == "IN_PROCESS");
  CHECK(*f.inbox.Depth() == 0);
}

TEST_CASE("events of one round are read in one batch per portal — a deleted entity is a change") {
  WorkerFixture f;
  for (int i = 0; i < 5; ++i)
    f.emu.Hook("crm.deal.add", {{"fields", {{"TITLE", "D" + std::to_string(i)}}}});
  for (int i = 1; i <= 5; ++i) f.Queue("ONCRMDEALADD", "deal", i, "d" + std::to_string(i));
  f.emu.Hook("crm.deal.delete", {{"id", 5}});
  auto round = f.worker.RunOnce();
  REQUIRE(round);
  CHECK(round->claimed == 5);
  CHECK(round->changed == 5);
  CHECK(f.rules.changes.back().after.is_null());
  CHECK(f.client.Stats().by_method["batch"]["ok"] == 1);
}

TEST_CASE("a portal that cannot be read keeps its events for a retry") {
  WorkerFixture f;
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  f.Queue("ONCRMLEADADD", "lead", 1, "a");
  f.emu.Control(
      "faults",
      {{"method", "batch"}, {"count", 5}, {"status", 500}, {"error", "INTERNAL_SERVER_ERROR"}});
  auto round = f.worker.RunOnce();
  REQUIRE(round);
  CHECK(round->retried == 1);
  CHECK(f.rules.changes.empty());
  CHECK(*f.inbox.Depth() == 1);  // still there, available after the retry delay
}

namespace {

// Answers a lead titled "ping" by writing "pong" into it: without echo suppression its own
// write would come back as a change and loop.
class PingRules : public core::Rules {
 public:
  core::Result<core::Outcome> Plan(const core::EntityChange& change) override {
    ++shown;
    core::Outcome out;
    if (core::TextField(change.after, "TITLE") != "ping") return out;
    if (core::TextField(change.after, "COMMENTS") == "pong") return out;
    out.actions.push_back({"pong:" + std::to_string(change.entity_id),
                           "crm.lead.update",
                           {{"id", change.entity_id}, {"fields", {{"COMMENTS", "pong"}}}},
                           "test",
                           std::nullopt,
                           {{"lead", change.entity_id}}});
    out.decisions.push_back({"pong", "lead", change.entity_id, 0, 3, {{"why", "ping"}}});
    return out;
  }
  int shown = 0;
};

}  // namespace

TEST_CASE("the event announcing the app's own write is recognised and ignored") {
  WorkerFixture f;
  PingRules ping;
  engine::InboxWorker worker{f.inbox,    f.snapshots, f.client, ping,
                             f.executor, f.decisions, f.timers, f.clock};
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "ping"}}}});
  f.Queue("ONCRMLEADADD", "lead", 1, "add");
  auto round = worker.RunOnce();
  REQUIRE(round);
  CHECK(round->changed == 1);
  CHECK(round->actions == 1);
  CHECK(f.emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["COMMENTS"] == "pong");

  auto journal = f.decisions.ForEntity(kMember, "lead", 1);
  REQUIRE(journal);
  REQUIRE(journal->size() == 1);
  CHECK((*journal)[0].decision.kind == "pong");
  CHECK((*journal)[0].decision.settings_version == 3);
  CHECK((*journal)[0].decision.body["why"] == "ping");

  f.Queue("ONCRMLEADUPDATE", "lead", 1, "echo");  // what the portal sends after our write
  round = worker.RunOnce();
  REQUIRE(round);
  CHECK(round->unchanged == 1);
  CHECK(ping.shown == 1);
}

TEST_CASE("a plan that fails leaves the event to be retried — and the retry completes it") {
  WorkerFixture f;
  PingRules ping;
  engine::InboxWorker worker{f.inbox,  f.snapshots, f.client,
                             ping,     f.executor,  f.decisions,
                             f.timers, f.clock,     engine::WorkerOptions{60, 50, 0}};
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "ping"}}}});
  REQUIRE(f.emu
              .Control("faults", {{"method", "batch"},
                                  {"count", 1},
                                  {"after", true},
                                  {"status", 500},
                                  {"error", "INTERNAL_SERVER_ERROR"}})
              .status == 200);
  f.Queue("ONCRMLEADADD", "lead", 1, "add");
  // The event's read is a batch too: the fault hits it first, then the plan runs.
  for (int i = 0; i < 5 && *f.inbox.Depth() > 0; ++i) REQUIRE(worker.RunOnce());
  CHECK(*f.inbox.Depth() == 0);
  CHECK(f.emu.Hook("crm.lead.get", {{"id", 1}}).body["result"]["COMMENTS"] == "pong");
}

TEST_CASE("an event that keeps failing is given up — so later events of its entity can run") {
  WorkerFixture f;
  engine::WorkerOptions options;
  options.retry_seconds = 0;
  options.max_attempts = 2;
  engine::InboxWorker worker{f.inbox,     f.snapshots, f.client, f.rules, f.executor,
                             f.decisions, f.timers,    f.clock,  options};
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "x"}}}});
  REQUIRE(f.emu
              .Control("faults", {{"method", "batch"},
                                  {"count", 1000},
                                  {"status", 500},
                                  {"error", "INTERNAL_SERVER_ERROR"}})
              .status == 200);
  f.Queue("ONCRMLEADADD", "lead", 1, "poison");
  auto first = worker.RunOnce();
  REQUIRE(first);
  CHECK(first->retried == 1);
  auto second = worker.RunOnce();
  REQUIRE(second);
  CHECK(second->given_up == 1);
  CHECK(*f.inbox.Depth() == 0);
}

TEST_CASE("a pool woken by an event waits for the rest of its burst — one read for them all") {
  WorkerFixture f;
  for (int i = 1; i <= 5; ++i)
    f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "Lead " + std::to_string(i)}}}});
  engine::WorkerOptions options;
  options.gather_seconds = 0.3;
  engine::InboxWorker worker{f.inbox,     f.snapshots, f.client, f.rules, f.executor,
                             f.decisions, f.timers,    f.clock,  options};
  const long calls_before = f.client.Stats().calls;
  // Polls only every minute: nothing but the wake starts a round.
  engine::WorkerPool pool(worker, f.clock, 2, 60);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // both threads found nothing
  f.Queue("ONCRMLEADADD", "lead", 1, "a");
  pool.Wake();
  for (int i = 2; i <= 5; ++i) f.Queue("ONCRMLEADADD", "lead", i, "k" + std::to_string(i));
  for (int tries = 0; tries < 100 && *f.inbox.Depth() > 0; ++tries)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  pool.Stop();
  CHECK(*f.inbox.Depth() == 0);
  CHECK(f.rules.changes.size() == 5);
  CHECK(f.client.Stats().calls - calls_before == 1);  // the five reads in one batch
  CHECK(pool.totals().rounds >= 1);
}

TEST_CASE("a round waits longer for more events as its portal's bucket fills") {
  WorkerFixture f;
  engine::WorkerOptions options;
  options.gather_seconds = 1;
  engine::InboxWorker worker{f.inbox,     f.snapshots, f.client, f.rules, f.executor,
                             f.decisions, f.timers,    f.clock,  options};
  CHECK(worker.GatherSeconds(kMember) == Approx(1));
  // The whole usable bucket spent at once (50 less the limiter's margin of 2).
  for (int i = 0; i < 48; ++i) f.limiter.Acquire(kMember, "crm.lead.get", b24::Lane::kInteractive);
  CHECK(worker.GatherSeconds(kMember) == Approx(4).epsilon(0.05));
  CHECK(worker.GatherSeconds("another portal") == Approx(1));
}

namespace {

// Rules that read ahead the lead's pipelines and remember what they were given and shown.
class ReadingAheadRules : public core::Rules {
 public:
  core::Result<core::Outcome> Plan(const core::EntityChange&) override { return core::Outcome{}; }
  std::vector<core::Read> ReadAhead(const std::vector<core::EntityChange>& items) override {
    expected = items;
    return {{"crm.category.list", {{"entityTypeId", 2}}}, {"no.such.method", json::object()}};
  }
  std::vector<core::Result<core::Outcome>> PlanAll(
      const std::vector<core::EntityChange>& changes,
      const std::vector<core::Answer>& read_ahead) override {
    answers = read_ahead;
    return core::Rules::PlanAll(changes, read_ahead);
  }
  std::vector<core::EntityChange> expected;
  std::vector<core::Answer> answers;
};

}  // namespace

TEST_CASE("reads the rules expect to need go with the items' reads — their answers to the plans") {
  test::EngineFixture f;
  ReadingAheadRules rules;
  engine::InboxWorker worker{f.inbox,    f.snapshots, f.client, rules,
                             f.executor, f.decisions, f.timers, f.clock};
  f.emu.Hook("crm.lead.add", {{"fields", {{"TITLE", "First"}}}});
  f.Queue("ONCRMLEADADD", "lead", 1, "a");
  REQUIRE(worker.RunOnce());
  f.emu.Hook("crm.lead.update", {{"id", 1}, {"fields", {{"STATUS_ID", "IN_PROCESS"}}}});
  f.Queue("ONCRMLEADUPDATE", "lead", 1, "b");
  const long before = f.client.Stats().calls;
  REQUIRE(worker.RunOnce());
  CHECK(f.client.Stats().calls - before == 1);  // the lead and the reads ahead in one batch
  // The rules judged by what was last seen of the lead.
  REQUIRE(rules.expected.size() == 1);
  CHECK(rules.expected[0].entity_id == 1);
  CHECK(rules.expected[0].before["STATUS_ID"] == "NEW");
  CHECK(rules.expected[0].after.is_null());
  // The answer that came, not the one that failed.
  REQUIRE(rules.answers.size() == 1);
  CHECK(rules.answers[0].read.method == "crm.category.list");
  CHECK(rules.answers[0].result.dump().find("categories") != std::string::npos);
}

}  // namespace inbox_worker_test
