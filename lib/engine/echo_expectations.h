// The events the conveyor's own writes will cause (REST economy, issue #4 item 9). Each write
// of a lead or deal makes Bitrix24 send an ONCRM…ADD/UPDATE event; re-reading the entity for
// it only shows what the executor already stored. The executor expects one event per write, and
// the worker takes the first matching event as that echo and skips its re-read. A person's
// change made meanwhile brings its own event, which finds no expectation left and is re-read. An
// expectation lapses after a minute, so an echo Bitrix24 lost cannot swallow a later change for
// long — and the reconciliation sweep would recover it (it compares DATE_MODIFY).
// Thread-safety: safe to share between threads.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace engine {

class EchoExpectations {
 public:
  static constexpr double kLapseSeconds = 60;

  void Expect(const std::string& member_id, const std::string& entity_type, int64_t id, double now);
  // True (and the expectation used up) when an event for this entity is an expected echo.
  bool Consume(const std::string& member_id, const std::string& entity_type, int64_t id,
               double now);
  // Events name only their second, so a person's change in the same second as our write comes
  // with the same key and is dropped as a duplicate; the one event kept must then be re-read,
  // not taken for the echo. Drops the entity's expectations, and for kLapseSeconds expects none
  // (the duplicate may come before the write it echoes is known).
  void Void(const std::string& member_id, const std::string& entity_type, int64_t id, double now);

 private:
  using Key = std::tuple<std::string, std::string, int64_t>;
  std::mutex mutex_;
  std::map<Key, std::deque<double>> lapse_at_;  // GUARDED_BY(mutex_)
  std::map<Key, double> voided_at_;             // GUARDED_BY(mutex_)
};

}  // namespace engine
