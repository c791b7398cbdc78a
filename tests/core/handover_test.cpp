#include "lib/core/handover.h"

#include <catch2/catch.hpp>

namespace handover_test {

using nlohmann::json;

namespace {

json ReadyLead(const json& extra = json::object()) {
  json lead = {
      {"ID", "5"},
      {"TITLE", "Окна в дом"},
      {"STATUS_ID", "CONV_READY_NOW"},
      {"ASSIGNED_BY_ID", "10"},
      {"NAME", "Иван"},
      {"LAST_NAME", "Петров"},
      {"OPPORTUNITY", "150000.00"},
      {"CURRENCY_ID", "RUB"},
      {"SOURCE_ID", "WEB"},
      {"UF_CRM_REGION", "Пермь"},
      {"PHONE", json::array({{{"ID", "3"}, {"VALUE", "+79123456789"}, {"VALUE_TYPE", "WORK"}}})}};
  lead.update(extra);
  return lead;
}

core::Candidate Closer(int64_t id, int open, core::Presence presence = core::Presence::kOpened) {
  core::Candidate c;
  c.user_id = id;
  c.open_items = open;
  c.presence = presence;
  return c;
}

core::HandoverContext Context() {
  core::HandoverContext c;
  c.closers = {Closer(20, 2), Closer(21, 1), Closer(22, 0, core::Presence::kClosed)};
  c.sales_category_id = 3;
  c.user_names = {{10, "Анна"}, {21, "Дмитрий"}};
  c.portal_url = "https://b24.example";
  return c;
}

const core::Action* Find(const core::Outcome& out, const std::string& key) {
  for (const auto& a : out.actions) {
    if (a.key == key) return &a;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("stage ids carry the pipeline prefix except in the default pipeline") {
  CHECK(core::StageId(3, "ASSIGNED") == "C3:ASSIGNED");
  CHECK(core::StageId(0, "NEW") == "NEW");
}

TEST_CASE("a ready-now lead becomes a sales deal of the least loaded closer at work") {
  core::Settings s;
  s.version = 4;
  s.field_mapping = {{"UF_CRM_REGION", "UF_CRM_DEAL_REGION"}};
  s.texts["ru"]["handover_comment"] = "Передано от {from.name} к {to.name}: сделка #{deal.id}";
  const auto out = core::PlanHandover(ReadyLead(), Context(), s);

  const auto* contact = Find(out, "handover:lead:5:contact");
  REQUIRE(contact != nullptr);
  CHECK(contact->method == "crm.contact.add");
  CHECK(contact->params["fields"]["NAME"] == "Иван");
  CHECK(contact->params["fields"]["PHONE"] ==
        json::array({{{"VALUE", "+79123456789"}, {"VALUE_TYPE", "WORK"}}}));
  REQUIRE(contact->lookup);
  CHECK(contact->lookup->params["filter"]["ORIGIN_ID"] == "conveyor:lead:5");

  const auto* deal = Find(out, "handover:lead:5:deal");
  REQUIRE(deal != nullptr);
  const json& f = deal->params["fields"];
  CHECK(f["CATEGORY_ID"] == 3);
  CHECK(f["STAGE_ID"] == "C3:ASSIGNED");
  CHECK(f["ASSIGNED_BY_ID"] == 21);
  CHECK(f["LEAD_ID"] == 5);
  CHECK(f["OPPORTUNITY"] == "150000.00");
  CHECK(f["CURRENCY_ID"] == "RUB");
  CHECK(f["SOURCE_ID"] == "WEB");
  CHECK(f["UF_CRM_DEAL_REGION"] == "Пермь");
  // The new contact is bound to the deal once both exist, never named by the create itself.
  CHECK_FALSE(f.contains("CONTACT_ID"));
  const auto* bind = Find(out, "handover:lead:5:deal:contact");
  REQUIRE(bind != nullptr);
  CHECK(bind->params["id"] == "$result[handover:lead:5:deal]");
  CHECK(bind->params["fields"]["CONTACT_ID"] == "$result[handover:lead:5:contact]");
  REQUIRE(deal->lookup);
  CHECK(deal->lookup->params["filter"]["LEAD_ID"] == 5);
  REQUIRE(deal->touches.size() == 1);

  const auto* lead = Find(out, "handover:lead:5:lead");
  REQUIRE(lead != nullptr);
  CHECK(lead->params["fields"]["STATUS_ID"] == "CONVERTED");
  CHECK(lead->params["fields"]["UF_CRM_CONVEYOR_SALES_DEAL"] == "$result[handover:lead:5:deal]");

  for (const char* type : {"deal", "lead"}) {
    const auto* comment = Find(out, std::string("handover:lead:5:comment:") + type);
    REQUIRE(comment != nullptr);
    CHECK(comment->params["fields"]["COMMENT"] ==
          "Передано от Анна к Дмитрий: сделка #$result[handover:lead:5:deal]");
  }
  const auto* notify = Find(out, "handover:lead:5:notify");
  REQUIRE(notify != nullptr);
  CHECK(notify->params["USER_ID"] == 21);

  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "handover");
  CHECK(out.decisions[0].assignee == 21);
  CHECK(out.decisions[0].settings_version == 4);
  CHECK(out.decisions[0].body["from"] == 10);
}

TEST_CASE("the lead's own contact is used — no new one is made") {
  const auto out = core::PlanHandover(ReadyLead({{"CONTACT_ID", "77"}}), Context(), {});
  CHECK(Find(out, "handover:lead:5:contact") == nullptr);
  CHECK(Find(out, "handover:lead:5:deal")->params["fields"]["CONTACT_ID"] == 77);
}

TEST_CASE("with no closer at work the deal waits at the free stage — kept by the hunter") {
  auto context = Context();
  for (auto& c : context.closers) c.presence = core::Presence::kPaused;
  const auto out = core::PlanHandover(ReadyLead(), context, {});
  const auto* deal = Find(out, "handover:lead:5:deal");
  REQUIRE(deal != nullptr);
  CHECK(deal->params["fields"]["STAGE_ID"] == "C3:NEW");
  CHECK(deal->params["fields"]["ASSIGNED_BY_ID"] == 10);
  CHECK(Find(out, "handover:lead:5:notify") == nullptr);
  CHECK(Find(out, "handover:lead:5:lead") != nullptr);  // converted all the same
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "waiting");
}

TEST_CASE("which leads are ready now") {
  const core::Settings s;
  CHECK(core::IsReadyNow(ReadyLead(), s));
  CHECK_FALSE(core::IsReadyNow(ReadyLead({{"STATUS_ID", "CONV_ASSIGNED"}}), s));
  CHECK_FALSE(core::IsReadyNow(nullptr, s));
}

TEST_CASE("a client ready on a later day gets a deal that waits at the free stage with the date") {
  auto context = Context();
  context.ready_day_start = 1'800'000'000;
  const core::Settings s;
  auto lead = ReadyLead({{"STATUS_ID", "CONV_READY_LATER"}, {s.ready_date_field, "2027-01-18"}});
  CHECK(core::IsReadyLater(lead, s));
  CHECK_FALSE(core::IsReadyNow(lead, s));
  const auto out = core::PlanHandover(lead, context, s);
  const auto* deal = Find(out, "handover:lead:5:deal");
  REQUIRE(deal != nullptr);
  CHECK(deal->params["fields"]["STAGE_ID"] == "C3:NEW");
  CHECK(deal->params["fields"]["ASSIGNED_BY_ID"] == 10);
  CHECK(deal->params["fields"][s.ready_date_field] == "2027-01-18");
  CHECK(Find(out, "handover:lead:5:notify") == nullptr);  // the closer is chosen on the day
  CHECK(Find(out, "handover:lead:5:lead") != nullptr);
  REQUIRE(out.decisions.size() == 1);
  CHECK(out.decisions[0].kind == "scheduled");
  CHECK(out.decisions[0].body["ready_at"] == 1'800'000'000);
}

}  // namespace handover_test
