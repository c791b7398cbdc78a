// A change the conveyor noticed: an entity as it was (last snapshot) and as it is now (re-read
// after an event), and the rule port that turns a change into a plan of REST steps.
// Thread-safety: values, pure functions; Rules implementations must be thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/core/decision.h"
#include "lib/core/error.h"

namespace core {

struct EntityChange {
  std::string member_id;
  std::string entity_type;  // "lead", "deal"
  int64_t entity_id = 0;
  std::string event;      // what announced it, e.g. ONCRMLEADUPDATE
  nlohmann::json before;  // null when never seen
  nlohmann::json after;   // null when deleted
  // For a timer's change (event CONVEYOR_TIMER): {"kind": …, "data": …} as the plan that set
  // it wrote them; the entity may then be unchanged. Null otherwise.
  nlohmann::json timer;
};

// The event name of a due timer's change.
inline constexpr const char* kTimerEvent = "CONVEYOR_TIMER";

// A stable fingerprint of an entity's content. Fields that change on every save without
// meaning anything (DATE_MODIFY, MODIFY_BY_ID, LAST_ACTIVITY_*) are left out, so a save that
// changed nothing — or the echo of our own write — fingerprints the same.
std::string ContentHash(const nlohmann::json& entity);

// A string field of an entity as Bitrix24 answers it, or "" when it is missing or null.
std::string TextField(const nlohmann::json& entity, const std::string& name);
// An ID as Bitrix24 writes it (a number or a numeric string), or 0.
int64_t IdValue(const nlohmann::json& value);
// An ID field of an entity, or 0.
int64_t IdField(const nlohmann::json& entity, const std::string& name);

// A read rules expect a round's plans to ask for. The engine sends it with the round's own
// reads of its items, so it costs no request of its own (REST economy, issue #4 item 9).
struct Read {
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

// The portal's answer to such a read (only reads that succeeded are answered).
struct Answer {
  Read read;
  nlohmann::json result;
  std::optional<long> total;  // of a list
};

class Rules {
 public:
  virtual ~Rules() = default;
  // The actions this change calls for (none for most changes) and the decisions to journal
  // once they are done. Rules must be state-based: planning again after some actions ran gives
  // the same keys, so nothing is done twice. Fails when what the rules needed to know could not
  // be read; the event is then retried.
  virtual Result<Outcome> Plan(const EntityChange& change) = 0;
  // The reads worth sending before a round's changes are known. `expected` holds, per item the
  // round is about to read, what was last seen of it (`before`, null when never seen) and its
  // timer; `after` is null. None by default.
  virtual std::vector<Read> ReadAhead(const std::vector<EntityChange>& expected);
  // The plans for one round's changes, in order, with the answers to ReadAhead's reads. Rules
  // that read the portal share those reads across the round (REST economy); by default each
  // change is planned on its own.
  virtual std::vector<Result<Outcome>> PlanAll(const std::vector<EntityChange>& changes,
                                               const std::vector<Answer>& read_ahead);
  // For a due timer's change whose `after` is the entity's last snapshot: whether the timer may
  // still call for something, so the entity is worth re-reading. False saves the request.
  virtual bool StillDue(const EntityChange&) { return true; }
};

// Step 2 ships no business rules: changes are noticed, snapshotted and left alone.
class NoRules : public Rules {
 public:
  Result<Outcome> Plan(const EntityChange&) override { return Outcome{}; }
};

}  // namespace core
