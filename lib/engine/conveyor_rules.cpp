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

std::vector<b24::BatchCommand> ConveyorRules::DuplicateFinds(const json& lead) {
  // Docs: crm/duplicates/crm-duplicate-find-by-comm.md — values are matched after the portal's
  // own normalisation; we send ours (E.164, lower-case e-mail), which both sides agree on.
  const auto keys = core::CommunicationKeys(lead);
  std::vector<b24::BatchCommand> finds;
  for (const auto& [type, prefix] : {std::pair<std::string, std::string>{"PHONE", "phone:"},
                                     std::pair<std::string, std::string>{"EMAIL", "email:"}}) {
    const auto values = ValuesOf(keys, prefix);
    if (values.empty()) continue;
    for (const char* entity : {"LEAD", "CONTACT"}) {
      finds.push_back({"x" + type + "_" + entity,
                       "crm.duplicate.findbycomm",
                       {{"type", type}, {"values", values}, {"entity_type", entity}}});
    }
  }
  return finds;
}

core::Result<std::vector<core::DuplicateHit>> ConveyorRules::DuplicatesFrom(
    const std::string& member_id, const json& lead, const std::vector<b24::BatchItem>& found) {
  std::vector<core::DuplicateHit> hits;
  const int64_t self = core::IdValue(lead.value("ID", json()));
  std::set<int64_t> leads, contacts;
  for (const auto& item : found) {
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
    int64_t category_id, std::map<int64_t, std::string>* names, ReadAlong* along) {
  std::vector<core::Candidate> candidates;
  const auto queue = settings.queues.find(name);
  if (queue == settings.queues.end() && along == nullptr) return candidates;
  static const core::Queue kNoQueue;
  const core::Queue& members_of = queue == settings.queues.end() ? kNoQueue : queue->second;
  const double now = clock_.Now();
  const auto fresh = [now](double read_at, double seconds) { return now - read_at < seconds; };
  std::set<int64_t> members(members_of.users.begin(), members_of.users.end());
  std::set<int64_t> inactive;
  std::vector<b24::BatchCommand> reads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int64_t department : members_of.departments) {
      const auto& kept = department_members_[{member_id, department}];
      if (!fresh(kept.read_at, kDictionarySeconds)) {
        reads.push_back({"d" + std::to_string(department),
                         "user.get",
                         {{"FILTER", {{"UF_DEPARTMENT", department}}}}});
        continue;
      }
      for (const auto& [user, active] : kept.value) {
        members.insert(user);
        if (!active) inactive.insert(user);
      }
    }
  }
  if (!reads.empty()) {
    auto users = client_.Batch(member_id, reads, b24::Lane::kInteractive);
    if (!users) return tl::unexpected(b24::ToCoreError(users.error(), "queue members"));
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& item : *users) {
      if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "queue members"));
      auto& kept = department_members_[{member_id, std::stoll(item.key.substr(1))}];
      kept = {now, {}};
      if (!item.result.is_array()) continue;
      for (const auto& user : item.result) {
        const int64_t id = core::IdValue(user.value("ID", json()));
        if (id <= 0) continue;
        const bool active = !(user.contains("ACTIVE") && user["ACTIVE"] == false);
        kept.value.emplace_back(id, active);
        members.insert(id);
        if (!active) inactive.insert(id);
      }
    }
  }
  if (members.empty() && along == nullptr) return candidates;
  // Loads of every member, and the presence and names not kept, in one request, with the
  // riders.
  reads.clear();
  if (along != nullptr) reads = along->riders;
  std::map<int64_t, core::Presence> presence;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int64_t user : members) {
      const std::string id = std::to_string(user);
      const auto& kept = presence_[{member_id, user}];
      if (fresh(kept.read_at, kPresenceSeconds)) {
        presence[user] = kept.value;
      } else {
        reads.push_back({"p" + id, "timeman.status", {{"USER_ID", user}}});
      }
      if (names != nullptr) {
        const auto& kept_name = names_[{member_id, user}];
        if (fresh(kept_name.read_at, kDictionarySeconds)) {
          (*names)[user] = kept_name.value;
        } else {
          reads.push_back({"n" + id, "user.get", {{"ID", user}}});
        }
      }
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
    }
  }
  if (names != nullptr && along != nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int64_t user : along->also_named) {
      if (members.count(user) != 0 || user <= 0) continue;
      const auto& kept_name = names_[{member_id, user}];
      if (fresh(kept_name.read_at, kDictionarySeconds)) {
        (*names)[user] = kept_name.value;
      } else {
        reads.push_back({"n" + std::to_string(user), "user.get", {{"ID", user}}});
      }
    }
  }
  if (reads.empty()) return candidates;
  auto answers = client_.Batch(member_id, reads, b24::Lane::kInteractive);
  if (!answers) return tl::unexpected(b24::ToCoreError(answers.error(), "queue presence"));
  std::map<int64_t, int> loads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& item : *answers) {
      if (item.key[0] == 'x') {
        if (along != nullptr) along->answers.push_back(item);
        continue;
      }
      const int64_t user = std::stoll(item.key.substr(1));
      if (item.key[0] == 'p') {
        // A failed presence read counts as unknown (not at work) and is not kept: the item
        // waits rather than going to someone who may be away.
        presence[user] = item.failure ? core::Presence::kUnknown
                                      : core::ParsePresence(core::TextField(item.result, "STATUS"));
        if (!item.failure) presence_[{member_id, user}] = {now, presence[user]};
      } else if (item.key[0] == 'n') {
        if (item.failure || !item.result.is_array() || item.result.empty()) continue;
        const std::string full = core::TextField(item.result[0], "NAME") + " " +
                                 core::TextField(item.result[0], "LAST_NAME");
        const std::string trimmed = full.back() == ' ' ? full.substr(0, full.size() - 1) : full;
        (*names)[user] = trimmed;
        names_[{member_id, user}] = {now, trimmed};
      } else {
        loads[user] = item.total
                          ? static_cast<int>(*item.total)
                          : static_cast<int>(item.result.is_array() ? item.result.size() : 0);
      }
    }
  }
  for (const int64_t user : members) {
    core::Candidate c;
    c.user_id = user;
    const auto weight = members_of.weights.find(user);
    c.weight = weight == members_of.weights.end() ? 1 : weight->second;
    c.cap = members_of.cap;
    c.active = inactive.count(user) == 0;
    c.presence = presence.count(user) ? presence[user] : core::Presence::kUnknown;
    c.open_items = loads[user];
    candidates.push_back(c);
  }
  return candidates;
}

core::Result<std::vector<core::Candidate>> ConveyorRules::DirectionCandidates(
    const std::string& member_id, const core::Settings& settings, const std::string& queue,
    const std::string& direction, const core::Pipelines& pipelines,
    std::map<int64_t, std::string>* names) {
  return QueueCandidates(member_id, settings, queue, core::CategoryOf(direction, pipelines), names);
}

std::string ConveyorRules::PortalUrl(const std::string& member_id) {
  auto portal = portals_.Find(member_id);
  return portal && *portal ? "https://" + (*portal)->domain : "";
}

core::Result<core::LeadContext> ConveyorRules::LeadContextFor(const std::string& member_id,
                                                              const core::Settings& settings,
                                                              const json* lead_for_duplicates) {
  core::LeadContext context;
  context.portal_url = PortalUrl(member_id);
  // The duplicate searches ride along with the hunters' presence and load: one request.
  ReadAlong along;
  if (lead_for_duplicates != nullptr) along.riders = DuplicateFinds(*lead_for_duplicates);
  auto hunters = QueueCandidates(member_id, settings, "hunters", -1, nullptr, &along);
  if (!hunters) return tl::unexpected(hunters.error());
  context.hunters = std::move(*hunters);
  if (lead_for_duplicates != nullptr && !along.riders.empty()) {
    auto duplicates = DuplicatesFrom(member_id, *lead_for_duplicates, along.answers);
    if (!duplicates) return tl::unexpected(duplicates.error());
    context.duplicates = std::move(*duplicates);
  }
  return context;
}

core::Result<core::HandoverContext> ConveyorRules::HandoverContextFor(
    const std::string& member_id, const core::Settings& settings, const core::Pipelines& pipelines,
    const json& lead) {
  core::HandoverContext context;
  context.portal_url = PortalUrl(member_id);
  if (pipelines.sales < 0) {
    return tl::unexpected(core::Error{core::ErrorCode::kNotFound,
                                      "no deal pipeline named '" + settings.sales.pipeline + "'"});
  }
  context.sales_category_id = pipelines.sales;
  // A client ready on a later day: the deal waits for that day, so no closer is needed now.
  if (core::IsReadyLater(lead, settings)) {
    const int64_t ready = core::ReadyDayStart(lead, settings);
    if (ready > static_cast<int64_t>(clock_.Now())) {
      context.ready_day_start = ready;
      return context;
    }
  }
  // The hunter's name for the comment comes in the same request as the closers'.
  ReadAlong along;
  along.also_named.insert(core::IdValue(lead.value("ASSIGNED_BY_ID", json())));
  auto closers =
      QueueCandidates(member_id, settings, "closers", pipelines.sales, &context.user_names, &along);
  if (!closers) return tl::unexpected(closers.error());
  context.closers = std::move(*closers);
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
  if (core::MeetingRescheduled(change.before, change.after, settings, pipelines)) {
    core::Outcome out;
    out.decisions.push_back(
        core::MeetingRescheduledDecision(change.before, change.after, settings));
    return out;  // back at the free stage, the deal's wait timer offers it again
  }
  if (core::IsFreeDeal(change.after, settings, pipelines)) {
    // A client ready on a later day: its timer hands the deal out when that day starts.
    if (core::ReadyDayStart(change.after, settings) > static_cast<int64_t>(clock_.Now()))
      return core::Outcome{};
    const std::string direction = core::DirectionOf(change.after, pipelines);
    auto members = DirectionCandidates(change.member_id, settings,
                                       core::QueueOfDirection(direction), direction, pipelines);
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
  auto outcome = change.timer.is_object()       ? PlanTimer(change, *settings, *pipelines)
                 : change.entity_type == "deal" ? PlanDeal(change, *settings, *pipelines)
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
  core::AddFollowUps(*outcome, change, *settings, *pipelines, now);
  return outcome;
}

bool ConveyorRules::StillDue(const core::EntityChange& change) {
  const std::string kind = change.timer.value("kind", "");
  if (kind == "sla") return core::SlaBreached(change.after, change.timer.value("data", json()));
  if (kind != "wait" && kind != "ready_day") return true;
  auto settings = settings_.For(change.member_id);
  if (!settings) return true;  // look, and let Plan meet the failure
  if (change.entity_type == "lead") return core::IsFreeLead(change.after, *settings);
  auto pipelines = PipelinesOf(change.member_id, *settings);
  return !pipelines || core::IsFreeDeal(change.after, *settings, *pipelines);
}

core::Result<core::Outcome> ConveyorRules::PlanTimer(const core::EntityChange& change,
                                                     const core::Settings& settings,
                                                     const core::Pipelines& pipelines) {
  const std::string kind = change.timer.value("kind", "");
  const json data = change.timer.value("data", json::object());
  const std::string direction = change.entity_type == "lead"
                                    ? std::string("lead")
                                    : core::DirectionOf(change.after, pipelines);
  if (direction.empty()) return core::Outcome{};
  const std::string queue = core::QueueOfDirection(direction);
  if (kind == "sla") {
    if (!core::SlaBreached(change.after, data)) return core::Outcome{};
    core::SlaContext context;
    context.portal_url = PortalUrl(change.member_id);
    auto members = DirectionCandidates(change.member_id, settings, queue, direction, pipelines,
                                       &context.user_names);
    if (!members) return tl::unexpected(members.error());
    context.members = std::move(*members);
    return core::PlanSlaReassign(change.after, change.entity_type, direction, data, context,
                                 settings);
  }
  if (kind != "wait" && kind != "ready_day") return core::Outcome{};
  auto outcome = change.entity_type == "deal" ? PlanDeal(change, settings, pipelines)
                                              : PlanLead(change, settings, pipelines);
  if (!outcome || kind != "wait") return outcome;
  const bool nobody = std::any_of(outcome->decisions.begin(), outcome->decisions.end(),
                                  [](const core::Decision& d) { return d.kind == "waiting"; });
  if (!nobody) return outcome;
  core::WaitContext context;
  context.portal_url = PortalUrl(change.member_id);
  for (const auto& next : core::FallbackChain(queue, settings)) {
    auto members = DirectionCandidates(change.member_id, settings, next, direction, pipelines);
    if (!members) return tl::unexpected(members.error());
    context.fallback_members[next] = std::move(*members);
  }
  const auto now = static_cast<int64_t>(clock_.Now());
  auto fallback =
      core::PlanFallback(change.after, change.entity_type, direction, context, settings, pipelines,
                         data.value("since", now), data.value("alerted", false), now);
  // Still waiting, and journaled as such when the wait began: no new entry per offer.
  if (fallback.actions.empty() && fallback.decisions.empty()) return core::Outcome{};
  return fallback;
}

core::Result<core::Outcome> ConveyorRules::PlanLead(const core::EntityChange& change,
                                                    const core::Settings& settings,
                                                    const core::Pipelines& pipelines) {
  if (core::IsLeadArrival(change.before, change.after, settings)) {
    auto context = LeadContextFor(change.member_id, settings, &change.after);
    if (!context) return tl::unexpected(context.error());
    return core::PlanLeadArrival(change.after, *context, settings);
  }
  if (core::IsReadyNow(change.after, settings) || core::IsReadyLater(change.after, settings)) {
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
