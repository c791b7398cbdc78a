#include "lib/engine/inbox_worker.h"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>

#include "lib/engine/lease_keeper.h"
#include "lib/engine/log.h"

namespace engine {
namespace {

using json = nlohmann::json;

std::string GetMethod(const std::string& entity_type) {
  return entity_type == "deal" ? "crm.deal.get" : entity_type == "lead" ? "crm.lead.get" : "";
}

bool Touches(const std::vector<core::Action>& plan, const std::string& entity_type,
             int64_t entity_id) {
  for (const auto& action : plan) {
    for (const auto& ref : action.touches) {
      if (ref.entity_type == entity_type && ref.id.is_number_integer() &&
          ref.id.get<int64_t>() == entity_id)
        return true;
    }
  }
  return false;
}

}  // namespace

core::Result<void> InboxWorker::Defer(const store::InboxEvent& e, const std::string& why,
                                      int64_t now, RoundReport& report) {
  const bool give_up = e.attempts + 1 >= options_.max_attempts;
  Log(give_up ? spdlog::level::err : spdlog::level::warn,
      give_up ? "event given up" : "event retried",
      {{"member_id", e.member_id},
       {"event", e.event},
       {"entity", e.entity_type},
       {"id", e.entity_id},
       {"attempts", e.attempts + 1},
       {"why", why}});
  if (give_up) {  // it would block every later event of its entity forever
    ++report.given_up;
    return inbox_.Ack(e.id);
  }
  ++report.retried;
  // Exponential backoff, so a portal that is down is not hammered: 5 s, 10 s, … up to an hour.
  const int64_t delay = std::min<int64_t>(3600, options_.retry_seconds << std::min(e.attempts, 10));
  return inbox_.Retry(e.id, why, now + delay);
}

core::Result<void> InboxWorker::FireDueTimers(int64_t now, RoundReport& report) {
  auto due = timers_.Due(now, options_.max_claims);
  if (!due) return tl::unexpected(due.error());
  for (const auto& timer : *due) {
    const json payload = json::parse(timer.payload, nullptr, false);
    if (payload.is_object()) {
      // The timer's id makes the event's dedup key: firing twice (two workers, or a crash
      // before Done) queues it once.
      auto queued = inbox_.Enqueue(timer.member_id, "timer:" + std::to_string(timer.id),
                                   core::kTimerEvent, payload.value("entity_type", ""),
                                   payload.value("entity_id", int64_t{0}), timer.payload, now);
      // A portal removed meanwhile took its timers with it; anything else is retried.
      if (!queued && queued.error().code != core::ErrorCode::kNotFound)
        return tl::unexpected(queued.error());
      ++report.timers_fired;
    }
    if (auto ok = timers_.Done(timer.id); !ok) return tl::unexpected(ok.error());
  }
  return {};
}

core::Result<void> InboxWorker::SetTimers(const std::string& member_id,
                                          const std::vector<core::Timer>& timers,
                                          const json& results, RoundReport& report) {
  for (const auto& timer : timers) {
    const int64_t id = core::IdValue(core::ResolveReferences(timer.entity_id, results));
    if (id <= 0) continue;  // what it was for was not made (an unknown outcome)
    std::string key = timer.kind + ":" + timer.entity_type + ":" + std::to_string(id);
    if (!timer.tag.empty()) key += ":" + timer.tag;
    const json payload = {{"kind", timer.kind},
                          {"entity_type", timer.entity_type},
                          {"entity_id", id},
                          {"data", timer.data}};
    auto set = timers_.Schedule(member_id, key, timer.kind, timer.due_at, payload.dump());
    if (!set) return tl::unexpected(set.error());
    if (*set) ++report.timers_set;
  }
  return {};
}

bool InboxWorker::Settled(const store::InboxEvent& e, int64_t now) {
  // The event of our own write (an add or an update; the app deletes nothing): the executor
  // stored what a re-read would show.
  const auto ends_with = [&e](const std::string& tail) {
    return e.event.size() >= tail.size() &&
           e.event.compare(e.event.size() - tail.size(), tail.size(), tail) == 0;
  };
  if (e.event.rfind("ONCRM", 0) == 0 && (ends_with("ADD") || ends_with("UPDATE")) &&
      echoes_ != nullptr &&
      echoes_->Consume(e.member_id, e.entity_type, e.entity_id, static_cast<double>(now)))
    return true;
  if (e.event != core::kTimerEvent) return false;
  // A timer whose item has moved on, as far as its last known state shows (any later change
  // brings its own event): no re-read. Otherwise the rules decide on the portal's state.
  auto previous = snapshots_.Get(e.member_id, e.entity_type, e.entity_id);
  if (!previous || !*previous) return false;
  core::EntityChange change{e.member_id,
                            e.entity_type,
                            e.entity_id,
                            e.event,
                            nullptr,
                            json::parse((*previous)->fields, nullptr, false),
                            json::parse(e.payload, nullptr, false)};
  return !rules_.StillDue(change);
}

core::Result<RoundReport> InboxWorker::RunOnce() {
  RoundReport report;
  const auto now = static_cast<int64_t>(clock_.Now());
  if (auto fired = FireDueTimers(now, report); !fired) return tl::unexpected(fired.error());
  std::map<std::string, std::vector<store::InboxEvent>> by_portal;
  // A lease is real time: on a clock that runs fast it lasts that many times longer.
  const auto lease = static_cast<int64_t>(static_cast<double>(options_.lease_seconds) *
                                          std::max(1.0, clock_.Pace()));
  auto claimed = inbox_.ClaimMany(now, lease, options_.max_claims);
  if (!claimed) return tl::unexpected(claimed.error());
  // However long the portal keeps this round, no other round takes its events meanwhile.
  std::optional<LeaseKeeper> keeper;
  if (!claimed->empty()) {
    std::vector<int64_t> ids;
    for (const auto& event : *claimed) ids.push_back(event.id);
    keeper.emplace(inbox_, std::move(ids), clock_, lease);
  }
  for (auto& event : *claimed) by_portal[event.member_id].push_back(std::move(event));
  report.claimed = static_cast<int>(claimed->size());
  if (!by_portal.empty()) report.member_id = by_portal.begin()->first;
  for (auto& [member_id, events] : by_portal) {
    std::vector<b24::BatchCommand> reads;
    std::vector<store::InboxEvent> to_read;
    // Per item to read: what was last seen of it (its snapshot, parsed once) and its timer, for
    // the rules' read-ahead and then for its change; by event id, the entry and snapshot hash.
    std::vector<core::EntityChange> expected;
    std::map<int64_t, std::pair<size_t, std::optional<std::string>>> seen_of;
    // The install's horizon per entity type, read once a round: every new item asks for it.
    std::map<std::string, std::optional<store::Horizon>> horizons;
    for (auto& e : events) {
      if (!GetMethod(e.entity_type).empty() && Settled(e, now)) {
        ++report.unchanged;  // nothing to look at: no request
        ++report.settled;
        if (auto ok = inbox_.Ack(e.id); !ok) return tl::unexpected(ok.error());
        continue;
      }
      const std::string method = GetMethod(e.entity_type);
      if (!method.empty()) {
        reads.push_back({"e" + std::to_string(e.id), method, {{"id", e.entity_id}}});
        auto previous = snapshots_.Get(member_id, e.entity_type, e.entity_id);
        if (!previous) return tl::unexpected(previous.error());
        auto before = *previous ? json::parse((*previous)->fields, nullptr, false) : json(nullptr);
        if (!*previous) {
          // An item of before the install is not a new arrival: it existed, in a state unknown
          // (an empty object), so only a stage it now enters counts.
          auto known = horizons.find(e.entity_type);
          if (known == horizons.end()) {
            auto horizon = snapshots_.HorizonOf(member_id, e.entity_type);
            if (!horizon) return tl::unexpected(horizon.error());
            known = horizons.emplace(e.entity_type, std::move(*horizon)).first;
          }
          if (known->second && e.entity_id <= known->second->up_to_id) before = json::object();
        }
        seen_of[e.id] = {expected.size(),
                         *previous ? std::optional<std::string>((*previous)->hash) : std::nullopt};
        expected.push_back({member_id, e.entity_type, e.entity_id, e.event, std::move(before),
                            nullptr,
                            e.event == core::kTimerEvent ? json::parse(e.payload, nullptr, false)
                                                         : json(nullptr)});
      }
      to_read.push_back(std::move(e));
    }
    events = std::move(to_read);
    if (events.empty()) continue;
    // What the plans will likely read rides with the items' own reads: no request of its own.
    const auto ahead = reads.empty() ? std::vector<core::Read>{} : rules_.ReadAhead(expected);
    for (size_t i = 0; i < ahead.size(); ++i)
      reads.push_back({"a" + std::to_string(i), ahead[i].method, ahead[i].params});
    auto items = client_.Batch(member_id, reads, b24::Lane::kInteractive);
    std::map<std::string, b24::BatchItem> results;
    if (items) {
      for (auto& item : *items) results[item.key] = std::move(item);
    }
    std::vector<core::Answer> answers;
    for (size_t i = 0; i < ahead.size(); ++i) {
      const auto it = results.find("a" + std::to_string(i));
      if (it != results.end() && !it->second.failure)
        answers.push_back({ahead[i], std::move(it->second.result), it->second.total});
    }
    // The events whose entity changed, planned together (their reads shared) and carried out
    // together (their writes in one batch).
    std::vector<const store::InboxEvent*> changed_events;
    std::vector<core::EntityChange> changes;
    for (const auto& e : events) {
      if (GetMethod(e.entity_type).empty()) {  // app events: nothing to re-read
        if (auto ok = inbox_.Ack(e.id); !ok) return tl::unexpected(ok.error());
        continue;
      }
      const auto it = results.find("e" + std::to_string(e.id));
      const bool deleted = it != results.end() && it->second.failure &&
                           it->second.failure->kind == b24::FailureKind::kNotFound;
      if (!items || it == results.end() || (it->second.failure && !deleted)) {
        const std::string why = !items ? items.error().code + " " + items.error().description
                                       : "the entity could not be read";
        if (auto ok = Defer(e, why, now, report); !ok) return tl::unexpected(ok.error());
        continue;
      }
      core::EntityChange change{member_id,   e.entity_type,
                                e.entity_id, e.event,
                                nullptr,     deleted ? json(nullptr) : it->second.result,
                                nullptr};
      const auto& [item, previous_hash] = seen_of.at(e.id);
      change.before = expected[item].before;
      change.timer = expected[item].timer;
      const std::string hash = deleted ? "deleted" : core::ContentHash(change.after);
      // A timer asks for a look even when nothing changed.
      if (previous_hash == hash && !change.timer.is_object()) {
        ++report.unchanged;  // an echo of our own write, or a save that changed nothing
        if (auto ok = inbox_.Ack(e.id); !ok) return tl::unexpected(ok.error());
        continue;
      }
      changed_events.push_back(&e);
      changes.push_back(std::move(change));
    }
    if (changes.empty()) continue;
    // Journeys first: the executor records the newer state of what the plans write.
    for (const auto& change : changes) {
      if (journeys_ == nullptr || !change.after.is_object()) continue;
      auto ok =
          journeys_->Record(member_id, core::FactsOf(change.entity_type, change.after),
                            core::TransitionOf(change.entity_type, change.before, change.after));
      if (!ok) return tl::unexpected(ok.error());
    }
    auto outcomes = rules_.PlanAll(changes, answers);
    std::vector<std::vector<core::Action>> plans;
    std::vector<size_t> plan_of(changes.size(), SIZE_MAX);
    for (size_t i = 0; i < changes.size(); ++i) {
      if (!outcomes[i] || outcomes[i]->actions.empty()) continue;
      plan_of[i] = plans.size();
      plans.push_back(outcomes[i]->actions);
    }
    auto executed = executor_.RunAll(member_id, plans);
    for (size_t i = 0; i < changes.size(); ++i) {
      const auto& e = *changed_events[i];
      const auto& change = changes[i];
      auto& outcome = outcomes[i];
      if (!outcome) {  // what the rules needed to know could not be read
        if (auto ok = Defer(e, outcome.error().message, now, report); !ok)
          return tl::unexpected(ok.error());
        continue;
      }
      bool applied_now = outcome->actions.empty();
      json created = json::object();
      if (plan_of[i] != SIZE_MAX) {
        auto& run = executed[plan_of[i]];
        if (!run) {  // the snapshot stays old, so the retry plans again
          if (auto ok = Defer(e, run.error().message, now, report); !ok)
            return tl::unexpected(ok.error());
          continue;
        }
        report.actions += run->sent;
        applied_now = run->sent + run->found + run->unknown > 0;
        created = std::move(run->results);
      }
      if (auto ok = SetTimers(member_id, outcome->timers, created, report); !ok)
        return tl::unexpected(ok.error());
      // A repeated event whose actions were all done before journals nothing new.
      if (applied_now) {
        for (const auto& decision : outcome->decisions) {
          if (auto ok = decisions_.Append(member_id, decision, now); !ok)
            return tl::unexpected(ok.error());
          ++report.decisions;
          ++report.decisions_by_kind[decision.kind];
        }
      }
      ++report.changed;
      // After our own write the executor stored the newer state; keep it.
      if (!Touches(outcome->actions, e.entity_type, e.entity_id)) {
        const bool deleted = change.after.is_null();
        const std::string modified = deleted ? "" : core::TextField(change.after, "DATE_MODIFY");
        const store::Snapshot snapshot{deleted ? "{}" : change.after.dump(), modified,
                                       deleted ? "deleted" : core::ContentHash(change.after)};
        if (auto ok = snapshots_.Put(member_id, e.entity_type, e.entity_id, snapshot); !ok)
          return tl::unexpected(ok.error());
      }
      if (auto ok = inbox_.Ack(e.id); !ok) return tl::unexpected(ok.error());
    }
  }
  return report;
}

WorkerPool::WorkerPool(InboxWorker& worker, core::Clock& clock, int threads, double idle_seconds,
                       int64_t keep_done_seconds)
    : worker_(worker),
      clock_(clock),
      idle_seconds_(idle_seconds),
      keep_done_seconds_(keep_done_seconds) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this, i] { Run(i == 0); });
}

WorkerPool::Totals WorkerPool::totals() const {
  Totals t{rounds_.load(),         processed_.load(),
           changed_.load(),        settled_.load(),
           retried_.load(),        given_up_.load(),
           storage_errors_.load(), timers_fired_.load(),
           timers_set_.load(),     {}};
  std::lock_guard<std::mutex> lock(kinds_mutex_);
  t.decisions_by_kind = decisions_by_kind_;
  return t;
}

void WorkerPool::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void WorkerPool::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void WorkerPool::Run(bool purges) {
  double last_purge = 0;
  bool gather = false;
  std::string portal;  // of the last round that claimed anything
  for (;;) {
    // Events come in bursts (a save brings its echo, a round's writes bring theirs): after a
    // wake or a round that took few, wait for more rather than send a request for each.
    if (gather) clock_.Sleep(worker_.GatherSeconds(portal));
    {
      std::lock_guard<std::mutex> lock(mutex_);
      woken_ = false;  // this round sees what the wake was for
    }
    core::Result<RoundReport> round = core::Fail(core::ErrorCode::kInternal, "the round failed");
    Contain("worker round", [&] { round = worker_.RunOnce(); });
    const bool idle = !round || round->claimed == 0;
    gather = !idle && round->claimed < worker_.options().max_claims;
    if (!idle) portal = round->member_id;
    ++rounds_;
    if (!round) {
      ++storage_errors_;
    } else {
      processed_ += round->changed + round->unchanged;
      changed_ += round->changed;
      settled_ += round->settled;
      retried_ += round->retried;
      given_up_ += round->given_up;
      timers_fired_ += round->timers_fired;
      timers_set_ += round->timers_set;
      std::lock_guard<std::mutex> lock(kinds_mutex_);
      for (const auto& [kind, n] : round->decisions_by_kind) decisions_by_kind_[kind] += n;
    }
    if (purges && clock_.Now() - last_purge > 3600) {
      last_purge = clock_.Now();
      Contain("inbox purge", [&] {
        (void)worker_.PurgeDone(static_cast<int64_t>(clock_.Now()) - keep_done_seconds_);
      });
    }
    std::unique_lock<std::mutex> lock(mutex_);
    if (stop_) return;
    if (idle) {
      gather = wake_.wait_for(lock, std::chrono::duration<double>(idle_seconds_),
                              [this] { return stop_ || woken_; });
    }
    if (stop_) return;
  }
}

}  // namespace engine
