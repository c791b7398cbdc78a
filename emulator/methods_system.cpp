// app.info and batch. Docs: api-reference/common/system/app-info.md,
// settings/how-to-call-rest-api/batch.md
#include <algorithm>
#include <regex>

#include "emulator/crm_store.h"
#include "emulator/envelope.h"
#include "emulator/form.h"

namespace emu {
namespace {

constexpr size_t kBatchMaxLength = 50;

// The license family of the plan; Bitrix24 names its free plan "project".
std::string LicenseFamily(const Portal& portal) {
  return portal.plan == "enterprise" ? "ent" : portal.plan == "free" ? "project" : "basic";
}

std::string LicenseType(const Portal& portal) {
  return portal.plan == "enterprise" ? "ent250" : LicenseFamily(portal);
}

std::string License(const Portal& portal) { return portal.language + "_" + LicenseType(portal); }

MethodResult AppInfo(Call& call) {
  if (call.caller.kind == Caller::Kind::kWebhook) {
    json scopes = json::array();
    for (const char* s : {"crm", "user", "department", "task", "timeman", "im", "placement"}) {
      scopes.push_back(s);
    }
    return Reply{{{"SCOPE", scopes}, {"LICENSE", License(call.portal)}}, {}, {}};
  }
  if (call.caller.kind != Caller::Kind::kApp) return AccessDenied("Application context required");
  const Installation& app = call.portal.installations.at(call.caller.client_id);
  return Reply{{{"ID", 1},
                {"CODE", app.client_id},
                {"VERSION", app.version},
                {"STATUS", app.status},
                {"INSTALLED", app.installed},
                {"PAYMENT_EXPIRED", "N"},
                {"DAYS", nullptr},
                {"LANGUAGE_ID", call.portal.language},
                {"LICENSE", License(call.portal)},
                {"LICENSE_TYPE", LicenseType(call.portal)},
                {"LICENSE_FAMILY", LicenseFamily(call.portal)}},
               {},
               {}};
}

// Follows $result[key][FIELD][0]... through the results so far. A step that is not there ends
// the walk where it stands, and that node is the value (the portal's core does so —
// CRestUtil::processBatchElement — so a reference to a missing field yields its parent, not
// nothing). False only when the text is no reference.
bool Resolve(const json& namespaces, const std::string& reference, json& out) {
  static const std::regex kHead(R"(^\$(result|next|total|time|error)((\[[^\]]*\])+)$)");
  std::smatch match;
  if (!std::regex_match(reference, match, kHead)) return false;
  const json* node = &namespaces.at(match[1].str());
  const std::string path = match[2].str();
  size_t pos = 0;
  while (pos < path.size()) {
    const auto close = path.find(']', pos);
    const std::string key = path.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    const json* next = nullptr;
    if (node->is_object() && node->contains(key)) {
      next = &(*node)[key];
    } else if (node->is_array() && !key.empty() &&
               key.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(key) < node->size()) {
      next = &(*node)[std::stoul(key)];
    }
    if (next == nullptr || next->is_null()) break;  // PHP's isset() is false for null too
    node = next;
  }
  out = *node;
  return true;
}

// A whole-value reference yields the raw value (even an array); inside a longer string only
// scalar values are substituted (REST.md §5).
json Substitute(const json& value, const json& namespaces) {
  if (value.is_object()) {
    json out = json::object();
    for (const auto& item : value.items()) out[item.key()] = Substitute(item.value(), namespaces);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(Substitute(item, namespaces));
    return out;
  }
  if (!value.is_string()) return value;
  const std::string text = value.get<std::string>();
  json whole;
  if (Resolve(namespaces, text, whole)) return whole;
  static const std::regex kInner(R"(\$(result|next|total|time|error)(\[[^\]]*\])+)");
  std::string out;
  auto begin = std::sregex_iterator(text.begin(), text.end(), kInner);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    const auto position = static_cast<size_t>(it->position());
    out += text.substr(last, position - last);
    json found;
    if (Resolve(namespaces, it->str(), found) && (found.is_string() || found.is_number())) {
      out += found.is_string() ? found.get<std::string>() : found.dump();
    } else {
      out += it->str();
    }
    last = position + static_cast<size_t>(it->length());
  }
  return out + text.substr(last);
}

json PrintedTime(const Call& call, double start) {
  return json(TimeObject({start, call.state.clock.Now(), 0, 0}, call.portal.tz_minutes));
}

MethodResult Batch(Call& call) {
  const json* cmd = call.Param("cmd");
  if (cmd == nullptr || !(cmd->is_object() || cmd->is_array())) {
    return Fail(400, "ERROR_ARGUMENT", "Argument 'cmd' is null or empty");
  }
  const json* halt_param = call.Param("halt");
  const bool halt = halt_param != nullptr && (*halt_param == true || AsId(halt_param) == 1);
  json namespaces = {{"result", json::object()},
                     {"next", json::object()},
                     {"total", json::object()},
                     {"time", json::object()},
                     {"error", json::object()}};
  json result = json::object(), errors = json::object(), totals = json::object(),
       nexts = json::object(), times = json::object();
  size_t count = 0;
  std::vector<std::pair<std::string, std::string>> commands;
  if (cmd->is_object()) {
    for (const auto& item : cmd->items())
      commands.emplace_back(item.key(),
                            item.value().is_string() ? item.value().get<std::string>() : "");
  } else {
    for (size_t i = 0; i < cmd->size(); ++i)
      commands.emplace_back(std::to_string(i),
                            (*cmd)[i].is_string() ? (*cmd)[i].get<std::string>() : "");
  }
  // Answers are kept for `$result[...]` references only when a command makes one: a batch of
  // large lists would otherwise copy every answer twice.
  const bool references = std::any_of(commands.begin(), commands.end(), [](const auto& c) {
    return c.second.find('$') != std::string::npos || c.second.find("%24") != std::string::npos;
  });
  // An ordered_json object is a vector whose growth copies (not moves) what it holds: room for
  // every answer up front, or a batch of lists copies its rows again at each doubling.
  result.get_ref<json::object_t&>().reserve(std::min(commands.size(), kBatchMaxLength));
  for (const auto& [key, command] : commands) {
    if (count++ >= kBatchMaxLength) {
      errors[key] = {{"error", "ERROR_BATCH_LENGTH_EXCEEDED"},
                     {"error_description", "Max batch length exceeded"}};
      continue;
    }
    const auto question = command.find('?');
    const std::string method = AsciiLower(command.substr(0, question));
    if (method == "batch") {
      errors[key] = {{"error", "ERROR_BATCH_METHOD_NOT_ALLOWED"},
                     {"error_description", "Method is not allowed for batch usage"}};
      if (halt) break;
      continue;
    }
    json params =
        question == std::string::npos ? json::object() : ParseForm(command.substr(question + 1));
    if (references) params = Substitute(params, namespaces);
    params.erase("auth");
    const double start = call.state.clock.Now();
    Call sub{call.state, call.portal, call.caller, params, call.now, call.outgoing};
    Invocation invocation = Invoke(sub, method);
    if (!invocation.result) {
      const auto& e = invocation.result.error();
      errors[key] = {{"error", e.code}, {"error_description", e.description}};
      namespaces["error"][key] = errors[key];
      if (halt) break;
      continue;
    }
    Reply& reply = *invocation.result;
    if (references) namespaces["result"][key] = reply.result;
    result[key] = std::move(reply.result);
    if (reply.total) totals[key] = namespaces["total"][key] = *reply.total;
    if (reply.next) nexts[key] = namespaces["next"][key] = *reply.next;
    times[key] = PrintedTime(call, start);
  }
  json out = json::object();
  out.get_ref<json::object_t&>().reserve(5);
  out["result"] = std::move(result);
  out["result_error"] = std::move(errors);
  out["result_total"] = std::move(totals);
  out["result_next"] = std::move(nexts);
  out["result_time"] = std::move(times);
  return Reply{std::move(out), {}, {}};
}

}  // namespace

void RegisterSystemMethods(MethodTable& t) {
  t["app.info"] = {"", AppInfo};
  t["batch"] = {"", Batch};
}

}  // namespace emu
