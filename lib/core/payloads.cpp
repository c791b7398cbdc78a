#include "lib/core/payloads.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace core {
namespace {

using json = nlohmann::json;

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%' && i + 2 < text.size() && Hex(text[i + 1]) >= 0 &&
               Hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(Hex(text[i + 1]) * 16 + Hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool IndexKeys(const json& object) {
  for (size_t i = 0; i < object.size(); ++i) {
    if (!object.contains(std::to_string(i))) return false;
  }
  return !object.empty();
}

json Lists(json value) {
  if (!value.is_object()) return value;
  for (auto& item : value.items()) item.value() = Lists(std::move(item.value()));
  if (!IndexKeys(value)) return value;
  json list = json::array();
  for (size_t i = 0; i < value.size(); ++i) list.push_back(value[std::to_string(i)]);
  return list;
}

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

}  // namespace

json ParseForm(std::string_view body) {
  json root = json::object();
  size_t pos = 0;
  while (pos < body.size()) {
    size_t amp = body.find('&', pos);
    if (amp == std::string_view::npos) amp = body.size();
    const std::string_view pair = body.substr(pos, amp - pos);
    pos = amp + 1;
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string key = Decode(pair.substr(0, eq));
    const std::string value = eq == std::string_view::npos ? "" : Decode(pair.substr(eq + 1));
    // "a[b][c]" -> a, b, c
    std::vector<std::string> path;
    const size_t open = key.find('[');
    path.push_back(key.substr(0, open));
    for (size_t p = open; p != std::string::npos && p < key.size();) {
      const size_t close = key.find(']', p);
      if (key[p] != '[' || close == std::string::npos) break;
      path.push_back(key.substr(p + 1, close - p - 1));
      p = close + 1;
    }
    if (path.front().empty()) continue;
    json* node = &root;
    for (size_t i = 0; i < path.size(); ++i) {
      if (!node->is_object()) *node = json::object();
      std::string segment = path[i];
      if (segment.empty()) {  // "a[]" appends
        size_t next = 0;
        while (node->contains(std::to_string(next))) ++next;
        segment = std::to_string(next);
      }
      node = &(*node)[segment];
      if (i + 1 == path.size()) *node = value;
    }
  }
  return Lists(std::move(root));
}

std::string PageRequest::ClientEndpoint() const {
  return std::string(protocol == "0" ? "http" : "https") + "://" + domain + "/rest/";
}

Result<PageRequest> ParsePageRequest(std::string_view query, std::string_view body) {
  const json q = ParseForm(query);
  const json b = ParseForm(body);
  PageRequest r;
  r.domain = Get(q, "DOMAIN");
  r.protocol = Get(q, "PROTOCOL");
  r.lang = Get(q, "LANG");
  r.member_id = Get(b, "member_id");
  r.auth_id = Get(b, "AUTH_ID");
  r.auth_expires = Number(Get(b, "AUTH_EXPIRES"));
  r.refresh_id = Get(b, "REFRESH_ID");
  r.server_endpoint = Get(b, "SERVER_ENDPOINT");
  r.application_token = Get(b, "APPLICATION_TOKEN");
  r.application_scope = Get(b, "APPLICATION_SCOPE");
  r.status = Get(b, "status");
  r.placement = Get(b, "PLACEMENT");
  for (const auto& [value, name] : {std::pair{&r.member_id, "member_id"},
                                    {&r.domain, "DOMAIN"},
                                    {&r.auth_id, "AUTH_ID"},
                                    {&r.application_token, "APPLICATION_TOKEN"}}) {
    if (value->empty()) return tl::unexpected(Missing(name));
  }
  const std::string options = Get(b, "PLACEMENT_OPTIONS");
  if (!options.empty()) {
    r.placement_options = json::parse(options, nullptr, false);
    if (r.placement_options.is_discarded() || !r.placement_options.is_object()) {
      return tl::unexpected(
          Error{ErrorCode::kInvalidArgument, "PLACEMENT_OPTIONS is not a JSON object"});
    }
  }
  return r;
}

int64_t Event::EntityId() const {
  if (!data.is_object() || !data.contains("FIELDS") || !data["FIELDS"].is_object()) return 0;
  return Number(Get(data["FIELDS"], "ID"));
}

Result<Event> ParseEvent(std::string_view body) {
  const json form = ParseForm(body);
  Event e;
  e.name = Get(form, "event");
  std::transform(e.name.begin(), e.name.end(), e.name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  e.handler_id = Get(form, "event_handler_id");
  e.ts = Number(Get(form, "ts"));
  if (form.contains("data") && form["data"].is_object()) e.data = form["data"];
  const json auth = form.value("auth", json::object());
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
