#include "lib/engine/executor.h"

#include <algorithm>
#include <set>

#include "lib/core/change.h"

namespace engine {
namespace {

using json = nlohmann::json;

// A batch request holds at most 50 commands (REST.md §5).
constexpr size_t kBatchCommands = 50;

}  // namespace

// An action to send and the key it goes under: its own, with what is known of the results it
// refers to spelled out.
struct Pending {
  const core::Action* action = nullptr;
  std::string key;
  bool begun = false;  // begun in an earlier attempt (its outcome unknown, repeatable)
};

struct Executor::Prepared {
  const std::vector<core::Action>* plan = nullptr;
  std::vector<Pending> to_send;
  ExecutionReport report;
  std::optional<core::Error> failure;  // set once the plan failed

  size_t Commands() const {
    size_t n = to_send.size();
    for (const auto& pending : to_send) n += pending.action->touches.size();
    return n;
  }
};

core::Result<json> Executor::LookUp(const std::string& member_id, const core::Action& action,
                                    const json& known) {
  const json params = core::ResolveReferences(action.lookup->params, known);
  const json match = core::ResolveReferences(action.lookup->match, known);
  // What it would name is being made in this very batch: it cannot exist yet.
  if (core::HasReference(params) || core::HasReference(match)) return json();
  auto rows = client_.Call(member_id, action.lookup->method, params);
  if (!rows) return tl::unexpected(b24::ToCoreError(rows.error(), "lookup " + action.key));
  return core::FirstMatchingId(rows->result, match);
}

core::Result<void> Executor::Prepare(const std::string& member_id, Prepared& prepared) {
  json& known = prepared.report.results;  // key -> result of actions finished before
  for (const auto& action : *prepared.plan) {
    // Under the id a reference stood for, or — begun before that id was known — as written.
    std::string key = core::ResolveKey(action.key, known);
    auto previous = operations_.Find(member_id, key);
    if (!previous) return tl::unexpected(previous.error());
    if (!*previous && key != action.key) {
      previous = operations_.Find(member_id, action.key);
      if (!previous) return tl::unexpected(previous.error());
      if (*previous) key = action.key;
    }
    if (*previous && (*previous)->state == store::OperationState::kDone) {
      known[action.key] = json::parse((*previous)->result, nullptr, false);
      ++prepared.report.skipped;
      continue;
    }
    const bool begun = previous->has_value();  // outcome unknown: the answer never came
    if (action.lookup && (begun || action.look_first)) {
      auto id = LookUp(member_id, action, known);
      if (!id) return tl::unexpected(id.error());
      if (!id->is_null()) {
        if (!begun) {
          auto ok = operations_.Begin(member_id, key, static_cast<int64_t>(clock_.Now()));
          if (!ok) return tl::unexpected(ok.error());
        }
        if (auto ok = operations_.Finish(member_id, key, id->dump()); !ok)
          return tl::unexpected(ok.error());
        known[action.key] = *id;
        KeepUnderId(member_id, key, action.key, known, *id);
        ++prepared.report.found;
        continue;
      }
    } else if (begun && !core::RepeatableWithoutLookup(action.method)) {
      if (auto ok = operations_.Finish(member_id, key, "null"); !ok)
        return tl::unexpected(ok.error());
      ++prepared.report.unknown;  // at most once: better one missing than two
      continue;
    }
    prepared.to_send.push_back({&action, key, begun});
  }
  return {};
}

void Executor::KeepUnderId(const std::string& member_id, const std::string& used_key,
                           const std::string& action_key, const json& known, const json& result) {
  const std::string resolved = core::ResolveKey(action_key, known);
  if (resolved == used_key) return;
  auto began = operations_.Begin(member_id, resolved, static_cast<int64_t>(clock_.Now()));
  // Best effort: without the alias, the look-first of the other path still finds it.
  if (began && *began) (void)operations_.Finish(member_id, resolved, result.dump());
}

// Begins the keys of what is about to be sent, and only of that: an action whose batch never
// left is not taken for one whose answer was lost. A key another round began meanwhile is not
// sent again; the plan fails and its event comes back to see how that went.
void Executor::BeginKeys(const std::string& member_id, Prepared& prepared) {
  std::vector<Pending> ready;
  for (auto& pending : prepared.to_send) {
    if (!pending.begun) {
      auto began = operations_.Begin(member_id, pending.key, static_cast<int64_t>(clock_.Now()));
      if (!began || !*began) {
        prepared.failure = began ? core::Error{core::ErrorCode::kConflict,
                                               pending.key + " is being sent by another round"}
                                 : began.error();
        break;  // the rest of the plan may refer to it: none of it goes
      }
    }
    ready.push_back(pending);
  }
  if (prepared.failure) {
    for (const auto& pending : ready) {
      if (!pending.begun) (void)operations_.Abandon(member_id, pending.key);
    }
    ready.clear();
  }
  prepared.to_send = std::move(ready);
}

// A command that names another one's result goes only once that one succeeded, in a later
// batch: the portal's batch would run it anyway, with the reference as written inside a text (a
// notification naming "$result[deal]") or with the whole result list for a whole value, when
// the command it names failed. Until then it is neither begun nor sent, and when what it needs
// failed, its plan fails and the event's next attempt plans it again.
void Executor::Send(const std::string& member_id, std::vector<Prepared*>& group) {
  std::vector<std::vector<Pending>> waiting(group.size());
  for (size_t g = 0; g < group.size(); ++g) waiting[g] = std::move(group[g]->to_send);
  for (bool sent = true; sent;) {
    sent = false;
    for (size_t g = 0; g < group.size(); ++g) {
      Prepared& p = *group[g];
      p.to_send.clear();
      if (p.failure) continue;
      std::set<std::string> unmade;
      for (const auto& w : waiting[g]) unmade.insert(w.action->key);
      std::vector<Pending> later;
      for (auto& w : waiting[g]) {
        bool blocked = false;
        for (const auto& key : core::ReferencedKeys(w.action->params))
          blocked = blocked || (key != w.action->key && unmade.count(key) != 0);
        (blocked ? later : p.to_send).push_back(std::move(w));
      }
      waiting[g] = std::move(later);
      sent = sent || !p.to_send.empty();
    }
    if (sent) SendOnce(member_id, group);
  }
  for (size_t g = 0; g < group.size(); ++g) {
    group[g]->to_send.clear();
    if (!waiting[g].empty() && !group[g]->failure) {
      group[g]->failure = core::Error{
          core::ErrorCode::kUnavailable,
          waiting[g].front().action->key + " waits for a command that failed; planned again"};
    }
  }
}

void Executor::SendOnce(const std::string& member_id, std::vector<Prepared*>& group) {
  for (auto* p : group) BeginKeys(member_id, *p);
  std::vector<b24::BatchCommand> commands;
  std::vector<std::string> op_keys;  // of each command; none for the re-reads after them
  for (auto* p : group) {
    for (const auto& pending : p->to_send) {
      commands.push_back({pending.action->key, pending.action->method,
                          core::ResolveReferences(pending.action->params, p->report.results)});
      op_keys.push_back(pending.key);
    }
  }
  if (commands.empty()) return;
  struct Echo {
    Prepared* plan;
    size_t action;  // the index in `commands` of the write the re-read follows
    std::string entity_type;
  };
  std::vector<Echo> echoes;
  size_t first_action = 0;
  for (auto* p : group) {
    for (size_t a = 0; a < p->to_send.size(); ++a) {
      for (const auto& ref : p->to_send[a].action->touches) {
        commands.push_back({"echo" + std::to_string(echoes.size()),
                            "crm." + ref.entity_type + ".get",
                            {{"id", core::ResolveReferences(ref.id, p->report.results)}}});
        echoes.push_back({p, first_action + a, ref.entity_type});
      }
    }
    first_action += p->to_send.size();
  }
  // Marked sent only once the limiter has let the batch go: a process killed while it waited
  // (a hold can last minutes) leaves keys that the next start knows were never sent.
  const auto mark_sent = [&](size_t first, size_t end) {
    std::vector<std::string> leaving;
    for (size_t i = first; i < std::min(end, op_keys.size()); ++i) leaving.push_back(op_keys[i]);
    return operations_.MarkSent(member_id, leaving).has_value();
  };
  auto items = client_.Batch(member_id, commands, b24::Lane::kInteractive, false, mark_sent);
  if (!items) {
    for (auto* p : group) {
      if (p->to_send.empty()) continue;
      p->failure = b24::ToCoreError(items.error(), "batch");
      if (!b24::CertainlyNotRun(items.error().kind)) continue;
      for (const auto& pending : p->to_send) {
        if (auto ok = operations_.Abandon(member_id, pending.key); !ok) p->failure = ok.error();
      }
    }
    return;
  }
  size_t i = 0;
  for (auto* p : group) {
    std::optional<core::Error> first_failure;
    for (const auto& pending : p->to_send) {
      const auto& item = (*items)[i++];
      // A command's own error is an answer: it did not apply, so it may be sent again.
      auto ok = item.failure ? operations_.Abandon(member_id, pending.key)
                             : operations_.Finish(member_id, pending.key, item.result.dump());
      if (!ok && !p->failure) p->failure = ok.error();
      if (item.failure && !first_failure)
        first_failure = b24::ToCoreError(*item.failure, pending.action->key);
      if (!item.failure) {
        ++p->report.sent;
        p->report.results[pending.action->key] = item.result;
      }
    }
    // A key that named a result of this batch is also kept under the id it stood for, so the
    // same operation planned from what the portal now shows (the new deal's own event) is
    // known to be done.
    for (const auto& pending : p->to_send) {
      const auto done = p->report.results.find(pending.action->key);
      if (done == p->report.results.end()) continue;
      KeepUnderId(member_id, pending.key, pending.action->key, p->report.results, *done);
    }
    if (first_failure && !p->failure) p->failure = first_failure;
  }
  for (const auto& echo : echoes) {
    const auto& item = (*items)[i++];
    if (item.failure || !item.result.is_object()) continue;  // the next event re-reads it
    const store::Snapshot snapshot{item.result.dump(), core::TextField(item.result, "DATE_MODIFY"),
                                   core::ContentHash(item.result)};
    const int64_t id = core::IdValue(item.result["ID"]);
    if (journeys_ != nullptr) {
      if (auto ok = RecordJourney(member_id, echo.entity_type, id, item.result); !ok) {
        if (!echo.plan->failure) echo.plan->failure = ok.error();
        continue;
      }
    }
    if (auto ok = snapshots_.Put(member_id, echo.entity_type, id, snapshot); !ok) {
      if (!echo.plan->failure) echo.plan->failure = ok.error();
      continue;
    }
    // A write the portal refused makes no event.
    if (echoes_ != nullptr && !(*items)[echo.action].failure)
      echoes_->Expect(member_id, echo.entity_type, id, clock_.Now());
    ++echo.plan->report.echoes;
  }
}

core::Result<void> Executor::RecordJourney(const std::string& member_id,
                                           const std::string& entity_type, int64_t id,
                                           const json& after) {
  auto previous = snapshots_.Get(member_id, entity_type, id);
  if (!previous) return tl::unexpected(previous.error());
  const json before = *previous ? json::parse((*previous)->fields, nullptr, false) : json();
  return journeys_->Record(member_id, core::FactsOf(entity_type, after),
                           core::TransitionOf(entity_type, before, after));
}

std::vector<core::Result<ExecutionReport>> Executor::RunAll(
    const std::string& member_id, const std::vector<std::vector<core::Action>>& plans) {
  std::vector<Prepared> prepared(plans.size());
  for (size_t i = 0; i < plans.size(); ++i) {
    prepared[i].plan = &plans[i];
    if (auto ok = Prepare(member_id, prepared[i]); !ok) prepared[i].failure = ok.error();
  }
  std::vector<Prepared*> group;
  size_t size = 0;
  for (auto& p : prepared) {
    if (p.failure || p.to_send.empty()) continue;
    const size_t n = p.Commands();
    if (!group.empty() && size + n > kBatchCommands) {
      Send(member_id, group);
      group.clear();
      size = 0;
    }
    group.push_back(&p);
    size += n;
  }
  if (!group.empty()) Send(member_id, group);
  std::vector<core::Result<ExecutionReport>> reports;
  for (auto& p : prepared) {
    if (p.failure) {
      reports.emplace_back(tl::unexpected(*p.failure));
    } else {
      reports.emplace_back(std::move(p.report));
    }
  }
  return reports;
}

core::Result<ExecutionReport> Executor::Run(const std::string& member_id,
                                            const std::vector<core::Action>& plan) {
  return std::move(RunAll(member_id, {plan})[0]);
}

}  // namespace engine
