#include "lib/engine/backfill_runs.h"

#include "lib/engine/log.h"

namespace engine {

BackfillRuns::BackfillRuns(Backfill& backfill, store::JourneyStore& journeys, int threads)
    : backfill_(backfill), journeys_(journeys) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Serve(); });
}

core::Result<bool> BackfillRuns::Start(const std::string& member_id, bool over) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stop_) return false;
  Run& run = runs_[member_id];
  if (run.running) return false;
  if (over) {
    if (auto reset = journeys_.ResetBackfill(member_id); !reset)
      return tl::make_unexpected(reset.error());
  }
  run = Run{};
  run.running = true;
  queue_.push_back(member_id);
  wake_.notify_one();
  return true;
}

void BackfillRuns::Serve() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (stop_) return;
    const std::string member_id = queue_.front();
    queue_.pop_front();
    lock.unlock();
    RunOne(member_id);
    lock.lock();
  }
}

void BackfillRuns::RunOne(const std::string& member_id) {
  core::Result<BackfillReport> report =
      core::Fail(core::ErrorCode::kInternal, "the backfill failed unexpectedly");
  Contain("backfill", [&] {
    report = backfill_.Run(member_id, &stop_, [this, &member_id](const BackfillReport& so_far) {
      std::lock_guard<std::mutex> progress(mutex_);
      runs_[member_id].report = so_far;
    });
  });
  if (!report) {
    Log(spdlog::level::warn, "backfill stopped",
        {{"member_id", member_id}, {"error", report.error().message}});
  }
  std::lock_guard<std::mutex> done(mutex_);
  Run& run = runs_[member_id];
  if (report) {
    run.report = *report;
  } else {
    // The client sees what kind of failure stopped it; its text (REST, SQLite) stays in the log.
    run.error = std::string(core::ErrorName(report.error().code));
  }
  run.running = false;
}

core::Result<BackfillStatus> BackfillRuns::Status(const std::string& member_id) {
  BackfillStatus status;
  auto lists = journeys_.BackfillProgress(member_id);
  if (!lists) return tl::make_unexpected(lists.error());
  status.lists = std::move(*lists);
  std::lock_guard<std::mutex> lock(mutex_);
  const auto found = runs_.find(member_id);
  if (found != runs_.end()) {
    status.running = found->second.running;
    status.requests = found->second.report.requests;
    status.rows = found->second.report.rows;
    status.error = found->second.error;
  }
  return status;
}

void BackfillRuns::StopAll() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    for (const auto& member_id : queue_) runs_[member_id].running = false;
    queue_.clear();
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

}  // namespace engine
