// Deterministic randomness for the simulated day: a fixed generator (SplitMix64) and its own
// distributions, because std's distributions differ between standard libraries and a seed must
// give the same day everywhere. Thread-safety: a Random is not shared between threads.
#pragma once

#include <cstdint>
#include <string_view>

namespace day {

class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}

  uint64_t Next();
  double Uniform();                         // [0, 1)
  double Uniform(double low, double high);  // [low, high)
  int Int(int low, int high);               // [low, high], both included
  double Normal(double mean, double deviation);
  bool Chance(double probability);

 private:
  uint64_t state_;
};

// The draws for one decision about one item: the same seed, purpose and id give the same
// draws whatever order the day's events come in.
Random RandomFor(uint64_t seed, std::string_view purpose, long id);

}  // namespace day
