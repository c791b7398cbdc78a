#include "lib/core/handover.h"

#include "lib/core/change.h"
#include "lib/core/template_text.h"

namespace core {
namespace {

using json = nlohmann::json;

// The multifield values of `field` without their IDs, so they are added to the new contact.
json CopyMultifield(const json& lead, const char* field) {
  json out = json::array();
  if (!lead.contains(field) || !lead[field].is_array()) return out;
  for (const auto& item : lead[field]) {
    if (!item.is_object() || TextField(item, "VALUE").empty()) continue;
    out.push_back(
        {{"VALUE", TextField(item, "VALUE")},
         {"VALUE_TYPE",
          TextField(item, "VALUE_TYPE").empty() ? "WORK" : TextField(item, "VALUE_TYPE")}});
  }
  return out;
}

}  // namespace

bool IsReadyNow(const json& lead, const Settings& settings) {
  return lead.is_object() && TextField(lead, "STATUS_ID") == settings.lead.ready_now;
}

bool IsReadyLater(const json& lead, const Settings& settings) {
  return lead.is_object() && TextField(lead, "STATUS_ID") == settings.lead.ready_later;
}

std::string StageId(int64_t category_id, const std::string& stage) {
  return category_id > 0 ? "C" + std::to_string(category_id) + ":" + stage : stage;
}

Outcome PlanHandover(const json& lead, const HandoverContext& context, const Settings& settings) {
  const int64_t id = IdField(lead, "ID");
  const int64_t hunter = IdField(lead, "ASSIGNED_BY_ID");
  const std::string key = "handover:lead:" + std::to_string(id);
  const std::string origin = "conveyor:lead:" + std::to_string(id);
  const bool later = context.ready_day_start > 0;
  const Choice choice =
      later ? Choice{} : ChooseAssignee(context.closers, QueueRulesOf(settings, "closers"));
  const int64_t closer = choice.assignee.value_or(0);
  Outcome out;

  json deal = {{"TITLE", TextField(lead, "TITLE")},
               {"CATEGORY_ID", context.sales_category_id},
               {"STAGE_ID", StageId(context.sales_category_id,
                                    closer > 0 ? settings.sales.assigned : settings.sales.free)},
               {"LEAD_ID", id},
               {"ORIGIN_ID", origin},
               {"OPENED", "Y"}};
  // Nobody free: the deal waits with the hunter as its keeper until a closer is chosen.
  deal["ASSIGNED_BY_ID"] = closer > 0 ? closer : hunter;
  for (const char* field : {"OPPORTUNITY", "CURRENCY_ID", "SOURCE_ID", "SOURCE_DESCRIPTION",
                            "COMMENTS", "COMPANY_ID"}) {
    if (!TextField(lead, field).empty()) deal[field] = TextField(lead, field);
  }
  for (const auto& [from, to] : settings.field_mapping) {
    if (lead.contains(from) && !lead[from].is_null()) deal[to] = lead[from];
  }
  if (later) deal[settings.ready_date_field] = TextField(lead, settings.ready_date_field);
  // The client: the lead's contact, else a new one from the lead's name, phones and e-mails.
  const int64_t contact = IdField(lead, "CONTACT_ID");
  bool new_contact = false;
  if (contact > 0) {
    deal["CONTACT_ID"] = contact;
  } else if (!TextField(lead, "NAME").empty() || !TextField(lead, "LAST_NAME").empty() ||
             !CopyMultifield(lead, "PHONE").empty() || !CopyMultifield(lead, "EMAIL").empty()) {
    json person = {{"NAME", TextField(lead, "NAME").empty() ? TextField(lead, "TITLE")
                                                            : TextField(lead, "NAME")},
                   {"LAST_NAME", TextField(lead, "LAST_NAME")},
                   {"ASSIGNED_BY_ID", deal["ASSIGNED_BY_ID"]},
                   {"ORIGIN_ID", origin},
                   {"PHONE", CopyMultifield(lead, "PHONE")},
                   {"EMAIL", CopyMultifield(lead, "EMAIL")}};
    out.actions.push_back({key + ":contact",
                           "crm.contact.add",
                           {{"fields", person}},
                           "the client, from the lead",
                           Lookup{"crm.contact.list", {{"filter", {{"ORIGIN_ID", origin}}}}},
                           {}});
    new_contact = true;
  }
  const std::string deal_ref = "$result[" + key + ":deal]";
  out.actions.push_back(
      {key + ":deal",
       "crm.deal.add",
       {{"fields", deal}},
       closer > 0 ? "handed over to a closer"
       : later    ? "the client is ready on a later day"
                  : "no closer available",
       Lookup{"crm.deal.list",
              {{"filter", {{"LEAD_ID", id}, {"CATEGORY_ID", context.sales_category_id}}}}},
       {{"deal", deal_ref}}});
  if (new_contact) {
    // Made beside the deal, bound to it once both exist: a deal never names a contact that
    // failed to be made (the executor sends what names a result after it succeeded).
    out.actions.push_back(
        {key + ":deal:contact",
         "crm.deal.update",
         {{"id", deal_ref}, {"fields", {{"CONTACT_ID", "$result[" + key + ":contact]"}}}},
         "the client on the deal",
         std::nullopt,
         {{"deal", deal_ref}}});
  }
  out.actions.push_back(
      {key + ":lead",
       "crm.lead.update",
       {{"id", id},
        {"fields",
         {{"STATUS_ID", settings.lead.converted}, {"UF_CRM_CONVEYOR_SALES_DEAL", deal_ref}}}},
       "converted into the sales deal",
       std::nullopt,
       {{"lead", id}}});
  if (closer > 0) {
    AnnounceHandover(out, key, id, TextField(lead, "TITLE"), deal_ref, hunter, closer,
                     context.user_names, context.portal_url, settings);
  }
  json body = {{"queue", "closers"}, {"from", hunter}, {"candidates", CandidatesJson(choice)}};
  if (later) body["ready_at"] = context.ready_day_start;
  out.decisions.push_back(Decision{closer > 0 ? "handover"
                                   : later    ? "scheduled"
                                              : "waiting",
                                   "lead", id, closer, settings.version, std::move(body)});
  return out;
}

void AnnounceHandover(Outcome& out, const std::string& key, int64_t lead_id,
                      const std::string& title, const std::string& deal, int64_t hunter,
                      int64_t closer, const std::map<int64_t, std::string>& names,
                      const std::string& portal_url, const Settings& settings) {
  const std::map<std::string, std::string> values = {
      {"lead.id", std::to_string(lead_id)},
      {"lead.title", title},
      {"deal.id", deal},
      {"deal.title", title},
      {"deal.url", portal_url + "/crm/deal/details/" + deal + "/"},
      {"from.name", NameOrId(names, hunter)},
      {"to.name", NameOrId(names, closer)}};
  const std::string comment = RenderTemplate(TextOf(settings, "handover_comment"), values);
  const json deal_id = ReferencedKey(deal).empty() ? json(IdValue(deal)) : json(deal);
  for (const auto& [type, owner] :
       {std::pair<std::string, json>{"deal", deal_id}, {"lead", json(lead_id)}}) {
    // Found again by its text among the card's comments when its answer was lost
    // (docs: crm/timeline/comments/crm-timeline-comment-list.md).
    Lookup lookup{"crm.timeline.comment.list",
                  {{"filter", {{"ENTITY_ID", owner}, {"ENTITY_TYPE", type}}},
                   {"select", {"ID", "COMMENT"}},
                   {"order", {{"ID", "DESC"}}}},
                  {{"COMMENT", comment}}};
    out.actions.push_back(
        {key + ":comment:" + type,
         "crm.timeline.comment.add",
         {{"fields", {{"ENTITY_TYPE", type}, {"ENTITY_ID", owner}, {"COMMENT", comment}}}},
         "hand-over comment",
         std::move(lookup),
         {}});
  }
  out.actions.push_back({key + ":notify",
                         "im.notify.system.add",
                         {{"USER_ID", closer},
                          {"MESSAGE", RenderTemplate(TextOf(settings, "handover_notify"), values)}},
                         "the closer is told",
                         std::nullopt,
                         {}});
}

}  // namespace core
