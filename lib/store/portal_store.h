// One row per installed portal (keyed by Bitrix24's member_id): its addresses, OAuth tokens and
// installation state. Tokens are sealed with the TokenCipher at rest, bound to their portal and
// column, and only ever appear in plain text in the PortalRecord values returned here.
//
// Find() answers from memory after a portal's first read (every event is checked against its
// portal, so the read and the decryption would otherwise be paid per event); every write through
// this store drops the remembered record, so the process that owns the database always reads
// what it wrote. Nothing else writes the portals table.
//
// Thread-safety: safe to share between threads (each call takes one Session on the Database).
// The Database and TokenCipher must outlive the store.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "lib/core/error.h"
#include "lib/store/database.h"
#include "lib/store/token_cipher.h"

namespace store {

// Times are Unix seconds, passed in by the caller.
struct PortalRecord {
  std::string member_id, domain, client_endpoint, server_endpoint, scope, status, application_token,
      access_token, refresh_token;
  int64_t expires = 0;
  std::string state = "installed";  // "installed", "needs_reinstall" or "uninstalled"
  int64_t installed_at = 0, updated_at = 0;
};

class PortalStore {
 public:
  PortalStore(Database& db, const TokenCipher& cipher) : db_(db), cipher_(cipher) {}

  // Inserts or replaces every field of the portal. Fails with kInvalidArgument for an empty
  // member_id or an unknown state.
  [[nodiscard]] core::Result<void> Upsert(const PortalRecord& record);
  // nullopt when there is no such portal; kInternal when its tokens do not decrypt (wrong key).
  [[nodiscard]] core::Result<std::optional<PortalRecord>> Find(std::string_view member_id);
  // After an OAuth refresh. kNotFound when there is no such portal.
  [[nodiscard]] core::Result<void> UpdateTokens(std::string_view member_id,
                                                std::string_view access_token,
                                                std::string_view refresh_token, int64_t expires,
                                                int64_t now);
  // After the portal moved to another address. kNotFound when there is no such portal.
  [[nodiscard]] core::Result<void> UpdateDomain(std::string_view member_id, std::string_view domain,
                                                std::string_view client_endpoint, int64_t now);
  // kInvalidArgument for an unknown state, kNotFound when there is no such portal.
  [[nodiscard]] core::Result<void> SetState(std::string_view member_id, std::string_view state,
                                            int64_t now);
  // On uninstall. clean=true deletes the portal and, by cascade, everything stored for it;
  // clean=false forgets its tokens and marks it 'uninstalled' but keeps its data. Returns false
  // when there was no such portal (a repeated uninstall is not an error).
  [[nodiscard]] core::Result<bool> Remove(std::string_view member_id, bool clean, int64_t now);
  // Every portal, in member_id order, whatever its state.
  [[nodiscard]] core::Result<std::vector<PortalRecord>> All();

 private:
  core::Result<std::optional<PortalRecord>> Read(std::string_view member_id);
  void Forget(std::string_view member_id);
  // Forgets the portal when a write returns, after its commit (a reader in between may still see
  // the old record, as it would have an instant earlier).
  struct ForgetOnReturn {
    PortalStore& store;
    std::string member_id;
    ~ForgetOnReturn() { store.Forget(member_id); }
  };

  Database& db_;
  const TokenCipher& cipher_;
  std::mutex cache_mutex_;
  std::unordered_map<std::string, PortalRecord> cache_;  // GUARDED_BY(cache_mutex_)
  // Bumped by every write, so a read that raced a write does not remember what it read.
  uint64_t generation_ = 0;  // GUARDED_BY(cache_mutex_)
};

}  // namespace store
