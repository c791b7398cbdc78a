#include "lib/engine/followed_clock.h"

#include <httplib.h>

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

namespace engine {
namespace {

double Steady() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

core::Result<std::unique_ptr<FollowedClock>> FollowedClock::Start(const std::string& url) {
  std::unique_ptr<FollowedClock> clock(new FollowedClock(url));
  if (!clock->Read()) {
    return core::Fail(core::ErrorCode::kUnavailable, "the clock at " + url + " cannot be read");
  }
  clock->follower_ = std::thread([c = clock.get()] { c->Follow(); });
  return clock;
}

FollowedClock::~FollowedClock() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (follower_.joinable()) follower_.join();
}

bool FollowedClock::Read() {
  // "http://host:port/path" -> client on scheme://host:port, GET path.
  const auto slash =
      url_.find('/', url_.find("://") == std::string::npos ? 0 : url_.find("://") + 3);
  httplib::Client client(url_.substr(0, slash));
  client.set_connection_timeout(1);
  client.set_read_timeout(1);
  const auto answer = client.Get(slash == std::string::npos ? "/" : url_.substr(slash));
  if (!answer || answer->status != 200) return false;
  const auto body = nlohmann::json::parse(answer->body, nullptr, false);
  if (!body.is_object() || !body.contains("now") || !body["now"].is_number()) return false;
  std::lock_guard<std::mutex> lock(mutex_);
  remote_ = body["now"].get<double>();
  local_ = Steady();
  speed_ = body.value("frozen", false) ? 0.0 : body.value("speed", 1.0);
  return true;
}

void FollowedClock::Follow() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    wake_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; });
    if (stop_) return;
    lock.unlock();
    (void)Read();  // a missed reading keeps running at the last speed
    lock.lock();
  }
}

double FollowedClock::Now() const {
  std::lock_guard<std::mutex> lock(mutex_);
  last_ = std::max(last_, remote_ + (Steady() - local_) * speed_);
  return last_;
}

double FollowedClock::Pace() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::max(1.0, speed_);
}

void FollowedClock::Sleep(double seconds) {
  double speed = 1;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    speed = speed_;
  }
  // A frozen clock never gets there by waiting: sleep a little and let the caller look again.
  const double real = speed > 0 ? seconds / speed : 0.05;
  std::this_thread::sleep_for(std::chrono::duration<double>(std::clamp(real, 0.0, 1.0)));
}

}  // namespace engine
