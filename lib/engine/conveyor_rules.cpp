#include "lib/engine/conveyor_rules.h"

#include <algorithm>
#include <optional>
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
    const json& lead, const std::vector<b24::BatchItem>& found, PlanningRound& round) {
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
  auto rows = round.Batch(reads);
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
      // An original handed out earlier in this round: its new owner, not yet the portal's.
      if (const int64_t owner = round.OwnerInRound(hit.entity_type, hit.id); owner > 0)
        hit.owner_id = owner;
      hit.title = is_lead ? core::TextField(row, "TITLE")
                          : core::TextField(row, "NAME") + " " + core::TextField(row, "LAST_NAME");
      hits.push_back(std::move(hit));
    }
  }
  return hits;
}

core::Result<core::Pipelines> ConveyorRules::PipelinesOf(const core::Settings& settings,
                                                         PlanningRound& round) {
  const std::string& member_id = round.member_id();
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
    const auto read = PipelinesRead();
    auto answer = round.Call(read.method, read.params);
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
  return PipelinesNamed(settings, by_name);
}

core::Pipelines ConveyorRules::PipelinesNamed(const core::Settings& settings,
                                              const std::map<std::string, int64_t>& by_name) {
  const auto id = [&by_name](const std::string& name) {
    const auto found = by_name.find(name);
    return found == by_name.end() ? int64_t{-1} : found->second;
  };
  return core::Pipelines{id(settings.sales.pipeline), id(settings.production.pipeline)};
}

b24::BatchCommand ConveyorRules::PipelinesRead() {
  // Docs: crm/universal/category/crm-category-list.md (entityTypeId 2 = deals).
  return {"c", "crm.category.list", {{"entityTypeId", 2}}};
}

b24::BatchCommand ConveyorRules::DepartmentRead(int64_t department, long start) {
  b24::BatchCommand read{
      "d" + std::to_string(department), "user.get", {{"FILTER", {{"UF_DEPARTMENT", department}}}}};
  if (start > 0) {
    read.key += ":" + std::to_string(start);
    read.params["start"] = start;
  }
  return read;
}

b24::BatchCommand ConveyorRules::NameRead(int64_t user) {
  return {"n" + std::to_string(user), "user.get", {{"ID", user}}};
}

bool ConveyorRules::WithoutTimeman(const std::string& member_id, double now) const {
  const auto missing = timeman_missing_since_.find(member_id);
  return missing != timeman_missing_since_.end() && now - missing->second < kDictionarySeconds;
}

std::vector<b24::BatchCommand> ConveyorRules::MemberReads(const std::string& member_id,
                                                          const core::Settings& settings,
                                                          const std::set<int64_t>& members,
                                                          int64_t category_id, bool names,
                                                          bool online, double now) {
  std::vector<b24::BatchCommand> reads;
  const bool timeman = !WithoutTimeman(member_id, now);
  // IS_ONLINE of the members not kept, 50 to a user.get (docs: user/user-get.md, a filter
  // value may be a list).
  std::vector<int64_t> unknown_online;
  for (const int64_t user : members) {
    if (online && now - online_[{member_id, user}].read_at >= kPresenceSeconds)
      unknown_online.push_back(user);
  }
  for (size_t first = 0; first < unknown_online.size(); first += 50) {
    const auto from = unknown_online.begin() + static_cast<std::ptrdiff_t>(first);
    const std::vector<int64_t> ids(from, from + static_cast<std::ptrdiff_t>(std::min<size_t>(
                                                    50, unknown_online.size() - first)));
    reads.push_back({"o" + std::to_string(ids.front()), "user.get", {{"FILTER", {{"ID", ids}}}}});
  }
  for (const int64_t user : members) {
    const std::string id = std::to_string(user);
    if (timeman && now - presence_[{member_id, user}].read_at >= kPresenceSeconds)
      reads.push_back({"p" + id, "timeman.status", {{"USER_ID", user}}});
    if (names && now - names_[{member_id, user}].read_at >= kDictionarySeconds)
      reads.push_back(NameRead(user));
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
  return reads;
}

std::vector<core::Read> ConveyorRules::ReadAhead(const std::vector<core::EntityChange>& expected) {
  if (expected.empty()) return {};
  const std::string& member_id = expected.front().member_id;
  auto settings = settings_.For(member_id);
  if (!settings) return {};  // the plans meet the failure
  const double now = clock_.Now();
  std::vector<b24::BatchCommand> reads;
  std::lock_guard<std::mutex> lock(mutex_);
  core::Pipelines pipelines{-1, -1};
  const auto kept = pipelines_.find(member_id);
  if (kept == pipelines_.end() || now - kept->second.read_at >= kDictionarySeconds)
    reads.push_back(PipelinesRead());
  if (kept != pipelines_.end()) pipelines = PipelinesNamed(*settings, kept->second.by_name);
  struct Need {
    bool names = false;
    std::set<int64_t> also_named;
  };
  std::map<std::string, Need> needs;  // by direction
  for (const auto& item : expected) {
    for (const auto& need :
         core::LikelyQueueNeeds(item.entity_type, item.before, item.timer, *settings, pipelines)) {
      auto& merged = needs[need.direction];
      merged.names = merged.names || need.names;
      if (need.also_named > 0) merged.also_named.insert(need.also_named);
    }
  }
  for (const auto& [direction, need] : needs) {
    const int64_t category = core::CategoryOf(direction, pipelines);
    const auto queue = settings->queues.find(core::QueueOfDirection(direction));
    if ((direction != "lead" && category < 0) || queue == settings->queues.end()) continue;
    std::set<int64_t> members(queue->second.users.begin(), queue->second.users.end());
    for (const int64_t department : queue->second.departments) {
      const auto& known = department_members_[{member_id, department}];
      if (now - known.read_at >= kDictionarySeconds) reads.push_back(DepartmentRead(department));
      for (const auto& member : known.value) members.insert(member.first);
    }
    auto member_reads = MemberReads(member_id, *settings, members, category, need.names,
                                    queue->second.require_online, now);
    reads.insert(reads.end(), member_reads.begin(), member_reads.end());
    for (const int64_t user : need.also_named) {
      if (need.names && members.count(user) == 0 &&
          now - names_[{member_id, user}].read_at >= kDictionarySeconds)
        reads.push_back(NameRead(user));
    }
  }
  std::vector<core::Read> unique;
  std::set<std::string> seen;
  for (auto& read : reads) {
    if (seen.insert(PlanningRound::Canonical(read)).second)
      unique.push_back({std::move(read.method), std::move(read.params)});
  }
  return unique;
}

core::Result<std::vector<core::Candidate>> ConveyorRules::QueueCandidates(
    const core::Settings& settings, const std::string& name, int64_t category_id,
    PlanningRound& round, std::map<int64_t, std::string>* names, ReadAlong* along) {
  const std::string& member_id = round.member_id();
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
        reads.push_back(DepartmentRead(department));
        continue;
      }
      for (const auto& [user, active] : kept.value) {
        members.insert(user);
        if (!active) inactive.insert(user);
      }
    }
  }
  if (!reads.empty()) {
    auto users = round.Batch(reads);
    if (!users) return tl::unexpected(b24::ToCoreError(users.error(), "queue members"));
    // user.get answers 50 a page: a department of more has its other pages read next (one more
    // request for them all, riding in the round).
    std::vector<b24::BatchCommand> pages;
    for (const auto& item : *users) {
      const long total = item.failure ? 0 : item.total.value_or(0);
      for (long start = 50; start < std::min(total, kMostDepartmentMembers); start += 50)
        pages.push_back(DepartmentRead(std::stoll(item.key.substr(1)), start));
    }
    if (!pages.empty()) {
      auto more = round.Batch(pages);
      if (!more) return tl::unexpected(b24::ToCoreError(more.error(), "queue members"));
      users->insert(users->end(), more->begin(), more->end());
    }
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& command : reads)
      department_members_[{member_id, std::stoll(command.key.substr(1))}] = {now, {}};
    for (const auto& item : *users) {
      if (item.failure) return tl::unexpected(b24::ToCoreError(*item.failure, "queue members"));
      // "d<department>" or "d<department>:<start>"
      auto& kept = department_members_[{member_id, std::stoll(item.key.substr(1))}];
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
  std::map<int64_t, bool> online;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int64_t user : members) {
      const auto& kept = presence_[{member_id, user}];
      if (fresh(kept.read_at, kPresenceSeconds)) presence[user] = kept.value;
      if (names == nullptr) continue;
      const auto& kept_name = names_[{member_id, user}];
      if (fresh(kept_name.read_at, kDictionarySeconds)) (*names)[user] = kept_name.value;
    }
    for (const int64_t user : members) {
      const auto& kept = online_[{member_id, user}];
      if (fresh(kept.read_at, kPresenceSeconds)) online[user] = kept.value;
    }
    auto member_reads = MemberReads(member_id, settings, members, category_id, names != nullptr,
                                    members_of.require_online, now);
    reads.insert(reads.end(), member_reads.begin(), member_reads.end());
  }
  if (names != nullptr && along != nullptr) {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const int64_t user : along->also_named) {
      if (members.count(user) != 0 || user <= 0) continue;
      const auto& kept_name = names_[{member_id, user}];
      if (fresh(kept_name.read_at, kDictionarySeconds)) {
        (*names)[user] = kept_name.value;
      } else {
        reads.push_back(NameRead(user));
      }
    }
  }
  if (reads.empty()) return candidates;
  auto answers = round.Batch(reads);
  if (!answers) return tl::unexpected(b24::ToCoreError(answers.error(), "queue presence"));
  std::map<int64_t, int> loads;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& item : *answers) {
      if (item.key[0] == 'x') {
        if (along != nullptr) along->answers.push_back(item);
        continue;
      }
      if (item.key[0] == 'o') {
        // A failed read leaves them unknown: offline, for a queue that asks for online.
        if (item.failure || !item.result.is_array()) continue;
        for (const auto& row : item.result) {
          const int64_t user = core::IdValue(row.value("ID", json()));
          online[user] = core::TextField(row, "IS_ONLINE") == "Y";
          online_[{member_id, user}] = {now, online[user]};
        }
        continue;
      }
      const int64_t user = std::stoll(item.key.substr(1));
      if (item.key[0] == 'p') {
        // Docs: timeman/base/timeman-status.md (scope timeman); a module a plan lacks
        // registers no methods.
        if (item.failure && b24::NotOffered(*item.failure)) {
          timeman_missing_since_[member_id] = now;
          continue;
        }
        // A failed presence read counts as unknown (not at work) and is not kept: the item
        // waits rather than going to someone who may be away.
        presence[user] = item.failure ? core::Presence::kUnknown
                                      : core::ParsePresence(core::TextField(item.result, "STATUS"));
        if (!item.failure) presence_[{member_id, user}] = {now, presence[user]};
      } else if (item.key[0] == 'n') {
        if (item.failure || !item.result.is_array() || item.result.empty()) continue;
        // Docs: user/user-get.md — ACTIVE is false for a dismissed employee.
        const json active = item.result[0].value("ACTIVE", json(true));
        if (active == false || active == "N") inactive.insert(user);
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
  bool by_hours = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    by_hours = WithoutTimeman(member_id, now);
  }
  // The rotation's turns today, and this round's own (not journaled yet).
  auto today = decisions_.HandOutsSince(
      member_id, core::LocalDayStart(static_cast<int64_t>(now), settings.schedule));
  if (!today) return tl::unexpected(today.error());
  // Without work-time tracking, whoever is active is at work during the working hours.
  const core::Presence by_schedule =
      core::IsWorkingTime(static_cast<int64_t>(now), settings.schedule) ? core::Presence::kOpened
                                                                        : core::Presence::kClosed;
  for (const int64_t user : members) {
    core::Candidate c;
    c.user_id = user;
    const auto weight = members_of.weights.find(user);
    c.weight = weight == members_of.weights.end() ? 1 : weight->second;
    const auto cap = members_of.caps.find(user);
    c.cap = cap == members_of.caps.end() ? members_of.cap : cap->second;
    c.active = inactive.count(user) == 0;
    c.presence = presence.count(user) ? presence[user] : core::Presence::kUnknown;
    if (by_hours) {
      c.presence = by_schedule;
      c.presence_source = core::PresenceSource::kWorkingHours;
    }
    if (core::IsMarkedAway(settings, user, static_cast<int64_t>(now))) {
      c.presence = core::Presence::kClosed;
      c.presence_source = core::PresenceSource::kMarkedAway;
    }
    if (members_of.require_online && online.count(user)) c.online = online[user];
    c.open_items = loads[user] + round.AssignedInRound(category_id, user);
    // Turns are the journal's hand-outs plus the round's own not journaled yet; an SLA
    // reassignment in the round adds to a load above but is no turn.
    const int turns_in_round = round.TurnsInRound(user);
    const auto turns = today->find(user);
    c.handed_out_today = turns_in_round + (turns == today->end() ? 0 : turns->second.count);
    c.last_assigned_at = turns_in_round > 0      ? static_cast<int64_t>(now)
                         : turns != today->end() ? turns->second.last_at
                                                 : 0;
    candidates.push_back(c);
  }
  return candidates;
}

core::Result<std::vector<core::Candidate>> ConveyorRules::DirectionCandidates(
    const core::Settings& settings, const std::string& queue, const std::string& direction,
    const core::Pipelines& pipelines, PlanningRound& round, std::map<int64_t, std::string>* names,
    ReadAlong* along) {
  return QueueCandidates(settings, queue, core::CategoryOf(direction, pipelines), round, names,
                         along);
}

std::string ConveyorRules::PortalUrl(const std::string& member_id) {
  auto portal = portals_.Find(member_id);
  return portal && *portal ? "https://" + (*portal)->domain : "";
}

core::Result<core::LeadContext> ConveyorRules::LeadContextFor(const core::Settings& settings,
                                                              const json* lead_for_duplicates,
                                                              PlanningRound& round) {
  core::LeadContext context;
  context.portal_url = PortalUrl(round.member_id());
  // The duplicate searches ride along with the hunters' presence and load: one request.
  ReadAlong along;
  if (lead_for_duplicates != nullptr) along.riders = DuplicateFinds(*lead_for_duplicates);
  auto hunters = QueueCandidates(settings, "hunters", -1, round, nullptr, &along);
  if (!hunters) return tl::unexpected(hunters.error());
  context.hunters = std::move(*hunters);
  if (lead_for_duplicates != nullptr && !along.riders.empty()) {
    auto duplicates = DuplicatesFrom(*lead_for_duplicates, along.answers, round);
    if (!duplicates) return tl::unexpected(duplicates.error());
    context.duplicates = std::move(*duplicates);
  }
  // A repeat enquiry's owner: could they take it now? A hunter is judged already; anyone else
  // is read as a queue of one (presence, and whether still employed).
  const core::DuplicateHit* original = core::OriginalOf(
      context.duplicates,
      lead_for_duplicates ? core::IdField(*lead_for_duplicates, "ID") : int64_t{0});
  if (original == nullptr || original->owner_id <= 0) return context;
  for (const auto& hunter : context.hunters) {
    if (hunter.user_id == original->owner_id) context.owner = hunter;
  }
  if (context.owner) return context;
  core::Settings of_one = settings;
  core::Queue alone;
  alone.users = {original->owner_id};
  of_one.queues["repeat_owner"] = alone;
  std::map<int64_t, std::string> names;
  auto owner = QueueCandidates(of_one, "repeat_owner", -1, round, &names);
  if (!owner) return tl::unexpected(owner.error());
  if (!owner->empty()) context.owner = owner->front();
  return context;
}

core::Result<core::HandoverContext> ConveyorRules::HandoverContextFor(
    const core::Settings& settings, const core::Pipelines& pipelines, const json& lead,
    PlanningRound& round) {
  core::HandoverContext context;
  context.portal_url = PortalUrl(round.member_id());
  if (pipelines.sales < 0) {
    return core::Fail(core::ErrorCode::kNotFound,
                      "no deal pipeline named '" + settings.sales.pipeline + "'");
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
      QueueCandidates(settings, "closers", pipelines.sales, round, &context.user_names, &along);
  if (!closers) return tl::unexpected(closers.error());
  context.closers = std::move(*closers);
  return context;
}

core::Result<core::Outcome> ConveyorRules::PlanDeal(const core::EntityChange& change,
                                                    const core::Settings& settings,
                                                    const core::Pipelines& pipelines,
                                                    PlanningRound& round) {
  // Not provisioned (yet): nothing of ours to act on.
  if (pipelines.sales < 0 || pipelines.production < 0) return core::Outcome{};
  if (core::EntersCarryOver(change.before, change.after, settings, pipelines)) {
    auto masters = QueueCandidates(settings, "production", pipelines.production, round);
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
    // The names for a waited sales deal's hand-over texts ride in the queue's request.
    std::map<int64_t, std::string> names;
    ReadAlong along;
    along.also_named.insert(core::IdField(change.after, "ASSIGNED_BY_ID"));
    const bool announced = core::AnnouncedAsHandover(change.after, pipelines);
    auto members =
        DirectionCandidates(settings, core::QueueOfDirection(direction), direction, pipelines,
                            round, announced ? &names : nullptr, announced ? &along : nullptr);
    if (!members) return tl::unexpected(members.error());
    return core::PlanFreeDeal(change.after, *members, settings, pipelines, names,
                              PortalUrl(round.member_id()));
  }
  return core::Outcome{};
}

std::vector<core::Result<core::Outcome>> ConveyorRules::PlanAll(
    const std::vector<core::EntityChange>& changes, const std::vector<core::Answer>& read_ahead) {
  std::vector<std::optional<core::Result<core::Outcome>>> planned(changes.size());
  std::map<std::string, PlanningRound> rounds;  // by member_id
  if (!changes.empty()) {
    auto& round = rounds.try_emplace(changes.front().member_id, client_, changes.front().member_id)
                      .first->second;
    for (const auto& answer : read_ahead)
      round.Seed({"", answer.read.method, answer.read.params},
                 {"", answer.result, std::nullopt, answer.total, std::nullopt});
  }
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    bool any_put_off = false;
    for (size_t i = 0; i < changes.size(); ++i) {
      if (planned[i]) continue;
      auto& round =
          rounds.try_emplace(changes[i].member_id, client_, changes[i].member_id).first->second;
      const size_t put_off = round.put_off();
      auto outcome = PlanOne(changes[i], round);
      if (!outcome && round.put_off() > put_off) {
        any_put_off = true;
        continue;
      }
      planned[i] = std::move(outcome);
    }
    if (!any_put_off) break;
    for (auto& [member_id, round] : rounds) {
      if (round.noted() == 0) continue;
      if (auto fetched = round.Fetch(); !fetched) {
        for (size_t i = 0; i < changes.size(); ++i) {
          if (!planned[i] && changes[i].member_id == member_id)
            planned[i] = tl::unexpected(b24::ToCoreError(fetched.error(), "reads"));
        }
      }
    }
  }
  std::vector<core::Result<core::Outcome>> outcomes;
  for (auto& outcome : planned) {
    outcomes.push_back(outcome
                           ? std::move(*outcome)
                           : core::Fail(core::ErrorCode::kUnavailable, "the reads did not settle"));
  }
  return outcomes;
}

void ConveyorRules::CountAssignments(const core::EntityChange& change, const core::Outcome& outcome,
                                     const core::Settings& settings, PlanningRound& round) {
  for (const auto& decision : outcome.decisions) {
    if (core::IsHandOut(decision)) round.CountTurn(decision.assignee);
  }
  for (const auto& action : outcome.actions) {
    const json fields = action.params.value("fields", json::object());
    const int64_t user = core::IdField(fields, "ASSIGNED_BY_ID");
    if (user <= 0) continue;
    if (action.method == "crm.lead.update")
      round.NoteOwner("lead", core::IdValue(action.params.value("id", json())), user);
    if (action.method == "crm.lead.add" || action.method == "crm.lead.update") {
      // A hunter's load is the leads at the assigned stage.
      if (core::TextField(fields, "STATUS_ID") == settings.lead.assigned)
        round.CountAssignment(-1, user);
    } else if (action.method == "crm.deal.add") {
      round.CountAssignment(core::IdField(fields, "CATEGORY_ID"), user);
    } else if (action.method == "crm.deal.update" && change.entity_type == "deal" &&
               core::IdValue(action.params.value("id", json())) == change.entity_id) {
      round.CountAssignment(core::IdField(change.after, "CATEGORY_ID"), user);
    }
  }
}

core::Result<core::Outcome> ConveyorRules::PlanOne(const core::EntityChange& change,
                                                   PlanningRound& round) {
  if (!change.after.is_object()) return core::Outcome{};
  if (change.entity_type != "lead" && change.entity_type != "deal") return core::Outcome{};
  auto settings = settings_.For(change.member_id);
  if (!settings) return tl::unexpected(settings.error());
  auto pipelines = PipelinesOf(*settings, round);
  if (!pipelines) return tl::unexpected(pipelines.error());
  auto outcome = change.timer.is_object()       ? PlanTimer(change, *settings, *pipelines, round)
                 : change.entity_type == "deal" ? PlanDeal(change, *settings, *pipelines, round)
                                                : PlanLead(change, *settings, *pipelines, round);
  if (!outcome) return outcome;
  // Auto-tasks: for a stage a person moved the item into, and for the stages our own plan moves
  // or creates items in (their events come back as echoes and are not looked at).
  const auto now = static_cast<int64_t>(clock_.Now());
  if (const auto entry = core::EnteredStage(change.before, change.after, change.entity_type,
                                            *settings, *pipelines)) {
    // An item the app has not seen yet entered its first stage, as one the app's own plan
    // creates does ("new"): the same key, and a look first, in case the app made it and its
    // tasks before a restart lost their answers.
    const bool unseen = change.before.is_null();
    auto tasks = core::PlanStageTasks(
        change.entity_id, change.entity_type, core::TextField(change.after, "TITLE"),
        core::IdField(change.after, "ASSIGNED_BY_ID"), *entry,
        unseen ? "new" : core::TextField(change.after, "DATE_MODIFY"), *settings, now);
    for (auto& task : tasks) task.look_first = unseen;
    outcome->actions.insert(outcome->actions.end(), tasks.begin(), tasks.end());
  }
  core::AddTasksForOwnMoves(*outcome, change.after, change.entity_type, *settings, *pipelines, now);
  core::AddFollowUps(*outcome, change, *settings, *pipelines, now);
  CountAssignments(change, *outcome, *settings, round);
  return outcome;
}

core::Result<std::map<std::string, std::vector<core::Candidate>>> ConveyorRules::QueuesNow(
    const std::string& member_id) {
  auto settings = settings_.For(member_id);
  if (!settings) return tl::unexpected(settings.error());
  PlanningRound round(client_, member_id);
  for (int pass = 0; pass < kMaxPasses; ++pass) {
    const size_t put_off = round.put_off();
    std::map<std::string, std::vector<core::Candidate>> queues;
    auto pipelines = PipelinesOf(*settings, round);
    bool complete = pipelines.has_value();
    for (const auto& [name, queue] : settings->queues) {
      if (!complete) break;
      const int64_t category = name == "closers"      ? pipelines->sales
                               : name == "production" ? pipelines->production
                                                      : -1;
      auto members = QueueCandidates(*settings, name, category, round);
      if (!members) {
        complete = false;
        if (round.put_off() == put_off) return tl::unexpected(members.error());
        continue;
      }
      queues[name] = std::move(*members);
    }
    if (!pipelines && round.put_off() == put_off) return tl::unexpected(pipelines.error());
    if (complete) return queues;
    if (auto fetched = round.Fetch(); !fetched)
      return tl::unexpected(b24::ToCoreError(fetched.error(), "queue members"));
  }
  return core::Fail(core::ErrorCode::kUnavailable, "the reads did not settle");
}

bool ConveyorRules::StillDue(const core::EntityChange& change) {
  const std::string kind = change.timer.value("kind", "");
  if (kind == "sla") return core::SlaBreached(change.after, change.timer.value("data", json()));
  if (kind != "wait" && kind != "ready_day" && kind != "distribute") return true;
  auto settings = settings_.For(change.member_id);
  if (!settings) return true;  // look, and let Plan meet the failure
  if (change.entity_type == "lead")
    return core::IsFreeLead(change.after, *settings) ||
           (kind == "distribute" && core::IsWaitingNewLead(change.after, *settings));
  PlanningRound round(client_, change.member_id);
  auto pipelines = PipelinesOf(*settings, round);
  if (!pipelines && round.put_off() > 0 && round.Fetch()) pipelines = PipelinesOf(*settings, round);
  return !pipelines || core::IsFreeDeal(change.after, *settings, *pipelines);
}

core::Result<core::Outcome> ConveyorRules::PlanTimer(const core::EntityChange& change,
                                                     const core::Settings& settings,
                                                     const core::Pipelines& pipelines,
                                                     PlanningRound& round) {
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
    auto members =
        DirectionCandidates(settings, queue, direction, pipelines, round, &context.user_names);
    if (!members) return tl::unexpected(members.error());
    context.members = std::move(*members);
    return core::PlanSlaReassign(change.after, change.entity_type, direction, data, context,
                                 settings);
  }
  if (kind != "wait" && kind != "ready_day" && kind != "distribute") return core::Outcome{};
  // An admin asked to distribute what waited since before the install (issue 16, item 8): a
  // lead never taken into the conveyor arrives now, as a new one would.
  if (kind == "distribute" && change.entity_type == "lead" &&
      core::IsWaitingNewLead(change.after, settings)) {
    auto context = LeadContextFor(settings, &change.after, round);
    if (!context) return tl::unexpected(context.error());
    return core::PlanLeadArrival(change.after, *context, settings);
  }
  auto outcome = change.entity_type == "deal" ? PlanDeal(change, settings, pipelines, round)
                                              : PlanLead(change, settings, pipelines, round);
  if (!outcome || kind != "wait") return outcome;
  const bool nobody = std::any_of(outcome->decisions.begin(), outcome->decisions.end(),
                                  [](const core::Decision& d) { return d.kind == "waiting"; });
  if (!nobody) return outcome;
  core::WaitContext context;
  context.portal_url = PortalUrl(change.member_id);
  for (const auto& next : core::FallbackChain(queue, settings)) {
    auto members = DirectionCandidates(settings, next, direction, pipelines, round);
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
                                                    const core::Pipelines& pipelines,
                                                    PlanningRound& round) {
  if (core::IsLeadArrival(change.before, change.after, settings)) {
    auto context = LeadContextFor(settings, &change.after, round);
    if (!context) return tl::unexpected(context.error());
    return core::PlanLeadArrival(change.after, *context, settings);
  }
  if (core::IsReadyNow(change.after, settings) || core::IsReadyLater(change.after, settings)) {
    auto context = HandoverContextFor(settings, pipelines, change.after, round);
    if (!context) return tl::unexpected(context.error());
    return core::PlanHandover(change.after, *context, settings);
  }
  if (core::IsFreeLead(change.after, settings)) {
    auto context = LeadContextFor(settings, nullptr, round);
    if (!context) return tl::unexpected(context.error());
    return core::PlanFreeLead(change.after, *context, settings);
  }
  return core::Outcome{};
}

}  // namespace engine
