#include "lib/engine/lease_keeper.h"

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
  double extended = clock_.Now();
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
    const double now = clock_.Now();
    if (now - extended < static_cast<double>(lease_seconds_) / 3) continue;
    extended = now;
    lock.unlock();
    if (auto ok = inbox_.Extend(ids_, static_cast<int64_t>(now) + lease_seconds_); !ok) {
      Log(spdlog::level::warn, "lease not extended", {{"error", ok.error().message}});
    }
    lock.lock();
  }
}

}  // namespace engine
