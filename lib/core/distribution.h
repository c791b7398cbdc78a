// Who gets the next free item of a queue: the conveyor hands work only to members who are at
// work now, evenly by load, and says for every member why they were or were not chosen (the
// journal shows it to the head of the department).
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace core {

// A member's working day as timeman.status reports it (STATUS), plus kUnknown when the portal
// did not say (no timeman on the tariff, a failed read).
enum class Presence { kOpened, kPaused, kClosed, kExpired, kUnknown };

// "OPENED", "PAUSED", "CLOSED", "EXPIRED" in any letter case; anything else is kUnknown.
Presence ParsePresence(std::string_view status);

// "opened", "paused", "closed", "expired", "unknown": stable names for the journal, which
// ParsePresence reads back.
std::string_view PresenceName(Presence presence);

// What said whether a member is at work (issue 16, item 2): the portal's work-time tracking
// where it has it, else its working hours. The journal names it.
enum class PresenceSource { kTimeman, kWorkingHours, kMarkedAway };

// "timeman", "working_hours", "marked_away".
std::string_view PresenceSourceName(PresenceSource source);

struct Candidate {
  int64_t user_id = 0;
  double weight = 1;   // share of the queue's work; 2 takes twice the load of 1
  int open_items = 0;  // items in work now
  int cap = 0;         // most open items at once; 0 (or less) = no cap
  Presence presence = Presence::kUnknown;
  PresenceSource presence_source = PresenceSource::kTimeman;
  bool active = true;            // the user's ACTIVE: false for dismissed employees
  std::optional<bool> online;    // read only when the queue requires online; unknown = offline
  int handed_out_today = 0;      // items the conveyor gave them since the portal's midnight
  int64_t last_assigned_at = 0;  // Unix seconds of the last item handed out; 0 = never
};

struct QueueRules {
  bool require_online = false;
};

enum class Verdict {
  kChosen,
  kEligible,  // could take the item, but has a higher load or lost the tie-break
  kInactive,
  kAbsent,  // working day not opened; CandidateVerdict::presence says which state
  kOffline,
  kAtCap,
  kZeroWeight,
};

// "chosen", "eligible", "inactive", "absent", "offline", "at_cap", "zero_weight".
std::string_view VerdictName(Verdict verdict);

struct CandidateVerdict {
  int64_t user_id = 0;
  Verdict verdict = Verdict::kEligible;
  Presence presence = Presence::kUnknown;
  PresenceSource presence_source = PresenceSource::kTimeman;
  int open_items = 0;
  int cap = 0;
  double weight = 0;
  double load = 0;  // open_items / weight; 0 when the weight is not positive
  int handed_out_today = 0;
};

struct Choice {
  std::optional<int64_t> assignee;           // nullopt when nobody is eligible: the item waits
  std::vector<CandidateVerdict> candidates;  // one per candidate, in input order
};

// Eligible: active, presence kOpened, online when the rules require it, weight > 0, and below
// the cap. A candidate failing several of these gets the most lasting reason, in the order
// inactive, zero_weight, absent, offline, at_cap, so the journal does not blame a momentary
// state on someone who is excluded anyway. Among the eligible, rotation first: the fewest items
// handed out today per weight, so that over a day equal weights get equal shares (within one);
// then the lowest load; then the one assigned longest ago (never assigned first), then the
// smaller user_id, so the same inputs always give the same choice.
Choice ChooseAssignee(const std::vector<Candidate>& candidates, const QueueRules& rules);

// Why an item waits, for the journal: "queue_empty" when the queue has nobody at all (the
// set-up page says what to pick), "nobody_available" when its people are away, busy or full.
std::string_view WaitingReason(const Choice& choice);

}  // namespace core
