// A queue member as the rules' tests describe one: who, how many open items, at work or not.
#pragma once

#include "lib/core/distribution.h"

namespace test {

inline core::Candidate Member(int64_t id, int open,
                              core::Presence presence = core::Presence::kOpened) {
  core::Candidate c;
  c.user_id = id;
  c.open_items = open;
  c.presence = presence;
  return c;
}

}  // namespace test
