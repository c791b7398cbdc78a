#include "lib/engine/backfill_runs.h"

#include "lib/engine/log.h"

namespace engine {

core::Result<bool> BackfillRuns::Start(const std::string& member_id, bool over) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_) return false;
  auto& run = runs_[member_id];
  if (run && run->running) return false;
  if (run && run->thread.joinable()) run->thread.join();
  if (over) {
    if (auto reset = journeys_.ResetBackfill(member_id); !reset)
      return tl::make_unexpected(reset.error());
  }
  run = std::make_unique<Run>();
  run->running = true;
  Run* self = run.get();
  self->thread = std::thread([this, self, member_id] {
    auto report = backfill_.Run(member_id, &stop_, [this, self](const BackfillReport& so_far) {
      std::lock_guard<std::mutex> progress(mutex_);
      self->report = so_far;
    });
    {
      std::lock_guard<std::mutex> done(mutex_);
      if (report) {
        self->report = *report;
      } else {
        self->error = report.error().message;
      }
    }
    if (!report) {
      Log(spdlog::level::warn, "backfill stopped",
          {{"member_id", member_id}, {"error", report.error().message}});
    }
    self->running = false;
  });
  return true;
}

core::Result<BackfillStatus> BackfillRuns::Status(const std::string& member_id) {
  BackfillStatus status;
  auto lists = journeys_.BackfillProgress(member_id);
  if (!lists) return tl::make_unexpected(lists.error());
  status.lists = std::move(*lists);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = runs_.find(member_id);
  if (found != runs_.end() && found->second) {
    status.running = found->second->running;
    status.requests = found->second->report.requests;
    status.rows = found->second->report.rows;
    status.error = found->second->error;
  }
  return status;
}

void BackfillRuns::StopAll() {
  stop_ = true;
  std::map<std::string, std::unique_ptr<Run>> runs;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    runs.swap(runs_);
  }
  for (auto& [member, run] : runs) {
    if (run && run->thread.joinable()) run->thread.join();
  }
}

}  // namespace engine
