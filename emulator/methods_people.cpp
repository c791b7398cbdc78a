// People: user.get, user.current, user.admin, profile, department.get, timeman.status and
// notifications.
// Docs: api-reference/user/*, common/users/profile.md, common/users/user-admin.md,
// departments/department-get.md, timeman/base/timeman-status.md,
// chats/notifications/im-notify-*.md
#include <algorithm>

#include "emulator/crm_store.h"
#include "emulator/envelope.h"
#include "emulator/list_query.h"

namespace emu {
namespace {

json PublicUser(const json& row) {
  json out = row;
  out.erase("ADMIN");  // internal: what `profile` reports
  return out;
}

// Keys given at the top level of user.get are filter fields too (user.get?ID=1).
json UserFilter(const Call& call) {
  json filter = json::object();
  for (const auto& item : call.params.items()) {
    const std::string& key = item.key();
    if (key == "sort" || key == "order" || key == "SORT" || key == "ORDER" || key == "start" ||
        key == "ADMIN_MODE" || key == "FILTER" || key == "filter" || key == "select" ||
        key == "SELECT") {
      continue;
    }
    filter[key] = item.value();
  }
  const json* nested = call.Param("FILTER");
  if (nested != nullptr && nested->is_object()) {
    for (const auto& item : nested->items()) filter[item.key()] = item.value();
  }
  // ACTIVE arrives as true, "Y", "1" or "true"; the row holds a boolean.
  for (auto& item : filter.items()) {
    if (item.key().find("ACTIVE") == std::string::npos) continue;
    const json& v = item.value();
    const bool yes = v == true || v == "Y" || v == "1" || v == "true" || v == 1;
    item.value() = yes ? "Y" : "N";
  }
  return filter;
}

// user.get and department.get take `sort` (a field) and `order` (ASC/DESC) apart.
json SortOrder(const Call& call) {
  json order = json::object();
  const json* sort = call.Param("sort");
  if (sort != nullptr && sort->is_string()) {
    const json* dir = call.Param("order");
    order[sort->get<std::string>()] = dir != nullptr && dir->is_string() ? *dir : json("ASC");
  }
  return order;
}

MethodResult UserGet(Call& call) {
  const auto conditions = ParseFilter(UserFilter(call));
  std::vector<json> rows;
  for (const auto& [id, row] : call.portal.users) {
    if (RowMatches(row, conditions, call.portal.tz_minutes)) rows.push_back(PublicUser(row));
  }
  const json order = SortOrder(call);
  SortRows(rows, order, call.portal.tz_minutes);
  if (rows.empty()) return Reply{json::array(), {}, {}};  // no total on an empty answer
  return PageOf(std::move(rows), ReadPage(call.Param("start")));
}

MethodResult UserCurrent(Call& call) {
  auto it = call.portal.users.find(call.caller.user_id);
  if (it == call.portal.users.end())
    return Fail(401, "authorization_error", "Unable to authorize user");
  return Reply{PublicUser(it->second), {}, {}};
}

// Whether the caller is a portal administrator; any user may ask, and the method has no errors
// of its own.
MethodResult UserAdmin(Call& call) {
  auto it = call.portal.users.find(call.caller.user_id);
  return Reply{it != call.portal.users.end() && it->second.value("ADMIN", false), {}, {}};
}

MethodResult Profile(Call& call) {
  auto it = call.portal.users.find(call.caller.user_id);
  if (it == call.portal.users.end() || it->second.value("ACTIVE", true) == false) {
    return Reply{json::array(), {}, {}};
  }
  const json& u = it->second;
  return Reply{{{"ID", u["ID"]},
                {"ADMIN", u.value("ADMIN", false)},
                {"NAME", u.value("NAME", "")},
                {"LAST_NAME", u.value("LAST_NAME", "")},
                {"PERSONAL_GENDER", u.value("PERSONAL_GENDER", "")},
                {"TIME_ZONE", u.value("TIME_ZONE", "")}},
               {},
               {}};
}

MethodResult DepartmentGet(Call& call) {
  json filter = json::object();
  for (const char* key : {"ID", "NAME", "SORT", "PARENT", "UF_HEAD"}) {
    if (const json* v = call.Param(key)) filter[key] = *v;
  }
  const auto conditions = ParseFilter(filter);
  std::vector<json> rows;
  for (const auto& [id, row] : call.portal.departments) {
    if (!RowMatches(row, conditions, call.portal.tz_minutes)) continue;
    json out = row;
    for (auto it = out.begin(); it != out.end();)
      it = it->is_null() ? out.erase(it) : std::next(it);
    rows.push_back(out);
  }
  const json order = SortOrder(call);
  SortRows(rows, order, call.portal.tz_minutes);
  return PageOf(std::move(rows),
                ReadPage(call.Param("START") ? call.Param("START") : call.Param("start")));
}

std::string Duration(double seconds) {
  const long s = std::max(0L, static_cast<long>(seconds));
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%02ld:%02ld:%02ld", s / 3600, (s / 60) % 60, s % 60);
  return buffer;
}

MethodResult TimemanStatus(Call& call) {
  const json* requested = call.Param("USER_ID");
  const long user = requested != nullptr ? AsId(requested) : call.caller.user_id;
  if (call.portal.users.count(user) == 0) return Fail(400, "", "User not found");
  auto it = call.portal.presence.find(user);
  if (it == call.portal.presence.end() || !it->second.contains("TIME_START")) {
    return Reply{{{"STATUS", "CLOSED"}}, {}, {}};
  }
  const json& p = it->second;
  const int tz = call.portal.tz_minutes;
  const std::string status = p.value("STATUS", "CLOSED");
  const double start = p["TIME_START"].get<double>();
  const bool finished = p.contains("TIME_FINISH") && p["TIME_FINISH"].is_number();
  const double end = finished ? p["TIME_FINISH"].get<double>() : call.now;
  json out = {{"STATUS", status},
              {"TIME_START", FormatIsoTime(start, tz)},
              {"TIME_FINISH", finished ? json(FormatIsoTime(end, tz)) : json(nullptr)},
              {"DURATION", status == "OPENED" ? "00:00:00" : Duration(end - start)},
              {"TIME_LEAKS", Duration(p.value("TIME_LEAKS", 0.0))},
              {"ACTIVE", true},
              {"IP_OPEN", ""},
              {"IP_CLOSE", ""},
              {"LAT_OPEN", 0.0},
              {"LON_OPEN", 0.0},
              {"LAT_CLOSE", 0.0},
              {"LON_CLOSE", 0.0},
              {"TZ_OFFSET", tz * 60}};
  if (status == "EXPIRED") out["TIME_FINISH_DEFAULT"] = FormatIsoTime(start + 9 * 3600, tz);
  return Reply{out, {}, {}};
}

MethodResult Notify(Call& call, const char* kind) {
  const long user = AsId(call.Param("USER_ID"));
  if (user == 0) return Fail(400, "USER_ID_EMPTY", "User ID can't be empty");
  const json* message = call.Param("MESSAGE");
  if (message == nullptr || !message->is_string() || message->get<std::string>().empty()) {
    return Fail(400, "MESSAGE_EMPTY", "Message can't be empty");
  }
  if (call.portal.users.count(user) == 0) return Reply{false, {}, {}};
  const json* attach = call.Param("ATTACH");
  if (attach != nullptr && attach->dump().size() > 60000) {
    return Fail(400, "ATTACH_OVERSIZE", "You have exceeded the maximum allowable size of attach");
  }
  const long id = call.portal.NextId("notification");
  const json* tag = call.Param("TAG");
  call.portal.notifications[id] = {{"ID", id},
                                   {"KIND", kind},
                                   {"USER_ID", user},
                                   {"FROM_USER_ID", call.caller.user_id},
                                   {"MESSAGE", *message},
                                   {"TAG", tag != nullptr ? *tag : json("")},
                                   {"DATE", FormatIsoTime(call.now, call.portal.tz_minutes)}};
  if (tag != nullptr && tag->is_string() && !tag->get<std::string>().empty()) {
    // The same tag replaces the previous notification.
    for (auto it = call.portal.notifications.begin(); it != call.portal.notifications.end();) {
      const bool same =
          it->first != id && it->second["USER_ID"] == user && it->second["TAG"] == *tag;
      it = same ? call.portal.notifications.erase(it) : std::next(it);
    }
  }
  return Reply{id, {}, {}};
}

}  // namespace

void RegisterPeopleMethods(MethodTable& t) {
  t["user.get"] = {"user", UserGet};
  t["user.current"] = {"", UserCurrent};
  t["user.admin"] = {"", UserAdmin};
  t["profile"] = {"", Profile};
  t["department.get"] = {"department", DepartmentGet};
  t["timeman.status"] = {"timeman", TimemanStatus};
  t["im.notify.system.add"] = {"im", [](Call& c) { return Notify(c, "system"); }};
  t["im.notify.personal.add"] = {"im", [](Call& c) { return Notify(c, "personal"); }};
}

}  // namespace emu
