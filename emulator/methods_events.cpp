// event.bind/unbind/get, event.offline.*, event.test and placement.bind/unbind/get.
// Docs: api-reference/events/{event-bind,event-unbind,event-get,event-offline-*,test-handler}.md,
// api-reference/widgets/placement-{bind,unbind,get}.md
#include <algorithm>
#include <cctype>

#include "emulator/crm_store.h"
#include "emulator/envelope.h"
#include "emulator/events.h"
#include "emulator/form.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string StrParam(const Call& call, const char* name) {
  const json* v = call.Param(name);
  if (v == nullptr || v->is_null()) return "";
  return v->is_string() ? v->get<std::string>() : v->dump();
}

const std::vector<std::string>& BindableEvents() {
  static const std::vector<std::string> events = [] {
    std::vector<std::string> out = {"ONAPPINSTALL", "ONAPPUPDATE",    "ONAPPUNINSTALL",
                                    "ONAPPTEST",    "ONOFFLINEEVENT", "ONCRMDEALMOVETOCATEGORY"};
    for (const char* entity : {"LEAD", "DEAL", "CONTACT", "COMPANY"}) {
      for (const char* action : {"ADD", "UPDATE", "DELETE"}) {
        out.push_back(std::string("ONCRM") + entity + action);
      }
    }
    return out;
  }();
  return events;
}

std::string HostOf(const std::string& url) {
  const auto scheme = url.find("://");
  if (scheme == std::string::npos) return "";
  const auto start = scheme + 3;
  const auto end = url.find_first_of("/?#", start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  const auto colon = host.rfind(':');
  if (colon != std::string::npos) host.resize(colon);
  return host;
}

// Handlers must be absolute http(s) URLs on the application's own host (HandlerHelper).
tl::expected<void, RestError> CheckHandler(const Installation& installation,
                                           const std::string& url) {
  const std::string lower = AsciiLower(url);
  if (lower.rfind("http://", 0) != 0 && lower.rfind("https://", 0) != 0) {
    return Fail(400, "ERROR_UNSUPPORTED_PROTOCOL", "Unsupported event handler protocol");
  }
  const std::string host = HostOf(url);
  if (host.empty() || host.find('.') == std::string::npos) {
    return Fail(400, "ERROR_WRONG_HANDLER_URL", "Wrong handler URL");
  }
  const std::string app_url = !installation.application_url.empty() ? installation.application_url
                                                                    : installation.installer_url;
  if (!app_url.empty() && HostOf(app_url) != host) {
    return Fail(400, "ERROR_WRONG_HANDLER_URL",
                "Handler URL host doesn't match application URL host");
  }
  return {};
}

const Installation& InstallationOf(const Call& call) {
  return call.portal.installations.at(call.caller.client_id);
}

MethodResult EventBind(Call& call) {
  const std::string event = Upper(StrParam(call, "event"));
  if (event.empty()) return ArgumentError("EVENT", "Argument 'EVENT' is null or empty");
  std::string type = StrParam(call, "event_type");
  if (type.empty()) type = "online";
  if (type != "online" && type != "offline") {
    return ArgumentError("EVENT_TYPE", "Value must be one of {online|offline}");
  }
  const auto& events = BindableEvents();
  if (std::find(events.begin(), events.end(), event) == events.end()) {
    return Fail(400, "ERROR_EVENT_NOT_FOUND", "Event not found");
  }
  const long auth_type = AsId(call.Param("auth_type"));
  if (!call.CallerIsAdmin()) {
    if (type == "offline") {
      return AccessDenied("Offline events binding requires administrator access rights");
    }
    if (auth_type != 0 && auth_type != call.caller.user_id) {
      return AccessDenied("Event binding with AUTH_TYPE requires administrator access rights");
    }
  }
  Binding binding;
  binding.client_id = call.caller.client_id;
  binding.event = event;
  binding.offline = type == "offline";
  binding.auth_type = static_cast<int>(auth_type);
  if (binding.offline) {
    binding.connector = StrParam(call, "auth_connector");
  } else {
    binding.handler = StrParam(call, "handler");
    if (binding.handler.empty())
      return ArgumentError("HANDLER", "Argument 'HANDLER' is null or empty");
    auto ok = CheckHandler(InstallationOf(call), binding.handler);
    if (!ok) return tl::unexpected(ok.error());
  }
  if (const json* options = call.Param("options"); options != nullptr && options->is_object()) {
    binding.options = *options;
  }
  for (const auto& b : call.portal.bindings) {
    if (b.client_id == binding.client_id && b.event == binding.event &&
        b.offline == binding.offline && b.handler == binding.handler &&
        b.connector == binding.connector && b.auth_type == binding.auth_type) {
      return CoreError("Unable to set event handler: Handler already binded");
    }
  }
  binding.id = call.portal.NextId("binding");
  call.portal.bindings.push_back(binding);
  return Reply{true, {}, {}};
}

MethodResult EventUnbind(Call& call) {
  const std::string event = Upper(StrParam(call, "event"));
  if (event.empty()) return ArgumentError("EVENT", "Argument 'EVENT' is null or empty");
  std::string type = StrParam(call, "event_type");
  if (type.empty()) type = "online";
  const bool offline = type == "offline";
  if (offline && !call.CallerIsAdmin()) {
    return AccessDenied("Offline events unbinding requires administrator access rights");
  }
  const std::string handler = StrParam(call, "handler");
  if (!offline && handler.empty())
    return ArgumentError("HANDLER", "Argument 'HANDLER' is null or empty");
  const json* auth_type = call.Param("auth_type");
  long count = 0;
  auto& bindings = call.portal.bindings;
  for (auto it = bindings.begin(); it != bindings.end();) {
    const bool match = it->client_id == call.caller.client_id && it->event == event &&
                       it->offline == offline && (offline || it->handler == handler) &&
                       (auth_type == nullptr || it->auth_type == AsId(auth_type));
    if (match) {
      it = bindings.erase(it);
      ++count;
    } else {
      ++it;
    }
  }
  return Reply{{{"count", count}}, {}, {}};
}

MethodResult EventGet(Call& call) {
  json out = json::array();
  for (const auto& b : call.portal.bindings) {
    if (b.client_id != call.caller.client_id) continue;
    if (b.offline) {
      out.push_back({{"event", b.event}, {"connector_id", b.connector}, {"offline", 1}});
    } else {
      out.push_back({{"event", b.event},
                     {"handler", b.handler},
                     {"auth_type", std::to_string(b.auth_type)},
                     {"offline", 0}});
    }
  }
  return Reply{out, {}, {}};
}

MethodResult EventTest(Call& call) {
  FireEvent(call, "ONAPPTEST", {{"QUERY", call.params}});
  return Reply{1, {}, {}};
}

json OfflineRow(const Portal& portal, const OfflineEvent& e, bool with_state) {
  json row = {{"ID", std::to_string(e.id)},
              {"TIMESTAMP_X", FormatIsoTime(e.timestamp, portal.tz_minutes)},
              {"EVENT_NAME", e.event_name},
              {"EVENT_DATA", e.data},
              {"EVENT_ADDITIONAL", e.additional},
              {"MESSAGE_ID", e.message_id}};
  if (with_state) {
    row["PROCESS_ID"] = e.process_id;
    row["ERROR"] = e.error ? "1" : "0";
  }
  return row;
}

MethodResult OfflineGet(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const json* clear_param = call.Param("clear");
  const bool clear = clear_param == nullptr || AsId(clear_param) != 0 || *clear_param == true;
  long limit = kPageSize;
  if (const json* l = call.Param("limit")) {
    limit = AsId(l);
    if (limit <= 0) return ArgumentError("LIMIT", "Value must be positive integer");
  }
  const std::string process_id = StrParam(call, "process_id");
  const std::string connector = StrParam(call, "auth_connector");
  const bool errors = AsId(call.Param("error")) == 1;
  const json* filter = call.Param("filter");
  const auto conditions = ParseFilter(filter != nullptr ? *filter : json::object());
  std::vector<json> printed;
  for (const auto& e : call.portal.offline_events) {
    if (e.client_id != call.caller.client_id || e.connector != connector) continue;
    if (process_id.empty() ? (!e.process_id.empty() || e.error != errors)
                           : e.process_id != process_id)
      continue;
    json row = OfflineRow(call.portal, e, false);
    if (RowMatches(row, conditions, call.portal.tz_minutes)) printed.push_back(row);
  }
  const json* order = call.Param("order");
  SortRows(printed, order != nullptr && order->is_object() ? *order : json{{"TIMESTAMP_X", "ASC"}},
           call.portal.tz_minutes);
  if (static_cast<long>(printed.size()) > limit) printed.resize(static_cast<size_t>(limit));
  std::string reserved = process_id;
  if (!clear && reserved.empty() && !printed.empty()) reserved = call.state.RandomHex(32);
  auto& rows = call.portal.offline_events;
  for (const auto& row : printed) {
    const long id = std::stol(row["ID"].get<std::string>());
    auto it =
        std::find_if(rows.begin(), rows.end(), [id](const OfflineEvent& e) { return e.id == id; });
    if (clear) {
      rows.erase(it);
    } else {
      it->process_id = reserved;
    }
  }
  return Reply{
      {{"process_id", reserved.empty() ? json(nullptr) : json(reserved)}, {"events", printed}},
      {},
      {}};
}

json ListParam(const Call& call, const char* name) {
  const json* v = call.Param(name);
  if (v == nullptr) return json::array();
  return v->is_array() ? *v : json::array({*v});
}

MethodResult OfflineClear(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const std::string process_id = StrParam(call, "process_id");
  if (process_id.empty())
    return ArgumentError("PROCESS_ID", "Argument 'PROCESS_ID' is null or empty");
  const json ids = ListParam(call, "id");
  const json messages = ListParam(call, "message_id");
  for (const auto& m : messages) {
    if (!m.is_string() || m.get<std::string>().size() != 32) {
      return ArgumentError("MESSAGE_ID", "Value must be array of MESSAGE_ID values");
    }
  }
  auto& rows = call.portal.offline_events;
  rows.erase(
      std::remove_if(rows.begin(), rows.end(),
                     [&](const OfflineEvent& e) {
                       if (e.client_id != call.caller.client_id || e.process_id != process_id)
                         return false;
                       if (ids.empty() && messages.empty()) return true;
                       const json id_text = std::to_string(e.id);
                       return std::any_of(ids.begin(), ids.end(),
                                          [&](const json& i) { return AsId(&i) == e.id; }) ||
                              std::find(messages.begin(), messages.end(), json(e.message_id)) !=
                                  messages.end();
                     }),
      rows.end());
  return Reply{true, {}, {}};
}

MethodResult OfflineError(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const std::string process_id = StrParam(call, "process_id");
  if (process_id.empty())
    return ArgumentError("PROCESS_ID", "Argument 'PROCESS_ID' is null or empty");
  const json messages = ListParam(call, "message_id");
  if (messages.empty())
    return ArgumentError("MESSAGE_ID", "Argument 'MESSAGE_ID' is null or empty");
  for (auto& e : call.portal.offline_events) {
    if (e.client_id == call.caller.client_id && e.process_id == process_id &&
        std::find(messages.begin(), messages.end(), json(e.message_id)) != messages.end()) {
      e.error = true;
      e.process_id.clear();
    }
  }
  return Reply{true, {}, {}};
}

MethodResult OfflineList(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const json* filter = call.Param("filter");
  const auto conditions = ParseFilter(filter != nullptr ? *filter : json::object());
  const std::string connector = StrParam(call, "auth_connector");
  std::vector<json> rows;
  for (const auto& e : call.portal.offline_events) {
    if (e.client_id != call.caller.client_id || e.connector != connector) continue;
    json row = OfflineRow(call.portal, e, true);
    if (RowMatches(row, conditions, call.portal.tz_minutes)) rows.push_back(row);
  }
  const json* order = call.Param("order");
  SortRows(rows, order != nullptr ? *order : json::object(), call.portal.tz_minutes);
  return PageOf(std::move(rows), ReadPage(call.Param("start")));
}

// --- placements -----------------------------------------------------------------------------

bool KnownPlacement(const std::string& code) {
  if (code == "LEFT_MENU" || code == "CRM_FUNNELS_TOOLBAR") return true;
  for (const char* entity : {"LEAD", "DEAL", "CONTACT", "COMPANY"}) {
    for (const char* where :
         {"_DETAIL_TAB", "_LIST_MENU", "_DETAIL_TOOLBAR", "_LIST_TOOLBAR", "_DETAIL_ACTIVITY"}) {
      if (code == std::string("CRM_") + entity + where) return true;
    }
  }
  return false;
}

MethodResult PlacementBind(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const json* placement_param = call.Param("PLACEMENT");
  if (placement_param != nullptr && !placement_param->is_string()) {
    return ArgumentError("PLACEMENT",
                         "The value of an argument 'PLACEMENT' must be of type string");
  }
  const std::string placement = Upper(StrParam(call, "PLACEMENT"));
  if (placement.empty()) {
    return ArgumentError("The placement code is not specified",
                         "Argument 'The placement code is not specified' is null or empty");
  }
  const std::string handler = StrParam(call, "HANDLER");
  if (handler.empty()) {
    return ArgumentError(
        "The URL of the placement handler is not specified",
        "Argument 'The URL of the placement handler is not specified' is null or empty");
  }
  const bool needs_crm = placement.rfind("CRM_", 0) == 0;
  if (!KnownPlacement(placement) ||
      (needs_crm && !call.caller.scopes.empty() && call.caller.scopes.count("crm") == 0)) {
    return Fail(400, "ERROR_PLACEMENT_NOT_FOUND", "Placement not found");
  }
  auto ok = CheckHandler(InstallationOf(call), handler);
  if (!ok) return tl::unexpected(ok.error());
  const long user_id = AsId(call.Param("USER_ID"));
  for (const auto& p : call.portal.placements) {
    if (p.client_id == call.caller.client_id && p.placement == placement && p.handler == handler &&
        p.user_id == user_id) {
      return CoreError("Unable to set placement handler: Handler already binded");
    }
  }
  PlacementBinding binding;
  binding.id = call.portal.NextId("placement");
  binding.client_id = call.caller.client_id;
  binding.placement = placement;
  binding.handler = handler;
  binding.title = StrParam(call, "TITLE");
  binding.description = StrParam(call, "DESCRIPTION");
  binding.group_name = StrParam(call, "GROUP_NAME");
  if (const json* lang = call.Param("LANG_ALL"); lang != nullptr && lang->is_object())
    binding.lang_all = *lang;
  if (const json* options = call.Param("OPTIONS"); options != nullptr && options->is_object())
    binding.options = *options;
  binding.user_id = static_cast<int>(user_id);
  call.portal.placements.push_back(binding);
  return Reply{true, {}, {}};
}

MethodResult PlacementUnbind(Call& call) {
  if (!call.CallerIsAdmin()) return AccessDenied();
  const std::string placement = Upper(StrParam(call, "PLACEMENT"));
  if (placement.empty()) {
    return ArgumentError("The placement code is not specified",
                         "Argument 'The placement code is not specified' is null or empty");
  }
  const std::string handler = StrParam(call, "HANDLER");
  const json* user = call.Param("USER_ID");
  long count = 0;
  auto& rows = call.portal.placements;
  for (auto it = rows.begin(); it != rows.end();) {
    const bool match = it->client_id == call.caller.client_id && it->placement == placement &&
                       (handler.empty() || it->handler == handler) &&
                       (user == nullptr || it->user_id == AsId(user));
    if (match) {
      it = rows.erase(it);
      count += 2;  // Bitrix counts the match and the deletion
    } else {
      ++it;
    }
  }
  return Reply{{{"count", count}}, {}, {}};
}

MethodResult PlacementGet(Call& call) {
  json out = json::array();
  for (const auto& p : call.portal.placements) {
    if (p.client_id != call.caller.client_id) continue;
    out.push_back({{"id", p.id},
                   {"placement", p.placement},
                   {"userId", p.user_id},
                   {"handler", p.handler},
                   {"options", p.options},
                   {"title", p.title},
                   {"description", p.description},
                   {"langAll", p.lang_all}});
  }
  return Reply{out, {}, {}};
}

}  // namespace

void RegisterEventMethods(MethodTable& t) {
  t["event.bind"] = {"", EventBind, true};
  t["event.unbind"] = {"", EventUnbind, true};
  t["event.get"] = {"", EventGet, true};
  t["event.test"] = {"", EventTest, true};
  t["event.offline.get"] = {"", OfflineGet, true};
  t["event.offline.clear"] = {"", OfflineClear, true};
  t["event.offline.error"] = {"", OfflineError, true};
  t["event.offline.list"] = {"", OfflineList, true};
  t["placement.bind"] = {"placement", PlacementBind, true};
  t["placement.unbind"] = {"placement", PlacementUnbind, true};
  t["placement.get"] = {"placement", PlacementGet, true};
}

}  // namespace emu
