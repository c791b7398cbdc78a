// What every route needs, built once in app/ and passed by reference (no globals).
// Thread-safety: read-only after start.
#pragma once

#include <chrono>
#include <string>

namespace handlers {

struct Deps {
  std::string version;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

}  // namespace handlers
