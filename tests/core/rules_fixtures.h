// What the rules' tests share: the portal's two deal pipelines and a queue member as they
// describe one (who, how many open items, at work or not).
#pragma once

#include "lib/core/deal_rules.h"
#include "lib/core/distribution.h"

namespace test {

// «Продажи» is category 3 and «Производство» 4 in every rules test.
inline const core::Pipelines kPipelines{3, 4};

inline core::Candidate Member(int64_t id, int open = 0,
                              core::Presence presence = core::Presence::kOpened) {
  core::Candidate c;
  c.user_id = id;
  c.open_items = open;
  c.presence = presence;
  return c;
}

}  // namespace test
