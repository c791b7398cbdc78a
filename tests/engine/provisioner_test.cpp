// Provisioning against a real emulator: everything once, and nothing again on a second run.
#include "lib/engine/provisioner.h"

#include <catch2/catch.hpp>

#include "lib/engine/system_clock.h"
#include "tests/emulator/harness.h"
#include "tests/engine/engine_fixture.h"

namespace provisioner_test {

using nlohmann::json;

namespace {

struct ProvisionerFixture : test::ClientFixture {
  core::InstallSpec spec = *core::ParseInstallSpec(test::ReadSourceJson("install/conveyor.json"));
  core::Manifest manifest = *core::ParseManifest(test::ReadSourceJson("bitrix24-manifest.json"));
  // Handlers must be on the app's host (the stub's).
  std::string public_url = app.Url("");

  std::vector<std::string> Names(const std::string& section, const char* key,
                                 const std::string& entity = "") {
    std::vector<std::pair<long, std::string>> rows;  // by SORT where rows have one
    for (const auto& row : emu.State(section).body) {
      if (!entity.empty() && row.value("ENTITY_ID", std::string()) != entity) continue;
      const long sort = row.contains("SORT") && row["SORT"].is_string()
                            ? std::stol(row["SORT"].get<std::string>())
                            : 0;
      rows.emplace_back(sort, row[key].get<std::string>());
    }
    std::stable_sort(rows.begin(), rows.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& r : rows) out.push_back(r.second);
    return out;
  }
};

const std::string kMember = "testportal0000000000000000000001";

}  // namespace

TEST_CASE("the spec and the manifest parse — malformed ones are refused by name") {
  CHECK(core::ParseInstallSpec(test::ReadSourceJson("install/conveyor.json")));
  CHECK(core::ParseManifest(test::ReadSourceJson("bitrix24-manifest.json")));
  auto bad = core::ParseInstallSpec(json{{"lead_statuses", json::array()}});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("lead_statuses") != std::string::npos);
  auto bad_manifest = core::ParseManifest(
      json{{"code", "x"}, {"scopes", json::array()}, {"events", json::array()}});
  REQUIRE_FALSE(bad_manifest);
  CHECK(bad_manifest.error().message.find("handlers") != std::string::npos);
}

TEST_CASE(
    "provisioning creates pipelines — stages — fields — bindings and placements exactly once") {
  ProvisionerFixture f;
  auto first = engine::Provision(f.client, kMember, f.spec, f.manifest, f.public_url);
  REQUIRE(first);
  CHECK(first->failures.empty());
  CHECK_FALSE(first->applied.empty());

  const auto categories = f.Names("categories", "name");
  CHECK(std::count(categories.begin(), categories.end(), "Продажи") == 1);
  CHECK(std::count(categories.begin(), categories.end(), "Производство") == 1);
  const auto sales = f.Names("statuses", "NAME", "DEAL_STAGE_1");
  CHECK(sales == std::vector<std::string>{"Свободный лид", "Менеджер назначен", "Встреча назначена",
                                          "КП отправлено", "Согласие получено",
                                          "Договор и счёт отправлены", "Сделка успешна",
                                          "Отказ в продажах", "Отказ в продажах: дорого",
                                          "Отказ в продажах: выбрал другого", "Сделка провалена",
                                          "Анализ причины провала"});
  // The reasons are failure stages on the portal (issue 16 item 9): each direction its own.
  const auto semantics_of = [&f](const std::string& status_id) -> std::string {
    for (const auto& row : f.emu.State("statuses").body) {
      if (row["STATUS_ID"] != status_id) continue;
      return row["SEMANTICS"].is_string() ? row["SEMANTICS"].get<std::string>() : "none";
    }
    return "missing";
  };
  CHECK(semantics_of("C1:LOST") == "F");
  CHECK(semantics_of("C1:LOST_RIVAL") == "F");
  CHECK(semantics_of("C2:LOST") == "F");
  CHECK(semantics_of("C2:LOST_QUALITY") == "F");
  CHECK(semantics_of("CONV_JUNK_CITY") == "F");
  CHECK(semantics_of("CONV_JUNK_SPAM") == "F");
  CHECK(semantics_of("CONV_READY_NOW") == "none");
  const auto production = f.Names("statuses", "NAME", "DEAL_STAGE_2");
  CHECK(std::count(production.begin(), production.end(), "Отгружено клиенту") == 1);
  CHECK(std::count(production.begin(), production.end(), "Этап 3 отгружен") == 1);
  const auto leads = f.Names("statuses", "NAME", "STATUS");
  CHECK(std::count(leads.begin(), leads.end(), "Готов СЕЙЧАС") == 1);
  const auto fields = f.Names("userfields", "FIELD_NAME");
  CHECK(std::count(fields.begin(), fields.end(), "UF_CRM_CONVEYOR_READY_DATE") ==
        2);  // lead and deal
  CHECK(f.emu.State("bindings").body.size() == f.manifest.events.size());
  CHECK(f.emu.State("placements").body.size() == 2);

  auto again = engine::Provision(f.client, kMember, f.spec, f.manifest, f.public_url);
  REQUIRE(again);
  CHECK(again->applied.empty());
  CHECK(again->failures.empty());
}

TEST_CASE("existing pipelines and stages with the same name are reused — stale bindings move") {
  ProvisionerFixture f;
  f.emu.Hook("crm.category.add", {{"entityTypeId", 2}, {"fields", {{"name", "Продажи"}}}});
  const auto created = f.emu.Hook("crm.status.add", {{"fields",
                                                      {{"ENTITY_ID", "DEAL_STAGE_1"},
                                                       {"STATUS_ID", "MINE"},
                                                       {"NAME", "Встреча назначена"},
                                                       {"SORT", 25}}}});
  REQUIRE(created.status == 200);
  f.emu.App(f.tokens.access, "event.bind",
            {{"event", "ONCRMLEADADD"}, {"handler", f.app.Url("/old-events")}});
  auto report = engine::Provision(f.client, kMember, f.spec, f.manifest, f.public_url);
  REQUIRE(report);
  CHECK(report->failures.empty());
  const auto sales = f.Names("statuses", "NAME", "DEAL_STAGE_1");
  CHECK(std::count(sales.begin(), sales.end(), "Встреча назначена") == 1);
  CHECK(std::count(sales.begin(), sales.end(), "Новая") ==
        1);  // an existing pipeline keeps its stages
  const auto categories = f.Names("categories", "name");
  CHECK(std::count(categories.begin(), categories.end(), "Продажи") == 1);
  for (const auto& b : f.emu.State("bindings").body)
    CHECK(b["handler"] != f.app.Url("/old-events"));
}

}  // namespace provisioner_test
