// Conveyor's installation on a portal: made, changed and removed only by what a party that can
// vouch for it confirms (REST.md §1.2, §1.4, §1.5):
// - the installer page and ONAPPINSTALL / ONAPPUPDATE carry a refresh token. The OAuth server
//   exchanges it and names the installation (member_id, REST address) it belongs to; the portal
//   at that address names the token's user, who must be a portal administrator. Only then is
//   anything stored: the new token pair, the address the OAuth server gave (never the request's
//   DOMAIN) and, from an event, its application_token. Then the portal is provisioned.
// - ONAPPUNINSTALL carries no tokens; its application_token must equal the stored one.
// The installer page and ONAPPINSTALL may come in either order; either one alone installs.
// Thread-safety: safe to share. Requests for one portal run one at a time (so a portal
// installed twice at once is provisioned once, the second run finding nothing to do);
// different portals never wait for each other, and no lock is held over the OAuth exchange.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "lib/b24/rest_client.h"
#include "lib/b24/vouch.h"
#include "lib/core/install_spec.h"
#include "lib/core/payloads.h"
#include "lib/engine/backfill_runs.h"
#include "lib/engine/first_setup.h"
#include "lib/engine/reports.h"
#include "lib/engine/sweeper.h"
#include "lib/store/portal_store.h"

namespace engine {

// The record a vouched-for grant makes: its portal, address and tokens, installed at `now`.
store::PortalRecord InstalledRecord(const b24::VouchedGrant& grant, int64_t now);

class Installations {
 public:
  struct Wiring {
    store::PortalStore* portals = nullptr;
    b24::RestClient* client = nullptr;
    b24::Transport* transport = nullptr;  // to the OAuth server and the portals
    b24::ClientOptions oauth;             // oauth_url, client_id, client_secret, timeout
    core::Clock* clock = nullptr;
    core::InstallSpec spec;
    core::Manifest manifest;
    std::string public_url;
    Sweeper* sweeper = nullptr;         // optional: marks where the sweep starts
    BackfillRuns* backfills = nullptr;  // optional: reads the portal's history
    Reports* reports = nullptr;         // optional: forgotten on uninstall
    // Optional: the first settings of a new installation (departments and stages found).
    std::optional<FirstSetupWiring> first_setup;
  };

  explicit Installations(Wiring wiring) : w_(std::move(wiring)) {}

  // The installer page's request. Fails with kInvalidArgument without a REFRESH_ID,
  // kUnauthorized when the OAuth server does not vouch for it or names another member_id,
  // kForbidden when its user is not a portal administrator, kUnavailable when the OAuth server,
  // the portal or storage fails, or provisioning does (its message says what the portal refused).
  [[nodiscard]] core::Result<void> FromInstaller(const core::PageRequest& page);
  // ONAPPINSTALL or ONAPPUPDATE: as FromInstaller, and the event's application_token is stored.
  [[nodiscard]] core::Result<void> FromEvent(const core::Event& event);
  // ONAPPUNINSTALL. Fails with kUnauthorized when the portal is unknown or the token does not
  // match the stored one; returns false when the portal was uninstalled already.
  [[nodiscard]] core::Result<bool> Uninstall(const core::Event& event);

 private:
  // The grant and its holder, checked: the same portal as claimed, an administrator.
  core::Result<b24::VouchedGrant> Vouch(const std::string& refresh_token,
                                        const std::string& claimed_member_id);
  // Stores the grant (and a new application token, when given) and provisions the portal.
  core::Result<void> Install(const b24::VouchedGrant& grant, const std::string& application_token);
  std::shared_ptr<std::mutex> PortalLock(const std::string& member_id);

  Wiring w_;
  std::mutex locks_mutex_;
  // One per vouched-for portal, so never more than there are installations.
  std::map<std::string, std::shared_ptr<std::mutex>> locks_;  // GUARDED_BY(locks_mutex_)
};

}  // namespace engine
