#include "handlers/health.h"

#include <sstream>

#include <nlohmann/json.hpp>

#include "handlers/reply.h"

namespace handlers {
namespace {

long UptimeSeconds(const Deps& deps) {
  const auto uptime = std::chrono::steady_clock::now() - deps.started;
  return static_cast<long>(std::chrono::duration_cast<std::chrono::seconds>(uptime).count());
}

// Prometheus label values escape backslash, quote and newline.
std::string Label(const std::string& value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c == '\n' ? 'n' : c);
  }
  return out;
}

}  // namespace

void Health(const Deps& deps, const httplib::Request&, httplib::Response& res) {
  Json(res, {{"status", "ok"}, {"version", deps.version}, {"uptime_s", UptimeSeconds(deps)}});
}

void Healthz(Deps& deps, const httplib::Request&, httplib::Response& res) {
  // Public: says whether the service and its database answer, and names no tenant (the list
  // is GET /api/portals, behind the operations token).
  if (auto depth = deps.inbox->Depth(); !depth)
    return JsonError(res, 503, "storage_error", "The database cannot be read");
  Json(res, {{"status", "ok"}, {"version", deps.version}, {"uptime_s", UptimeSeconds(deps)}});
}

void Metrics(Deps& deps, const httplib::Request&, httplib::Response& res) {
  std::ostringstream out;
  auto counter = [&out](const char* name, const char* help, long value) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << value << '\n';
  };
  counter("conveyor_events_received_total", "Events accepted into the inbox.",
          deps.events_received.load());
  counter("conveyor_events_duplicate_total", "Events already in the inbox.",
          deps.events_duplicate.load());
  counter("conveyor_events_rejected_total", "Malformed or unauthenticated events.",
          deps.events_rejected.load());
  if (deps.workers != nullptr) {
    const auto t = deps.workers->totals();
    counter("conveyor_events_processed_total", "Events processed by the workers.", t.processed);
    counter("conveyor_events_changed_total", "Events that showed a real change.", t.changed);
    counter("conveyor_events_settled_total",
            "Events known to change nothing without a read (expected echoes, stale timers).",
            t.settled);
    counter("conveyor_events_retried_total", "Events put back for a retry.", t.retried);
    counter("conveyor_events_given_up_total", "Events dropped after too many failed attempts.",
            t.given_up);
    counter("conveyor_worker_storage_errors_total", "Worker rounds that failed on storage.",
            t.storage_errors);
    counter("conveyor_timers_set_total", "Timers set by the rules' plans.", t.timers_set);
    counter("conveyor_timers_fired_total", "Timers that came due.", t.timers_fired);
    out << "# HELP conveyor_decisions_total Automatic decisions journaled, by kind.\n"
        << "# TYPE conveyor_decisions_total counter\n";
    for (const auto& [kind, count] : t.decisions_by_kind) {
      out << "conveyor_decisions_total{kind=\"" << Label(kind) << "\"} " << count << '\n';
    }
  }
  auto depth = deps.inbox->Depth();
  out << "# HELP conveyor_inbox_depth Events waiting to be processed.\n# TYPE conveyor_inbox_depth "
         "gauge\n"
      << "conveyor_inbox_depth " << (depth ? *depth : -1) << '\n';
  const auto stats = deps.client->Stats();
  counter("conveyor_rest_calls_total", "REST requests sent.", stats.calls);
  counter("conveyor_rest_commands_total", "REST commands those requests carried (batch: each).",
          stats.commands);
  counter("conveyor_token_refreshes_total", "OAuth token refreshes.", stats.refreshes);
  counter("conveyor_rest_retries_total", "REST requests repeated after a refusal.", stats.retries);
  out << "# HELP conveyor_rest_commands_by_method_total REST commands by method (a batch's each).\n"
      << "# TYPE conveyor_rest_commands_by_method_total counter\n";
  for (const auto& [method, count] : stats.commands_by_method) {
    out << "conveyor_rest_commands_by_method_total{method=\"" << Label(method) << "\"} " << count
        << '\n';
  }
  out << "# HELP conveyor_rest_requests_by_kind_total REST requests that only read, and the "
         "others.\n"
      << "# TYPE conveyor_rest_requests_by_kind_total counter\n";
  for (const auto& [kind, count] : stats.requests_by_kind) {
    out << "conveyor_rest_requests_by_kind_total{kind=\"" << Label(kind) << "\"} " << count << '\n';
  }
  out << "# HELP conveyor_limiter_wait_seconds_total Time spent waiting for the rate limiter.\n"
      << "# TYPE conveyor_limiter_wait_seconds_total counter\nconveyor_limiter_wait_seconds_total "
      << stats.limiter_wait_seconds << '\n';
  out << "# HELP conveyor_rest_calls_by_outcome_total REST requests by method and outcome.\n"
      << "# TYPE conveyor_rest_calls_by_outcome_total counter\n";
  for (const auto& [method, outcomes] : stats.by_method) {
    for (const auto& [outcome, count] : outcomes) {
      out << "conveyor_rest_calls_by_outcome_total{method=\"" << Label(method) << "\",outcome=\""
          << Label(outcome) << "\"} " << count << '\n';
    }
  }
  res.set_content(out.str(), "text/plain; version=0.0.4");
}

}  // namespace handlers
