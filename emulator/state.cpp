#include "emulator/state.h"

#include "emulator/envelope.h"

namespace emu {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Installation, client_id, scope, version, installed,
                                                application_token, application_url, installer_url,
                                                install_event_url, admin_user_id, status)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Binding, id, client_id, event, handler, auth_type,
                                                offline, connector, options)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OfflineEvent, id, client_id, connector, timestamp,
                                                event_name, data, additional, message_id,
                                                process_id, error)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(PlacementBinding, id, client_id, placement, handler,
                                                title, description, group_name, lang_all, options,
                                                user_id)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Limits, bucket, drain, operating_limit,
                                                method_seconds)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OperatingWindow, seconds, minute)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(Fault, method, remaining, status, code, description,
                                                after)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(
    Portal, member_id, domain, previous_domains, plan, language, tz_minutes, users, departments,
    presence, crm, categories, statuses, userfields, timeline_comments, activities, tasks,
    notifications, deal_contacts, stage_history, next_id, installations, bindings, offline_events,
    placements, webhooks, limits, bucket_level, bucket_updated, operating, faults)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AccessToken, member_id, client_id, user_id, expires)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(RefreshToken, member_id, client_id, user_id,
                                                expires)

namespace {

json StatusRow(long id, const std::string& entity, const std::string& status_id,
               const std::string& name, int sort, const std::string& semantics,
               const json& category_id, const std::string& color, bool system) {
  std::string extra = semantics == "S" ? "success" : semantics == "F" ? "failure" : "process";
  if (status_id == "APOLOGY") extra = "apology";  // a failure after the first one
  return {
      {"ID", std::to_string(id)},
      {"ENTITY_ID", entity},
      {"STATUS_ID", status_id},
      {"NAME", name},
      {"NAME_INIT", name},
      {"SORT", std::to_string(sort)},
      {"SYSTEM", system ? "Y" : "N"},
      {"CATEGORY_ID", category_id},
      {"COLOR", color},
      {"SEMANTICS", semantics.empty() ? json(nullptr) : json(semantics)},
      {"EXTRA", {{"SEMANTICS", extra}, {"COLOR", color}}},
  };
}

struct Seed {
  const char* id;
  const char* name;
  int sort;
  const char* semantics;
  const char* color;
};

}  // namespace

void RequestLog::Add(LogEntry entry) {
  ++total;
  ++by_method[entry.method][entry.status];
  ++by_status[entry.status];
  if (!entry.error.empty()) ++by_error[entry.error];
  if (!entry.member_id.empty()) ++by_caller[entry.member_id][entry.caller][entry.status];
  recent.push_back(std::move(entry));
  if (recent.size() > kKeep) recent.pop_front();
}

void RequestLog::Clear() { *this = RequestLog{}; }

json RequestLog::ToJson(size_t last) const {
  json methods = json::object();
  for (const auto& [method, statuses] : by_method) {
    for (const auto& [status, count] : statuses) methods[method][std::to_string(status)] = count;
  }
  json statuses = json::object();
  for (const auto& [status, count] : by_status) statuses[std::to_string(status)] = count;
  json callers = json::object();
  for (const auto& [member_id, kinds] : by_caller) {
    for (const auto& [kind, counts] : kinds) {
      for (const auto& [status, count] : counts) {
        callers[member_id][kind][std::to_string(status)] = count;
      }
    }
  }
  json entries = json::array();
  const size_t skip = recent.size() > last ? recent.size() - last : 0;
  for (size_t i = skip; i < recent.size(); ++i) {
    const auto& e = recent[i];
    entries.push_back({{"time", e.time},
                       {"member_id", e.member_id},
                       {"method", e.method},
                       {"caller", e.caller},
                       {"status", e.status},
                       {"error", e.error}});
  }
  return {{"total", total},       {"by_method", methods}, {"by_status", statuses},
          {"by_error", by_error}, {"by_caller", callers}, {"recent", entries}};
}

Portal* State::FindPortal(const std::string& member_id) {
  auto it = portals.find(member_id);
  return it == portals.end() ? nullptr : &it->second;
}

std::string State::RandomHex(size_t chars) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(chars);
  for (size_t i = 0; i < chars; ++i) out.push_back(kHex[random() & 15]);
  return out;
}

Portal& State::CreatePortal(const std::string& member_id, const std::string& domain,
                            const std::string& plan) {
  Portal& p = portals[member_id];
  p = Portal{};
  p.member_id = member_id;
  p.domain = domain;
  p.plan = plan;
  if (plan == "enterprise") p.limits = Limits{250, 5, 480, {}};
  if (default_member_id.empty()) default_member_id = member_id;

  const std::string created = FormatIsoTime(clock.Now(), p.tz_minutes);
  p.departments[1] = {
      {"ID", "1"}, {"NAME", "Компания"}, {"SORT", 500}, {"PARENT", nullptr}, {"UF_HEAD", "1"}};
  p.next_id["department"] = 1;
  p.users[1] = {{"ID", "1"},
                {"ACTIVE", true},
                {"NAME", "Администратор"},
                {"LAST_NAME", "Портала"},
                {"EMAIL", "admin@example.com"},
                {"LAST_LOGIN", created},
                {"DATE_REGISTER", created},
                {"IS_ONLINE", "Y"},
                {"LAST_ACTIVITY_DATE", ""},
                {"UF_DEPARTMENT", json::array({1})},
                {"WORK_POSITION", "Administrator"},
                {"PERSONAL_GENDER", ""},
                {"USER_TYPE", "employee"},
                {"TIME_ZONE", ""},
                {"ADMIN", true}};
  p.next_id["user"] = 1;
  p.presence[1] = {{"STATUS", "CLOSED"}};

  auto add_statuses = [&p](const std::string& entity, const json& category,
                           std::initializer_list<Seed> seeds) {
    for (const auto& s : seeds) {
      const long id = p.NextId("status");
      const std::string status_id = s.id;
      const bool system = status_id == "NEW" || *s.semantics != '\0' || entity == "SOURCE";
      p.statuses[id] =
          StatusRow(id, entity, s.id, s.name, s.sort, s.semantics, category, s.color, system);
      if (entity != "STATUS" && entity != "DEAL_STAGE") p.statuses[id].erase("EXTRA");
    }
  };
  add_statuses("STATUS", nullptr,
               {{"NEW", "Не обработан", 10, "", "#2FC6F6"},
                {"IN_PROCESS", "В работе", 20, "", "#55D0E0"},
                {"PROCESSED", "Обработан", 30, "", "#FFA900"},
                {"CONVERTED", "Качественный лид", 40, "S", "#7BD500"},
                {"JUNK", "Некачественный лид", 50, "F", "#FF5752"}});
  add_statuses("DEAL_STAGE", 0,
               {{"NEW", "Новая", 10, "", "#39A8EF"},
                {"PREPARATION", "Подготовка документов", 20, "", "#2FC6F6"},
                {"PREPAYMENT_INVOICE", "Счёт на предоплату", 30, "", "#55D0E0"},
                {"EXECUTING", "В работе", 40, "", "#47E4C2"},
                {"FINAL_INVOICE", "Финальный счёт", 50, "", "#FFA900"},
                {"WON", "Сделка успешна", 60, "S", "#7BD500"},
                {"LOSE", "Сделка провалена", 70, "F", "#FF5752"},
                {"APOLOGY", "Анализ причины провала", 80, "F", "#FF5752"}});
  add_statuses("SOURCE", nullptr,
               {{"CALL", "Звонок", 10, "", ""},
                {"EMAIL", "Электронная почта", 20, "", ""},
                {"WEB", "Веб-сайт", 30, "", ""},
                {"ADVERTISING", "Реклама", 40, "", ""},
                {"PARTNER", "Существующий клиент", 50, "", ""},
                {"RECOMMENDATION", "По рекомендации", 60, "", ""},
                {"TRADE_SHOW", "Выставка", 70, "", ""},
                {"WEBFORM", "CRM-форма", 80, "", ""},
                {"CALLBACK", "Обратный звонок", 90, "", ""},
                {"OTHER", "Другое", 100, "", ""}});
  add_statuses("DEAL_TYPE", nullptr,
               {{"SALE", "Продажа", 10, "", ""},
                {"COMPLEX", "Комплексная продажа", 20, "", ""},
                {"GOODS", "Продажа товара", 30, "", ""},
                {"SERVICES", "Продажа услуги", 40, "", ""},
                {"SERVICE", "Сервисное обслуживание", 50, "", ""}});
  add_statuses("CONTACT_TYPE", nullptr,
               {{"CLIENT", "Клиенты", 10, "", ""},
                {"SUPPLIER", "Поставщики", 20, "", ""},
                {"PARTNER", "Партнеры", 30, "", ""},
                {"OTHER", "Другое", 40, "", ""}});
  add_statuses("COMPANY_TYPE", nullptr,
               {{"CUSTOMER", "Клиент", 10, "", ""},
                {"SUPPLIER", "Поставщик", 20, "", ""},
                {"COMPETITOR", "Конкурент", 30, "", ""},
                {"PARTNER", "Партнер", 40, "", ""},
                {"OTHER", "Другое", 50, "", ""}});
  p.categories[0] = {{"id", 0},           {"name", "Общая"},  {"sort", 500},
                     {"entityTypeId", 2}, {"isDefault", "Y"}, {"originId", ""},
                     {"originatorId", ""}};
  dirty = true;
  return p;
}

std::pair<std::string, std::string> State::IssueTokens(const Portal& portal,
                                                       const std::string& client_id, long user_id,
                                                       bool with_refresh) {
  const double now = clock.Now();
  std::string access = RandomHex(64);
  access_tokens[access] = AccessToken{portal.member_id, client_id, user_id, now + token_lifetime};
  std::string refresh;
  if (with_refresh) {
    refresh = RandomHex(64);
    refresh_tokens[refresh] =
        RefreshToken{portal.member_id, client_id, user_id, now + refresh_lifetime};
  }
  dirty = true;
  return {access, refresh};
}

std::string State::TokenFor(const Portal& portal, const std::string& client_id, long user_id) {
  const double now = clock.Now();
  for (const auto& [token, info] : access_tokens) {
    // Half the lifetime left at least, so the receiver can still use it.
    if (info.member_id == portal.member_id && info.client_id == client_id &&
        info.user_id == user_id && info.expires - now > token_lifetime / 2) {
      return token;
    }
  }
  return IssueTokens(portal, client_id, user_id, false).first;
}

std::string State::RestEndpoint(const Portal& portal) const {
  return "http://" + portal.domain + "/rest/";
}

std::string State::ServerEndpoint() const { return public_http + "/rest/"; }

nlohmann::json State::ToJson() const {
  return nlohmann::json{{"portals", portals},
                        {"default_member_id", default_member_id},
                        {"access_tokens", access_tokens},
                        {"refresh_tokens", refresh_tokens}};
}

void State::LoadJson(const nlohmann::json& state) {
  portals = state.at("portals").get<std::map<std::string, Portal>>();
  default_member_id = state.at("default_member_id").get<std::string>();
  access_tokens = state.at("access_tokens").get<std::map<std::string, AccessToken>>();
  refresh_tokens = state.at("refresh_tokens").get<std::map<std::string, RefreshToken>>();
}

}  // namespace emu
