#include "lib/core/distribution.h"

#include <cstddef>
#include <tuple>

namespace core {
namespace {

bool EqualsIgnoringCase(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    const char folded = c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    if (folded != upper[i]) return false;
  }
  return true;
}

Verdict Judge(const Candidate& candidate, const QueueRules& rules) {
  if (!candidate.active) return Verdict::kInactive;
  // Written as a negation so that a NaN weight is excluded too.
  if (!(candidate.weight > 0)) return Verdict::kZeroWeight;
  if (candidate.presence != Presence::kOpened) return Verdict::kAbsent;
  if (rules.require_online && !candidate.online.value_or(false)) return Verdict::kOffline;
  if (candidate.cap > 0 && candidate.open_items >= candidate.cap) return Verdict::kAtCap;
  return Verdict::kEligible;
}

}  // namespace

Presence ParsePresence(std::string_view status) {
  if (EqualsIgnoringCase(status, "OPENED")) return Presence::kOpened;
  if (EqualsIgnoringCase(status, "PAUSED")) return Presence::kPaused;
  if (EqualsIgnoringCase(status, "CLOSED")) return Presence::kClosed;
  if (EqualsIgnoringCase(status, "EXPIRED")) return Presence::kExpired;
  return Presence::kUnknown;
}

std::string_view PresenceName(Presence presence) {
  switch (presence) {
    case Presence::kOpened:
      return "opened";
    case Presence::kPaused:
      return "paused";
    case Presence::kClosed:
      return "closed";
    case Presence::kExpired:
      return "expired";
    case Presence::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view PresenceSourceName(PresenceSource source) {
  switch (source) {
    case PresenceSource::kTimeman:
      return "timeman";
    case PresenceSource::kWorkingHours:
      return "working_hours";
    case PresenceSource::kMarkedAway:
      return "marked_away";
  }
  return "timeman";
}

std::string_view VerdictName(Verdict verdict) {
  switch (verdict) {
    case Verdict::kChosen:
      return "chosen";
    case Verdict::kEligible:
      return "eligible";
    case Verdict::kInactive:
      return "inactive";
    case Verdict::kAbsent:
      return "absent";
    case Verdict::kOffline:
      return "offline";
    case Verdict::kAtCap:
      return "at_cap";
    case Verdict::kZeroWeight:
      return "zero_weight";
  }
  return "eligible";
}

Choice ChooseAssignee(const std::vector<Candidate>& candidates, const QueueRules& rules) {
  Choice choice;
  choice.candidates.reserve(candidates.size());
  std::optional<size_t> best;
  for (size_t i = 0; i < candidates.size(); ++i) {
    const Candidate& candidate = candidates[i];
    CandidateVerdict verdict;
    verdict.user_id = candidate.user_id;
    verdict.verdict = Judge(candidate, rules);
    verdict.presence = candidate.presence;
    verdict.presence_source = candidate.presence_source;
    verdict.handed_out_today = candidate.handed_out_today;
    verdict.open_items = candidate.open_items;
    verdict.cap = candidate.cap;
    verdict.weight = candidate.weight;
    verdict.load = candidate.weight > 0 ? candidate.open_items / candidate.weight : 0;
    choice.candidates.push_back(verdict);
    if (verdict.verdict != Verdict::kEligible) continue;
    auto rank = [&](size_t index) {
      const Candidate& c = candidates[index];
      return std::make_tuple(c.handed_out_today / c.weight, choice.candidates[index].load,
                             c.last_assigned_at, c.user_id);
    };
    // Strictly better only: of two identical candidates the first in the queue keeps the item.
    if (!best || rank(i) < rank(*best)) best = i;
  }
  if (best) {
    choice.assignee = candidates[*best].user_id;
    choice.candidates[*best].verdict = Verdict::kChosen;
  }
  return choice;
}

std::string_view WaitingReason(const Choice& choice) {
  return choice.candidates.empty() ? "queue_empty" : "nobody_available";
}

}  // namespace core
