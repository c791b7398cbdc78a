// Applies the actions rules planned — the plans of a whole round of events in one batch request
// (REST economy, issue #4 item 9) —, each under its operation key (issue #3, items 3 and 6):
// - a key already done is not sent again; its stored result stands in for "$result[key]";
// - keys are begun only as their batch goes out; a key begun but with an unknown outcome (the
//   answer was lost) is looked up when the action has a lookup (a deal, a comment, a task),
//   sent again when repeating it is harmless, and otherwise left alone (a notification: at
//   most once); an action marked look_first is looked up before its first send too;
// - a key built on "$result[key]" is also kept under the id it stood for once known;
// - a write that certainly did not run forgets its key, so the retried event sends it again;
// - the entities the actions touch are re-read in the same batch and stored as snapshots, so
//   the events announcing our own writes compare equal and are ignored.
// Thread-safety: Run may be called concurrently for different entities.
#pragma once

#include <string>
#include <vector>

#include "lib/b24/rest_client.h"
#include "lib/core/action.h"
#include "lib/core/clock.h"
#include "lib/engine/echo_expectations.h"
#include "lib/store/journey_store.h"
#include "lib/store/operation_log.h"
#include "lib/store/snapshot_store.h"

namespace engine {

struct ExecutionReport {
  int sent = 0;     // actions sent to the portal
  int skipped = 0;  // done before (a repeated event)
  int found = 0;    // an uncertain create found by its lookup
  int unknown = 0;  // an uncertain create without a lookup, not repeated
  int echoes = 0;   // snapshots stored for touched entities
  // Every action's result by key (done before or now), for "$result[key]" references that
  // outlive the batch, such as a timer for a deal the plan created.
  nlohmann::json results = nlohmann::json::object();
};

class Executor {
 public:
  // With `echoes`, every stored snapshot of a written entity expects that write's event; with
  // `journeys`, the written entity's facts and stage transition are recorded.
  Executor(b24::RestClient& client, store::OperationLog& operations,
           store::SnapshotStore& snapshots, core::Clock& clock, EchoExpectations* echoes = nullptr,
           store::JourneyStore* journeys = nullptr)
      : client_(client),
        operations_(operations),
        snapshots_(snapshots),
        clock_(clock),
        echoes_(echoes),
        journeys_(journeys) {}

  // Fails when an action failed or storage failed; the caller retries the event later, and
  // the actions that finished stay finished.
  core::Result<ExecutionReport> Run(const std::string& member_id,
                                    const std::vector<core::Action>& plan);
  // Several plans, each with its own outcome, in as few requests as the batch limit allows: a
  // plan's commands always share one batch, so its "$result[key]" references resolve.
  std::vector<core::Result<ExecutionReport>> RunAll(
      const std::string& member_id, const std::vector<std::vector<core::Action>>& plans);

 private:
  struct Prepared;  // a plan's actions still to send, and what is known of the others
  core::Result<void> Prepare(const std::string& member_id, Prepared& prepared);
  // What `action`'s lookup finds: the made thing's id, or null.
  core::Result<nlohmann::json> LookUp(const std::string& member_id, const core::Action& action,
                                      const nlohmann::json& known);
  void BeginKeys(const std::string& member_id, Prepared& prepared);
  // A key written with a "$result[...]" reference, done as `used_key`, is also kept under the id
  // the reference stood for, so the same operation planned from the portal's side is done.
  void KeepUnderId(const std::string& member_id, const std::string& used_key,
                   const std::string& action_key, const nlohmann::json& known,
                   const nlohmann::json& result);
  // Sends the prepared plans' commands in as few batches as their references allow (a command
  // naming a result of the same round waits for it) and settles each one's outcome.
  void Send(const std::string& member_id, std::vector<Prepared*>& group);
  // One batch of what the plans have to send now.
  void SendOnce(const std::string& member_id, std::vector<Prepared*>& group);
  // The written entity's facts, and its transition against the snapshot it replaces.
  core::Result<void> RecordJourney(const std::string& member_id, const std::string& entity_type,
                                   int64_t id, const nlohmann::json& after);

  b24::RestClient& client_;
  store::OperationLog& operations_;
  store::SnapshotStore& snapshots_;
  core::Clock& clock_;
  EchoExpectations* echoes_;
  store::JourneyStore* journeys_;
};

}  // namespace engine
