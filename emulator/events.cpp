#include "emulator/events.h"

#include <openssl/evp.h>

#include <cstdio>

namespace emu {
namespace {

std::string Ts(double now) { return std::to_string(static_cast<long long>(now)); }

// auth[...] of an online event: the triggering (or auth_type) user's token, or the reduced
// set when automation made the change (REST.md §2.3).
void AppendAuth(State& state, const Portal& portal, const Installation& installation, long user_id,
                bool full, FormPairs& form) {
  const std::string app_token = installation.application_token;
  if (!full) {
    form.emplace_back("auth[domain]", portal.domain);
    form.emplace_back("auth[client_endpoint]", state.RestEndpoint(portal));
    form.emplace_back("auth[server_endpoint]", state.ServerEndpoint());
    form.emplace_back("auth[member_id]", portal.member_id);
    form.emplace_back("auth[application_token]", app_token);
    return;
  }
  const std::string token = state.TokenFor(portal, installation.client_id, user_id);
  const auto& info = state.access_tokens.at(token);
  form.emplace_back("auth[access_token]", token);
  form.emplace_back("auth[expires]", Ts(info.expires));
  form.emplace_back("auth[expires_in]", std::to_string(static_cast<long>(state.token_lifetime)));
  form.emplace_back("auth[scope]", installation.scope);
  form.emplace_back("auth[domain]", portal.domain);
  form.emplace_back("auth[server_endpoint]", state.ServerEndpoint());
  form.emplace_back("auth[status]", installation.status);
  form.emplace_back("auth[client_endpoint]", state.RestEndpoint(portal));
  form.emplace_back("auth[member_id]", portal.member_id);
  form.emplace_back("auth[user_id]", std::to_string(user_id));
  form.emplace_back("auth[application_token]", app_token);
}

void QueueOffline(Call& call, const Binding& binding, const std::string& event, const json& data) {
  const std::string message_id = Md5Hex(event + "|" + data.dump());
  for (auto& row : call.portal.offline_events) {
    if (row.client_id == binding.client_id && row.connector == binding.connector &&
        row.message_id == message_id && row.process_id.empty()) {
      row.timestamp = call.now;  // latest state per object: one row, newest time
      row.error = false;
      return;
    }
  }
  OfflineEvent row;
  row.id = call.portal.NextId("offline_event");
  row.client_id = binding.client_id;
  row.connector = binding.connector;
  row.timestamp = call.now;
  row.event_name = event;
  row.data = data;
  row.additional = call.caller.kind == Caller::Kind::kAutomation
                       ? json(false)
                       : json{{"user_id", call.caller.user_id}};
  row.message_id = message_id;
  call.portal.offline_events.push_back(std::move(row));
}

}  // namespace

std::string Md5Hex(const std::string& text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr);
  std::string out;
  char hex[3];
  for (unsigned int i = 0; i < length; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    out += hex;
  }
  return out;
}

void FireEvent(Call& call, const std::string& event, const json& data) {
  Portal& portal = call.portal;
  bool offline_queued = false;
  for (const auto& [client_id, installation] : portal.installations) {
    if (!installation.installed) continue;  // REST.md §1.1: no events before installFinish
    for (const auto& binding : portal.bindings) {
      if (binding.client_id != client_id || binding.event != event) continue;
      if (binding.offline) {
        if (!binding.connector.empty() && binding.connector == call.caller.auth_connector) continue;
        QueueOffline(call, binding, event, data);
        offline_queued = true;
        continue;
      }
      FormPairs form = {{"event", event}, {"event_handler_id", std::to_string(binding.id)}};
      const auto flat = FlattenForm(data, "data");
      form.insert(form.end(), flat.begin(), flat.end());
      form.emplace_back("ts", Ts(call.now));
      const bool automation = call.caller.kind == Caller::Kind::kAutomation;
      const long user = binding.auth_type != 0 ? binding.auth_type : call.caller.user_id;
      AppendAuth(call.state, portal, installation, user, !automation, form);
      call.outgoing.push_back({binding.handler, EncodeForm(form), event, portal.member_id});
    }
    if (offline_queued) {
      // ONOFFLINEEVENT: one push per originating hit, with the full token set.
      for (const auto& binding : portal.bindings) {
        if (binding.client_id != client_id || binding.event != "ONOFFLINEEVENT" || binding.offline)
          continue;
        FormPairs form =
            AppEventForm(call.state, portal, installation, "ONOFFLINEEVENT", binding.id, {}, true);
        call.outgoing.push_back(
            {binding.handler, EncodeForm(form), "ONOFFLINEEVENT", portal.member_id});
      }
    }
  }
}

FormPairs AppEventForm(State& state, const Portal& portal, const Installation& installation,
                       const std::string& event, long handler_id, const FormPairs& data,
                       bool with_tokens) {
  FormPairs form = {{"event", event}, {"event_handler_id", std::to_string(handler_id)}};
  form.insert(form.end(), data.begin(), data.end());
  form.emplace_back("ts", Ts(state.clock.Now()));
  if (!with_tokens) {
    form.emplace_back("auth[domain]", portal.domain);
    form.emplace_back("auth[server_endpoint]", state.ServerEndpoint());
    form.emplace_back("auth[client_endpoint]", state.RestEndpoint(portal));
    form.emplace_back("auth[member_id]", portal.member_id);
    form.emplace_back("auth[application_token]", installation.application_token);
    return form;
  }
  auto [access, refresh] =
      state.IssueTokens(portal, installation.client_id, installation.admin_user_id, true);
  form.emplace_back("auth[access_token]", access);
  form.emplace_back("auth[expires]", Ts(state.access_tokens.at(access).expires));
  form.emplace_back("auth[expires_in]", std::to_string(static_cast<long>(state.token_lifetime)));
  form.emplace_back("auth[scope]", installation.scope);
  form.emplace_back("auth[domain]", portal.domain);
  form.emplace_back("auth[server_endpoint]", state.ServerEndpoint());
  form.emplace_back("auth[status]", installation.status);
  form.emplace_back("auth[client_endpoint]", state.RestEndpoint(portal));
  form.emplace_back("auth[member_id]", portal.member_id);
  form.emplace_back("auth[user_id]", std::to_string(installation.admin_user_id));
  form.emplace_back("auth[refresh_token]", refresh);
  form.emplace_back("auth[application_token]", installation.application_token);
  return form;
}

}  // namespace emu
