#include "handlers/set_up.h"

#include "handlers/access.h"
#include "handlers/reply.h"
#include "handlers/routes.h"
#include "lib/core/payloads.h"
#include "lib/core/settings.h"

namespace handlers {
namespace {

using json = nlohmann::json;

// The portal's directory, for a caller who may see the set-up page: an admin, a viewer, or a
// head of a department on the app page. Answers the refusal itself otherwise.
std::optional<core::PortalDirectory> DirectoryFor(Deps& deps, const httplib::Request& req,
                                                  httplib::Response& res, const Caller& caller) {
  if (!caller.wide && !caller.session.entity_type.empty()) {
    JsonError(res, 403, "access_required", "A card's tab does not set the conveyor up");
    return std::nullopt;
  }
  auto directory = deps.set_up->Directory(req.matches[1].str());
  if (!directory) {
    JsonError(res, 503, "unavailable", "The portal could not be read; try again");
    return std::nullopt;
  }
  if (!caller.wide && !core::HeadsAnyDepartment(*directory, caller.session.user_id)) {
    JsonError(res, 403, "access_required",
              "The set-up is open to portal administrators, the people they name in the "
              "settings, and heads of departments");
    return std::nullopt;
  }
  return std::move(*directory);
}

// Whom the caller may mark away: everyone for an admin, a head's own people otherwise.
json MayMark(const Caller& caller, const core::PortalDirectory& directory) {
  if (caller.admin) return "all";
  json ids = json::array();
  for (const auto& person : directory.people) {
    if (core::HeadsDepartmentOf(directory, caller.session.user_id, person.id))
      ids.push_back(person.id);
  }
  return ids;
}

}  // namespace

void GetSetUp(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  const auto caller = Admit(deps, req, res, Need::kCard);
  if (!caller) return;
  const auto directory = DirectoryFor(deps, req, res, *caller);
  if (!directory) return;
  auto view = deps.set_up->View(req.matches[1].str(), *directory);
  if (!view) return JsonError(res, 503, "unavailable", "The portal could not be read; try again");
  (*view)["you"] = {{"admin", caller->admin}, {"may_mark", MayMark(*caller, *directory)}};
  Json(res, *view);
}

void DistributeWaiting(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  if (!Admit(deps, req, res, Need::kAdmin)) return;
  auto done = deps.set_up->Distribute(req.matches[1].str());
  if (!done) return JsonError(res, 503, "unavailable", "The portal could not be read; try again");
  const auto counts = [](const core::WaitingCounts& c) {
    return json{{"leads", c.leads}, {"sales", c.sales}, {"production", c.production}};
  };
  Json(res, {{"queued", counts(done->queued)}, {"left", counts(done->left)}}, 202);
}

void MarkAway(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  const auto caller = Admit(deps, req, res, Need::kCard);
  if (!caller) return;
  const std::string member_id = req.matches[1].str();
  int64_t user = 0;
  if (!ParseWhole(req.matches[2].str(), user) || user <= 0)
    return JsonError(res, 400, "invalid_request", "The path names a user by a positive id");
  std::string until;  // empty: back at work
  if (req.method == "PUT") {
    const json body = core::JsonNestingWithin(req.body, kMostJsonNesting)
                          ? json::parse(req.body, nullptr, false)
                          : json();
    const bool paused = body.is_object() && body.value("paused", false) == true;
    if (body.is_object() && body.contains("until") && body["until"].is_string())
      until = body["until"].get<std::string>();
    if (paused == !until.empty()) {
      return JsonError(res, 400, "invalid_request",
                       R"(The body is {"until": "YYYY-MM-DD"} or {"paused": true})");
    }
    if (paused) until = "paused";
  }
  if (!caller->admin) {
    const auto directory = DirectoryFor(deps, req, res, *caller);
    if (!directory) return;
    if (!core::HeadsDepartmentOf(*directory, caller->session.user_id, user)) {
      return JsonError(res, 403, "access_required",
                       "Only an administrator or the head of their department may do this");
    }
  }
  // A new settings version with this one mark changed: read, change, save if nobody saved in
  // between (else once more, on theirs).
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto latest = deps.settings_store->Latest(member_id);
    auto current = deps.settings->For(member_id);
    if (!latest || !current)
      return JsonError(res, 503, "storage_error", "The settings could not be read");
    core::Settings next = *current;
    if (until.empty()) {
      next.away.erase(user);
    } else {
      next.away[user] = until;
    }
    auto parsed = core::ParseSettings(core::SettingsToJson(next));
    if (!parsed) return JsonError(res, 400, "invalid_request", parsed.error().message);
    auto saved = deps.settings_store->Save(
        member_id, core::SettingsToJson(*parsed).dump(), static_cast<int64_t>(deps.clock->Now()),
        caller->session.user_id, *latest ? (*latest)->version : 0);
    if (saved) {
      res.set_header("ETag", std::to_string(*saved));
      return Json(res, {{"version", *saved},
                        {"user", user},
                        {"away", until.empty() ? json(nullptr) : json(until)}});
    }
    if (saved.error().code != core::ErrorCode::kConflict)
      return JsonError(res, 503, "storage_error", "The settings could not be saved");
  }
  JsonError(res, 409, "version_conflict", "The settings kept changing; try again");
}

}  // namespace handlers
