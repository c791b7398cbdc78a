#include "lib/engine/installations.h"

#include "lib/core/change.h"
#include "lib/engine/log.h"
#include "lib/engine/provisioner.h"

namespace engine {
namespace {

using core::ErrorCode;

constexpr double kPortalTimeoutSeconds = 10;

// "https://portal.bitrix24.ru/rest/" -> "portal.bitrix24.ru".
std::string HostOf(const std::string& endpoint) {
  const auto start = endpoint.find("://");
  const auto from = start == std::string::npos ? 0 : start + 3;
  return endpoint.substr(from, endpoint.find('/', from) - from);
}

// What a refusal by the OAuth server or the portal means for the request: not vouched for, or
// no answer to tell (try again).
core::Error NotVouched(const b24::Failure& failure, const std::string& who) {
  switch (failure.kind) {
    case b24::FailureKind::kTransport:
    case b24::FailureKind::kServer:
    case b24::FailureKind::kQueryLimit:
    case b24::FailureKind::kOperationLimit:
    case b24::FailureKind::kNotSent:
      return {ErrorCode::kUnavailable, who + " did not answer; try again"};
    case b24::FailureKind::kExpiredToken:
    case b24::FailureKind::kInvalidToken:
    case b24::FailureKind::kNeedsReinstall:
    case b24::FailureKind::kUnknownPortal:
    case b24::FailureKind::kNotFound:
    case b24::FailureKind::kAccessDenied:
    case b24::FailureKind::kBadRequest:
      break;
  }
  return {ErrorCode::kUnauthorized, who + " did not vouch for this request"};
}

}  // namespace

store::PortalRecord InstalledRecord(const b24::VouchedGrant& grant, int64_t now) {
  store::PortalRecord record;
  record.member_id = grant.member_id;
  record.domain = HostOf(grant.client_endpoint);
  record.client_endpoint = grant.client_endpoint;
  record.server_endpoint = grant.server_endpoint;
  record.scope = grant.scope;
  record.status = grant.status;
  record.access_token = grant.access_token;
  record.refresh_token = grant.refresh_token;
  record.expires = grant.expires;
  record.installed_at = now;
  record.updated_at = now;
  return record;
}

core::Result<void> Installations::FromInstaller(const core::PageRequest& page) {
  if (page.refresh_id.empty())
    return core::Fail(ErrorCode::kInvalidArgument, "REFRESH_ID is missing");
  auto grant = Vouch(page.refresh_id, page.member_id);
  if (!grant) return tl::unexpected(grant.error());
  return Install(*grant, "");
}

core::Result<void> Installations::FromEvent(const core::Event& event) {
  if (event.auth.refresh_token.empty())
    return core::Fail(ErrorCode::kInvalidArgument, "auth[refresh_token] is missing");
  auto grant = Vouch(event.auth.refresh_token, event.auth.member_id);
  if (!grant) return tl::unexpected(grant.error());
  return Install(*grant, event.auth.application_token);
}

core::Result<b24::VouchedGrant> Installations::Vouch(const std::string& refresh_token,
                                                     const std::string& claimed_member_id) {
  auto grant = b24::ExchangeRefreshToken(*w_.transport, w_.oauth, refresh_token,
                                         static_cast<int64_t>(w_.clock->Now()));
  if (!grant) return tl::unexpected(NotVouched(grant.error(), "The OAuth server"));
  if (!core::ConstantTimeEquals(grant->member_id, claimed_member_id))
    return core::Fail(ErrorCode::kUnauthorized, "The OAuth server did not vouch for this request");
  auto holder = b24::WhoHolds(*w_.transport, grant->client_endpoint, grant->access_token,
                              kPortalTimeoutSeconds);
  if (!holder) return tl::unexpected(NotVouched(holder.error(), "The portal"));
  if (!holder->admin) {
    return core::Fail(ErrorCode::kForbidden,
                      "Only a portal administrator installs or updates Conveyor");
  }
  return *grant;
}

std::shared_ptr<std::mutex> Installations::PortalLock(const std::string& member_id) {
  std::lock_guard<std::mutex> lock(locks_mutex_);
  auto& slot = locks_[member_id];
  if (!slot) slot = std::make_shared<std::mutex>();
  return slot;
}

core::Result<void> Installations::Install(const b24::VouchedGrant& grant,
                                          const std::string& application_token) {
  const auto portal_lock = PortalLock(grant.member_id);
  std::lock_guard<std::mutex> lock(*portal_lock);
  const auto now = static_cast<int64_t>(w_.clock->Now());
  auto stored = w_.portals->Find(grant.member_id);
  if (!stored)
    return core::Fail(ErrorCode::kUnavailable, "The installation could not be read; try again");
  const bool fresh = !*stored || (*stored)->state == "uninstalled";
  store::PortalRecord record = InstalledRecord(grant, now);
  if (*stored) {
    record.installed_at = (*stored)->installed_at;  // a reinstall keeps the first
    // Until ONAPPINSTALL brings one, an installation has no application token, and every
    // event is refused; an uninstalled portal's old token is gone with it.
    if ((*stored)->state != "uninstalled") record.application_token = (*stored)->application_token;
  }
  if (!application_token.empty()) record.application_token = application_token;
  if (auto saved = w_.portals->Upsert(record); !saved)
    return core::Fail(ErrorCode::kUnavailable, "The installation could not be stored; try again");
  w_.client->Forget(grant.member_id);
  auto report = Provision(*w_.client, grant.member_id, w_.spec, w_.manifest, w_.public_url);
  if (!report) {
    return core::Fail(ErrorCode::kUnavailable, "Conveyor could not prepare the portal: " +
                                                   b24::ToCoreError(report.error()).message);
  }
  if (!report->failures.empty()) {
    return core::Fail(ErrorCode::kUnavailable,
                      "Conveyor could not prepare the portal: " + report->failures.front());
  }
  if (w_.first_setup) {
    // Not fatal: the app page says what is missing and the admin picks it there.
    if (auto set_up = SetUpFirst(*w_.first_setup, grant.member_id, now); !set_up) {
      Log(spdlog::level::warn, "the first settings could not be made",
          {{"member_id", grant.member_id}, {"error", set_up.error().message}});
    }
  }
  if (!fresh) return {};  // the installer after ONAPPINSTALL, or the other way round; an update
  // From here on a lost event is recovered by the sweep; an error only delays the mark.
  if (w_.sweeper != nullptr) (void)w_.sweeper->SweepPortal(grant.member_id);
  // The portal's history, for the journeys and reports; it runs behind the events.
  if (w_.backfills != nullptr) (void)w_.backfills->Start(grant.member_id);
  return {};
}

core::Result<bool> Installations::Uninstall(const core::Event& event) {
  const std::string& member_id = event.auth.member_id;
  auto stored = w_.portals->Find(member_id);
  if (!stored)
    return core::Fail(ErrorCode::kUnavailable, "The installation could not be read; try again");
  if (!*stored || (*stored)->application_token.empty() ||
      !core::ConstantTimeEquals((*stored)->application_token, event.auth.application_token)) {
    return core::Fail(ErrorCode::kUnauthorized, "Unknown installation or application_token");
  }
  const bool clean = core::TextField(event.data, "CLEAN") == "1";
  const auto portal_lock = PortalLock(member_id);
  std::lock_guard<std::mutex> lock(*portal_lock);
  auto removed = w_.portals->Remove(member_id, clean, static_cast<int64_t>(w_.clock->Now()));
  if (!removed)
    return core::Fail(ErrorCode::kUnavailable, "The installation could not be removed; try again");
  w_.client->Forget(member_id);
  if (w_.reports != nullptr) w_.reports->Forget(member_id);
  return *removed;
}

}  // namespace engine
