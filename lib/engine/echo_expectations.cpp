#include "lib/engine/echo_expectations.h"

namespace engine {

void EchoExpectations::Expect(const std::string& member_id, const std::string& entity_type,
                              int64_t id, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const Key key{member_id, entity_type, id};
  const auto voided = voided_at_.find(key);
  if (voided != voided_at_.end()) {
    if (now - voided->second < kLapseSeconds) return;
    voided_at_.erase(voided);
  }
  lapse_at_[key].push_back(now + kLapseSeconds);
}

bool EchoExpectations::Consume(const std::string& member_id, const std::string& entity_type,
                               int64_t id, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto it = lapse_at_.find({member_id, entity_type, id});
  if (it == lapse_at_.end()) return false;
  auto& pending = it->second;
  while (!pending.empty() && pending.front() <= now) pending.pop_front();
  const bool echo = !pending.empty();
  if (echo) pending.pop_front();
  if (pending.empty()) lapse_at_.erase(it);
  return echo;
}

void EchoExpectations::Void(const std::string& member_id, const std::string& entity_type,
                            int64_t id, double now) {
  std::lock_guard<std::mutex> lock(mutex_);
  lapse_at_.erase({member_id, entity_type, id});
  voided_at_[{member_id, entity_type, id}] = now;
}

}  // namespace engine
