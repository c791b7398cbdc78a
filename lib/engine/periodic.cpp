#include "lib/engine/periodic.h"

#include <chrono>
#include <utility>

#include "lib/engine/log.h"

namespace engine {

Periodic::Periodic(double interval_seconds, std::function<void()> job) {
  thread_ = std::thread([this, interval_seconds, job = std::move(job)] {
    std::unique_lock<std::mutex> lock(mutex_);
    for (;;) {
      wake_.wait_for(lock, std::chrono::duration<double>(interval_seconds),
                     [this] { return stop_; });
      if (stop_) return;
      lock.unlock();
      Contain("periodic job", job);
      lock.lock();
    }
  });
}

void Periodic::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace engine
