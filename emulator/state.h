// The whole emulator: portals, OAuth tokens, the app it knows, the request log.
// Thread-safety: `mutex` guards every field except `clock` (self-locking); hold it for the
// whole of a REST call, never while calling out to the app (installer, placements, events).
#pragma once

#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>
#include <string>

#include "emulator/clock.h"
#include "emulator/model.h"

namespace emu {

struct AppCredentials {
  std::string client_id;
  std::string client_secret;
};

struct LogEntry {
  double time = 0;
  std::string member_id;
  std::string method;
  std::string caller;  // "app", "webhook", "user", "automation"
  int status = 200;
  std::string error;
};

// Counters per method, per HTTP status, per error code and per portal and caller, and the
// most recent entries.
struct RequestLog {
  static constexpr size_t kKeep = 5000;
  std::deque<LogEntry> recent;
  std::map<std::string, std::map<int, long>> by_method;
  std::map<int, long> by_status;
  std::map<std::string, long> by_error;
  // member_id -> caller kind -> HTTP status -> requests, for requests a portal could be named
  // for: what the app used, apart from webhooks and simulated people, however long the run.
  std::map<std::string, std::map<std::string, std::map<int, long>>> by_caller;
  long total = 0;

  void Add(LogEntry entry);
  void Clear();
  json ToJson(size_t last) const;
};

struct DeliveryFaults {
  double drop_rate = 0;  // share of online event deliveries silently lost
  double delay_ms = 0;   // added before each delivery
};

class State {
 public:
  std::mutex mutex;
  Clock clock;

  AppCredentials app;  // the one app whose credentials the OAuth server accepts
  double token_lifetime = 3600;
  double refresh_lifetime = 180 * 86400.0;
  std::string public_http;  // "http://127.0.0.1:PORT"
  // Which portal each listener ("host:port") serves; not persisted (ports change on restart).
  std::map<std::string, std::string> listener_owner;

  std::map<std::string, Portal> portals;  // by member_id
  std::string default_member_id;
  std::map<std::string, AccessToken> access_tokens;
  std::map<std::string, RefreshToken> refresh_tokens;
  RequestLog log;
  DeliveryFaults delivery;
  std::mt19937_64 random{20261126};
  bool dirty = false;  // set by every change, cleared when persisted

  Portal* FindPortal(const std::string& member_id);
  Portal& DefaultPortal() { return portals.at(default_member_id); }

  // Random lowercase hex of `chars` characters (tokens, member ids, application tokens).
  std::string RandomHex(size_t chars);

  // Creates a portal with the defaults of a fresh Bitrix24 (admin user 1, lead statuses,
  // the default pipeline and its stages, sources) and returns it.
  Portal& CreatePortal(const std::string& member_id, const std::string& domain,
                       const std::string& plan);

  // Issues an access token (and, when `with_refresh`, a refresh token) for a user of the app.
  std::pair<std::string, std::string> IssueTokens(const Portal& portal,
                                                  const std::string& client_id, long user_id,
                                                  bool with_refresh);
  // A still-valid access token of this user for this app, reusing one when it exists.
  std::string TokenFor(const Portal& portal, const std::string& client_id, long user_id);

  std::string RestEndpoint(const Portal& portal) const;  // "http://127.0.0.1:P/rest/"
  std::string ServerEndpoint() const;                    // the OAuth server's REST address

  // The persisted form (plain nlohmann::json: its (de)serialisers are generated for it).
  nlohmann::json ToJson() const;
  void LoadJson(const nlohmann::json& state);
};

}  // namespace emu
