// A rule set that logs every change it is shown (which fields changed, on which portal and
// entity) and then asks the rules it wraps. Used to watch a portal's traffic without acting.
// Thread-safety: as thread-safe as the wrapped rules.
#pragma once

#include <vector>

#include "lib/core/change.h"

namespace engine {

class LoggingRules : public core::Rules {
 public:
  explicit LoggingRules(core::Rules& inner) : inner_(inner) {}
  core::Result<core::Outcome> Plan(const core::EntityChange& change) override {
    return std::move(PlanAll({change}, {}).front());
  }
  std::vector<core::Read> ReadAhead(const std::vector<core::EntityChange>& expected) override {
    return inner_.ReadAhead(expected);
  }
  std::vector<core::Result<core::Outcome>> PlanAll(
      const std::vector<core::EntityChange>& changes,
      const std::vector<core::Answer>& read_ahead) override;
  bool StillDue(const core::EntityChange& change) override { return inner_.StillDue(change); }

 private:
  core::Rules& inner_;
};

}  // namespace engine
