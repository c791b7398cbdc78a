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

}  // namespace

core::Result<ExecutionReport> Executor::Run(const std::string& member_id,
                                            const std::vector<core::Action>& plan) {
  ExecutionReport report;
  json& known = report.results;  // key -> result of actions finished before this batch
  std::vector<const core::Action*> to_send;
  for (const auto& action : plan) {
    auto previous = operations_.Find(member_id, action.key);
    if (!previous) return tl::unexpected(previous.error());
    if (*previous && (*previous)->state == store::OperationState::kDone) {
      known[action.key] = json::parse((*previous)->result, nullptr, false);
      ++report.skipped;
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
          ++report.found;
          continue;
        }
      } else if (!core::RepeatableWithoutLookup(action.method)) {
        if (auto ok = operations_.Finish(member_id, action.key, "null"); !ok)
          return tl::unexpected(ok.error());
        ++report.unknown;  // at most once: better one missing than two
        continue;
      }
    } else {
      auto begun = operations_.Begin(member_id, action.key, static_cast<int64_t>(clock_.Now()));
      if (!begun) return tl::unexpected(begun.error());
    }
    to_send.push_back(&action);
  }
  if (to_send.empty()) return report;

  std::vector<b24::BatchCommand> commands;
  for (const auto* action : to_send) {
    commands.push_back(
        {action->key, action->method, core::ResolveReferences(action->params, known)});
  }
  std::vector<std::string> echo_types;
  std::vector<size_t> echo_action;  // the index in to_send of the write each re-read follows
  for (size_t a = 0; a < to_send.size(); ++a) {
    for (const auto& ref : to_send[a]->touches) {
      echo_action.push_back(a);
      commands.push_back({"echo" + std::to_string(echo_types.size()),
                          "crm." + ref.entity_type + ".get",
                          {{"id", core::ResolveReferences(ref.id, known)}}});
      echo_types.push_back(ref.entity_type);
    }
  }
  auto items = client_.Batch(member_id, commands, b24::Lane::kInteractive);
  if (!items) {
    if (b24::CertainlyNotRun(items.error().kind)) {
      for (const auto* action : to_send) {
        if (auto ok = operations_.Abandon(member_id, action->key); !ok)
          return tl::unexpected(ok.error());
      }
    }
    return tl::unexpected(b24::ToCoreError(items.error(), "batch"));
  }
  std::optional<core::Error> first_failure;
  for (size_t i = 0; i < to_send.size(); ++i) {
    const auto& item = (*items)[i];
    const std::string& key = to_send[i]->key;
    // A command's own error is an answer: it did not apply, so it may be sent again.
    auto ok = item.failure ? operations_.Abandon(member_id, key)
                           : operations_.Finish(member_id, key, item.result.dump());
    if (!ok) return tl::unexpected(ok.error());
    if (item.failure && !first_failure) first_failure = b24::ToCoreError(*item.failure, key);
    if (!item.failure) {
      ++report.sent;
      known[key] = item.result;
    }
  }
  for (size_t i = 0; i < echo_types.size(); ++i) {
    const auto& item = (*items)[to_send.size() + i];
    if (item.failure || !item.result.is_object()) continue;  // the next event re-reads it
    const store::Snapshot snapshot{item.result.dump(), core::TextField(item.result, "DATE_MODIFY"),
                                   core::ContentHash(item.result)};
    const int64_t id = core::IdValue(item.result["ID"]);
    if (auto ok = snapshots_.Put(member_id, echo_types[i], id, snapshot); !ok) {
      return tl::unexpected(ok.error());
    }
    // A write the portal refused makes no event.
    if (echoes_ != nullptr && !(*items)[echo_action[i]].failure)
      echoes_->Expect(member_id, echo_types[i], id, clock_.Now());
    ++report.echoes;
  }
  if (first_failure) return tl::unexpected(*first_failure);
  return report;
}

}  // namespace engine
