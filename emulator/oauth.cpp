#include "emulator/oauth.h"

#include "emulator/envelope.h"

namespace emu {
namespace {

HttpOut OAuthError(int status, const std::string& code, const std::string& description) {
  return {status, PhpJson({{"error", code}, {"error_description", description}})};
}

std::string Get(const json& params, const char* key) {
  auto it = params.find(key);
  return it != params.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

HttpOut HandleOAuthToken(State& state, const json& params) {
  std::lock_guard<std::mutex> lock(state.mutex);
  const std::string grant = Get(params, "grant_type");
  if (grant.empty()) return OAuthError(400, "invalid_request", "grant_type is required");
  if (Get(params, "client_id") != state.app.client_id ||
      Get(params, "client_secret") != state.app.client_secret) {
    return OAuthError(401, "invalid_client", "Client authentication failed");
  }
  if (grant != "refresh_token") {
    return OAuthError(400, "invalid_request", "Unsupported grant_type: " + grant);
  }
  auto it = state.refresh_tokens.find(Get(params, "refresh_token"));
  const double now = state.clock.Now();
  if (it == state.refresh_tokens.end() || it->second.expires <= now) {
    return OAuthError(400, "invalid_grant",
                      "The provided authorization grant is invalid, expired, revoked");
  }
  const RefreshToken used = it->second;
  state.refresh_tokens.erase(it);  // rotation: the old refresh token is spent
  Portal* portal = state.FindPortal(used.member_id);
  if (portal == nullptr || portal->installations.count(used.client_id) == 0) {
    return OAuthError(400, "invalid_grant",
                      "The provided authorization grant is invalid, expired, revoked");
  }
  const Installation& app = portal->installations.at(used.client_id);
  auto [access, refresh] = state.IssueTokens(*portal, used.client_id, used.user_id, true);
  const json body = {{"access_token", access},
                     {"client_endpoint", state.RestEndpoint(*portal)},
                     {"domain", state.public_http.substr(state.public_http.find("://") + 3)},
                     {"expires", static_cast<long>(state.access_tokens.at(access).expires)},
                     {"expires_in", static_cast<long>(state.token_lifetime)},
                     {"member_id", portal->member_id},
                     {"refresh_token", refresh},
                     {"scope", app.scope},
                     {"server_endpoint", state.ServerEndpoint()},
                     {"status", app.status},
                     {"user_id", used.user_id}};
  return {200, PhpJson(body)};
}

}  // namespace emu
