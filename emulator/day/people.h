// What the company's people do with what the conveyor assigns to them: the next move of a
// lead or deal they are responsible for, how long after it reached its stage they make it, and
// what they fill in. Decisions are deterministic for (seed, item, stage visit), so a day
// replays the same whatever the timing of polls. Stage ids are install/conveyor.json's.
// Thread-safety: stateless.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace day {

// Lead statuses and stage suffixes the app provisions (install/conveyor.json).
inline constexpr const char* kLeadNew = "NEW";  // as enquiries arrive
inline constexpr const char* kLeadAssigned = "CONV_ASSIGNED";
inline constexpr const char* kLeadDuplicate = "CONV_DUPLICATES";
inline constexpr const char* kLeadFree = "CONV_FREE";  // no hunter was available
inline constexpr const char* kLeadReadyNow = "CONV_READY_NOW";
inline constexpr const char* kLeadReadyLater = "CONV_READY_LATER";
inline constexpr const char* kLeadJunk = "JUNK";
inline constexpr const char* kReadyDateField = "UF_CRM_CONVEYOR_READY_DATE";

enum class MoveKind {
  kReadyNow,    // hunter: the client will talk to an expert now
  kReadyLater,  // hunter: on a later working day
  kJunk,        // hunter: not ours
  kMeeting,     // closer: a meeting is agreed
  kReschedule,  // closer: the meeting fell through, back to agreeing one
  kOffer,       // closer: proposal sent
  kAgreed,      // closer: the client agreed
  kContract,    // closer: contract and invoice sent (the app carries the deal to production)
  kLost,        // closer: the client went away
  kProduction,  // production: the next production stage
  kShipped,     // production: shipped to the client (won)
};

struct Move {
  MoveKind kind = MoveKind::kJunk;
  std::string to;         // lead STATUS_ID, or the deal stage without its "C<n>:" prefix
  double delay = 0;       // working seconds after the item reached its stage
  int ready_in_days = 0;  // kReadyLater: working days ahead
  std::string reason;     // kJunk, kLost: what the person writes
};

// A hunter's move on a lead at CONV_ASSIGNED; nullopt when they leave it as it is.
std::optional<Move> HunterMove(uint64_t seed, long lead_id);

// A closer's move on a sales deal at `stage` ("ASSIGNED", "MEETING", ...); `rescheduled`:
// the meeting of this deal fell through once already; `visit` counts this deal's moves so far.
std::optional<Move> CloserMove(uint64_t seed, long deal_id, const std::string& stage,
                               bool rescheduled, int visit);

// A production employee's move on a production deal at `stage`.
std::optional<Move> MasterMove(uint64_t seed, long deal_id, const std::string& stage);

const char* MoveName(MoveKind kind);

}  // namespace day
