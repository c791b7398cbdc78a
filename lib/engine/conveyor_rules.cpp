#include "lib/engine/conveyor_rules.h"

#include <algorithm>
#include <set>

#include "lib/core/contact_normalize.h"

namespace engine {
namespace {

using json = nlohmann::json;

// The values of one kind ("phone:" / "email:") among the normalised keys, without the prefix.
std::vector<std::string> ValuesOf(const std::vector<std::string>& keys, const std::string& prefix) {
  std::vector<std::string> values;
  for (const auto& key : keys) {
    if (key.rfind(prefix, 0) == 0) values.push_back(key.substr(prefix.size()));
  }
  if (values.size() > 20) values.resize(20);  // crm.duplicate.findbycomm takes at most 20
  return values;
}

}  // namespace

core::Result<std::vector<core::DuplicateHit>> ConveyorRules::FindDuplicates(
    const std::string& member_id, const json& lead) {
  // Docs: crm/duplicates/crm-duplicate-find-by-comm.md — values are matched after the portal's
  // own normalisation; we send ours (E.164, lower-case e-mail), which both sides agree on.
  const auto keys = core::CommunicationKeys(lead);
  std::vector<b24::BatchCommand> finds;
  for (const auto& [type, prefix] : {std::pair<std::string, std::string>{"PHONE", "phone:"},
                                     std::pair<std::string, std::string>{"EMAIL", "email:"}}) {
    const auto values = ValuesOf(keys, prefix);
    if (values.empty()) continue;
    for (const char* entity : {"LEAD", "CONTACT"}) {
      finds.push_back({type + "_" + entity,
                       "crm.duplicate.findbycomm",
                       {{"type", type}, {"values", values}, {"entity_type", entity}}});
    }
  }
  std::vector<core::DuplicateHit> hits;
  if (finds.empty()) return hits;
  auto found = client_.Batch(member_id, finds, b24::Lane::kInteractive);
  if (!found) return tl::unexpected(b24::ToCoreError(found.error(), "duplicate search"));
  const int64_t self = core::IdValue(lead.value("ID", json()));
  std::set<int64_t> leads, contacts;
  for (const auto& item : *found) {
    if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "duplicate search"));
    if (!item.result.is_object()) continue;  // [] when nothing matched
    for (const char* entity : {"LEAD", "CONTACT"}) {
      if (!item.result.contains(entity) || !item.result[entity].is_array()) continue;
      for (const auto& id : item.result[entity]) {
        const int64_t n = core::IdValue(id);
        if (n <= 0) continue;
        if (std::string(entity) == "LEAD" && n != self) leads.insert(n);
        if (std::string(entity) == "CONTACT") contacts.insert(n);
      }
    }
  }
  if (leads.empty() && contacts.empty()) return hits;
  // Owners and titles of what matched, in one more request.
  std::vector<b24::BatchCommand> reads;
  if (!leads.empty()) {
    reads.push_back(
        {"leads",
         "crm.lead.list",
         {{"filter", {{"@ID", leads}}}, {"select", {"ID", "TITLE", "ASSIGNED_BY_ID"}}}});
  }
  if (!contacts.empty()) {
    reads.push_back({"contacts",
                     "crm.contact.list",
                     {{"filter", {{"@ID", contacts}}},
                      {"select", {"ID", "NAME", "LAST_NAME", "ASSIGNED_BY_ID"}}}});
  }
  auto rows = client_.Batch(member_id, reads, b24::Lane::kInteractive);
  if (!rows) return tl::unexpected(b24::ToCoreError(rows.error(), "duplicate owners"));
  for (const auto& item : *rows) {
    if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "duplicate owners"));
    if (!item.result.is_array()) continue;
    const bool is_lead = item.key == "leads";
    for (const auto& row : item.result) {
      core::DuplicateHit hit;
      hit.entity_type = is_lead ? "lead" : "contact";
      hit.id = core::IdValue(row.value("ID", json()));
      hit.owner_id = core::IdValue(row.value("ASSIGNED_BY_ID", json()));
      hit.title = is_lead ? core::TextField(row, "TITLE")
                          : core::TextField(row, "NAME") + " " + core::TextField(row, "LAST_NAME");
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

core::Result<core::Pipelines> ConveyorRules::PipelinesOf(const std::string& member_id,
                                                         const core::Settings& settings) {
  const double now = clock_.Now();
  std::map<std::string, int64_t> by_name;
  bool cached = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    const auto it = pipelines_.find(member_id);
    if (it != pipelines_.end() && now - it->second.read_at < kDictionarySeconds) {
      by_name = it->second.by_name;
      cached = true;
    }
  }
  if (!cached) {
    // Docs: crm/universal/category/crm-category-list.md (entityTypeId 2 = deals).
    auto answer = client_.Call(member_id, "crm.category.list", {{"entityTypeId", 2}});
    if (!answer) return tl::unexpected(b24::ToCoreError(answer.error(), "pipelines"));
    const json& rows = answer->result.is_object() && answer->result.contains("categories")
                           ? answer->result["categories"]
                           : answer->result;
    if (rows.is_array()) {
      for (const auto& row : rows) {
        if (row.is_object())
          by_name[core::TextField(row, "name")] = core::IdValue(row.value("id", json()));
      }
    }
    std::lock_guard<std::mutex> lock(mutex_);
    pipelines_[member_id] = {now, by_name};
  }
  const auto id = [&by_name](const std::string& name) {
    const auto found = by_name.find(name);
    return found == by_name.end() ? int64_t{-1} : found->second;
  };
  return core::Pipelines{id(settings.sales.pipeline), id(settings.production.pipeline)};
}

core::Result<std::vector<core::Candidate>> ConveyorRules::QueueCandidates(
    const std::string& member_id, const core::Settings& settings, const std::string& name,
    int64_t category_id, std::map<int64_t, std::string>* names) {
  std::vector<core::Candidate> candidates;
  const auto queue = settings.queues.find(name);
  if (queue == settings.queues.end()) return candidates;
  std::set<int64_t> members(queue->second.users.begin(), queue->second.users.end());
  std::set<int64_t> inactive;
  if (!queue->second.departments.empty()) {
    std::vector<b24::BatchCommand> reads;
    for (const int64_t department : queue->second.departments) {
      reads.push_back({"d" + std::to_string(department),
                       "user.get",
                       {{"FILTER", {{"UF_DEPARTMENT", department}}}}});
    }
    auto users = client_.Batch(member_id, reads, b24::Lane::kInteractive);
    if (!users) return tl::unexpected(b24::ToCoreError(users.error(), "queue members"));
    for (const auto& item : *users) {
      if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "queue members"));
      if (!item.result.is_array()) continue;
      for (const auto& user : item.result) {
        const int64_t id = core::IdValue(user.value("ID", json()));
        if (id <= 0) continue;
        members.insert(id);
        if (user.contains("ACTIVE") && user["ACTIVE"] == false) inactive.insert(id);
      }
    }
  }
  if (members.empty()) return candidates;
  // Presence and load of every member in one request (two commands each).
  std::vector<b24::BatchCommand> reads;
  for (const int64_t user : members) {
    const std::string id = std::to_string(user);
    reads.push_back({"p" + id, "timeman.status", {{"USER_ID", user}}});
    if (category_id < 0) {
      reads.push_back(
          {"l" + id,
           "crm.lead.list",
           {{"filter", {{"ASSIGNED_BY_ID", user}, {"STATUS_ID", settings.lead.assigned}}},
            {"select", {"ID"}}}});
    } else {
      reads.push_back(
          {"l" + id,
           "crm.deal.list",
           {{"filter", {{"ASSIGNED_BY_ID", user}, {"CATEGORY_ID", category_id}, {"CLOSED", "N"}}},
            {"select", {"ID"}}}});
    }
    if (names != nullptr) reads.push_back({"n" + id, "user.get", {{"ID", user}}});
  }
  auto answers = client_.Batch(member_id, reads, b24::Lane::kInteractive);
  if (!answers) return tl::unexpected(b24::ToCoreError(answers.error(), "queue presence"));
  size_t i = 0;
  for (const int64_t user : members) {
    const auto& presence = (*answers)[i++];
    const auto& load = (*answers)[i++];
    if (names != nullptr) {
      const auto& person = (*answers)[i++];
      if (!person.failure && person.result.is_array() && !person.result.empty()) {
        const std::string full = core::TextField(person.result[0], "NAME") + " " +
                                 core::TextField(person.result[0], "LAST_NAME");
        (*names)[user] = full.back() == ' ' ? full.substr(0, full.size() - 1) : full;
      }
    }
    core::Candidate c;
    c.user_id = user;
    const auto weight = queue->second.weights.find(user);
    c.weight = weight == queue->second.weights.end() ? 1 : weight->second;
    c.cap = queue->second.cap;
    c.active = inactive.count(user) == 0;
    // A failed presence read counts as unknown (not at work): the item waits rather than
    // going to someone who may be away.
    c.presence = presence.failure ? core::Presence::kUnknown
                                  : core::ParsePresence(core::TextField(presence.result, "STATUS"));
    c.open_items = load.total ? static_cast<int>(*load.total)
                              : static_cast<int>(load.result.is_array() ? load.result.size() : 0);
    candidates.push_back(c);
  }
  return candidates;
}

core::Result<core::LeadContext> ConveyorRules::LeadContextFor(const std::string& member_id,
                                                              const core::Settings& settings,
                                                              const json* lead_for_duplicates) {
  core::LeadContext context;
  auto portal = portals_.Find(member_id);
  if (!portal) return tl::unexpected(portal.error());
  if (*portal) context.portal_url = "https://" + (*portal)->domain;
  if (lead_for_duplicates != nullptr) {
    auto duplicates = FindDuplicates(member_id, *lead_for_duplicates);
    if (!duplicates) return tl::unexpected(duplicates.error());
    context.duplicates = std::move(*duplicates);
  }
  auto hunters = QueueCandidates(member_id, settings, "hunters");
  if (!hunters) return tl::unexpected(hunters.error());
  context.hunters = std::move(*hunters);
  return context;
}

core::Result<core::HandoverContext> ConveyorRules::HandoverContextFor(
    const std::string& member_id, const core::Settings& settings, const core::Pipelines& pipelines,
    const json& lead) {
  core::HandoverContext context;
  auto portal = portals_.Find(member_id);
  if (!portal) return tl::unexpected(portal.error());
  if (*portal) context.portal_url = "https://" + (*portal)->domain;
  if (pipelines.sales < 0) {
    return tl::unexpected(core::Error{core::ErrorCode::kNotFound,
                                      "no deal pipeline named '" + settings.sales.pipeline + "'"});
  }
  context.sales_category_id = pipelines.sales;
  auto closers =
      QueueCandidates(member_id, settings, "closers", pipelines.sales, &context.user_names);
  if (!closers) return tl::unexpected(closers.error());
  context.closers = std::move(*closers);
  // The hunter's name for the comment.
  const int64_t hunter = core::IdValue(lead.value("ASSIGNED_BY_ID", json()));
  if (hunter > 0 && context.user_names.count(hunter) == 0) {
    auto person = client_.Call(member_id, "user.get", {{"ID", hunter}});
    if (person && person->result.is_array() && !person->result.empty()) {
      context.user_names[hunter] = core::TextField(person->result[0], "NAME");
    }
  }
  return context;
}

core::Result<core::Outcome> ConveyorRules::PlanDeal(const core::EntityChange& change,
                                                    const core::Settings& settings,
                                                    const core::Pipelines& pipelines) {
  // Not provisioned (yet): nothing of ours to act on.
  if (pipelines.sales < 0 || pipelines.production < 0) return core::Outcome{};
  if (core::EntersCarryOver(change.before, change.after, settings, pipelines)) {
    auto masters = QueueCandidates(change.member_id, settings, "production", pipelines.production);
    if (!masters) return tl::unexpected(masters.error());
    return core::PlanCarryOver(change.after, *masters, settings, pipelines);
  }
  if (core::IsFreeDeal(change.after, settings, pipelines)) {
    const std::string direction = core::DirectionOf(change.after, pipelines);
    auto members =
        QueueCandidates(change.member_id, settings, direction == "sales" ? "closers" : "production",
                        direction == "sales" ? pipelines.sales : pipelines.production);
    if (!members) return tl::unexpected(members.error());
    return core::PlanFreeDeal(change.after, *members, settings, pipelines);
  }
  return core::Outcome{};
}

core::Result<core::Outcome> ConveyorRules::Plan(const core::EntityChange& change) {
  if (!change.after.is_object()) return core::Outcome{};
  if (change.entity_type != "lead" && change.entity_type != "deal") return core::Outcome{};
  auto settings = settings_.For(change.member_id);
  if (!settings) return tl::unexpected(settings.error());
  auto pipelines = PipelinesOf(change.member_id, *settings);
  if (!pipelines) return tl::unexpected(pipelines.error());
  auto outcome = change.entity_type == "deal" ? PlanDeal(change, *settings, *pipelines)
                                              : PlanLead(change, *settings, *pipelines);
  if (!outcome) return outcome;
  // Auto-tasks: for a stage a person moved the item into, and for the stages our own plan moves
  // or creates items in (their events come back as echoes and are not looked at).
  const auto now = static_cast<int64_t>(clock_.Now());
  if (const auto entry = core::EnteredStage(change.before, change.after, change.entity_type,
                                            *settings, *pipelines)) {
    auto tasks = core::PlanStageTasks(change.entity_id, change.entity_type,
                                      core::TextField(change.after, "TITLE"),
                                      core::IdField(change.after, "ASSIGNED_BY_ID"), *entry,
                                      core::TextField(change.after, "DATE_MODIFY"), *settings, now);
    outcome->actions.insert(outcome->actions.end(), tasks.begin(), tasks.end());
  }
  core::AddTasksForOwnMoves(*outcome, change.after, change.entity_type, *settings, *pipelines, now);
  return outcome;
}

core::Result<core::Outcome> ConveyorRules::PlanLead(const core::EntityChange& change,
                                                    const core::Settings& settings,
                                                    const core::Pipelines& pipelines) {
  if (core::IsLeadArrival(change.before, change.after, settings)) {
    auto context = LeadContextFor(change.member_id, settings, &change.after);
    if (!context) return tl::unexpected(context.error());
    return core::PlanLeadArrival(change.after, *context, settings);
  }
  if (core::IsReadyNow(change.after, settings)) {
    auto context = HandoverContextFor(change.member_id, settings, pipelines, change.after);
    if (!context) return tl::unexpected(context.error());
    return core::PlanHandover(change.after, *context, settings);
  }
  if (core::IsFreeLead(change.after, settings)) {
    auto context = LeadContextFor(change.member_id, settings, nullptr);
    if (!context) return tl::unexpected(context.error());
    return core::PlanFreeLead(change.after, *context, settings);
  }
  return core::Outcome{};
}

}  // namespace engine
