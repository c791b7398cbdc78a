// Where the REST client keeps each portal's credentials: the storage port it needs.
// lib/store's PortalStore is the production adapter; tests use an in-memory one.
// Thread-safety: implementations must allow concurrent calls.
#pragma once

#include <cstdint>
#include <string>

#include "lib/b24/failure.h"

namespace b24 {

struct PortalAuth {
  std::string member_id;
  std::string client_endpoint;  // "https://portal.bitrix24.ru/rest/"
  std::string access_token;
  std::string refresh_token;
  int64_t expires = 0;
};

class TokenStore {
 public:
  virtual ~TokenStore() = default;
  // kUnknownPortal when there is no installation, kNeedsReinstall when it is marked so.
  virtual Result<PortalAuth> Load(const std::string& member_id) = 0;
  // Persists a refreshed pair; the client retries its call only after this succeeded.
  virtual Result<void> SaveTokens(const std::string& member_id, const std::string& access,
                                  const std::string& refresh, int64_t expires) = 0;
  // The portal moved to another domain (302): its REST address from now on.
  virtual Result<void> SaveEndpoint(const std::string& member_id,
                                    const std::string& client_endpoint) = 0;
  virtual void MarkNeedsReinstall(const std::string& member_id) = 0;
};

}  // namespace b24
