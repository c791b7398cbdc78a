#include "lib/engine/portal_tokens.h"

namespace engine {
namespace {

b24::Failure StorageFailure(const core::Error& e) {
  return {b24::FailureKind::kServer, 0, "STORAGE", e.message};
}

int64_t Seconds(double t) { return static_cast<int64_t>(t); }

}  // namespace

b24::Result<b24::PortalAuth> PortalTokens::Load(const std::string& member_id) {
  auto found = portals_.Find(member_id);
  if (!found) return tl::unexpected(StorageFailure(found.error()));
  if (!*found || (*found)->state == "uninstalled") {
    return tl::unexpected(
        b24::Failure{b24::FailureKind::kUnknownPortal, 0, "", "portal is not installed"});
  }
  if ((*found)->state == "needs_reinstall") {
    return tl::unexpected(
        b24::Failure{b24::FailureKind::kNeedsReinstall, 0, "", "portal needs a reinstall"});
  }
  const auto& r = **found;
  return b24::PortalAuth{r.member_id, r.client_endpoint, r.access_token, r.refresh_token,
                         r.expires};
}

b24::Result<void> PortalTokens::SaveTokens(const std::string& member_id, const std::string& access,
                                           const std::string& refresh, int64_t expires) {
  auto saved = portals_.UpdateTokens(member_id, access, refresh, expires, Seconds(clock_.Now()));
  if (!saved) return tl::unexpected(StorageFailure(saved.error()));
  return {};
}

b24::Result<void> PortalTokens::SaveEndpoint(const std::string& member_id,
                                             const std::string& client_endpoint) {
  // "https://new.host/rest/" -> "new.host"
  std::string domain = client_endpoint;
  if (const auto scheme = domain.find("://"); scheme != std::string::npos)
    domain = domain.substr(scheme + 3);
  if (const auto slash = domain.find('/'); slash != std::string::npos) domain.resize(slash);
  auto saved = portals_.UpdateDomain(member_id, domain, client_endpoint, Seconds(clock_.Now()));
  if (!saved) return tl::unexpected(StorageFailure(saved.error()));
  return {};
}

void PortalTokens::MarkNeedsReinstall(const std::string& member_id) {
  (void)portals_.SetState(member_id, "needs_reinstall", Seconds(clock_.Now()));
}

}  // namespace engine
