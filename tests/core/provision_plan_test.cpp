// Issue 16 item 9: junk reasons of leads and the lost stages of each pipeline are provisioned
// as failure stages — SEMANTICS "F", sorted after the success stage as crm-status-add.md
// ("Restrictions for SORT") requires.
#include "lib/core/provision_plan.h"

#include <catch2/catch.hpp>

namespace provision_plan_test {

using nlohmann::json;

namespace {

core::StageSpec ReasonStage(const char* role, const char* id, const char* name, long sort,
                            const char* semantics) {
  return {role, id, name, sort, semantics};
}

core::InstallSpec ReasonSpec() {
  core::InstallSpec spec;
  spec.lead_statuses = {ReasonStage("free", "CONV_FREE", "Свободный лид", 12, ""),
                        ReasonStage("junk_city", "CONV_JUNK_CITY", "Не наш город", 51, "F")};
  core::PipelineSpec sales;
  sales.role = "sales";
  sales.name = "Продажи";
  sales.stages = {ReasonStage("free", "NEW", "Свободный лид", 10, ""),
                  ReasonStage("assigned", "ASSIGNED", "Менеджер назначен", 20, ""),
                  ReasonStage("lost", "LOST", "Отказ в продажах", 61, "F"),
                  ReasonStage("lost_price", "LOST_PRICE", "Отказ в продажах: дорого", 62, "F")};
  spec.pipelines = {sales};
  return spec;
}

// The crm.status.add fields planned for a STATUS_ID.
json AddedFields(const std::vector<core::RestStep>& steps, const std::string& status_id) {
  for (const auto& step : steps) {
    if (step.method == "crm.status.add" && step.params["fields"]["STATUS_ID"] == status_id)
      return step.params["fields"];
  }
  return nullptr;
}

}  // namespace

TEST_CASE("failure stages are planned with SEMANTICS F after the success stage") {
  core::PortalLayout layout;
  layout.lead_statuses = {{{"STATUS_ID", "NEW"}, {"NAME", "Новый"}, {"SORT", "10"}},
                          {{"STATUS_ID", "CONVERTED"}, {"SORT", "40"}, {"SEMANTICS", "S"}},
                          {{"STATUS_ID", "JUNK"}, {"SORT", "50"}, {"SEMANTICS", "F"}}};
  layout.categories = {{{"id", 3}, {"name", "Продажи"}}};
  // An admin's pipeline whose success stage sorts at 100: the failure stages move past it.
  layout.stages[3] = {{{"STATUS_ID", "C3:NEW"}, {"NAME", "Свободный лид"}, {"SORT", "10"}},
                      {{"STATUS_ID", "C3:WON"}, {"SORT", "100"}, {"SEMANTICS", "S"}}};
  const auto steps = core::PlanRest(ReasonSpec(), {}, layout, {}, "https://app.example");

  const json city = AddedFields(steps, "CONV_JUNK_CITY");
  REQUIRE(city.is_object());
  CHECK(city["ENTITY_ID"] == "STATUS");
  CHECK(city["SEMANTICS"] == "F");
  CHECK(city["SORT"] == 51);  // already after CONVERTED (40)
  const json free = AddedFields(steps, "CONV_FREE");
  REQUIRE(free.is_object());
  CHECK_FALSE(free.contains("SEMANTICS"));  // an in-progress status carries none

  const json lost = AddedFields(steps, "LOST");
  const json price = AddedFields(steps, "LOST_PRICE");
  REQUIRE(lost.is_object());
  REQUIRE(price.is_object());
  CHECK(lost["ENTITY_ID"] == "DEAL_STAGE_3");
  CHECK(lost["SEMANTICS"] == "F");
  CHECK(lost["SORT"] == 161);
  CHECK(price["SORT"] == 162);  // their order kept
  CHECK_FALSE(AddedFields(steps, "ASSIGNED").contains("SEMANTICS"));
}

TEST_CASE("a failure stage the portal has — by id or by name — is not added again") {
  core::PortalLayout layout;
  layout.lead_statuses = {{{"STATUS_ID", "CONV_FREE"}, {"NAME", "Свободный лид"}},
                          {{"STATUS_ID", "UC_CITY"}, {"NAME", "Не наш город"}, {"SEMANTICS", "F"}}};
  layout.categories = {{{"id", 3}, {"name", "Продажи"}}};
  layout.stages[3] = {{{"STATUS_ID", "C3:NEW"}, {"NAME", "Свободный лид"}},
                      {{"STATUS_ID", "C3:ASSIGNED"}, {"NAME", "Менеджер назначен"}},
                      {{"STATUS_ID", "C3:LOST"}, {"NAME", "Отказ"}, {"SEMANTICS", "F"}},
                      {{"STATUS_ID", "C3:UC_1"}, {"NAME", "Отказ в продажах: дорого"}}};
  const auto steps = core::PlanRest(ReasonSpec(), {}, layout, {}, "https://app.example");
  for (const auto& step : steps) {
    INFO(step.method << " " << step.params.dump());
    CHECK(step.method != "crm.status.add");
  }
}

TEST_CASE("the install spec reads a stage's semantics and refuses another than F") {
  json spec = {{"lead_statuses",
                {{{"role", "junk_city"},
                  {"id", "CONV_JUNK_CITY"},
                  {"name", "Не наш город"},
                  {"sort", 51},
                  {"semantics", "F"}}}},
               {"pipelines",
                {{{"role", "sales"},
                  {"name", "Продажи"},
                  {"stages", {{{"role", "free"}, {"id", "NEW"}, {"name", "x"}, {"sort", 10}}}}}}}};
  const auto parsed = core::ParseInstallSpec(spec);
  REQUIRE(parsed);
  CHECK(parsed->lead_statuses[0].semantics == "F");
  CHECK(parsed->pipelines[0].stages[0].semantics.empty());
  for (const json& bad : {json("S"), json(1), json("")}) {
    INFO(bad.dump());
    spec["lead_statuses"][0]["semantics"] = bad;
    const auto refused = core::ParseInstallSpec(spec);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().message.find("lead_statuses") != std::string::npos);
  }
}

}  // namespace provision_plan_test
