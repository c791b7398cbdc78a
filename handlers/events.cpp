#include "handlers/events.h"

#include "handlers/reply.h"
#include "lib/core/change.h"
#include "lib/core/payloads.h"

namespace handlers {

void Event(Deps& deps, const httplib::Request& req, httplib::Response& res) {
  auto event = core::ParseEvent(req.body);
  if (!event) {
    ++deps.events_rejected;
    return JsonError(res, 400, "invalid_request", event.error().message);
  }
  if (event->name == "ONAPPUNINSTALL") {
    auto removed = deps.installations->Uninstall(*event);
    if (!removed) {
      if (removed.error().code == core::ErrorCode::kUnauthorized) ++deps.events_rejected;
      return ErrorReply(res, removed.error());
    }
    return Json(res, {{"status", "uninstalled"}});
  }
  auto stored = deps.portals->Find(event->auth.member_id);
  if (!stored) return JsonError(res, 503, "storage_error", "The installation could not be read");
  // Unknown portal or wrong token: 401 and nothing stored (safe-event-handlers.md). An
  // installation whose ONAPPINSTALL has not come yet has no token, and takes no event.
  if (!*stored || (*stored)->state == "uninstalled" || (*stored)->application_token.empty() ||
      !core::ConstantTimeEquals((*stored)->application_token, event->auth.application_token)) {
    ++deps.events_rejected;
    return JsonError(res, 401, "invalid_token", "Unknown installation or application_token");
  }
  const int64_t now = static_cast<int64_t>(deps.clock->Now());
  const std::string entity = event->name.rfind("ONCRMLEAD", 0) == 0   ? "lead"
                             : event->name.rfind("ONCRMDEAL", 0) == 0 ? "deal"
                                                                      : "app";
  // Bitrix24 gives events no id: the same event delivered twice has the same handler, object,
  // name and second — and so has another change of the object in that second (see Void).
  const std::string dedup = event->name + ":" + std::to_string(event->EntityId()) + ":" +
                            std::to_string(event->ts) + ":" + event->handler_id;
  auto queued = deps.inbox->Enqueue(event->auth.member_id, dedup, event->name, entity,
                                    event->EntityId(), event->data.dump(), now);
  if (queued && !*queued && entity != "app") {
    // The key again: a repeated delivery, or another change of the object in the same second
    // (a person's save right after the app's own write). Bitrix24 does not repeat deliveries
    // (REST.md §2.2), so the object is read once more — and not taken for the app's echo.
    if (deps.echoes != nullptr)
      deps.echoes->Void(event->auth.member_id, entity, event->EntityId(), static_cast<double>(now));
    queued = deps.inbox->Enqueue(event->auth.member_id, dedup + ":again", event->name, entity,
                                 event->EntityId(), event->data.dump(), now);
  }
  if (!queued)
    return JsonError(res, 503, "storage_error", "The event could not be stored; please retry");
  ++(*queued ? deps.events_received : deps.events_duplicate);
  if (*queued && deps.workers != nullptr) deps.workers->Wake();
  Json(res, {{"status", *queued ? "queued" : "duplicate"}});
}

}  // namespace handlers
