#include "lib/b24/vouch.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "lib/core/change.h"
#include "lib/core/query_encoding.h"

namespace b24 {
namespace {

using json = nlohmann::json;

bool IsTokenText(const std::string& text) {
  return !text.empty() && text.size() <= 512 &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return c > 32 && c < 127; });
}

Failure Malformed(const std::string& what) {
  return {FailureKind::kBadRequest, 200, "", "malformed answer: " + what};
}

}  // namespace

bool IsRestEndpoint(const std::string& url) {
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    rest = url.substr(7);
  } else {
    return false;
  }
  const auto slash = rest.find('/');
  if (slash == std::string::npos || slash == 0 || url.size() > 512) return false;
  const std::string host = rest.substr(0, slash);
  const bool host_ok = std::all_of(host.begin(), host.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '.' || c == '-' || c == ':';
  });
  const std::string path = rest.substr(slash);
  const bool path_ok = std::all_of(path.begin(), path.end(), [](unsigned char c) {
    return std::isalnum(c) != 0 || c == '/' || c == '.' || c == '-' || c == '_';
  });
  return host_ok && path_ok && path.size() >= 6 && path.compare(path.size() - 6, 6, "/rest/") == 0;
}

Result<VouchedGrant> ExchangeRefreshToken(Transport& transport, const ClientOptions& options,
                                          const std::string& refresh_token, int64_t now) {
  if (!IsTokenText(refresh_token)) {
    return tl::unexpected(Failure{FailureKind::kBadRequest, 0, "", "no refresh token"});
  }
  const std::string url = options.oauth_url + "?grant_type=refresh_token&client_id=" +
                          core::PercentEncode(options.client_id) +
                          "&client_secret=" + core::PercentEncode(options.client_secret) +
                          "&refresh_token=" + core::PercentEncode(refresh_token);
  const HttpReply reply = transport.Get(url, options.timeout_seconds);
  const json body = json::parse(reply.body, nullptr, false);
  if (reply.status != 200) {
    return tl::unexpected(
        Classify(reply.status, body.is_object() ? core::TextField(body, "error") : "",
                 body.is_object() ? core::TextField(body, "error_description") : ""));
  }
  if (!body.is_object()) return tl::unexpected(Malformed("not a JSON object"));
  VouchedGrant grant;
  grant.member_id = core::TextField(body, "member_id");
  grant.client_endpoint = core::TextField(body, "client_endpoint");
  grant.server_endpoint = core::TextField(body, "server_endpoint");
  grant.access_token = core::TextField(body, "access_token");
  grant.refresh_token = core::TextField(body, "refresh_token");
  grant.scope = core::TextField(body, "scope");
  grant.status = core::TextField(body, "status");
  grant.user_id = core::IdField(body, "user_id");
  grant.expires = core::IdField(body, "expires");
  if (grant.expires <= 0) {
    const int64_t lifetime = core::IdField(body, "expires_in");
    grant.expires = now + (lifetime > 0 ? lifetime : 3600);
  }
  if (!IsTokenText(grant.access_token) || !IsTokenText(grant.refresh_token))
    return tl::unexpected(Malformed("no token pair"));
  if (!IsTokenText(grant.member_id) || grant.member_id.size() > 64)
    return tl::unexpected(Malformed("no member_id"));
  if (!IsRestEndpoint(grant.client_endpoint))
    return tl::unexpected(Malformed("no REST address (client_endpoint)"));
  return grant;
}

Result<TokenHolder> WhoHolds(Transport& transport, const std::string& client_endpoint,
                             const std::string& access_token, double timeout_seconds) {
  if (!IsRestEndpoint(client_endpoint)) {
    return tl::unexpected(Failure{FailureKind::kBadRequest, 0, "", "no REST address"});
  }
  if (!IsTokenText(access_token)) {
    return tl::unexpected(Failure{FailureKind::kInvalidToken, 0, "", "no access token"});
  }
  const json call = {
      {"auth", access_token},
      {"halt", 1},
      {"cmd", {{"me", "user.current"}, {"admin", "user.admin"}, {"app", "app.info"}}}};
  const HttpReply reply = transport.Post(client_endpoint + "batch.json", "application/json",
                                         call.dump(), timeout_seconds);
  const json body = json::parse(reply.body, nullptr, false);
  if (reply.status != 200 || !body.is_object()) {
    return tl::unexpected(
        Classify(reply.status, body.is_object() ? core::TextField(body, "error") : "",
                 body.is_object() ? core::TextField(body, "error_description") : ""));
  }
  const json outer = body.value("result", json());
  const json errors = outer.is_object() ? outer.value("result_error", json()) : json();
  if (errors.is_object() && !errors.empty()) {
    const json first = errors.begin().value();
    return tl::unexpected(
        Classify(403, first.is_object() ? core::TextField(first, "error") : "",
                 first.is_object() ? core::TextField(first, "error_description") : ""));
  }
  const json results = outer.is_object() ? outer.value("result", json()) : json();
  if (!results.is_object()) return tl::unexpected(Malformed("no batch result"));
  const json me = results.value("me", json());
  const json app = results.value("app", json());
  const json admin = results.value("admin", json());
  TokenHolder holder;
  holder.user_id = me.is_object() ? core::IdField(me, "ID") : 0;
  holder.admin = admin == true || admin == "Y" || admin == "true";
  holder.app_code = app.is_object() ? core::TextField(app, "CODE") : "";
  if (holder.user_id <= 0) return tl::unexpected(Malformed("no user id"));
  return holder;
}

}  // namespace b24
