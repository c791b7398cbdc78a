// Delivers outgoing POSTs (events, ONAPPINSTALL) to the app asynchronously, once, never
// retried, as the Bitrix24 queue service does (REST.md §2.2). Faults: a drop rate and a delay.
// Thread-safety: Enqueue and Log are safe from any thread; one worker thread sends.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "emulator/call.h"

namespace emu {

struct DeliveryRecord {
  double time = 0;
  std::string member_id;
  std::string what;
  std::string url;
  int status = 0;  // HTTP status, 0 when the connection failed, -1 when dropped by a fault
};

class Deliverer {
 public:
  explicit Deliverer(State& state);
  ~Deliverer();
  Deliverer(const Deliverer&) = delete;
  Deliverer& operator=(const Deliverer&) = delete;

  void Enqueue(std::vector<Outgoing> items);
  // Blocks until everything enqueued so far has been sent (or dropped), up to `seconds`.
  bool Drain(double seconds);
  json Log(size_t last) const;
  void ClearLog();

 private:
  void Run();
  void Send(const Outgoing& item);

  State& state_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<Outgoing> queue_;      // GUARDED_BY(mutex_)
  std::deque<DeliveryRecord> log_;  // GUARDED_BY(mutex_)
  std::map<int, long> by_status_;   // GUARDED_BY(mutex_)
  bool busy_ = false;               // GUARDED_BY(mutex_)
  bool stop_ = false;               // GUARDED_BY(mutex_)
  std::thread worker_;
};

}  // namespace emu
