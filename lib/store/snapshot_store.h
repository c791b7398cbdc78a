// The last-seen state of each CRM entity per portal (its fields as JSON, Bitrix24's modification
// time and our hash of the fields), so rules can tell what changed and skip our own echoes.
//
// Thread-safety: safe to share between threads. The Database must outlive the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "lib/core/error.h"
#include "lib/store/database.h"

namespace store {

struct Snapshot {
  std::string fields;    // a JSON object
  std::string modified;  // as Bitrix24 spells it (DATE_MODIFY)
  std::string hash;
};

class SnapshotStore {
 public:
  explicit SnapshotStore(Database& db) : db_(db) {}

  // nullopt when the entity was never seen.
  [[nodiscard]] core::Result<std::optional<Snapshot>> Get(std::string_view member_id,
                                                          std::string_view entity_type,
                                                          int64_t entity_id);
  // Inserts or replaces. Fails with kConflict when fields is not valid JSON, kNotFound when the
  // portal is unknown.
  [[nodiscard]] core::Result<void> Put(std::string_view member_id, std::string_view entity_type,
                                       int64_t entity_id, const Snapshot& snapshot);

 private:
  Database& db_;
};

}  // namespace store
