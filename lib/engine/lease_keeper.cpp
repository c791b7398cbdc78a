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
  double looked_at = extended;
  auto looked_at_real = std::chrono::steady_clock::now();
  Seconds wait(0.001);  // the first look measures the clock's pace
  std::unique_lock<std::mutex> lock(mutex_);
  while (!wake_.wait_for(lock, wait, [this] { return stop_; })) {
    const double now = clock_.Now();
    const auto real_now = std::chrono::steady_clock::now();
    const double real = Seconds(real_now - looked_at_real).count();
    // Clock seconds per real second; a clock slower than real time counts as real time.
    const double pace = real > 0 ? std::max(1.0, (now - looked_at) / real) : 1.0;
    looked_at = now;
    looked_at_real = real_now;
    wait = Seconds(std::clamp(third / pace / 2, 0.001, 0.1));
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
