// What a REST method sees: who calls (an app token, a webhook, a simulated user or automation),
// on which portal, with which parameters; and where it leaves the events it fires.
// Thread-safety: a Call lives inside one request, under State::mutex.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "emulator/model.h"
#include "emulator/rest_error.h"
#include "emulator/state.h"

namespace emu {

struct Caller {
  enum class Kind { kApp, kWebhook, kUser, kAutomation };
  Kind kind = Kind::kUser;
  long user_id = 1;
  std::string client_id;         // kApp
  std::string webhook_code;      // kWebhook
  std::string auth_connector;    // writes tagged so that offline events skip this connector
  std::set<std::string> scopes;  // empty: every scope (webhooks, simulated users)

  const char* KindName() const;
};

// An HTTP POST to the app that must happen after the state lock is released.
struct Outgoing {
  std::string url;
  std::string body;  // url-encoded
  std::string what;  // for the delivery log, e.g. "ONCRMLEADADD"
  std::string member_id;
};

struct Call {
  State& state;
  Portal& portal;
  const Caller& caller;
  json params;
  double now;
  std::vector<Outgoing>& outgoing;

  bool CallerIsAdmin() const;
  // A top-level parameter, matched case-insensitively (most methods accept FIELDS or fields).
  const json* Param(const std::string& name) const;
  // The same but exact-case (crm.timeline.comment.add accepts only lowercase `fields`).
  const json* ExactParam(const std::string& name) const;
};

using MethodFn = std::function<MethodResult(Call&)>;

struct MethodDef {
  std::string scope;  // "crm", "user", ... ; "" for basic methods every token may call
  MethodFn fn;
  bool app_only = false;  // webhooks get WRONG_AUTH_TYPE
};

using MethodTable = std::map<std::string, MethodDef>;

// The full table, built once.
const MethodTable& Methods();

void RegisterCrmMethods(MethodTable& table);
void RegisterItemMethods(MethodTable& table);
void RegisterDictionaryMethods(MethodTable& table);
void RegisterPeopleMethods(MethodTable& table);
void RegisterActivityMethods(MethodTable& table);
void RegisterEventMethods(MethodTable& table);
void RegisterSystemMethods(MethodTable& table);

// Runs one method as the dispatcher would after authentication: method lookup, injected faults,
// the operating-time limit, scope, then the method itself. Used by batch for each command.
struct Invocation {
  MethodResult result;
  double operating = 0;
  long operating_reset_at = 0;
  double hold_ms = 0;  // an injected fault holds the answer back this long (after the lock)
};
Invocation Invoke(Call& call, const std::string& method);

}  // namespace emu
