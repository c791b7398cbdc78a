// What Bitrix24 POSTs to the app, parsed: page requests (installer, app page, placements;
// REST.md §1.2, §3.3) and events (REST.md §2.3), both url-encoded forms (lib/core/form.h).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lib/core/error.h"

namespace core {

// What a page POST carries (REST.md §1.2, E5) — claims, none of them proven: the installer
// proves them at the OAuth server (REFRESH_ID), a page at the portal (AUTH_ID).
struct PageRequest {
  std::string domain;  // query DOMAIN: shown, never an address
  std::string lang;
  std::string member_id;
  std::string auth_id;
  int64_t auth_expires = 0;  // seconds from now
  std::string refresh_id;
  std::string application_token;  // not sent by real portals; compared only where present
  std::string status;
  std::string placement;
  nlohmann::json placement_options = nlohmann::json::object();  // {} unless a JSON object came
};

// Fails with kInvalidArgument when the form breaks the parser's limits (lib/core/form.h) or
// member_id or AUTH_ID is missing.
[[nodiscard]] Result<PageRequest> ParsePageRequest(std::string_view query, std::string_view body);

struct EventAuth {
  std::string access_token;  // empty when automation made the change (reduced set)
  std::string refresh_token;
  int64_t expires = 0;
  std::string scope;
  std::string domain;
  std::string server_endpoint;
  std::string client_endpoint;
  std::string member_id;
  std::string application_token;
  std::string status;
  int64_t user_id = 0;
};

struct Event {
  std::string name;  // upper case
  std::string handler_id;
  int64_t ts = 0;
  nlohmann::json data = nlohmann::json::object();
  EventAuth auth;
  // The CRM object the event is about: data[FIELDS][ID]; 0 for app events.
  int64_t EntityId() const;
};

// Fails with kInvalidArgument when the form breaks the parser's limits, or event,
// auth[member_id] or auth[application_token] is missing.
[[nodiscard]] Result<Event> ParseEvent(std::string_view body);

// Whether JSON text nests arrays and objects at most `max_depth` deep, read without parsing:
// a body is refused before a recursive walk (a merge patch, a destructor) could meet a depth
// that overflows a thread's stack.
bool JsonNestingWithin(std::string_view text, int max_depth);

// Compares secrets in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace core
