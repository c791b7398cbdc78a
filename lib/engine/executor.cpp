#include "lib/engine/executor.h"

#include "lib/core/change.h"

namespace engine {
namespace {

using json = nlohmann::json;

// The first row's ID of a list answer (`[...]` or `{"tasks": [...]}`), or null.
json FirstId(const json& result) {
  const json* rows = &result;
  if (result.is_object() && result.size() == 1) rows = &result.begin().value();
  if (!rows->is_array() || rows->empty() || !(*rows)[0].is_object()) return nullptr;
  const json& row = (*rows)[0];
  for (const char* field : {"ID", "id"}) {
    // Lists spell IDs as strings; the create answered a number. Keep one form.
    if (row.contains(field))
      return core::IdValue(row[field]) > 0 ? json(core::IdValue(row[field])) : row[field];
  }
  return nullptr;
}

// A batch request holds at most 50 commands (REST.md §5).
constexpr size_t kBatchCommands = 50;

}  // namespace

struct Executor::Prepared {
  const std::vector<core::Action>* plan = nullptr;
  std::vector<const core::Action*> to_send;
  ExecutionReport report;
  std::optional<core::Error> failure;  // set once the plan failed

  size_t Commands() const {
    size_t n = to_send.size();
    for (const auto* action : to_send) n += action->touches.size();
    return n;
  }
};

core::Result<void> Executor::Prepare(const std::string& member_id, Prepared& prepared) {
  json& known = prepared.report.results;  // key -> result of actions finished before
  for (const auto& action : *prepared.plan) {
    auto previous = operations_.Find(member_id, action.key);
    if (!previous) return tl::unexpected(previous.error());
    if (*previous && (*previous)->state == store::OperationState::kDone) {
      known[action.key] = json::parse((*previous)->result, nullptr, false);
      ++prepared.report.skipped;
      continue;
    }
    if (*previous) {  // begun, outcome unknown
      if (action.lookup) {
        auto rows = client_.Call(member_id, action.lookup->method,
                                 core::ResolveReferences(action.lookup->params, known));
        if (!rows) return tl::unexpected(b24::ToCoreError(rows.error(), "lookup " + action.key));
        const json id = FirstId(rows->result);
        if (!id.is_null()) {
          if (auto ok = operations_.Finish(member_id, action.key, id.dump()); !ok)
            return tl::unexpected(ok.error());
          known[action.key] = id;
          ++prepared.report.found;
          continue;
        }
      } else if (!core::RepeatableWithoutLookup(action.method)) {
        if (auto ok = operations_.Finish(member_id, action.key, "null"); !ok)
          return tl::unexpected(ok.error());
        ++prepared.report.unknown;  // at most once: better one missing than two
        continue;
      }
    } else {
      auto begun = operations_.Begin(member_id, action.key, static_cast<int64_t>(clock_.Now()));
      if (!begun) return tl::unexpected(begun.error());
    }
    prepared.to_send.push_back(&action);
  }
  return {};
}

void Executor::Send(const std::string& member_id, std::vector<Prepared*>& group) {
  std::vector<b24::BatchCommand> commands;
  for (auto* p : group) {
    for (const auto* action : p->to_send) {
      commands.push_back({action->key, action->method,
                          core::ResolveReferences(action->params, p->report.results)});
    }
  }
  struct Echo {
    Prepared* plan;
    size_t action;  // the index in `commands` of the write the re-read follows
    std::string entity_type;
  };
  std::vector<Echo> echoes;
  size_t first_action = 0;
  for (auto* p : group) {
    for (size_t a = 0; a < p->to_send.size(); ++a) {
      for (const auto& ref : p->to_send[a]->touches) {
        commands.push_back({"echo" + std::to_string(echoes.size()),
                            "crm." + ref.entity_type + ".get",
                            {{"id", core::ResolveReferences(ref.id, p->report.results)}}});
        echoes.push_back({p, first_action + a, ref.entity_type});
      }
    }
    first_action += p->to_send.size();
  }
  auto items = client_.Batch(member_id, commands, b24::Lane::kInteractive);
  if (!items) {
    for (auto* p : group) {
      p->failure = b24::ToCoreError(items.error(), "batch");
      if (!b24::CertainlyNotRun(items.error().kind)) continue;
      for (const auto* action : p->to_send) {
        if (auto ok = operations_.Abandon(member_id, action->key); !ok) p->failure = ok.error();
      }
    }
    return;
  }
  size_t i = 0;
  for (auto* p : group) {
    std::optional<core::Error> first_failure;
    for (const auto* action : p->to_send) {
      const auto& item = (*items)[i++];
      // A command's own error is an answer: it did not apply, so it may be sent again.
      auto ok = item.failure ? operations_.Abandon(member_id, action->key)
                             : operations_.Finish(member_id, action->key, item.result.dump());
      if (!ok && !p->failure) p->failure = ok.error();
      if (item.failure && !first_failure)
        first_failure = b24::ToCoreError(*item.failure, action->key);
      if (!item.failure) {
        ++p->report.sent;
        p->report.results[action->key] = item.result;
      }
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
