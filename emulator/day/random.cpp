#include "emulator/day/random.h"

#include <cmath>

namespace day {
namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

uint64_t Random::Next() {
  uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

double Random::Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

double Random::Uniform(double low, double high) { return low + (high - low) * Uniform(); }

int Random::Int(int low, int high) {
  const auto span = static_cast<uint64_t>(static_cast<int64_t>(high) - low + 1);
  return static_cast<int>(low + static_cast<int64_t>(Next() % span));
}

double Random::Normal(double mean, double deviation) {
  // Box-Muller; 1 - Uniform() is in (0, 1], so the logarithm is finite.
  const double u = 1.0 - Uniform();
  const double v = Uniform();
  return mean + deviation * std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * kPi * v);
}

bool Random::Chance(double probability) { return Uniform() < probability; }

Random RandomFor(uint64_t seed, std::string_view purpose, long id) {
  uint64_t h = 0xCBF29CE484222325ULL;  // FNV-1a over the purpose, then mixed with seed and id
  for (const char c : purpose) {
    h = (h ^ static_cast<unsigned char>(c)) * 0x100000001B3ULL;
  }
  Random mix(seed ^ h);
  mix.Next();
  return Random(mix.Next() ^ (static_cast<uint64_t>(id) * 0x9E3779B97F4A7C15ULL));
}

}  // namespace day
