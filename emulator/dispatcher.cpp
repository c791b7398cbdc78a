#include "emulator/dispatcher.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <thread>

#include "emulator/envelope.h"
#include "emulator/form.h"

namespace emu {
namespace {

double RealSeconds() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::string OperatingKey(const Caller& caller, const std::string& method) {
  const std::string who = caller.kind == Caller::Kind::kWebhook ? "hook:" + caller.webhook_code
                                                                : "app:" + caller.client_id;
  return who + "|" + method;
}

// Sum of the last ten one-minute buckets and when the oldest of them expires.
std::pair<double, long> OperatingSum(const OperatingWindow& window, double now) {
  const long minute = static_cast<long>(now / 60);
  double sum = 0;
  long oldest = minute;
  for (size_t i = 0; i < window.seconds.size(); ++i) {
    if (window.seconds[i] > 0 && minute - window.minute[i] < 10) {
      sum += window.seconds[i];
      oldest = std::min(oldest, window.minute[i]);
    }
  }
  return {sum, (oldest + 10) * 60};
}

void AddOperating(OperatingWindow& window, double now, double seconds) {
  const long minute = static_cast<long>(now / 60);
  const auto slot = static_cast<size_t>(minute % 10);
  if (window.minute[slot] != minute) {
    window.minute[slot] = minute;
    window.seconds[slot] = 0;
  }
  window.seconds[slot] += seconds;
}

// The leaky bucket of REST.md §4.1: refuses when one more request would overflow it.
bool TakeFromBucket(Portal& portal, double now) {
  const double drained = (now - portal.bucket_updated) * portal.limits.drain;
  portal.bucket_level = std::max(0.0, portal.bucket_level - std::max(0.0, drained));
  portal.bucket_updated = now;
  if (portal.bucket_level + 1 > portal.limits.bucket) return false;
  portal.bucket_level += 1;
  return true;
}

HttpOut SuccessOut(Reply reply, const nlohmann::ordered_json& time) {
  return {200, SuccessBody(std::move(reply.result), reply.next ? &*reply.next : nullptr,
                           reply.total ? &*reply.total : nullptr, time)};
}

struct Route {
  std::string method;
  long webhook_user = 0;
  std::string webhook_code;
};

tl::expected<Route, RestError> ParseRoute(const std::string& path) {
  static const std::string kPrefix = "/rest/";
  if (path.rfind(kPrefix, 0) != 0) return Fail(404, "ERROR_METHOD_NOT_FOUND", "Method not found!");
  std::string rest = path.substr(kPrefix.size());
  Route route;
  const auto first = rest.find('/');
  if (first != std::string::npos) {
    const auto second = rest.find('/', first + 1);
    if (second == std::string::npos)
      return Fail(401, "INVALID_CREDENTIALS", "Invalid request credentials");
    const std::string user = rest.substr(0, first);
    if (user.empty() || !std::all_of(user.begin(), user.end(), ::isdigit) || user.size() > 9) {
      return Fail(401, "INVALID_CREDENTIALS", "Invalid request credentials");
    }
    route.webhook_user = std::stol(user);
    route.webhook_code = rest.substr(first + 1, second - first - 1);
    rest = rest.substr(second + 1);
  }
  for (const char* suffix : {".json", ".xml"}) {
    const std::string s = suffix;
    if (rest.size() > s.size() && rest.compare(rest.size() - s.size(), s.size(), s) == 0) {
      rest.resize(rest.size() - s.size());
    }
  }
  route.method = AsciiLower(rest);
  return route;
}

std::string BearerToken(const std::string& header) {
  static const std::string kBearer = "bearer ";
  if (header.size() > kBearer.size() && AsciiLower(header.substr(0, kBearer.size())) == kBearer) {
    return header.substr(kBearer.size());
  }
  return "";
}

std::set<std::string> SplitScopes(const std::string& scope) {
  std::set<std::string> out;
  size_t pos = 0;
  while (pos <= scope.size()) {
    auto comma = scope.find(',', pos);
    if (comma == std::string::npos) comma = scope.size();
    std::string item = scope.substr(pos, comma - pos);
    item.erase(std::remove_if(item.begin(), item.end(), ::isspace), item.end());
    if (!item.empty()) out.insert(item);
    pos = comma + 1;
  }
  return out;
}

// Resolves the caller from a webhook path or an OAuth token. Removes `auth` from params.
// An expired token still names its portal and app: `entry` records them for the log.
tl::expected<std::pair<Portal*, Caller>, RestError> Authenticate(State& state, const Route& route,
                                                                 json& params,
                                                                 const std::string& header,
                                                                 LogEntry& entry) {
  Caller caller;
  if (!route.webhook_code.empty()) {
    for (auto& [member_id, portal] : state.portals) {
      auto it = portal.webhooks.find(route.webhook_code);
      if (it != portal.webhooks.end() && it->second == route.webhook_user) {
        caller.kind = Caller::Kind::kWebhook;
        caller.user_id = route.webhook_user;
        caller.webhook_code = route.webhook_code;
        return std::make_pair(&portal, caller);
      }
    }
    return Fail(401, "INVALID_CREDENTIALS", "Invalid request credentials");
  }
  std::string token;
  for (const char* key : {"auth", "access_token"}) {
    if (params.contains(key) && params[key].is_string()) token = params[key].get<std::string>();
    params.erase(key);
  }
  if (token.empty()) token = BearerToken(header);
  if (token.empty()) return Fail(401, "NO_AUTH_FOUND", "Wrong authorization data");
  auto it = state.access_tokens.find(token);
  Portal* portal =
      it == state.access_tokens.end() ? nullptr : state.FindPortal(it->second.member_id);
  if (portal == nullptr || portal->installations.count(it->second.client_id) == 0) {
    return Fail(401, "invalid_token", "Unable to get application by token");
  }
  if (it->second.expires <= state.clock.Now()) {
    entry.member_id = portal->member_id;
    entry.caller = "app";
    return Fail(401, "expired_token", "The access token provided has expired");
  }
  const auto& installation = portal->installations.at(it->second.client_id);
  caller.kind = Caller::Kind::kApp;
  caller.user_id = it->second.user_id;
  caller.client_id = it->second.client_id;
  caller.scopes = SplitScopes(installation.scope);
  if (params.contains("auth_connector") && params["auth_connector"].is_string()) {
    caller.auth_connector = params["auth_connector"].get<std::string>();
  }
  return std::make_pair(portal, caller);
}

}  // namespace

const char* Caller::KindName() const {
  switch (kind) {
    case Kind::kApp:
      return "app";
    case Kind::kWebhook:
      return "webhook";
    case Kind::kUser:
      return "user";
    case Kind::kAutomation:
      return "automation";
  }
  return "user";
}

bool Call::CallerIsAdmin() const {
  auto it = portal.users.find(caller.user_id);
  return it != portal.users.end() && it->second.value("ADMIN", false);
}

const json* Call::ExactParam(const std::string& name) const {
  auto it = params.find(name);
  return it == params.end() ? nullptr : &*it;
}

const json* Call::Param(const std::string& name) const {
  if (const json* exact = ExactParam(name)) return exact;
  const std::string wanted = AsciiLower(name);
  for (auto it = params.begin(); it != params.end(); ++it) {
    if (AsciiLower(it.key()) == wanted) return &it.value();
  }
  return nullptr;
}

const MethodTable& Methods() {
  static const MethodTable table = [] {
    MethodTable t;
    RegisterCrmMethods(t);
    RegisterItemMethods(t);
    RegisterDictionaryMethods(t);
    RegisterPeopleMethods(t);
    RegisterActivityMethods(t);
    RegisterEventMethods(t);
    RegisterSystemMethods(t);
    return t;
  }();
  return table;
}

namespace {

// The next injected fault for this method, before or after it runs, counted down.
Fault* TakeFault(Portal& portal, const std::string& method, bool after) {
  for (auto& fault : portal.faults) {
    if (fault.remaining > 0 && fault.after == after &&
        (fault.method == "*" || fault.method == method)) {
      if (fault.skip > 0) {
        --fault.skip;
        return nullptr;
      }
      --fault.remaining;
      return &fault;
    }
  }
  return nullptr;
}

}  // namespace

Invocation Invoke(Call& call, const std::string& method) {
  Invocation out{Fail(404, "ERROR_METHOD_NOT_FOUND", "Method not found!"), 0, 0};
  const auto& table = Methods();
  auto def = table.find(method);
  if (def == table.end()) return out;
  // Work-time tracking is not on every plan; where the module is missing, its methods are not
  // registered at all, so the portal answers as for any unknown method.
  if (call.portal.plan == "free" && method.rfind("timeman.", 0) == 0) return out;
  if (def->second.app_only && call.caller.kind != Caller::Kind::kApp) {
    const bool placement = method.rfind("placement.", 0) == 0;
    out.result = Fail(403, "WRONG_AUTH_TYPE",
                      std::string("Current authorization type is denied for this method") +
                          (placement ? " Application context required" : ""));
    return out;
  }
  const bool limited =
      call.caller.kind == Caller::Kind::kApp || call.caller.kind == Caller::Kind::kWebhook;
  if (limited) {
    if (auto* fault = TakeFault(call.portal, method, false)) {
      out.hold_ms = fault->delay_ms;
      if (fault->status != 200) {
        out.result = Fail(fault->status, fault->code, fault->description);
        return out;
      }
    }
  }
  auto& window = call.portal.operating[OperatingKey(call.caller, method)];
  auto [used, reset_at] = OperatingSum(window, call.now);
  out.operating = used;
  out.operating_reset_at = reset_at;
  if (limited && used > call.portal.limits.operating_limit) {
    out.result =
        Fail(429, "OPERATION_TIME_LIMIT", "Method is blocked due to operation time limit.");
    return out;
  }
  if (!def->second.scope.empty() && !call.caller.scopes.empty() &&
      call.caller.scopes.count(def->second.scope) == 0) {
    out.result = Fail(401, "insufficient_scope",
                      "The request requires higher privileges than provided by the access token");
    return out;
  }
  const double started = RealSeconds();
  out.result = def->second.fn(call);
  double spent = RealSeconds() - started;
  auto simulated = call.portal.limits.method_seconds.find(method);
  if (simulated != call.portal.limits.method_seconds.end()) spent = simulated->second;
  if (limited && spent >= 0.1) {  // shorter calls are not counted (REST.md §4.2)
    AddOperating(window, call.now, spent);
    std::tie(out.operating, out.operating_reset_at) = OperatingSum(window, call.now);
  }
  call.state.dirty = true;
  if (limited) {
    if (auto* fault = TakeFault(call.portal, method, true)) {
      out.hold_ms = fault->delay_ms;
      if (fault->status != 200) out.result = Fail(fault->status, fault->code, fault->description);
    }
  }
  return out;
}

tl::expected<json, RestError> ParseParams(const std::string& query, const std::string& content_type,
                                          const std::string& body) {
  json params = ParseForm(query);
  if (body.empty()) return params;
  json from_body;
  if (AsciiLower(content_type).find("application/json") != std::string::npos) {
    from_body = json::parse(body, nullptr, false);
    if (from_body.is_discarded() || !from_body.is_object()) {
      return Fail(400, "ERROR_ARGUMENT", "Request body is not a valid JSON object");
    }
  } else {
    from_body = ParseForm(body);
  }
  for (auto& item : from_body.items()) params[item.key()] = item.value();
  return params;
}

HttpOut ErrorOut(const RestError& error) {
  json body = error.extra.is_object() ? error.extra : json::object();
  body["error"] = error.code;
  body["error_description"] = error.description;
  return {error.status, PhpJson(body)};
}

HttpOut HandleRest(State& state, Deliverer& deliverer, const HttpIn& in) {
  std::vector<Outgoing> outgoing;
  HttpOut out;
  double hold_ms = 0;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    const double start = state.clock.Now();
    LogEntry entry{start, "", "", "", 200, ""};
    auto finish = [&](HttpOut result, const std::string& error) {
      entry.status = result.status;
      entry.error = error;
      state.log.Add(entry);
      return result;
    };
    auto route = ParseRoute(in.path);
    if (!route) return finish(ErrorOut(route.error()), route.error().code);
    entry.method = route->method;
    auto params = ParseParams(in.query, in.content_type, in.body);
    if (!params) return finish(ErrorOut(params.error()), params.error().code);
    auto who = Authenticate(state, *route, *params, in.authorization, entry);
    if (!who) return finish(ErrorOut(who.error()), who.error().code);
    auto& [portal, caller] = *who;
    entry.member_id = portal->member_id;
    if (portal->hostile == "redirect") {
      return finish(HttpOut{302, "", "text/html; charset=utf-8",
                            "http://127.0.0.1:9/rest/" + route->method + ".json"},
                    "");
    }
    if (portal->hostile == "html") {
      return finish(HttpOut{200, "<html><body><h1>Maintenance</h1></body></html>",
                            "text/html; charset=utf-8"},
                    "");
    }
    if (portal->hostile == "wrong_types") {
      const json wrong = {{"result", route->method == "batch" ? json{{"result", "x"},
                                                                     {"result_error", {1, 2}},
                                                                     {"result_total", "many"},
                                                                     {"result_next", {}}}
                                                              : json("unexpected")},
                          {"total", "lots"},
                          {"next", json::array()},
                          {"time", {{"operating", "busy"}, {"operating_reset_at", {{"a", 1}}}}}};
      return finish(HttpOut{200, wrong.dump()}, "");
    }
    if (portal->hostile == "slow") hold_ms = portal->hostile_delay_ms;
    entry.caller = caller.KindName();
    const auto& old_domains = portal->previous_domains;
    if (std::find(old_domains.begin(), old_domains.end(), in.listener) != old_domains.end()) {
      // The portal moved (REST.md §1.6): the old domain redirects, the client must follow.
      HttpOut moved{302, "", "text/html; charset=utf-8", "http://" + portal->domain + in.path};
      if (!in.query.empty()) moved.location += "?" + in.query;
      return finish(moved, "");
    }
    if (auto owner = state.listener_owner.find(in.listener);
        owner != state.listener_owner.end() && owner->second != portal->member_id) {
      // Credentials of one portal sent to another portal's address.
      const auto error =
          route->webhook_code.empty()
              ? Fail(401, "invalid_token", "Unable to get application by token").value()
              : Fail(401, "INVALID_CREDENTIALS", "Invalid request credentials").value();
      return finish(ErrorOut(error), error.code);
    }
    if (!TakeFromBucket(*portal, start)) {
      auto error = Fail(503, "QUERY_LIMIT_EXCEEDED", "Too many requests").value();
      return finish(ErrorOut(error), error.code);
    }
    Call call{state, *portal, caller, std::move(*params), start, outgoing};
    auto invocation = Invoke(call, route->method);
    hold_ms = std::max(hold_ms, invocation.hold_ms);
    if (portal->hostile == "huge_operating") {
      invocation.operating = 1e15;
      invocation.operating_reset_at = 4'000'000'000'000L;
    }
    if (!invocation.result) {
      out = finish(ErrorOut(invocation.result.error()), invocation.result.error().code);
    } else {
      const TimeInfo time{start, state.clock.Now(), invocation.operating,
                          invocation.operating_reset_at};
      out = finish(SuccessOut(std::move(*invocation.result), TimeObject(time, portal->tz_minutes)),
                   "");
    }
  }
  deliverer.Enqueue(std::move(outgoing));
  // A held-back answer keeps only this request waiting, never the portal.
  if (hold_ms > 0) std::this_thread::sleep_for(std::chrono::duration<double, std::milli>(hold_ms));
  return out;
}

HttpOut ActAs(State& state, Deliverer& deliverer, const std::string& member_id,
              const Caller& caller, const std::string& method, const json& params) {
  std::vector<Outgoing> outgoing;
  HttpOut out;
  {
    std::lock_guard<std::mutex> lock(state.mutex);
    Portal* portal = member_id.empty() ? &state.DefaultPortal() : state.FindPortal(member_id);
    if (portal == nullptr) return ErrorOut(Fail(404, "PORTAL_NOT_FOUND", "No such portal").value());
    const double start = state.clock.Now();
    Call call{state, *portal, caller, params.is_object() ? params : json::object(),
              start, outgoing};
    auto invocation = Invoke(call, AsciiLower(method));
    state.log.Add({start, portal->member_id, AsciiLower(method), caller.KindName(),
                   invocation.result ? 200 : invocation.result.error().status,
                   invocation.result ? "" : invocation.result.error().code});
    if (!invocation.result) {
      out = ErrorOut(invocation.result.error());
    } else {
      out = SuccessOut(std::move(*invocation.result),
                       TimeObject({start, state.clock.Now(), 0, 0}, portal->tz_minutes));
    }
  }
  deliverer.Enqueue(std::move(outgoing));
  return out;
}

}  // namespace emu
