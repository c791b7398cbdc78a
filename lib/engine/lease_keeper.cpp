#include "lib/engine/lease_keeper.h"

#include <algorithm>
#include <chrono>

#include "lib/engine/log.h"

namespace engine {

LeaseKeeper::LeaseKeeper(store::Inbox& inbox, std::vector<int64_t> ids, core::Clock& clock,
                         int64_t lease_seconds)
    : inbox_(inbox), ids_(std::move(ids)), clock_(clock), lease_seconds_(lease_seconds) {
  thread_ = std::thread([this] { Run(); });
}

LeaseKeeper::~LeaseKeeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void LeaseKeeper::Run() {
  using Seconds = std::chrono::duration<double>;
  const double third = static_cast<double>(lease_seconds_) / 3;
  double extended = clock_.Now();
  std::unique_lock<std::mutex> lock(mutex_);
  // A third of the lease in real seconds, halved, is how long it may go unlooked at.
  const auto wait = [this, third] {
    return Seconds(std::clamp(third / std::max(1.0, clock_.Pace()) / 2, 0.001, 0.1));
  };
  while (!wake_.wait_for(lock, wait(), [this] { return stop_; })) {
    const double now = clock_.Now();
    if (now - extended < third) continue;
    extended = now;
    lock.unlock();
    if (auto ok = inbox_.Extend(ids_, static_cast<int64_t>(now) + lease_seconds_); !ok) {
      Log(spdlog::level::warn, "lease not extended", {{"error", ok.error().message}});
    }
    lock.lock();
  }
}

}  // namespace engine
