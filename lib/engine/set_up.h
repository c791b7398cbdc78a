// The set-up page's reads and its one action (issue 16, items 1, 2 and 8): the portal's
// departments, people and pipelines by name, each queue's state now, what is missing, how many
// items wait; and distributing those items when an admin asks.
// Thread-safety: safe to share; every call reads the portal anew (the page is opened rarely).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "lib/b24/rest_client.h"
#include "lib/core/clock.h"
#include "lib/core/set_up_view.h"
#include "lib/engine/conveyor_rules.h"
#include "lib/engine/portal_settings.h"
#include "lib/store/timer_store.h"

namespace engine {

// How many waiting items of a direction one "distribute" hands to the conveyor: more would
// keep the request open for minutes on a portal with years of untouched leads, and the
// queues' caps hold most of them back anyway. The answer says how many are left.
inline constexpr int kMostDistributedAtOnce = 500;

// How many departments, and how many people, the set-up lists: a company the conveyor serves
// has far fewer; the bound keeps one page's reads to a few requests.
inline constexpr long kMostListed = 5000;

struct Distributed {
  core::WaitingCounts queued;  // given to the conveyor now
  core::WaitingCounts left;    // still waiting after this round
};

class SetUp {
 public:
  SetUp(b24::RestClient& client, PortalSettings& settings, ConveyorRules& rules,
        store::TimerStore& timers, core::Clock& clock)
      : client_(client), settings_(settings), rules_(rules), timers_(timers), clock_(clock) {}

  // The portal's departments, active employees and pipelines with their stages.
  [[nodiscard]] core::Result<core::PortalDirectory> Directory(const std::string& member_id);
  // core::SetUpViewJson of the portal now, `directory` being its Directory.
  [[nodiscard]] core::Result<nlohmann::json> View(const std::string& member_id,
                                                  const core::PortalDirectory& directory);
  // Hands each waiting item (up to kMostDistributedAtOnce a direction) to the conveyor, which
  // plans it as a new arrival or a free item: the queues' rules, caps and journal apply.
  [[nodiscard]] core::Result<Distributed> Distribute(const std::string& member_id);

 private:
  b24::RestClient& client_;
  PortalSettings& settings_;
  ConveyorRules& rules_;
  store::TimerStore& timers_;
  core::Clock& clock_;
};

}  // namespace engine
