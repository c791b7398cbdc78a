#include "lib/engine/backfill.h"

namespace engine {

core::Result<BackfillReport> Backfill::Run(const std::string& member_id,
                                           const std::atomic<bool>* stop,
                                           const BackfillObserver& observer) {
  BackfillReport report;
  auto saved = journeys_.BackfillProgress(member_id);
  if (!saved) return tl::unexpected(saved.error());
  report.lists = saved->empty() ? core::BackfillLists() : std::move(*saved);
  for (;;) {
    const auto batch = core::NextBackfillBatch(report.lists);
    if (batch.empty()) {
      report.done = true;
      return report;
    }
    if (stop != nullptr && stop->load()) return report;
    std::vector<b24::BatchCommand> commands;
    for (const auto& c : batch) commands.push_back({c.key, c.method, c.params});
    auto answers = client_.Batch(member_id, commands, b24::Lane::kBackfill);
    ++report.requests;
    if (!answers) return tl::unexpected(b24::ToCoreError(answers.error(), "backfill"));
    // In order, up to the first failed command: the progress never passes a range not read.
    core::BackfillRows rows;
    std::optional<core::Error> failure;
    for (const auto& answer : *answers) {
      if (answer.failure && b24::NotOffered(*answer.failure)) {
        // A list this portal does not offer (an older box, a missing scope): the rest is read.
        core::SkipBackfillList(
            report.lists, answer.key,
            answer.failure->code.empty() ? answer.failure->description : answer.failure->code);
        continue;
      }
      if (answer.failure) {
        failure = b24::ToCoreError(*answer.failure, "backfill " + answer.key);
        break;
      }
      auto got = core::ApplyBackfillAnswer(report.lists, answer.key, answer.result);
      if (!got) continue;
      rows.items.insert(rows.items.end(), got->items.begin(), got->items.end());
      rows.transitions.insert(rows.transitions.end(), got->transitions.begin(),
                              got->transitions.end());
    }
    if (auto ok = journeys_.RecordBackfill(member_id, rows, report.lists); !ok)
      return tl::unexpected(ok.error());
    report.rows += static_cast<long>(rows.items.size() + rows.transitions.size());
    if (observer) observer(report);
    if (failure) return tl::unexpected(*failure);
  }
}

}  // namespace engine
