// The conveyor on an emulated portal, as installing it leaves the portal, with a small company:
// three hunters (two at work), three closers (two at work, one absent) and one production
// master; the worker runs the conveyor's rules. Helpers act as people and read the portal.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "lib/core/working_time.h"
#include "lib/engine/conveyor_rules.h"
#include "lib/engine/inbox_worker.h"
#include "lib/engine/provisioner.h"
#include "tests/emulator/harness.h"
#include "tests/engine/engine_fixture.h"

namespace test {

inline core::Settings InstallDefaults() {
  auto settings = core::ParseSettings(test::ReadSourceJson("install/settings.json"));
  REQUIRE(settings);
  return *settings;
}

struct ConveyorFixture : test::EngineFixture {
  store::SettingsStore settings_store{*db};
  engine::PortalSettings settings{settings_store, InstallDefaults()};
  engine::ConveyorRules rules{client, settings, portals, decisions, clock};
  engine::InboxWorker worker{inbox,  snapshots, client, rules,   executor, decisions,
                             timers, clock,     {},     nullptr, &journeys};
  long call_center = 0, sales = 0, production = 0;
  std::vector<long> hunters, closers, masters;

  ConveyorFixture() {
    // The portal as installing the app leaves it: the conveyor's statuses, pipelines, fields.
    auto provisioned = engine::Provision(
        client, kMember, *core::ParseInstallSpec(test::ReadSourceJson("install/conveyor.json")),
        *core::ParseManifest(test::ReadSourceJson("bitrix24-manifest.json")),
        app.Url(""));  // handlers must live on the app's host
    REQUIRE(provisioned);
    INFO((provisioned->failures.empty() ? "" : provisioned->failures.front()));
    REQUIRE(provisioned->failures.empty());
    // Анна and Борис are at work, Вера has not opened her day; Дмитрий and Елена are at work,
    // Жанна is absent; Зиновий is at work.
    call_center = Department("Колл-центр", {"Анна", "Борис", "Вера"}, 2, hunters);
    sales = Department("Продажи", {"Дмитрий", "Елена", "Жанна"}, 2, closers);
    production = Department("Производство", {"Зиновий"}, 1, masters);
    nlohmann::json body = core::SettingsToJson(InstallDefaults());
    body["queues"]["production"]["departments"] = {production};
    body["queues"]["hunters"]["departments"] = {call_center};
    body["queues"]["closers"]["departments"] = {sales};
    REQUIRE(settings_store.Save(kMember, body.dump(), 1, 1, std::nullopt));
  }

  // A department of `people`, the first `at_work` of them with their day opened; their ids go
  // to `ids`. Returns the department's id.
  long Department(const std::string& name, std::initializer_list<const char*> people,
                  size_t at_work, std::vector<long>& ids) {
    const long department =
        std::stol(emu.Control("departments", {{"NAME", name}}).body["ID"].get<std::string>());
    for (const char* person : people) {
      auto user = emu.Control("users", {{"NAME", person}, {"UF_DEPARTMENT", {department}}});
      REQUIRE(user.status == 200);
      ids.push_back(std::stol(user.body["ID"].get<std::string>()));
      if (ids.size() <= at_work) Present(ids.back(), "OPENED");
    }
    return department;
  }

  long AddLead(const std::string& title, const std::string& phone) {
    auto added = emu.Control(
        "act", {{"as", "user"},
                {"method", "crm.lead.add"},
                {"params",
                 {{"fields",
                   {{"TITLE", title}, {"PHONE", {{{"VALUE", phone}, {"VALUE_TYPE", "WORK"}}}}}}}}});
    REQUIRE(added.status == 200);
    const long id = added.body["result"].get<long>();
    Queue("ONCRMLEADADD", "lead", id, "add" + std::to_string(id));
    return id;
  }
  void Act(long user, const std::string& method, const nlohmann::json& params) {
    REQUIRE(emu.Control("act",
                        {{"as", "user"}, {"user_id", user}, {"method", method}, {"params", params}})
                .status == 200);
  }
  nlohmann::json Lead(long id) { return emu.Hook("crm.lead.get", {{"id", id}}).body["result"]; }
  nlohmann::json Deal(long id) { return emu.Hook("crm.deal.get", {{"id", id}}).body["result"]; }
  // Saves the next settings version with `change` applied to the latest.
  void Configure(const std::function<void(nlohmann::json&)>& change) {
    auto latest = settings_store.Latest(kMember);
    REQUIRE(latest);
    REQUIRE(*latest);
    nlohmann::json body = nlohmann::json::parse((*latest)->body);
    change(body);
    REQUIRE(settings_store.Save(kMember, body.dump(), 1, 1, std::nullopt));
  }
  // Moves both clocks to 10:00 of the next working day in the portal's calendar: waiting items
  // are offered again only in working time.
  void ToWorkingMorning() {
    const auto schedule = InstallDefaults().schedule;
    const auto now = static_cast<int64_t>(clock.Now());
    Advance(static_cast<double>(core::NextWorkdayStart(now, schedule) + 3600 - now));
  }
  void Present(long user, const char* status) {
    REQUIRE(emu.Control("presence", {{"user_id", user}, {"status", status}}).status == 200);
  }
  // A new lead, taken by a hunter, then marked by that hunter with `fields`; returns its id.
  long QualifiedLead(const nlohmann::json& fields) {
    const long id = AddLead("Окна в дом", "8 912 345-67-89");
    Drain();
    const long hunter = std::stol(Lead(id)["ASSIGNED_BY_ID"].get<std::string>());
    Act(hunter, "crm.lead.update", {{"id", id}, {"fields", fields}});
    Queue("ONCRMLEADUPDATE", "lead", id, "qualified" + std::to_string(id));
    Drain();
    return id;
  }
  nlohmann::json SalesDealOf(long lead) {
    auto deals =
        emu.Hook("crm.deal.list", {{"filter", {{"LEAD_ID", lead}}}, {"select", {"*", "UF_*"}}});
    REQUIRE(deals.body["result"].size() == 1);
    return deals.body["result"][0];
  }
  std::vector<std::string> Kinds(const std::string& type, long id) {
    auto journal = decisions.ForEntity(kMember, type, id);
    REQUIRE(journal);
    std::vector<std::string> kinds;
    for (const auto& entry : *journal) kinds.push_back(entry.decision.kind);
    return kinds;
  }
  bool Told(long user) {
    for (const auto& n : emu.State("notifications").body) {
      if (n["USER_ID"].is_number() && n["USER_ID"].get<long>() == user) return true;
    }
    return false;
  }
  // Rounds until the inbox is empty; the first round also turns due timers into events.
  void Drain() {
    REQUIRE(worker.RunOnce());
    for (int i = 0; i < 5 && *inbox.Depth() > 0; ++i) REQUIRE(worker.RunOnce());
    REQUIRE(*inbox.Depth() == 0);
  }
};

}  // namespace test
