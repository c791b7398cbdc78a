// What rules ask the engine to do: REST writes, each under an operation key so that an event
// processed twice (at-least-once delivery) never writes twice (issue #3, items 3 and 6).
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace core {

// A list call that finds what a create call made, for when the create may have run but its
// answer was lost: the ID of the first row that has every value of `match` (a field holding a
// list: one of its items) is taken as the create's result. Fields as the answer spells them.
struct Lookup {
  std::string method;
  nlohmann::json params = nlohmann::json::object();
  nlohmann::json match = nlohmann::json::object();
};

// An entity an action writes. Its state right after the write is stored as its snapshot, so
// the event announcing our own write compares equal and is ignored (no event loops).
struct EntityRef {
  std::string entity_type;  // "lead", "deal"
  nlohmann::json id;        // a number, or "$result[key]" of an earlier action of the plan
};

struct Action {
  std::string key;  // operation key, unique within the portal and stable across retries
  std::string method;
  nlohmann::json params = nlohmann::json::object();  // may hold "$result[key]" of earlier actions
  std::string why;                                   // for the decisions journal
  std::optional<Lookup> lookup;                      // for creates that must not run twice
  std::vector<EntityRef> touches;
  // Look before the first send too: for what the app may have made before it was stopped, and
  // came to plan under another key (a task for a deal it has not seen yet).
  bool look_first = false;
};

// A durable timer a plan sets (issue #4, items 3 and 5): when it is due, the engine puts a
// CONVEYOR_TIMER event for its entity in the inbox, and the rules look at the entity again.
// A portal has at most one pending timer per kind, entity and tag; setting it again while it
// waits does nothing.
struct Timer {
  std::string kind;          // "wait", "sla", "ready_day"
  std::string tag;           // tells timers of one kind and entity apart; "" for most
  std::string entity_type;   // "lead", "deal"
  nlohmann::json entity_id;  // a number, or "$result[key]" of an action of the plan
  int64_t due_at = 0;        // Unix seconds
  nlohmann::json data = nlohmann::json::object();  // what the rule needs back when it fires
};

// A create without a lookup is at most once: when its outcome is unknown it is not sent again.
// Every other method is safe to send again (updates set values; reads change nothing).
bool RepeatableWithoutLookup(const std::string& method);

// "$result[key]" -> "key", or empty when `value` is not such a reference.
std::string ReferencedKey(const nlohmann::json& value);

// True when a text anywhere in `value` holds a "$result[...]" reference.
bool HasReference(const nlohmann::json& value);

// The keys `value` refers to with "$result[key]", whole or inside a longer text.
std::vector<std::string> ReferencedKeys(const nlohmann::json& value);

// An operation key with every "$result[key]" whose result is known spelled out: a key built on
// a reference names the same operation as one built on the id it stands for.
std::string ResolveKey(const std::string& key, const nlohmann::json& known);

// The ID (as a number where it is one) of the first row of a list answer (`[...]` or
// {"tasks": [...]}) that has every value of `match`; null when none has.
nlohmann::json FirstMatchingId(const nlohmann::json& result, const nlohmann::json& match);

// `params` with every "$result[key]" whose key is in `known` replaced by that result, so an
// action can refer to one that finished in an earlier round: a whole value takes the result as
// it is, a reference inside a longer text takes a scalar result's text.
nlohmann::json ResolveReferences(const nlohmann::json& params, const nlohmann::json& known);

}  // namespace core
