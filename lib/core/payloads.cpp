#include "lib/core/payloads.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "lib/core/form.h"

namespace core {
namespace {

using json = nlohmann::json;

std::string Get(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : "";
}

int64_t Number(const std::string& text) {
  int64_t out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() ? out : 0;
}

Error Missing(const std::string& what) {
  return {ErrorCode::kInvalidArgument, what + " is missing"};
}

// PLACEMENT_OPTIONS is a JSON string (REST.md §1.2); anything that is not a JSON object — `[]`,
// "undefined", nothing at all — means no options, as the PHP SDK reads it.
json PlacementOptions(const json& body) {
  auto it = body.find("PLACEMENT_OPTIONS");
  if (it == body.end()) return json::object();
  if (it->is_object()) return *it;  // sent as PLACEMENT_OPTIONS[ID]=…
  if (!it->is_string()) return json::object();
  json options = json::parse(it->get<std::string>(), nullptr, false);
  return options.is_object() ? options : json::object();
}

}  // namespace

Result<PageRequest> ParsePageRequest(std::string_view query, std::string_view body) {
  auto q = ParseForm(query);
  if (!q) return tl::unexpected(q.error());
  auto b = ParseForm(body);
  if (!b) return tl::unexpected(b.error());
  PageRequest r;
  r.domain = Get(*q, "DOMAIN");
  r.lang = Get(*q, "LANG");
  r.member_id = Get(*b, "member_id");
  r.auth_id = Get(*b, "AUTH_ID");
  r.auth_expires = Number(Get(*b, "AUTH_EXPIRES"));
  r.refresh_id = Get(*b, "REFRESH_ID");
  r.application_token = Get(*b, "APPLICATION_TOKEN");
  r.status = Get(*b, "status");
  r.placement = Get(*b, "PLACEMENT");
  for (const auto& [value, name] :
       {std::pair{&r.member_id, "member_id"}, {&r.auth_id, "AUTH_ID"}}) {
    if (value->empty()) return tl::unexpected(Missing(name));
  }
  r.placement_options = PlacementOptions(*b);
  return r;
}

int64_t Event::EntityId() const {
  if (!data.is_object() || !data.contains("FIELDS") || !data["FIELDS"].is_object()) return 0;
  return Number(Get(data["FIELDS"], "ID"));
}

Result<Event> ParseEvent(std::string_view body) {
  auto parsed = ParseForm(body);
  if (!parsed) return tl::unexpected(parsed.error());
  const json& form = *parsed;
  Event e;
  e.name = Get(form, "event");
  std::transform(e.name.begin(), e.name.end(), e.name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  e.handler_id = Get(form, "event_handler_id");
  e.ts = Number(Get(form, "ts"));
  if (form.contains("data") && form["data"].is_object()) e.data = form["data"];
  const json auth = form.contains("auth") ? form["auth"] : json::object();
  if (auth.is_object()) {
    e.auth.access_token = Get(auth, "access_token");
    e.auth.refresh_token = Get(auth, "refresh_token");
    e.auth.expires = Number(Get(auth, "expires"));
    e.auth.scope = Get(auth, "scope");
    e.auth.domain = Get(auth, "domain");
    e.auth.server_endpoint = Get(auth, "server_endpoint");
    e.auth.client_endpoint = Get(auth, "client_endpoint");
    e.auth.member_id = Get(auth, "member_id");
    e.auth.application_token = Get(auth, "application_token");
    e.auth.status = Get(auth, "status");
    e.auth.user_id = Number(Get(auth, "user_id"));
  }
  if (e.name.empty()) return tl::unexpected(Missing("event"));
  const bool name_ok = std::all_of(e.name.begin(), e.name.end(), [](unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  });
  if (!name_ok) {
    return tl::unexpected(Error{ErrorCode::kInvalidArgument, "'event' is not an event name"});
  }
  if (e.auth.member_id.empty()) return tl::unexpected(Missing("auth[member_id]"));
  if (e.auth.application_token.empty()) return tl::unexpected(Missing("auth[application_token]"));
  // A CRM event names its object; without a valid ID there is nothing to re-read.
  if (e.name.rfind("ONCRM", 0) == 0 && e.EntityId() <= 0) {
    return tl::unexpected(
        Error{ErrorCode::kInvalidArgument, "'data[FIELDS][ID]' must be a positive integer"});
  }
  return e;
}

bool JsonNestingWithin(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character, a quote included
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > max_depth) return false;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return true;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff = static_cast<unsigned char>(diff | (x ^ y));
  }
  return diff == 0;
}

}  // namespace core
