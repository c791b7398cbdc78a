// The REST client's TokenStore backed by the portal table (tokens sealed at rest).
// Thread-safety: as PortalStore, safe to share.
#pragma once

#include "lib/b24/token_store.h"
#include "lib/core/clock.h"
#include "lib/store/portal_store.h"

namespace engine {

class PortalTokens : public b24::TokenStore {
 public:
  PortalTokens(store::PortalStore& portals, core::Clock& clock)
      : portals_(portals), clock_(clock) {}

  b24::Result<b24::PortalAuth> Load(const std::string& member_id) override;
  b24::Result<void> SaveTokens(const std::string& member_id, const std::string& access,
                               const std::string& refresh, int64_t expires) override;
  b24::Result<void> SaveEndpoint(const std::string& member_id,
                                 const std::string& client_endpoint) override;
  void MarkNeedsReinstall(const std::string& member_id) override;

 private:
  store::PortalStore& portals_;
  core::Clock& clock_;
};

}  // namespace engine
