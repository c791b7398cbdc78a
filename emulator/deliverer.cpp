#include "emulator/deliverer.h"

#include <chrono>

#include "emulator/http_post.h"

namespace emu {
namespace {
constexpr size_t kKeepRecords = 5000;
constexpr double kDeliveryTimeoutSeconds = 10;
}  // namespace

Deliverer::Deliverer(State& state) : state_(state), worker_([this] { Run(); }) {}

Deliverer::~Deliverer() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  worker_.join();
}

void Deliverer::Enqueue(std::vector<Outgoing> items) {
  if (items.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& item : items) queue_.push_back(std::move(item));
  }
  wake_.notify_all();
}

bool Deliverer::Drain(double seconds) {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, std::chrono::duration<double>(seconds),
                        [this] { return queue_.empty() && !busy_; });
}

void Deliverer::Run() {
  for (;;) {
    Outgoing item;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (stop_) return;
      item = std::move(queue_.front());
      queue_.pop_front();
      busy_ = true;
    }
    Send(item);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      busy_ = false;
    }
    idle_.notify_all();
  }
}

void Deliverer::Send(const Outgoing& item) {
  DeliveryFaults faults;
  bool drop = false;
  {
    std::lock_guard<std::mutex> lock(state_.mutex);
    faults = state_.delivery;
    drop = faults.drop_rate > 0 &&
           std::uniform_real_distribution<double>(0, 1)(state_.random) < faults.drop_rate;
  }
  if (faults.delay_ms > 0) {
    std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(faults.delay_ms));
  }
  DeliveryRecord record{state_.clock.Now(), item.member_id, item.what, item.url, -1};
  if (!drop) record.status = PostForm(item.url, "", item.body, kDeliveryTimeoutSeconds).status;
  std::lock_guard<std::mutex> lock(mutex_);
  ++by_status_[record.status];
  log_.push_back(std::move(record));
  if (log_.size() > kKeepRecords) log_.pop_front();
}

json Deliverer::Log(size_t last) const {
  std::lock_guard<std::mutex> lock(mutex_);
  json counts = json::object();
  for (const auto& [status, count] : by_status_) counts[std::to_string(status)] = count;
  json entries = json::array();
  const size_t skip = log_.size() > last ? log_.size() - last : 0;
  for (size_t i = skip; i < log_.size(); ++i) {
    const auto& r = log_[i];
    entries.push_back({{"time", r.time},
                       {"member_id", r.member_id},
                       {"event", r.what},
                       {"url", r.url},
                       {"status", r.status}});
  }
  return {{"pending", queue_.size()}, {"by_status", counts}, {"recent", entries}};
}

void Deliverer::ClearLog() {
  std::lock_guard<std::mutex> lock(mutex_);
  log_.clear();
  by_status_.clear();
}

}  // namespace emu
