#include "lib/b24/rest_client.h"

#include <algorithm>
#include <cmath>

#include "lib/b24/vouch.h"
#include "lib/core/query_encoding.h"

namespace b24 {
namespace {

using json = nlohmann::json;

std::string Text(const json& body, const char* key) {
  auto it = body.find(key);
  return it != body.end() && it->is_string() ? it->get<std::string>() : "";
}

// A whole number in range, whatever type a portal sent it as; nullopt otherwise (a float too
// large for a long would be undefined behaviour to convert).
std::optional<long> SafeLong(const json& value) {
  if (value.is_number_integer()) {
    if (value.is_number_unsigned() && value.get<uint64_t>() > 1'000'000'000'000ULL)
      return std::nullopt;
    return static_cast<long>(value.get<int64_t>());
  }
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (!(number >= -1e12 && number <= 1e12)) return std::nullopt;
    return static_cast<long>(number);
  }
  return std::nullopt;
}

std::optional<long> OptionalLong(const json& body, const char* key) {
  auto it = body.find(key);
  return it == body.end() ? std::nullopt : SafeLong(*it);
}

// A finite number, or 0 (a portal's `time` block; REST.md §4.2).
double SafeDouble(const json& object, const char* key) {
  auto it = object.find(key);
  if (it == object.end() || !it->is_number()) return 0;
  const double number = it->get<double>();
  return std::isfinite(number) ? number : 0;
}

// A list method's rows: legacy lists answer an array, crm.item.list {"items":[...]},
// tasks.task.list {"tasks":[...]}, crm.category.list {"categories":[...]}.
json RowsOf(const json& result) {
  if (result.is_array()) return result;
  if (result.is_object()) {
    for (const char* key : {"items", "tasks", "categories"}) {
      if (result.contains(key) && result[key].is_array()) return result[key];
    }
  }
  return json::array();
}

long IdOf(const json& row, const std::string& field) {
  auto it = row.find(field);
  if (it == row.end()) return 0;
  if (it->is_number()) return SafeLong(*it).value_or(0);
  if (it->is_string()) {
    try {
      return std::stol(it->get<std::string>());
    } catch (...) {
      return 0;
    }
  }
  return 0;
}

const json& Entry(const json& map, const std::string& key) {
  static const json kNull;
  if (!map.is_object()) return kNull;
  auto it = map.find(key);
  return it == map.end() ? kNull : *it;
}

}  // namespace

RestClient::RestClient(ClientOptions options, Transport& transport, TokenStore& store,
                       RateLimiter& limiter, core::Clock& clock)
    : options_(std::move(options)),
      transport_(transport),
      store_(store),
      limiter_(limiter),
      clock_(clock) {}

bool RestClient::IsRead(const std::string& method) {
  static const char* kSuffixes[] = {".get", ".list", ".fields", ".current", ".types", ".items"};
  for (const char* suffix : kSuffixes) {
    const std::string s = suffix;
    if (method.size() > s.size() && method.compare(method.size() - s.size(), s.size(), s) == 0) {
      return true;
    }
  }
  return method == "profile" || method == "app.info" || method == "timeman.status" ||
         method == "crm.duplicate.findbycomm" || method == "crm.status.entity.types";
}

std::shared_ptr<RestClient::Session> RestClient::SessionFor(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  auto& session = sessions_[member_id];
  if (!session) session = std::make_shared<Session>();
  return session;
}

Result<PortalAuth> RestClient::CurrentAuth(const std::string& member_id) {
  auto session = SessionFor(member_id);
  std::lock_guard<std::mutex> lock(session->mutex);
  if (!session->loaded) {
    auto auth = store_.Load(member_id);
    if (!auth) return auth;
    session->auth = *auth;
    session->loaded = true;
  }
  return session->auth;
}

void RestClient::Forget(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  sessions_.erase(member_id);
}

Result<void> RestClient::Refresh(const std::string& member_id, const std::string& expired_token) {
  auto session = SessionFor(member_id);
  std::lock_guard<std::mutex> lock(session->mutex);
  // Single flight: whoever got here first has refreshed already.
  if (session->loaded && session->auth.access_token != expired_token) return {};
  if (!session->loaded) {
    auto auth = store_.Load(member_id);
    if (!auth) return tl::unexpected(auth.error());
    session->auth = *auth;
    session->loaded = true;
    if (session->auth.access_token != expired_token) return {};
  }
  auto grant = ExchangeRefreshToken(transport_, options_, session->auth.refresh_token,
                                    static_cast<int64_t>(clock_.Now()));
  if (grant && grant->member_id != member_id) {
    grant = tl::unexpected(
        Failure{FailureKind::kBadRequest, 200, "", "the OAuth server named another installation"});
  }
  if (!grant) {
    if (grant.error().kind == FailureKind::kNeedsReinstall) {
      store_.MarkNeedsReinstall(member_id);
      session->loaded = false;
    }
    return tl::unexpected(grant.error());
  }
  // Persist first: a crash after this line must not lose the rotated refresh token.
  auto saved =
      store_.SaveTokens(member_id, grant->access_token, grant->refresh_token, grant->expires);
  if (!saved) return saved;
  session->auth.access_token = grant->access_token;
  session->auth.refresh_token = grant->refresh_token;
  session->auth.expires = grant->expires;
  if (grant->client_endpoint != session->auth.client_endpoint) {
    // The OAuth server knows the portal's address: it moved (REST.md §1.6, change-domen.md).
    (void)store_.SaveEndpoint(member_id, grant->client_endpoint);
    session->auth.client_endpoint = grant->client_endpoint;
  }
  std::lock_guard<std::mutex> stats_lock(stats_mutex_);
  ++stats_.refreshes;
  return {};
}

void RestClient::Count(const std::string& method, const std::string& outcome) {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  ++stats_.by_method[method][outcome];
}

Result<Response> RestClient::CallOnce(const std::string& member_id, const std::string& method,
                                      const nlohmann::ordered_json& params, Lane lane, bool read,
                                      const std::function<bool()>& before_sending) {
  auto response = Attempts(member_id, method, params, lane, read, before_sending);
  NoteHealth(member_id, response ? std::nullopt : std::optional<Failure>(response.error()));
  return response;
}

void RestClient::NoteHealth(const std::string& member_id, const std::optional<Failure>& failure) {
  if (failure &&
      (failure->kind == FailureKind::kQueryLimit || failure->kind == FailureKind::kOperationLimit ||
       failure->kind == FailureKind::kUnknownPortal || failure->kind == FailureKind::kNotSent)) {
    return;  // the portal's own limits, or nothing asked of it
  }
  std::lock_guard<std::mutex> lock(stats_mutex_);
  PortalHealth& health = health_[member_id];
  const bool healthy = !failure.has_value();
  if (health.healthy != healthy) health.since = clock_.Now();
  health.healthy = healthy;
  health.last_failure =
      healthy ? "" : (failure->code.empty() ? failure->description : failure->code);
}

PortalHealth RestClient::Health(const std::string& member_id) const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  const auto found = health_.find(member_id);
  return found == health_.end() ? PortalHealth{} : found->second;
}

Result<Response> RestClient::Attempts(const std::string& member_id, const std::string& method,
                                      const nlohmann::ordered_json& params, Lane lane, bool read,
                                      const std::function<bool()>& before_sending) {
  bool announced = false;
  double backoff = options_.backoff_seconds;
  bool refreshed = false;
  bool redirect_checked = false;
  Failure last{FailureKind::kTransport, 0, "", "no attempt made"};
  for (int attempt = 0; attempt < options_.max_attempts; ++attempt) {
    if (stopping_) return tl::unexpected(Failure{FailureKind::kNotSent, 0, "", "shutting down"});
    if (attempt > 0) {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.retries;
    }
    auto auth = CurrentAuth(member_id);
    if (!auth) return tl::unexpected(auth.error());
    // A token about to expire is refreshed before it is used: the 401 it would meet costs a
    // request of the portal's budget (REST economy). `expires` is the portal's Unix time.
    if (!refreshed && auth->expires > 0 &&
        clock_.Now() > static_cast<double>(auth->expires) - kRefreshAheadSeconds) {
      if (auto ok = Refresh(member_id, auth->access_token); !ok) return tl::unexpected(ok.error());
      refreshed = true;
      auth = CurrentAuth(member_id);
      if (!auth) return tl::unexpected(auth.error());
    }
    const double waited = limiter_.Acquire(member_id, method, lane);
    if (stopping_) return tl::unexpected(Failure{FailureKind::kNotSent, 0, "", "shutting down"});
    if (before_sending && !announced) {
      if (!before_sending())
        return tl::unexpected(Failure{FailureKind::kNotSent, 0, "", "refused before sending"});
      announced = true;
    }
    nlohmann::ordered_json body = params.is_object() ? params : nlohmann::ordered_json::object();
    body["auth"] = auth->access_token;
    const HttpReply reply =
        transport_.Post(auth->client_endpoint + method + ".json", "application/json", body.dump(),
                        options_.timeout_seconds);
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.calls;
      ++stats_.requests_by_kind[read ? "read" : "write"];
      if (method == "batch" && params.contains("cmd") && params["cmd"].is_object()) {
        for (const auto& [key, command] : params["cmd"].items()) {
          const std::string text = command.is_string() ? command.get<std::string>() : "";
          ++stats_.commands_by_method[text.substr(0, text.find('?'))];
          ++stats_.commands;
        }
      } else {
        ++stats_.commands_by_method[method];
        ++stats_.commands;
      }
      stats_.limiter_wait_seconds += waited;
    }
    if (reply.status == 302 || reply.status == 301) {
      // A portal that changed its domain redirects (REST.md §1.6), but a redirect is only the
      // answering host's word: the new address is taken from the OAuth server, which a refresh
      // asks (and which persists it). A redirect it does not confirm is refused, so no token
      // ever follows one to another host.
      const std::string before = auth->client_endpoint;
      if (redirect_checked) {
        return tl::unexpected(
            Failure{FailureKind::kServer, reply.status, "", "a redirect the OAuth server denies"});
      }
      redirect_checked = true;
      if (auto ok = Refresh(member_id, auth->access_token); !ok) return tl::unexpected(ok.error());
      auto moved = CurrentAuth(member_id);
      if (!moved) return tl::unexpected(moved.error());
      if (moved->client_endpoint == before) {
        return tl::unexpected(
            Failure{FailureKind::kServer, reply.status, "", "a redirect the OAuth server denies"});
      }
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.redirects;
      continue;
    }
    const json answer = json::parse(reply.body, nullptr, false);
    if (reply.status == 200 && answer.is_object() && answer.contains("result")) {
      Response response{answer["result"], OptionalLong(answer, "total"),
                        OptionalLong(answer, "next"), 0, 0};
      if (answer.contains("time") && answer["time"].is_object()) {
        response.operating = SafeDouble(answer["time"], "operating");
        response.operating_reset_at = SafeDouble(answer["time"], "operating_reset_at");
        limiter_.NoteOperating(member_id, method, response.operating, response.operating_reset_at);
      }
      Count(method, "ok");
      return response;
    }
    last = Classify(
        reply.status, answer.is_object() ? Text(answer, "error") : "",
        answer.is_object() ? Text(answer, "error_description") : reply.body.substr(0, 200));
    Count(method, last.code.empty() ? std::to_string(reply.status) : last.code);
    {
      std::lock_guard<std::mutex> lock(stats_mutex_);
      ++stats_.failures;
    }
    switch (last.kind) {
      case FailureKind::kExpiredToken: {
        if (refreshed) return tl::unexpected(last);
        auto ok = Refresh(member_id, auth->access_token);
        if (!ok) return tl::unexpected(ok.error());
        refreshed = true;
        continue;
      }
      case FailureKind::kQueryLimit:
        limiter_.HoldPortal(member_id, clock_.Now() + backoff);
        backoff *= 2;
        continue;
      case FailureKind::kOperationLimit:
        limiter_.HoldMethod(member_id, method, clock_.Now() + backoff);
        backoff *= 2;
        continue;
      case FailureKind::kTransport:
      case FailureKind::kServer:
        NoteHealth(member_id, last);  // shown while the retries go on, not only after them
        if (!read) return tl::unexpected(last);  // it may have run: the caller checks and decides
        // In slices, so a shutdown does not wait out the whole backoff.
        for (double slept = 0; slept < backoff && !stopping_; slept += 0.1) clock_.Sleep(0.1);
        backoff *= 2;
        continue;
      case FailureKind::kInvalidToken:
      case FailureKind::kNeedsReinstall:
      case FailureKind::kUnknownPortal:
      case FailureKind::kNotFound:
      case FailureKind::kAccessDenied:
      case FailureKind::kBadRequest:
      case FailureKind::kNotSent:
        return tl::unexpected(last);
    }
  }
  return tl::unexpected(last);
}

Result<Response> RestClient::Call(const std::string& member_id, const std::string& method,
                                  const json& params, Lane lane) {
  return CallOnce(member_id, method, nlohmann::ordered_json(params), lane, IsRead(method));
}

Result<std::vector<BatchItem>> RestClient::Batch(const std::string& member_id,
                                                 const std::vector<BatchCommand>& commands,
                                                 Lane lane, bool halt,
                                                 const BeforeSending& before_sending) {
  constexpr size_t kMaxCommands = 50;
  std::vector<BatchItem> items;
  for (size_t start = 0; start < commands.size(); start += kMaxCommands) {
    const size_t end = std::min(commands.size(), start + kMaxCommands);
    nlohmann::ordered_json cmd = nlohmann::ordered_json::object();
    bool read = true;
    for (size_t i = start; i < end; ++i) {
      const auto& c = commands[i];
      cmd[c.key] = c.method + "?" + core::EncodeQuery(c.params);
      read = read && IsRead(c.method);
    }
    const nlohmann::ordered_json request = {{"halt", halt ? 1 : 0}, {"cmd", cmd}};
    std::function<bool()> announce;
    if (before_sending)
      announce = [&before_sending, start, end] { return before_sending(start, end); };
    auto response = CallOnce(member_id, "batch", request, lane, read, announce);
    if (!response) return tl::unexpected(response.error());
    const json& r = response->result;
    const json& results = Entry(r, "result");
    const json& errors = Entry(r, "result_error");
    // The envelope of REST.md §5: result and result_error are objects (or empty lists).
    const auto part_ok = [](const json& part) {
      return part.is_object() || (part.is_array() && part.empty()) || part.is_null();
    };
    if (!r.is_object() || !part_ok(results) || !part_ok(errors) ||
        (results.is_null() && errors.is_null())) {
      const Failure malformed{FailureKind::kBadRequest, 200, "", "malformed batch answer"};
      NoteHealth(member_id, malformed);
      return tl::unexpected(malformed);
    }
    for (size_t i = start; i < end; ++i) {
      BatchItem item;
      item.key = commands[i].key;
      const json& error = Entry(errors, item.key);
      if (error.is_object()) {
        item.failure = Classify(400, Text(error, "error"), Text(error, "error_description"));
      } else if (results.is_object() && results.contains(item.key)) {
        item.result = results[item.key];
        const json& total = Entry(Entry(r, "result_total"), item.key);
        const json& next = Entry(Entry(r, "result_next"), item.key);
        item.total = SafeLong(total);
        item.next = SafeLong(next);
      } else {
        item.failure = Failure{FailureKind::kBadRequest, 0, "", "not run (halted)"};
      }
      items.push_back(std::move(item));
    }
  }
  return items;
}

Result<long> RestClient::ScanById(const std::string& member_id, const std::string& method,
                                  json params, const std::function<bool(const json& rows)>& on_page,
                                  Lane lane, const std::string& id_field) {
  long seen = 0;
  long last_id = 0;
  if (!params.is_object()) params = json::object();
  if (!params.contains("filter") || !params["filter"].is_object())
    params["filter"] = json::object();
  params["order"] = {{id_field, "ASC"}};
  params["start"] = -1;  // no COUNT(*): the fast full export of huge-data.md
  for (;;) {
    params["filter"][">" + id_field] = last_id;
    auto page = Call(member_id, method, params, lane);
    if (!page) return tl::unexpected(page.error());
    const json rows = RowsOf(page->result);
    if (rows.empty()) break;
    seen += static_cast<long>(rows.size());
    if (!on_page(rows)) break;
    const long next_id = IdOf(rows.back(), id_field);
    if (next_id <= last_id) break;  // a server ignoring the filter must not loop us forever
    last_id = next_id;
    if (rows.size() < 50) break;
  }
  return seen;
}

Result<std::vector<json>> RestClient::ListAll(const std::string& member_id,
                                              const std::string& method, json params, Lane lane) {
  std::vector<json> rows;
  if (!params.is_object()) params = json::object();
  long start = 0;
  for (;;) {
    params["start"] = start;
    auto page = Call(member_id, method, params, lane);
    if (!page) return tl::unexpected(page.error());
    for (const auto& row : RowsOf(page->result)) rows.push_back(row);
    if (!page->next || *page->next <= start) break;
    start = *page->next;
  }
  return rows;
}

ClientStats RestClient::Stats() const {
  std::lock_guard<std::mutex> lock(stats_mutex_);
  return stats_;
}

}  // namespace b24
