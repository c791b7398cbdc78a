// The Bitrix24 REST client: the only outbound HTTP of the conveyor (REST.md §1.5–1.6, §4–6).
// - Tokens per portal from a TokenStore; refreshed only on 401 expired_token, one refresh at a
//   time per portal (single-flight), the new pair persisted before the call is retried;
//   invalid_grant marks the portal "needs reinstall".
// - Every request passes the shared RateLimiter first; 503 QUERY_LIMIT_EXCEEDED and 429
//   OPERATION_TIME_LIMIT (refused before running) are retried after a hold; transport errors
//   and 5xx are retried for reads only — a write may have run, so the caller decides.
// - A 302 from a portal that changed its domain is followed and the new address persisted.
// - batch with automatic chunking to 50 commands; keyset scans and `next` paging.
// Thread-safety: all public members are safe to call concurrently.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "lib/b24/failure.h"
#include "lib/b24/rate_limiter.h"
#include "lib/b24/token_store.h"
#include "lib/b24/transport.h"
#include "lib/core/clock.h"

namespace b24 {

struct ClientOptions {
  std::string oauth_url = "https://oauth.bitrix.info/oauth/token/";
  std::string client_id;
  std::string client_secret;
  double timeout_seconds = 30;
  int max_attempts = 5;
  double backoff_seconds = 1;  // first hold after a refusal or a failed read; doubles each time
};

struct Response {
  nlohmann::json result;
  std::optional<long> total;
  std::optional<long> next;
  double operating = 0;
  double operating_reset_at = 0;
};

struct BatchCommand {
  std::string key;
  std::string method;
  nlohmann::json params = nlohmann::json::object();
};

struct BatchItem {
  std::string key;
  nlohmann::json result;           // null when the command failed
  std::optional<Failure> failure;  // set when it failed
  std::optional<long> total;
  std::optional<long> next;
};

struct ClientStats {
  long calls = 0;     // HTTP requests
  long commands = 0;  // what they carried: a batch's commands, else 1 (a one-call-per-command
                      // client would have sent this many requests)
  long failures = 0;
  long refreshes = 0;
  long redirects = 0;
  long retries = 0;
  double limiter_wait_seconds = 0;
  std::map<std::string, std::map<std::string, long>> by_method;  // method -> outcome -> count
  std::map<std::string, long> commands_by_method;  // a batch's commands counted by their method
  // "read": requests that change nothing (a batch of reads only); "write": the others.
  std::map<std::string, long> requests_by_kind;
};

// Whether a portal answers as a portal should, from the last call to it: a refusal for the
// rate limits does not count; anything else that failed (no answer, a server error, an answer
// of the wrong shape, a redirect the OAuth server denies) marks it unhealthy until a call
// succeeds again.
struct PortalHealth {
  bool healthy = true;
  std::string last_failure;  // the failure's code or description; "" while healthy
  double since = 0;          // when it last changed, clock time
};

class RestClient {
 public:
  RestClient(ClientOptions options, Transport& transport, TokenStore& store, RateLimiter& limiter,
             core::Clock& clock);

  // From now on every call fails at once (kNotSent, "shutting down") and retries stop, so the
  // workers finish their round promptly on SIGTERM; what they were doing is retried after the
  // restart (at-least-once).
  void Shutdown() {
    stopping_ = true;
    limiter_.Stop();
  }

  // One method call. Fails with the typed Failure of the last attempt.
  Result<Response> Call(const std::string& member_id, const std::string& method,
                        const nlohmann::json& params = nlohmann::json::object(),
                        Lane lane = Lane::kInteractive);

  // Called once per batch of `commands[first, end)`, when it has its turn (the rate limiter's
  // waits are over) and just before it is first sent; false keeps it unsent (kNotSent).
  using BeforeSending = std::function<bool(size_t first, size_t end)>;

  // Runs the commands in batches of 50 (REST.md §5); one item per command, in order.
  Result<std::vector<BatchItem>> Batch(const std::string& member_id,
                                       const std::vector<BatchCommand>& commands,
                                       Lane lane = Lane::kInteractive, bool halt = false,
                                       const BeforeSending& before_sending = {});

  // Full scan of a list method by keyset (`>ID`, order by ID, start=-1); `on_page` gets each
  // page's rows and may return false to stop. Returns the number of rows seen.
  Result<long> ScanById(const std::string& member_id, const std::string& method,
                        nlohmann::json params,
                        const std::function<bool(const nlohmann::json& rows)>& on_page,
                        Lane lane = Lane::kBackfill, const std::string& id_field = "ID");

  // Every page of a list method through `next`.
  Result<std::vector<nlohmann::json>> ListAll(const std::string& member_id,
                                              const std::string& method,
                                              nlohmann::json params = nlohmann::json::object(),
                                              Lane lane = Lane::kBackfill);

  // Drops what is cached about a portal (after an uninstall or a reinstall).
  void Forget(const std::string& member_id);

  ClientStats Stats() const;
  PortalHealth Health(const std::string& member_id) const;
  // How full the portal's rate-limit bucket is: 0 (empty) to 1 (the next request waits).
  double BucketUse(const std::string& member_id) { return limiter_.Use(member_id); }

  // Methods that only read: safe to repeat after an uncertain failure.
  static bool IsRead(const std::string& method);

 private:
  static constexpr double kRefreshAheadSeconds = 60;
  struct Session {
    std::mutex mutex;  // guards auth; held during a refresh so that only one runs
    PortalAuth auth;
    bool loaded = false;
  };

  std::shared_ptr<Session> SessionFor(const std::string& member_id);
  Result<PortalAuth> CurrentAuth(const std::string& member_id);
  Result<void> Refresh(const std::string& member_id, const std::string& expired_token);
  // `params` keeps its key order: batch commands run in the order they are sent.
  Result<Response> CallOnce(const std::string& member_id, const std::string& method,
                            const nlohmann::ordered_json& params, Lane lane, bool read,
                            const std::function<bool()>& before_sending = {});
  Result<Response> Attempts(const std::string& member_id, const std::string& method,
                            const nlohmann::ordered_json& params, Lane lane, bool read,
                            const std::function<bool()>& before_sending);
  void NoteHealth(const std::string& member_id, const std::optional<Failure>& failure);
  void Count(const std::string& method, const std::string& outcome);

  ClientOptions options_;
  Transport& transport_;
  TokenStore& store_;
  RateLimiter& limiter_;
  core::Clock& clock_;

  std::mutex sessions_mutex_;
  std::map<std::string, std::shared_ptr<Session>> sessions_;  // GUARDED_BY(sessions_mutex_)
  mutable std::mutex stats_mutex_;
  std::atomic<bool> stopping_{false};
  ClientStats stats_;                           // GUARDED_BY(stats_mutex_)
  std::map<std::string, PortalHealth> health_;  // GUARDED_BY(stats_mutex_)
};

}  // namespace b24
